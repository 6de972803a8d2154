/**
 * Pure: the completed-checkpoint store and checkpoint id counters of one cluster, per job, with the
 * cross-check against the execution-plan store (a job Flink will recover needs a plan; checkpoints
 * without a plan are never read again).
 */
import {INITIAL_CHECKPOINT_ID} from '../codec/checkpoint-id.js'
import type {CompletedCheckpointInfo} from '../codec/completed-checkpoint.js'
import type {CheckpointCounterEntry, StateHandleEntry, StateHandleInventory} from './state-handle-entries.js'
import {type StateHandleRecord, stateHandleRecord} from './state-handle-records.js'
import type {StorageSummary} from './storage-verify.js'

export interface CheckpointRecord extends StateHandleRecord<CompletedCheckpointInfo> {
  /** Parsed from the entry name (`%019d`); null when Flink could not parse it either. */
  checkpointId: number | null
}

export interface CounterRecord {
  /** Whether the counter exists; absent means Flink starts at 1. */
  present: boolean
  status: 'ok' | 'absent' | 'undecodable'
  /** The next checkpoint id Flink hands out: the stored value, or 1 when absent; null when undecodable. */
  nextCheckpointId: number | null
  key: string | null
  locator: string | null
  modified: string | null
  problem: string | null
}

export type JobNoteKind = 'checkpoints-without-plan' | 'plan-without-checkpoints' | 'counter-not-ahead'

export interface JobNote {
  jobId: string
  kind: JobNoteKind
  message: string
}

export interface CheckpointJob {
  jobId: string
  /** The job's execution-plan entry, if any; status: whether its pointer decodes (null when absent). */
  plan: {present: boolean; status: 'ok' | 'undecodable' | null; markedForDeletion: boolean; key: string | null}
  counter: CounterRecord
  /** Ordered by checkpoint id, as Flink's recovery sorts them. */
  checkpoints: CheckpointRecord[]
  /** The checkpoint Flink restores from: the highest id not marked for deletion; null when none. */
  restoreFrom: number | null
  notes: JobNote[]
}

export interface CheckpointsReport {
  backend: StateHandleInventory['backend']
  clusterId: string
  root: string
  scannedAt: string
  jobs: CheckpointJob[]
  /** Every job's notes, together. */
  notes: JobNote[]
  /** Only with --verify-storage / --deep. */
  storage: StorageSummary | null
}

/** Pure: a counter entry (or its absence) as a record. */
export function counterRecord(entry: CheckpointCounterEntry | undefined): CounterRecord {
  if (!entry) {
    return {present: false, status: 'absent', nextCheckpointId: INITIAL_CHECKPOINT_ID, key: null, locator: null, modified: null, problem: null}
  }
  const decoded = entry.value
  return {
    present: true,
    status: decoded.ok ? 'ok' : 'undecodable',
    nextCheckpointId: decoded.ok ? decoded.value : null,
    key: entry.key,
    locator: entry.locator,
    modified: entry.modified,
    problem: decoded.ok ? null : decoded.error.reason,
  }
}

function checkpointRecord(e: StateHandleEntry): CheckpointRecord {
  return {...stateHandleRecord<CompletedCheckpointInfo>(e), checkpointId: e.checkpointId}
}

/** Pure: the per-job checkpoint records, optionally only those of the given jobs. */
export function checkpointsReport(inv: StateHandleInventory, opts: {jobs?: string[]} = {}): CheckpointsReport {
  const wanted = opts.jobs && opts.jobs.length > 0 ? new Set(opts.jobs) : null
  const plans = new Map(inv.plans.filter((p) => p.jobId !== null).map((p) => [p.jobId as string, p]))
  const counters = new Map(inv.counters.map((c) => [c.jobId, c]))
  const byJob = new Map<string, StateHandleEntry[]>()
  for (const c of inv.checkpoints) {
    if (c.jobId === null) continue
    let list = byJob.get(c.jobId)
    if (!list) byJob.set(c.jobId, (list = []))
    list.push(c)
  }
  const jobIds = [...new Set([...plans.keys(), ...inv.checkpointJobs, ...byJob.keys(), ...counters.keys()])]
    .filter((j) => !wanted || wanted.has(j))
    .sort()

  const jobs: CheckpointJob[] = jobIds.map((jobId) => {
    const plan = plans.get(jobId)
    const checkpoints = (byJob.get(jobId) ?? []).map(checkpointRecord).sort(byCheckpoint)
    const counter = counterRecord(counters.get(jobId))
    const live = checkpoints.filter((c) => !c.markedForDeletion && c.checkpointId !== null)
    const restoreFrom = live.length > 0 ? Math.max(...live.map((c) => c.checkpointId as number)) : null
    const job: CheckpointJob = {
      jobId,
      plan: {
        present: plan !== undefined,
        status: plan === undefined ? null : plan.pointer.ok ? 'ok' : 'undecodable',
        markedForDeletion: plan?.markedForDeletion ?? false,
        key: plan?.key ?? null,
      },
      counter,
      checkpoints,
      restoreFrom,
      notes: [],
    }
    job.notes = jobNotes(job, inv.checkpointJobs.includes(jobId))
    return job
  })
  return {
    backend: inv.backend,
    clusterId: inv.clusterId,
    root: inv.root,
    scannedAt: inv.scannedAt,
    jobs,
    notes: jobs.flatMap((j) => j.notes),
    storage: null,
  }
}

function byCheckpoint(a: CheckpointRecord, b: CheckpointRecord): number {
  if (a.checkpointId !== null && b.checkpointId !== null) return a.checkpointId - b.checkpointId
  if (a.checkpointId !== null) return -1
  if (b.checkpointId !== null) return 1
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

function jobNotes(job: CheckpointJob, hasJobNode: boolean): JobNote[] {
  const notes: JobNote[] = []
  const note = (kind: JobNoteKind, message: string) => notes.push({jobId: job.jobId, kind, message})
  const hasCheckpointData = job.checkpoints.length > 0 || job.counter.present
  const planUsable = job.plan.present && !job.plan.markedForDeletion && job.plan.status === 'ok'
  if (hasCheckpointData && !planUsable) {
    const what = [
      job.checkpoints.length > 0 ? `${job.checkpoints.length} checkpoint(s)` : null,
      job.counter.present ? 'a checkpoint id counter' : null,
    ]
      .filter(Boolean)
      .join(' and ')
    note(
      'checkpoints-without-plan',
      `${what} but ${!job.plan.present ? 'no execution plan' : job.plan.markedForDeletion ? 'an execution plan marked for deletion' : 'an execution plan that does not decode'}: no JobManager recovers this job, so nothing reads them again (a cleanup that did not finish, or a plan removed by hand)`,
    )
  }
  if (planUsable && !hasCheckpointData) {
    note(
      'plan-without-checkpoints',
      hasJobNode
        ? 'an execution plan and an empty checkpoint store (no checkpoint, no counter): the job is recovered from its plan and starts without a checkpoint'
        : 'an execution plan but no checkpoint data at all: the job is recovered from its plan and starts without a checkpoint',
    )
  }
  const next = job.counter.nextCheckpointId
  const highest = job.checkpoints.reduce<number | null>((m, c) => (c.checkpointId !== null && (m === null || c.checkpointId > m) ? c.checkpointId : m), null)
  if (next !== null && highest !== null && next <= highest) {
    note('counter-not-ahead', `the counter's next id ${next} is not above the highest retained checkpoint ${highest}`)
  }
  return notes
}
