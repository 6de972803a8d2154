import type {CheckpointsReport} from './checkpoints.js'
import type {PlansReport} from './plans.js'
import type {StateHandleRecord} from './state-handle-records.js'
import type {StorageSummary} from './storage-verify.js'

/** Pure: the findings of a plans or checkpoints report that belong in the JSON envelope's warnings. */
function recordWarnings<T>(records: StateHandleRecord<T>[]): string[] {
  const out: string[] = []
  for (const r of records) {
    if (r.problem) out.push(`${r.key}: ${r.problem}`)
    const s = r.storage
    if (s && (s.status === 'missing' || s.status === 'size-mismatch' || s.status === 'error')) out.push(`${r.key}: storage ${s.status}: ${s.reason}`)
    if (r.content && r.content.problem && r.content.status !== 'not-read') out.push(`${r.key}: content ${r.content.status}: ${r.content.problem}`)
  }
  return out
}

function storageWarnings(s: StorageSummary | null): string[] {
  if (!s) return []
  const out: string[] = []
  if (s.problem) out.push(s.problem)
  if (s.outsideClusterDir > 0) out.push(`${s.outsideClusterDir} pointed file(s) are not in ${s.clusterDir}: is the storageDir (or cluster id) the one Flink uses?`)
  if (s.counts['not-checked'] > 0) out.push(`${s.counts['not-checked']} file(s) not checked (see each entry's storage.reason)`)
  if (s.orphans && s.orphans.length > 0) out.push(`${s.orphans.length} orphan file(s) in ${s.clusterDir}: no entry points to them`)
  return out
}

export function planWarnings(report: PlansReport): string[] {
  return [...report.layoutNotes, ...recordWarnings(report.plans), ...storageWarnings(report.storage)]
}

export function checkpointWarnings(report: CheckpointsReport): string[] {
  return [
    ...report.jobs.filter((j) => j.counter.problem).map((j) => `${j.counter.key}: ${j.counter.problem}`),
    ...recordWarnings(report.jobs.flatMap((j) => j.checkpoints)),
    ...report.notes.filter((n) => n.kind !== 'plan-without-checkpoints').map((n) => `job ${n.jobId}: ${n.message}`),
    ...storageWarnings(report.storage),
  ]
}
