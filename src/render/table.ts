import {renderColumns} from './columns.js'

/** A borderless table: readable in a terminal, easy to grep and cut; one pass, however many rows. */
export function renderTable(head: string[], rows: string[][]): string {
  return renderColumns(head, rows)
}
