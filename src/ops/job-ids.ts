import {isJobIdText} from '../codec/job-id.js'
import {ExitCode, HaadmError} from '../errors.js'

/**
 * `--job` values as Flink's JobID.toString() spells them (32 lowercase hex characters). Upper case
 * is accepted (JobID.fromHexString accepts it too); anything else is a usage error (exit 2).
 */
export function parseJobIds(values: readonly string[] | undefined): string[] {
  const out: string[] = []
  for (const raw of values ?? []) {
    for (const part of raw.split(',')) {
      const v = part.trim().toLowerCase()
      if (v === '' && raw.includes(',')) continue
      if (!isJobIdText(v)) {
        throw new HaadmError('INVALID_JOB_ID', `${JSON.stringify(part.trim())} is not a Flink job id`, {
          exit: ExitCode.USAGE,
          hint: 'A job id is 32 hexadecimal characters, as Flink prints it (e.g. 8f2b6a1c4d3e5f60718293a4b5c6d7e8).',
          details: {value: part.trim()},
        })
      }
      if (!out.includes(v)) out.push(v)
    }
  }
  return out
}

/** One `--job` value, as parseJobIds reads it; undefined stays undefined. */
export function parseJobId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const [id, ...more] = parseJobIds([value])
  if (id === undefined || more.length > 0)
    throw new HaadmError('INVALID_JOB_ID', `${JSON.stringify(value)} is not one Flink job id`, {exit: ExitCode.USAGE, hint: 'Pass one job id of 32 hexadecimal characters.', details: {value}})
  return id
}

/** "a, b, c and 4 more" */
export function listSome(items: readonly string[], max = 8): string {
  if (items.length <= max) return items.join(', ')
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`
}
