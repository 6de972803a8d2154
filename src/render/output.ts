import {Flags} from '@oclif/core'
import {usageError} from '../errors.js'
import {CHUNK} from './json-stream.js'

/** -o: how a read command prints its result. json is the --json envelope; yaml the same document. */
export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml', 'name'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

export const OUTPUT_ENV = 'HAADM_OUTPUT'

const isFormat = (s: string | undefined): s is OutputFormat => OUTPUT_FORMATS.includes(s as OutputFormat)

/** The output flags of every read command. */
export const outputFlags = {
  output: Flags.string({
    char: 'o',
    summary: `Output format: ${OUTPUT_FORMATS.join(', ')} (default: table, or ${OUTPUT_ENV}).`,
    helpValue: OUTPUT_FORMATS.join('|'),
    helpGroup: 'OUTPUT',
  }),
  columns: Flags.string({
    summary: 'Only these table columns, in this order (comma-separated names, e.g. component,state).',
    helpGroup: 'OUTPUT',
  }),
  'no-headers': Flags.boolean({
    summary: 'Print the table rows only: no heading, no header line, no notes (warnings stay on stderr).',
    helpGroup: 'OUTPUT',
  }),
}

export const OUTPUT_HELP = `Output: -o table (default) fits the terminal, cutting the least useful columns with an ellipsis; -o wide adds the remaining columns and cuts nothing; -o json is the --json document; -o yaml the same document as YAML; -o name one identifier a line. --columns picks table columns, --no-headers prints the rows only. ${OUTPUT_ENV}=json (or yaml, wide, name) sets the default for every command; -o and --json win over it.`

/**
 * The format asked for on the command line (before '--'), as oclif's jsonEnabled must know it
 * before parsing: -o json, -ojson, --output json, --output=json.
 */
export function formatInArgv(argv: string[]): string | undefined {
  let found: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--') break
    if (a === '-o' || a === '--output') found = argv[i + 1]
    else if (a.startsWith('--output=')) found = a.slice('--output='.length)
    else if (a.startsWith('-o') && !a.startsWith('--') && a.length > 2) found = a.slice(2).replace(/^=/, '')
  }
  return found
}

/** The default from the environment: a valid HAADM_OUTPUT value, else undefined. */
export function formatInEnv(env: NodeJS.ProcessEnv): OutputFormat | undefined {
  const v = env[OUTPUT_ENV]?.trim().toLowerCase()
  return isFormat(v) ? v : undefined
}

/** Checks -o and HAADM_OUTPUT: an unknown value is a usage error naming the formats. */
export function resolveFormat(flag: string | undefined, env: NodeJS.ProcessEnv, json: boolean): OutputFormat {
  if (flag !== undefined && !isFormat(flag))
    throw usageError(`unknown output format "${flag}" (-o): use one of ${OUTPUT_FORMATS.join(', ')}`, 'e.g. -o wide for every column, -o json for scripts.')
  if (json) return 'json'
  if (flag !== undefined) return flag
  const raw = env[OUTPUT_ENV]
  if (raw !== undefined && raw.trim() !== '') {
    const v = raw.trim().toLowerCase()
    if (!isFormat(v)) throw usageError(`${OUTPUT_ENV}=${raw} is not an output format: use one of ${OUTPUT_FORMATS.join(', ')}`, `Unset ${OUTPUT_ENV} or fix its value.`)
    return v
  }
  return 'table'
}

/** --columns a,b,c against the columns a command has: an unknown name is a usage error listing the valid ones. */
export function parseColumns(value: string | undefined, valid: string[]): string[] | undefined {
  if (value === undefined) return undefined
  const names = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
  if (names.length === 0) throw usageError('--columns is empty', `Columns: ${valid.join(', ')}.`)
  const unknown = names.filter((n) => !valid.includes(n))
  if (unknown.length > 0)
    throw usageError(`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} (--columns): valid columns are ${valid.join(', ')}`, `e.g. --columns ${valid.slice(0, 2).join(',')}`)
  return names
}

/** The terminal width a table is fitted to: the terminal's, or COLUMNS when set; none when piped. */
export function terminalWidth(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): number | undefined {
  const fromEnv = Number(env.COLUMNS)
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv
  return stream.isTTY && stream.columns ? stream.columns : undefined
}

/** Lines joined as `lines.join('\n') + '\n'`, in chunks of about CHUNK characters (as jsonChunks writes). */
export function* lineChunks(lines: Iterable<string>): Generator<string> {
  let buf = ''
  for (const line of lines) {
    buf += `${line}\n`
    if (buf.length >= CHUNK) {
      yield buf
      buf = ''
    }
  }
  if (buf) yield buf
}

/** Writes chunks to a stream, waiting for it to drain when it asks to (a slow reader of a large table). */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
  for await (const c of chunks) if (!stream.write(c)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()))
}
