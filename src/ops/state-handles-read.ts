/**
 * resolve → backend scan → pure records → (optional) storage checks: the I/O around plans.ts and
 * checkpoints.ts for the `plans` and `checkpoints` commands.
 */
import {layoutOf, targetLayout, withBackend} from '../backends/index.js'
import type {Target} from '../config/target.js'
import {decodeCompletedCheckpoint} from '../codec/completed-checkpoint.js'
import {decodeExecutionPlan} from '../codec/execution-plan.js'
import {ExitCode, HaadmError} from '../errors.js'
import {CHECKPOINT_FILE_PREFIXES, jobEventsUri, PLAN_FILE_PREFIXES} from '../storage/flink-layout.js'
import {type CheckpointRecord, type CheckpointsReport, checkpointsReport} from './checkpoints.js'
import {listSome} from './job-ids.js'
import {type PlansReport, planRecords} from './plans.js'
import type {StateHandleInventory} from './state-handle-entries.js'
import type {StorageProbe} from './storage-probe.js'
import {sharedStorageProbe} from './storage-probe-shared.js'
import {type StorageSummary, type VerifyOptions, verifyStorage} from './storage-verify.js'
import type {StateHandleRecord} from './state-handle-records.js'

/** Runs verifyStorage with the given probe, or with a shared-storage probe it opens and closes. */
async function verifyWith<T, R extends StateHandleRecord<T>>(
  target: Target,
  probe: StorageProbe | undefined,
  records: R[],
  opts: Omit<VerifyOptions<T, R>, 'probe'>,
  after?: (probe: StorageProbe, summary: StorageSummary) => Promise<void>,
): Promise<StorageSummary> {
  const run = async (p: StorageProbe) => {
    const summary = await verifyStorage(records, {...opts, probe: p})
    await after?.(p, summary)
    return summary
  }
  if (probe) return run(probe)
  const shared = sharedStorageProbe(target)
  try {
    return await run(shared)
  } finally {
    await shared.close()
  }
}

/** Each job's `<cluster dir>/<jobId>/job-events` (1.20+ batch job recovery) that holds files. */
async function findJobEvents(probe: StorageProbe, summary: StorageSummary, jobIds: string[]): Promise<void> {
  if (summary.clusterDir === null || summary.reachable !== true) {
    summary.jobEvents = null
    return
  }
  const found: NonNullable<StorageSummary['jobEvents']> = []
  for (const jobId of jobIds) {
    const path = jobEventsUri(summary.clusterDir, jobId)
    const listed = await probe.list(path)
    if (listed.status === 'listed' && listed.files.length > 0) found.push({jobId, path, files: listed.files.length, bytes: listed.files.reduce((n, f) => n + f.size, 0)})
  }
  summary.jobEvents = found
}

export interface ReadStateHandlesOptions {
  /** Only these jobs (validated job ids); every one must exist, else exit 3. */
  jobs: string[]
  /** Check the pointed files in storageDir and list orphans. */
  verifyStorage: boolean
  /** Also decode the pointed files (implies verifyStorage). */
  deep: boolean
  /** Defaults to the shared storage module: local files and S3. */
  probe?: StorageProbe
}

/** Scans what the state handles need: one job's entries when the report is about given jobs and checks no files (an orphan check needs every pointer). */
async function scanStateHandles(target: Target, opts: ReadStateHandlesOptions): Promise<StateHandleInventory> {
  const jobs = opts.verifyStorage || opts.deep ? [] : opts.jobs
  return withBackend(target, async (backend) => {
    const inv = await backend.scan({read: targetLayout(target).reads({command: 'state-handles', jobs})})
    return layoutOf(inv, target).stateHandles(inv)
  })
}

export async function readPlans(target: Target, opts: ReadStateHandlesOptions): Promise<PlansReport> {
  return plansOf(target, await scanStateHandles(target, opts), opts)
}

/** The plan records of an inventory already read, with the storage checks asked for. */
export async function plansOf(target: Target, inv: StateHandleInventory, opts: ReadStateHandlesOptions): Promise<PlansReport> {
  if (opts.jobs.length > 0) {
    const present = new Set(inv.plans.map((p) => p.jobId).filter((j): j is string => j !== null))
    const missing = opts.jobs.filter((j) => !present.has(j))
    if (missing.length > 0) {
      const withCheckpoints = missing.filter((j) => inv.checkpointJobs.includes(j))
      const known = [...present].sort()
      throw new HaadmError('JOB_NOT_FOUND', `no execution plan for job ${missing.join(', ')} in ${inv.planStore.locator}`, {
        exit: ExitCode.UNREACHABLE,
        hint: [
          known.length > 0 ? `Jobs with an execution plan: ${listSome(known)}.` : 'The cluster has no execution plan.',
          withCheckpoints.length > 0 ? `${withCheckpoints.join(', ')} has checkpoint data: see haadm checkpoints --job ${withCheckpoints[0]}.` : '',
        ]
          .filter(Boolean)
          .join(' '),
        details: {missing, jobs: known},
      })
    }
  }
  const report = planRecords(inv, {jobs: opts.jobs})
  if (opts.verifyStorage || opts.deep) {
    report.storage = await verifyWith(target, opts.probe, report.plans, {
      storageDir: target.storageDir?.value ?? null,
      clusterId: target.clusterId.value,
      store: 'execution-plans',
      referencedPaths: allPointerPaths(inv),
      orphanPrefixes: PLAN_FILE_PREFIXES,
      decode: opts.deep ? decodeExecutionPlan : null,
      crossCheck: (r, d) => (d.jobId !== null && r.jobId !== null && d.jobId !== r.jobId ? [`the file holds job ${d.jobId}, the entry is for ${r.jobId}`] : []),
    })
  }
  return report
}

export async function readCheckpoints(target: Target, opts: ReadStateHandlesOptions): Promise<CheckpointsReport> {
  return checkpointsOf(target, await scanStateHandles(target, opts), opts)
}

/** The checkpoint records of an inventory already read, with the storage checks asked for. */
export async function checkpointsOf(target: Target, inv: StateHandleInventory, opts: ReadStateHandlesOptions): Promise<CheckpointsReport> {
  if (opts.jobs.length > 0) {
    const known = [...new Set([...inv.plans.map((p) => p.jobId).filter((j): j is string => j !== null), ...inv.checkpointJobs])].sort()
    const missing = opts.jobs.filter((j) => !known.includes(j))
    if (missing.length > 0) {
      throw new HaadmError('JOB_NOT_FOUND', `no job ${missing.join(', ')} in cluster ${inv.clusterId} (${inv.root}): no execution plan and no checkpoint data`, {
        exit: ExitCode.UNREACHABLE,
        hint: known.length > 0 ? `Jobs in this cluster: ${listSome(known)}.` : 'The cluster has no execution plan and no checkpoint data.',
        details: {missing, jobs: known},
      })
    }
  }
  const report = checkpointsReport(inv, {jobs: opts.jobs})
  if (opts.verifyStorage || opts.deep) {
    const records: CheckpointRecord[] = report.jobs.flatMap((j) => j.checkpoints)
    report.storage = await verifyWith(target, opts.probe, records, {
      storageDir: target.storageDir?.value ?? null,
      clusterId: target.clusterId.value,
      store: 'checkpoints',
      referencedPaths: allPointerPaths(inv),
      orphanPrefixes: CHECKPOINT_FILE_PREFIXES,
      decode: opts.deep ? decodeCompletedCheckpoint : null,
      crossCheck: (r, d) => {
        const out: string[] = []
        if (d.checkpointId !== null && r.checkpointId !== null && d.checkpointId !== r.checkpointId)
          out.push(`the file holds checkpoint ${d.checkpointId}, the entry is named ${r.checkpointId}`)
        if (d.jobId !== null && r.jobId !== null && d.jobId !== r.jobId) out.push(`the file holds job ${d.jobId}, the entry is under ${r.jobId}`)
        return out
      },
    }, (probe, summary) => findJobEvents(probe, summary, report.jobs.map((j) => j.jobId)))
  }
  return report
}

/** Every pointer path in the cluster, both stores, whatever the job filter: what is not an orphan. */
function allPointerPaths(inv: StateHandleInventory): string[] {
  const paths: string[] = []
  for (const e of [...inv.plans, ...inv.checkpoints]) if (e.pointer.ok) paths.push(e.pointer.value.path)
  return paths
}
