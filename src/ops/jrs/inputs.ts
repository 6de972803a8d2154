/** Pure checks of what users type for the JobResultStore commands: a usage error (exit 2) before anything is read. */
import {parseDurationMs} from '../../config/duration.js'
import {describeSource, type Target} from '../../config/target.js'
import {ExitCode, HaadmError, usageError} from '../../errors.js'
import {APPLICATION_STATUSES} from '../../codec/job-result.js'
import {formatLocation, parseLocation} from '../../storage/uri.js'

export const JOB_ID_EXAMPLE = '3f2a9c1e5b7d4e0fa1b2c3d4e5f60718'

/** The JobResultStore directory the target resolves to, normalised, and where it came from. */
export function jrsPathOf(target: Target): {path: string; from: string} {
  const p = target.jobResultStorePath
  if (!p)
    throw new HaadmError('JRS_PATH_MISSING', 'no JobResultStore path: neither job-result-store.storage-path nor high-availability.storageDir is set', {
      exit: ExitCode.USAGE,
      hint: 'Pass --jrs-path <dir>, or --storage-dir <dir> (with --cluster-id), or --flink-conf with the cluster\'s Flink configuration.',
    })
  return {path: formatLocation(parseLocation(p.value)), from: describeSource(p.source)}
}

/** One job-id parser for every command: src/ops/job-ids.ts. */
export {parseJobIds} from '../job-ids.js'

export function parseOlderThan(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const ms = parseDurationMs(text)
  if (ms === undefined || ms < 0) throw usageError(`--older-than ${JSON.stringify(text)} is not a duration`, 'Write e.g. 7d, 12h, 30 min or 90s (no unit means milliseconds).')
  return ms
}

export function parseStatuses(values: string[] | undefined): string[] | undefined {
  if (!values || values.length === 0) return undefined
  return values.flatMap((v) =>
    v.split(',').map((s) => {
      const up = s.trim().toUpperCase()
      if (!(APPLICATION_STATUSES as readonly string[]).includes(up))
        throw usageError(`--status ${JSON.stringify(s)} is not an application status`, `Use ${APPLICATION_STATUSES.join(', ')}.`)
      return up
    }),
  )
}
