/**
 * A progress bar on stderr for long removals on a terminal. The line is pure (`progressLine`); the
 * writer redraws it at most every `intervalMs`, only once removal has gone on for `delayMs` (a short
 * cleanup shows nothing), and erases it when done so the summary starts on a clean line.
 */

export interface ProgressOptions {
  /** Terminal width; the bar shrinks to fit. */
  columns?: number
  label?: string
}

/**
 * `removing [########............]  4100/10000  41%` fitted into `columns`; with no total (a scan
 * that cannot know its size), `scanning  41000 items`.
 */
export function progressLine(done: number, total: number | undefined, opts: ProgressOptions = {}): string {
  if (total === undefined) return `${opts.label ?? 'scanning'}  ${done} items`
  const all = Math.max(total, done, 1)
  const ratio = Math.min(1, done / all)
  const label = opts.label ?? 'removing'
  const width = String(all).length
  const counts = `${String(done).padStart(width)}/${all}`
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4)
  const columns = Math.max(20, opts.columns ?? 80)
  // label, space, [bar], two spaces, counts, two spaces, percent; one column spare so the cursor does not wrap.
  const barWidth = Math.min(40, columns - 1 - label.length - 1 - 2 - 2 - counts.length - 2 - percent.length)
  if (barWidth < 5) return `${label} ${counts} ${percent.trim()}`
  const filled = Math.round(ratio * barWidth)
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]  ${counts}  ${percent}`
}

export interface ProgressWriter {
  update(done: number, total?: number): void
  /** Erases the bar (if it was ever drawn). */
  done(): void
}

export function progressWriter(stream: NodeJS.WriteStream, opts: {delayMs?: number; intervalMs?: number; now?: () => number; label?: string} = {}): ProgressWriter {
  const now = opts.now ?? Date.now
  let started: number | undefined
  const delayMs = opts.delayMs ?? 300
  const intervalMs = opts.intervalMs ?? 100
  let last = -Infinity
  let drawn = false
  const draw = (done: number, total: number | undefined) => {
    stream.write(`\r${progressLine(done, total, {columns: stream.columns, label: opts.label})}\x1b[K`)
    drawn = true
    last = now()
  }
  return {
    update(done, total) {
      const t = now()
      started ??= t
      if (t - started < delayMs || t - last < intervalMs) return
      draw(done, total)
    },
    done() {
      if (drawn) stream.write('\r\x1b[K')
      drawn = false
    },
  }
}
