import type {PurgeOutcome, MarkCleanOutcome, BackupSummary} from '../ops/jrs/apply.js'
import type {HaArtifactsReport} from '../ops/jrs/ha-artifacts.js'
import type {MarkCleanAction} from '../ops/jrs/mark-clean-plan.js'
import type {PurgePlan} from '../ops/jrs/purge-plan.js'
import type {JobResultRow, JobResultRows, JobResultStoreReport, OperatorDirRecord, OtherFileRecord} from '../ops/jrs/records.js'
import type {JobResultsRead} from '../ops/jrs/results.js'
import {chalk} from './colour.js'
import {JsonArrayStream, JsonLater} from './json-stream.js'
import {type Column, renderTable, renderView, tableLines, viewLines} from './table.js'

/** 134090 → `2m 14s`; 3_723_000 → `1h 2m 3s`; under a second: `850ms`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-'
  if (ms < 1000) return `${ms}ms`
  let s = Math.floor(ms / 1000)
  const d = Math.floor(s / 86400)
  s -= d * 86400
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, `${s}s`].filter(Boolean)
  return parts.slice(0, 3).join(' ')
}

const time = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-')
const timeOfMs = (ms: number | null) => time(ms === null ? null : new Date(ms).toISOString())

function stateCell(e: JobResultRow): string {
  if (!e.valid) return chalk.red(`${e.state}!`)
  return e.state === 'dirty' ? chalk.yellow('dirty') : chalk.green('clean')
}

function statusCell(e: JobResultRow): string {
  switch (e.applicationStatus) {
    case null:
      return '-'
    case 'SUCCEEDED':
      return chalk.green(e.applicationStatus)
    case 'FAILED':
      return chalk.red(e.applicationStatus)
    default:
      return e.applicationStatus
  }
}

/** The entries table; RUNTIME, SIZE and PATH only with -o wide. */
export const JOB_RESULT_COLUMNS: Column<JobResultRow>[] = [
  {id: 'job-id', head: 'JOB ID', cell: (e) => e.jobId ?? '?'},
  {id: 'state', head: 'STATE', cell: stateCell},
  {id: 'status', head: 'STATUS', cell: statusCell},
  {id: 'runtime', head: 'RUNTIME', cell: (e) => formatDuration(e.netRuntimeMs), wide: true},
  {id: 'name', head: 'NAME', cell: (e) => e.jobName ?? '-', shrink: 1},
  {id: 'time', head: 'TIME', cell: (e) => timeOfMs(e.mtime)},
  {id: 'size', head: 'SIZE', cell: (e) => String(e.size), wide: true},
  {id: 'path', head: 'PATH', cell: (e) => e.path, wide: true, shrink: 2, keep: 'end'},
]

/** -o name: job ids (the file name for a file without one). */
export const jobResultName = (e: JobResultRow) => e.jobId ?? e.file

/** What the text of `haadm jobs results` shows: the report, with the shown entries as rows. */
export interface JobResultsText extends Pick<JobResultStoreReport, 'path' | 'pathFrom' | 'deleteOnCommit' | 'deleteOnCommitFrom' | 'clusterDir' | 'counts'> {
  rows: JobResultRows
  operatorDirs: OperatorDirRecord[]
  others: OtherFileRecord[]
}

/**
 * The --json result as jsonChunks writes it: the entries as they are read, then the counts (complete by
 * then; `counted` is told them) and the Operator directories (`dirs`, listed before any entry is read).
 */
export function jobResultsJson(r: JobResultsRead, dirs: OperatorDirRecord[], counted: (counts: JobResultStoreReport['counts']) => void): Record<string, unknown> {
  return {
    ...r.head,
    layout: r.listing.layout,
    scannedAt: r.listing.scannedAt,
    entries: new JsonArrayStream(async function* () {
      for await (const b of r.batches()) yield b.shown
    }),
    counts: new JsonLater(() => {
      counted(r.counts)
      return r.counts
    }),
    operatorDirs: dirs,
    others: r.others,
  }
}

/** The text, a line at a time (100,000 rows are never one string). */
export function* jobResultsLines(r: JobResultsText): Generator<string> {
  yield chalk.bold(`JobResultStore ${r.path}`) + ` (${r.pathFrom}; delete-on-commit ${r.deleteOnCommit}, ${r.deleteOnCommitFrom})`
  if (r.rows.length > 0) yield* viewLines(JOB_RESULT_COLUMNS, r.rows)
  const shown = r.counts.shown === r.counts.total ? `${r.counts.total}` : `${r.counts.shown} of ${r.counts.total}`
  yield `${shown} entr${r.counts.total === 1 ? 'y' : 'ies'}: ${r.counts.dirty} dirty, ${r.counts.clean} clean, ${r.counts.problems} with problems`
  if (r.rows.hasProblems) {
    yield chalk.red(`problems (Flink cannot read these files, or their names and contents disagree):`)
    for (const e of r.rows) if (e.problem) yield chalk.red(`  ${e.file}: ${e.problem}`)
  }
  for (const e of r.rows) for (const n of e.notes) yield `note: ${e.file}: ${n}`
  for (const e of r.rows) if (e.failure) yield `failure: ${e.file}: ${e.failure.className ?? '?'}${e.failure.message ? `: ${e.failure.message}` : ''}`
  if (r.operatorDirs.length > 0) {
    yield chalk.bold(`Operator per-deploy directories under ${r.clusterDir} (newest first):`)
    yield* tableLines(
      ['DIRECTORY', 'ENTRIES', 'DIRTY', 'NEWEST', ''],
      r.operatorDirs.map((d) => [d.name, String(d.entries), String(d.dirtyEntries), time(d.newest), d.current ? 'current' : '']),
    )
  }
  for (const o of r.others) yield `other: ${o.name}: ${o.note}`
}

export function renderPurgePlan(plan: PurgePlan, dryRun: boolean): string {
  const out: string[] = []
  const rows = [
    ...plan.remove.map((i) => [chalk.red(dryRun ? 'would remove' : 'remove'), describeItem(i), i.reason]),
    ...plan.skip.map((i) => [chalk.green('keep'), describeItem(i), i.reason]),
  ]
  const columns: Column<string[]>[] = [
    {id: 'action', head: 'ACTION', cell: (r) => r[0]},
    {id: 'what', head: 'WHAT', cell: (r) => r[1], shrink: 2},
    {id: 'why', head: 'WHY', cell: (r) => r[2], shrink: 1},
  ]
  if (rows.length > 0) out.push(renderView(columns, rows))
  const ns = plan.notSelected
  const not = ns && ns.count > 0 ? `, ${ns.count} not selected (${Object.entries(ns.reasons).map(([why, n]) => `${n} ${why}`).join(', ')})` : ''
  out.push(`${plan.remove.length} to remove, ${plan.skip.length} kept${not}`)
  return out.join('\n')
}

function describeItem(i: PurgePlan['remove'][number]): string {
  if (i.kind === 'entry') return `${i.state} ${i.jobId ?? '?'} ${i.path}`
  return `directory ${i.path} (${i.entries} file${i.entries === 1 ? '' : 's'}${i.dirtyJobIds.length ? `, ${i.dirtyJobIds.length} dirty` : ''})`
}

export function renderHaArtifacts(ha: HaArtifactsReport, jobIds: string[]): string[] {
  const lines: string[] = []
  if (jobIds.length === 0) return lines
  if (ha.status === 'unavailable') {
    lines.push(`could not list what these jobs keep in the HA store (${ha.reason}); check it by hand: job graph, checkpoints, blobs`)
    return lines
  }
  if (ha.dispatcherAlive) lines.push('the cluster is running: its Dispatcher may be cleaning up these jobs right now')
  for (const id of jobIds) {
    const mine = ha.artifacts.filter((a) => a.jobId === id)
    if (mine.length === 0) lines.push(`job ${id}: nothing left in the HA store${ha.store ? ` (${ha.store})` : ''}`)
    for (const a of mine)
      lines.push(`job ${id}: ${a.kind} ${a.locator}${a.children ? ` (${a.children} below)` : ''}${a.pointer ? ` -> ${a.pointer}` : ''}`)
  }
  return lines
}

export function renderBackup(b: BackupSummary | null): string[] {
  return b ? [`backup: ${b.files} file${b.files === 1 ? '' : 's'}, ${b.bytes} bytes, in ${b.file}`] : []
}

export function renderPurgeOutcome(o: PurgeOutcome): string {
  const out: string[] = [...renderBackup(o.backup)]
  for (const i of o.items) if (i.status === 'failed') out.push(chalk.red(`failed: ${i.path}: ${i.error}`))
  out.push(`removed ${o.removed}, already gone ${o.absent}, kept ${o.skipped}, failed ${o.failed}`)
  return out.join('\n')
}

export function renderMarkCleanPlan(actions: MarkCleanAction[], dryRun: boolean): string {
  const verb = (a: MarkCleanAction) =>
    a.action === 'delete' || a.action === 'rename' ? chalk.red(dryRun ? `would ${a.action}` : a.action) : a.action === 'missing' ? chalk.red('missing') : chalk.green('nothing to do')
  return renderTable(
    ['JOB ID', 'ACTION', 'DETAIL'],
    actions.map((a) => [a.jobId, verb(a), a.reason]),
  )
}

export function renderMarkCleanOutcome(outcomes: MarkCleanOutcome[], backup: BackupSummary | null): string {
  const out: string[] = [...renderBackup(backup)]
  for (const o of outcomes) {
    const what =
      o.status === 'done'
        ? o.action === 'delete'
          ? `deleted ${o.dirtyPath}`
          : `renamed to ${o.cleanPath}`
        : o.status === 'nothing-to-do'
          ? 'already clean'
          : o.status === 'absent'
            ? `${o.dirtyPath} was already gone`
            : chalk.red(`${o.status}: ${o.error}`)
    out.push(`${o.jobId}: ${what}`)
  }
  return out.join('\n')
}
