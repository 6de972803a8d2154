import stringWidth from 'string-width'

/**
 * Borderless aligned tables, laid out in one pass (a JobResultStore can hold tens of thousands of
 * entries): column widths by display width (a CJK job name takes two columns a character, colour
 * codes none), fitted to the terminal by cutting the least useful columns with an ellipsis.
 */

/** One column of a command's main table: what --columns names, -o wide adds, and what may be cut. */
export interface Column<R> {
  /** The name --columns takes: the heading in lower case, spaces as dashes. */
  id: string
  head: string
  cell: (r: R) => string
  /** Only with -o wide (or when named in --columns). */
  wide?: boolean
  /** Only in the one-table view of --no-headers (e.g. the job of a checkpoint, which text mode shows as a heading). */
  flat?: boolean
  /** May be cut with an ellipsis to fit the terminal; lower numbers are cut first. */
  shrink?: number
  /** Which end to keep when cut: file paths keep their end (the file name). */
  keep?: 'start' | 'end'
}

export interface TableOptions {
  /** --columns: these columns, in this order. */
  columns?: string[]
  /** false with --no-headers. */
  headers: boolean
  /** -o wide: every column, nothing cut. */
  wide: boolean
  /** Fit rows into this many columns (the terminal's width); undefined: never cut. */
  width?: number
}

let current: TableOptions = {headers: true, wide: false}

/** Set once per run by the base command from -o, --columns, --no-headers and the terminal. */
export function setTableOptions(options: TableOptions): void {
  current = options
}

export function tableOptions(): TableOptions {
  return current
}

const ANSI = /\x1b\[[0-9;]*m/g
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/
// Latin, Greek, Cyrillic and the common CJK blocks: one code unit each, no combining marks, no emoji.
// Their width is one column, two for the East Asian Wide and Fullwidth blocks (CJK ideographs, kana,
// Hangul, fullwidth forms), which string-width agrees with (test/unit/table.test.ts) at a tenth of its
// cost: a JobResultStore of 10,000 CJK job names renders without segmenting every cell.
const WIDE_RANGES = '\u1100-\u115f\u2e80-\u303e\u3041-\u3096\u309b-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff60\uffe0-\uffe6'
const SIMPLE = new RegExp(`^[\\x20-\\x7e\\u00a1-\\u00ac\\u00ae-\\u02ff\\u0370-\\u0482\\u048a-\\u052f${WIDE_RANGES}]*$`)
const WIDE = new RegExp(`[${WIDE_RANGES}]`, 'g')

/** Display width in terminal columns; ASCII (nearly every cell) and plain CJK without the Unicode tables. */
export function displayWidth(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length
  if (SIMPLE.test(s)) return s.length + (s.match(WIDE)?.length ?? 0)
  return stringWidth(s)
}

/** Cuts `s` to at most `max` display columns, marking the cut with an ellipsis; colour is dropped from a cut cell. */
export function truncate(s: string, max: number, keep: 'start' | 'end' = 'start'): string {
  if (displayWidth(s) <= max) return s
  const plain = s.replace(ANSI, '')
  if (max <= 1) return max === 1 ? '…' : ''
  const chars = [...plain]
  if (keep === 'end') chars.reverse()
  let used = 0
  let out = ''
  for (const ch of chars) {
    const w = displayWidth(ch)
    if (used + w > max - 1) break
    used += w
    out = keep === 'end' ? ch + out : out + ch
  }
  return keep === 'end' ? `…${out}` : `${out}…`
}

/** The columns a table shows under these options, in order. */
export function selectColumns<R>(columns: Column<R>[], opts: TableOptions, flat = false): Column<R>[] {
  if (opts.columns) return opts.columns.map((id) => columns.find((c) => c.id === id)).filter((c): c is Column<R> => c !== undefined)
  return columns.filter((c) => (!c.wide || opts.wide) && (!c.flat || flat))
}

/** A command's main table under the run's options (--columns, -o wide, --no-headers, terminal width). */
export function renderView<R>(columns: Column<R>[], rows: R[], opts: TableOptions = current, flat = false): string {
  return [...viewLines(columns, rows, opts, flat)].join('\n')
}

/** Rows as an array or anything with a length that gives row i (made on demand). */
export interface Rows<R> {
  readonly length: number
  at(i: number): R | undefined
}

/** renderView's lines, one at a time: a table of 100,000 rows is written out without ever being one string. */
export function viewLines<R>(columns: Column<R>[], rows: Rows<R>, opts: TableOptions = current, flat = false): Generator<string> {
  const shown = selectColumns(columns, opts, flat)
  // Cells are made twice (widths, then lines) rather than kept: 100,000 rows of ten cells held ~50 MB.
  return layout(
    shown.map((c) => c.head),
    rows.length,
    (i) => {
      const row = rows.at(i) as R
      return shown.map((c) => c.cell(row))
    },
    {headers: opts.headers, width: opts.wide ? undefined : opts.width, shrink: shown.map((c) => c.shrink), keep: shown.map((c) => c.keep)},
  )
}

/** A secondary table (a summary, a plan's list): always with headers, never cut. */
export function renderTable(head: string[], rows: string[][]): string {
  return [...tableLines(head, rows)].join('\n')
}

/** renderTable's lines, one at a time. */
export function tableLines(head: string[], rows: string[][]): Generator<string> {
  return layout(head, rows.length, (i) => rows[i], {headers: true})
}

interface LayoutOptions {
  headers: boolean
  width?: number
  shrink?: (number | undefined)[]
  keep?: ('start' | 'end' | undefined)[]
}

const GAP = 2
const MIN_CUT = 8

/** `cells(i)`: row i's cells, asked for twice (once for the column widths, once for the line). */
function* layout(head: string[], count: number, cells: (i: number) => string[], opts: LayoutOptions): Generator<string> {
  const n = head.length
  const widths = opts.headers ? head.map(displayWidth) : new Array<number>(n).fill(0)
  for (let r = 0; r < count; r++) {
    const row = cells(r)
    for (let i = 0; i < row.length; i++) {
      const w = displayWidth(row[i])
      if (w > widths[i]) widths[i] = w
    }
  }
  const fitted = opts.width === undefined ? widths : fit(widths, opts.width, opts.shrink ?? [], opts.headers ? head.map(displayWidth) : [])
  const line = (row: string[]) => {
    let s = ''
    for (let i = 0; i < row.length; i++) {
      let c = row[i]
      let w = displayWidth(c)
      if (w > fitted[i]) {
        c = truncate(c, fitted[i], opts.keep?.[i] === 'end' ? 'end' : 'start')
        w = displayWidth(c)
      }
      s += i === row.length - 1 ? c : c + ' '.repeat(fitted[i] - w + GAP)
    }
    return s.trimEnd()
  }
  if (opts.headers) yield line(head)
  for (let r = 0; r < count; r++) yield line(cells(r))
}

/** Narrows shrinkable columns, the lowest `shrink` first, until the row fits `width` (or nothing more can be cut). */
function fit(widths: number[], width: number, shrink: (number | undefined)[], headWidths: number[]): number[] {
  const out = [...widths]
  let excess = out.reduce((a, b) => a + b, 0) + GAP * (out.length - 1) - width
  if (excess <= 0) return out
  const order = out.map((_, i) => i).filter((i) => shrink[i] !== undefined).sort((a, b) => shrink[a]! - shrink[b]!)
  for (const i of order) {
    const floor = Math.min(out[i], Math.max(MIN_CUT, headWidths[i] ?? 0))
    const cut = Math.min(excess, out[i] - floor)
    out[i] -= cut
    excess -= cut
    if (excess <= 0) break
  }
  return out
}

/** A read command's main table as data: its columns, its rows, and each row's identifier for -o name. */
export interface View<R> {
  columns: Column<R>[]
  rows: R[]
  name: (r: R) => string
}
