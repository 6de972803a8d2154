/**
 * Borderless aligned columns (what cli-table3 gave us without borders), laid out in one
 * pass: a JobResultStore can hold tens of thousands of entries and cli-table3's layout grows
 * quadratically with rows.
 */
const ANSI = /\x1b\[[0-9;]*m/g

/** Display width of a cell: ANSI colour codes take no room; every other code point one column. */
function width(s: string): number {
  let n = 0
  for (const _ of s.replace(ANSI, '')) n++
  return n
}

export function renderColumns(head: string[], rows: string[][]): string {
  const widths = head.map((h) => width(h))
  const cellWidths = rows.map((r) =>
    r.map((c, i) => {
      const w = width(c)
      if (w > (widths[i] ?? 0)) widths[i] = w
      return w
    }),
  )
  const line = (cells: string[], ws: number[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - ws[i])))
      .join('  ')
      .trimEnd()
  const out = [line(head, head.map(width))]
  rows.forEach((r, i) => out.push(line(r, cellWidths[i])))
  return out.join('\n')
}
