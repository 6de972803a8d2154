import {layoutOf, openBackend, targetLayout, whereabouts} from '../backends/index.js'
import type {HaLayout} from '../backends/layout.js'
import {type Backend, canRemove, type RawItem, type RemovalOutcome, type RemovalTarget} from '../backends/types.js'
import type {Target} from '../config/target.js'
import {ExitCode, HaadmError, usageError} from '../errors.js'
import {writeSnapshot} from '../snapshot/io.js'
import {refuseSnapshotChange} from '../snapshot/read-only.js'
import {planStorageCleanup, pointedFiles, removeStorage, type StorageStep} from './cleanup-storage.js'
import {type CleanupPlan, type CleanupResult, planCleanup, summarize} from './cleanup.js'
import {parseJobId} from './job-ids.js'

export interface CleanupOptions {
  jobId?: string
  dryRun: boolean
  force: boolean
  strict: boolean
  backup?: string
  includeJobResults: boolean
  includeOrphanFiles: boolean
  haadmVersion: string
  /** Asks the user (or checks --yes); throws to refuse. Called only when there is something to remove. */
  confirm: (plan: CleanupPlan) => Promise<void>
  progress?: (done: number, total: number) => void
  /** Items (znodes, ConfigMaps) read so far while scanning. */
  scanProgress?: (items: number) => void
}

/** Checks the cleanup's target before any work; returns the job id as Flink spells it. */
export function checkCleanupTarget(target: Target, jobId: string | undefined): string | undefined {
  const id = target.clusterId
  // A snapshot names its cluster; against a live store the user must name it.
  if (id.source.kind === 'default' && !target.snapshot)
    throw usageError(
      `no cluster id given: refusing to assume Flink's default ${id.value}`,
      `Pass --cluster-id ${id.value} if that is the cluster to remove (or set it in the Flink configuration).`,
    )
  if (id.value.replace(/\//g, '').trim() === '')
    throw usageError(`cluster id ${JSON.stringify(id.value)} names the root itself: haadm never wipes a root`, 'Pass the id of one cluster.')
  return parseJobId(jobId)
}

const emptyPlan = (target: Target, layout: HaLayout, jobId?: string): CleanupPlan => ({
  backend: layout.backend,
  clusterId: target.clusterId.value,
  root: layout.clusterRoot,
  scope: jobId ? 'job' : 'cluster',
  jobId: jobId ?? null,
  metadata: [],
  parents: [],
  liveEvidence: [],
  untouched: [],
  nestedClusters: [],
  storage: [],
})

/** resolve → scan → plan (pure) → safety checks → backup → remove → verify. */
export async function runCleanup(target: Target, options: CleanupOptions): Promise<CleanupResult> {
  const opts = {...options, jobId: checkCleanupTarget(target, options.jobId)}
  refuseSnapshotChange(target, opts.dryRun)
  const warnings: string[] = []
  const result = (plan: CleanupPlan, o: CleanupOptions, outcomes: RemovalOutcome[], left: string[] = []) => ({...buildResult(plan, o, outcomes, left), warnings})
  const backend = await openBackend(target)
  try {
    let plan: CleanupPlan
    let items: RawItem[] = []
    let layout = targetLayout(target)
    let pointers: string[] = []
    try {
      const inventory = await backend.scan({progress: opts.scanProgress})
      items = inventory.items
      layout = layoutOf(inventory, target)
      plan = planCleanup(inventory, {jobId: opts.jobId}, layout)
      if (opts.jobId) {
        // One job's global cleanup also discards the files its entries point at (releaseAndTryRemove).
        const sh = layout.stateHandles(inventory)
        pointers = [...sh.plans, ...sh.checkpoints].flatMap((e) => (e.jobId === opts.jobId && e.pointer.ok ? [e.pointer.value.uri] : []))
      }
    } catch (err) {
      if (!(err instanceof HaadmError && (err.code === 'CLUSTER_NOT_FOUND' || err.code === 'ROOT_NOT_FOUND')) || opts.strict) throw err
      plan = emptyPlan(target, layout, opts.jobId)
    }
    // A node that holds other clusters (a root given as a cluster id) is never one cluster's to remove.
    if (plan.nestedClusters.length > 0) {
      const n = plan.nestedClusters
      throw new HaadmError('REFUSED', `refusing: ${plan.root} is not one cluster's node: it holds the HA nodes of ${n.length} other cluster(s): ${n.slice(0, 10).join(', ')}${n.length > 10 ? `, … (${n.length - 10} more)` : ''}`, {
        exit: ExitCode.REFUSED,
        hint: `Clean up one cluster at a time: its id is a path below ${plan.root}, e.g. --cluster-id ${n[0]} with the same --zk-root.${opts.force ? ' --force does not override this.' : ''}`,
        details: {node: plan.root, clusters: n},
      })
    }
    // Files are looked at even when the metadata is gone: a run stopped between the two finishes here.
    if (!target.snapshot) {
      const storage = await planStorageCleanup(target, {jobId: opts.jobId, includeJobResults: opts.includeJobResults, includeOrphanFiles: opts.includeOrphanFiles})
      plan.storage = storage.steps
      if (opts.jobId && pointers.length > 0) {
        const pointed = pointedFiles(pointers, opts.jobId)
        plan.storage.unshift(...pointed.steps)
        warnings.push(...pointed.warnings)
      }
      if (plan.metadata.length > 0 || plan.storage.length > 0) warnings.push(...storage.warnings)
    }
    if (plan.metadata.length === 0 && plan.storage.length === 0) {
      if (opts.strict && opts.jobId)
        throw new HaadmError('NOT_FOUND', `cluster ${plan.clusterId} holds nothing for job ${opts.jobId}`, {exit: ExitCode.UNREACHABLE})
      return result(plan, opts, [])
    }
    // A dry run shows the plan even for a live cluster; the command then exits 4, as the real run would.
    if (opts.dryRun) return result(plan, opts, [])
    if (plan.liveEvidence.length > 0 && !opts.force)
      throw new HaadmError('LIVE_CLUSTER', `refusing: ${plan.scope === 'job' ? `job ${opts.jobId}` : `cluster ${plan.clusterId}`} is alive: ${plan.liveEvidence[0]}`, {
        exit: ExitCode.REFUSED,
        hint: `Stop the JobManagers first${plan.liveEvidence.length > 1 ? ` (${plan.liveEvidence.length} signs of life: --dry-run lists them)` : ''}; --force removes it anyway.`,
        details: {evidence: plan.liveEvidence},
      })
    if (!canRemove(backend))
      throw usageError('a snapshot is read-only: it can show a plan (--dry-run) but not remove anything', 'Run against the live store.')
    await opts.confirm(plan)
    if (opts.backup) await writeBackup(opts.backup, plan, items, target, opts.haadmVersion)

    const outcomes: RemovalOutcome[] = []
    const total = plan.metadata.length + plan.parents.length
    const run = async (targets: RemovalTarget[]) => {
      for await (const o of backend.remove(targets)) {
        outcomes.push(o)
        opts.progress?.(outcomes.length, total)
      }
    }
    const removeFiles = async (steps: StorageStep[]) => {
      if (steps.length === 0) return
      if (outcomes.some((o) => o.status === 'failed')) {
        warnings.push('the metadata was not removed completely, so the storageDir files were left alone')
        return
      }
      for await (const o of removeStorage(target, steps)) {
        outcomes.push(o)
        opts.progress?.(outcomes.length, total)
      }
    }
    const entryFiles = plan.storage.filter((st) => st.phase === 'entries')
    const later = plan.storage.filter((st) => st.phase !== 'entries')
    // The layout's crash-safe order around the files entries point at (ZooKeeper: lock nodes, files, entries).
    const order = layout.removalOrder(plan.metadata)
    await run(order.beforeFiles)
    await removeFiles(entryFiles)
    await run(order.afterFiles)
    // Flink's order: the empty parents only after the cluster's own subtree is gone.
    if (plan.parents.length > 0 && outcomes.every((o) => o.status !== 'failed')) await run(plan.parents)
    // Files only once the metadata that points at them is gone (else Flink logs "Cannot delete HA blobs").
    await removeFiles(later)
    return result(plan, opts, outcomes, await remaining(backend, plan, target))
  } finally {
    await backend.close()
  }
}

async function writeBackup(file: string, plan: CleanupPlan, items: RawItem[], target: Target, haadmVersion: string): Promise<void> {
  // A planned key covers what lies below it: a znode's subtree is planned node by node, a ConfigMap whole.
  const keys = new Set(plan.metadata.map((m) => m.key))
  const covered = (key: string) => {
    for (let k = key; ; k = k.slice(0, k.lastIndexOf('/'))) {
      if (keys.has(k)) return true
      if (!k.includes('/')) return false
    }
  }
  const chosen = items.filter((i) => covered(i.key))
  await writeSnapshot(
    file,
    {
      haadmVersion,
      createdAt: new Date().toISOString(),
      backend: plan.backend,
      clusterId: plan.clusterId,
      root: plan.root,
      target: {...whereabouts(target), purpose: `backup before haadm cleanup (${plan.scope})`},
    },
    (async function* () {
      yield* chosen
    })(),
  )
}

/** What is still there after the removal: a second scan, so partial failures and reappearing nodes show. */
async function remaining(backend: Backend, plan: CleanupPlan, target: Target): Promise<string[]> {
  try {
    const inv = await backend.scan({brief: true})
    // What the plan left alone on purpose (a map whose name lacks the cluster id) is not "still there".
    return layoutOf(inv, target)
      .remaining(inv, {jobId: plan.jobId, untouched: plan.untouched.map((u) => u.key)})
      .map((i) => i.locator)
  } catch (err) {
    if (err instanceof HaadmError && (err.code === 'CLUSTER_NOT_FOUND' || err.code === 'ROOT_NOT_FOUND')) return []
    throw err
  }
}

function buildResult(plan: CleanupPlan, opts: CleanupOptions, outcomes: RemovalOutcome[], left: string[] = []): Omit<CleanupResult, 'warnings'> {
  return {plan, dryRun: opts.dryRun, forced: opts.force && plan.liveEvidence.length > 0, backup: opts.backup ?? null, outcomes, summary: summarize(outcomes), remaining: left}
}
