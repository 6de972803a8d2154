import {layoutOf, openBackend, targetLayout} from '../backends/index.js'
import type {HaLayout} from '../backends/layout.js'
import {READ_ALL} from '../backends/read-spec.js'
import {type Backend, canRemove, type Inventory, type RawItem, type RemovalOutcome, type RemovalTarget, type ReusingBackend} from '../backends/types.js'
import {describeSource, type Target} from '../config/target.js'
import {ExitCode, HaadmError, usageError} from '../errors.js'
import {checkCleanupBackup, writeCleanupBackup} from '../snapshot/cleanup-backup.js'
import {refuseSnapshotChange} from '../snapshot/read-only.js'
import {planStorageCleanup, pointedFiles, removeStorage, type StorageStep} from './cleanup-storage.js'
import {type CleanupPlan, type CleanupResult, planCleanup, summarize} from './cleanup.js'
import {parseJobId} from './job-ids.js'
import {withInferredStorage} from './storage-infer.js'
import {clusterStorageUri} from '../storage/flink-layout.js'

export interface CleanupOptions {
  jobId?: string
  /**
   * With jobId: remove only that job's execution plan and the file it points to (`haadm plans remove`),
   * keeping its checkpoints, counter and leader record. A cluster id that does not exist is then exit 3.
   */
  planOnly?: boolean
  dryRun: boolean
  force: boolean
  strict: boolean
  backup?: string
  /** --backup-overwrite: replace an existing backup file. */
  backupOverwrite?: boolean
  includeJobResults: boolean
  includeOrphanFiles: boolean
  haadmVersion: string
  /** Asks the user (or checks --yes); throws to refuse. Called only when there is something to remove. */
  confirm: (plan: CleanupPlan) => Promise<void>
  progress?: (done: number, total: number) => void
  /** Items (znodes, ConfigMaps) read so far while scanning. */
  scanProgress?: (items: number) => void
  /**
   * `cleanup --all-dead`: the run's one connection, as a view for this cluster (never closed here), and
   * the fleet scan's inventory of the cluster. That inventory is completed (the pointers it did not read)
   * and the nodes that decide liveness are read again, instead of a new scan; the first removal step is
   * then one transaction with the scanned versions. Whenever anything differs from the fleet scan (a
   * node changed, appeared or went, or the transaction was not applied and so removed nothing), the
   * cluster is scanned afresh and removed exactly as `cleanup --cluster-id` removes it.
   */
  reuse?: {backend: ReusingBackend; inventory?: Inventory}
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
  storageDir: null,
  storageLeft: [],
})

/** resolve → scan → plan (pure) → safety checks → backup → remove → verify. */
export async function runCleanup(target: Target, options: CleanupOptions): Promise<CleanupResult> {
  const opts = {...options, jobId: checkCleanupTarget(target, options.jobId)}
  refuseSnapshotChange(target, opts.dryRun)
  const warnings: string[] = []
  const result = (plan: CleanupPlan, o: CleanupOptions, outcomes: RemovalOutcome[], left: string[] = [], verified = true) => ({...buildResult(plan, o, outcomes, left, verified), warnings})
  const shared = opts.reuse?.backend
  const backend = shared ?? (await openBackend(target))
  try {
    let plan: CleanupPlan
    let items: RawItem[] = []
    let layout = targetLayout(target)
    let pointers: string[] = []
    let allPointers: string[] = []
    // Whether the plan comes from the fleet scan's inventory (unchanged since), not from a scan of its own.
    let reused = false
    try {
      // A backup keeps every item with its data; the plan alone reads the tree's metadata and only the data it
      // decodes: leader records, and the pointers of the files it removes or infers the storage directory from.
      const read = opts.backup ? undefined : layout.reads({command: 'cleanup', jobId: opts.jobId ?? null, everyPointer: !target.storageDir})
      let inventory: Inventory | undefined
      const earlier = opts.reuse?.inventory
      const liveness = earlier && shared && !opts.jobId ? layoutOf(earlier, target).livenessKeys?.(earlier) : undefined
      if (earlier && shared && liveness) {
        const fresh = await shared.refresh(earlier, {read: read ?? READ_ALL, recheck: liveness})
        if (fresh.changed.length === 0) {
          inventory = fresh.inventory
          reused = true
        }
      }
      // The plan needs the whole inventory before anything else: read in bulk where the store can.
      inventory ??= await backend.scan({progress: opts.scanProgress, read, bulk: true})
      items = inventory.items
      layout = layoutOf(inventory, target)
      plan = planCleanup(inventory, {jobId: opts.jobId, planOnly: opts.planOnly}, layout)
      // One job's global cleanup discards the files its entries point at (releaseAndTryRemove); a whole
      // cluster's cleanup the files of every entry, which nothing would ever find once the entries are gone;
      // removing only a job's plan discards only the plan's file.
      const sh = layout.stateHandles(inventory)
      const all = [...sh.plans, ...sh.checkpoints]
      const entries = opts.planOnly ? sh.plans : all
      allPointers = all.flatMap((e) => (e.pointer.ok ? [e.pointer.value.uri] : []))
      pointers = entries.flatMap((e) => ((!opts.jobId || e.jobId === opts.jobId) && e.pointer.ok ? [e.pointer.value.uri] : []))
    } catch (err) {
      if (!(err instanceof HaadmError && (err.code === 'CLUSTER_NOT_FOUND' || err.code === 'ROOT_NOT_FOUND')) || opts.strict || opts.planOnly) throw err
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
    if (opts.planOnly) {
      // Only the plan's own file, between its lock nodes and its entry (Flink's order); no blobs, no job results.
      if (pointers.length > 0) {
        const pointed = pointedFiles(pointers, `job ${opts.jobId}`)
        plan.storage = pointed.steps.map((step) => ({...step, what: `execution plan file of job ${opts.jobId}`}))
        warnings.push(...pointed.warnings)
      }
    } else if (!target.snapshot) {
      // Files are looked at even when the metadata is gone: a run stopped between the two finishes here.
      // No storageDir given or configured: the cluster's pointers say where it is (all must agree).
      const inferred = withInferredStorage(target, allPointers)
      const st = inferred.target
      plan.storageDir = st.storageDir ? {uri: st.storageDir.value, source: describeSource(st.storageDir.source)} : null
      const storage = await planStorageCleanup(st, {jobId: opts.jobId, includeJobResults: opts.includeJobResults, includeOrphanFiles: opts.includeOrphanFiles})
      plan.storage = storage.steps
      if (pointers.length > 0) {
        if (inferred.problem) {
          warnings.push(`${inferred.problem}: the files the entries point at are left`)
          plan.storageLeft.push(...pointers.map((uri) => ({uri, why: 'the storage directory could not be determined'})))
        } else if (storage.unreachable) {
          plan.storageLeft.push(...pointers.map((uri) => ({uri, why: storage.unreachable!})))
        } else {
          const pointed = pointedFiles(pointers, opts.jobId ? `job ${opts.jobId}` : `cluster ${plan.clusterId}`)
          plan.storage.unshift(...pointed.steps)
          warnings.push(...pointed.warnings)
        }
      }
      if (storage.unreachable && st.storageDir && plan.metadata.length > 0)
        plan.storageLeft.push({uri: clusterStorageUri(st.storageDir.value, plan.clusterId), why: `${storage.unreachable} (HA blobs and job events not looked at)`})
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
    const backupOpts = opts.backup ? {file: opts.backup, overwrite: Boolean(opts.backupOverwrite), haadmVersion: opts.haadmVersion} : undefined
    if (backupOpts) checkCleanupBackup(backupOpts, plan, items, warnings)
    await opts.confirm(plan)
    if (backupOpts) await writeCleanupBackup(backupOpts, plan, items, target)

    // A reused scan: what goes before the files (lock nodes, and the nodes that decide liveness), or with no
    // files between them and the entries everything, goes in one transaction with the scanned versions. Not
    // applied, it removed nothing: the cluster is scanned afresh and removed as without the fleet scan.
    const entryFiles = plan.storage.filter((st) => st.phase === 'entries')
    let order = layout.removalOrder(plan.metadata)
    let first: RemovalOutcome[] | undefined
    if (reused && shared) {
      if (entryFiles.length > 0) order = layout.guardedRemovalOrder?.(plan.metadata) ?? order
      const atomic = entryFiles.length > 0 ? order.beforeFiles : [...order.beforeFiles, ...order.afterFiles]
      const applied = atomic.length > 0 ? await shared.removeAtomically(atomic) : {notApplied: 'nothing to remove before the files'}
      if (!Array.isArray(applied)) return runCleanup(target, {...options, reuse: {backend: shared}})
      first = applied
    }

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
      if (outcomes.some((o) => o.status === 'failed' || o.status === 'unknown')) {
        warnings.push('the metadata was not removed completely, so the storageDir files were left alone')
        return
      }
      for await (const o of removeStorage(target, steps)) {
        outcomes.push(o)
        opts.progress?.(outcomes.length, total)
      }
    }
    const later = plan.storage.filter((st) => st.phase !== 'entries')
    let stopped: unknown
    try {
      // The layout's crash-safe order around the files entries point at (ZooKeeper: lock nodes, files, entries).
      if (first) {
        for (const o of first) {
          outcomes.push(o)
          opts.progress?.(outcomes.length, total)
        }
      } else await run(order.beforeFiles)
      await removeFiles(entryFiles)
      if (!first || entryFiles.length > 0) await run(order.afterFiles)
      // Flink's order: the empty parents only after the cluster's own subtree is gone.
      if (plan.parents.length > 0 && outcomes.every((o) => o.status !== 'failed' && o.status !== 'unknown')) await run(plan.parents)
      // Files only once the metadata that points at them is gone (else Flink logs "Cannot delete HA blobs").
      await removeFiles(later)
    } catch (err) {
      // Nothing removed yet: the store is unreachable or refused, and nothing changed (exit 3 as before).
      if (!outcomes.some((o) => o.status === 'removed' || o.status === 'unknown')) throw err
      stopped = err
    }
    if (stopped !== undefined) {
      // Something was removed: every outcome is reported (exit 5), with what was never attempted.
      const why = stopped instanceof Error ? stopped.message : String(stopped)
      warnings.push(`the run stopped after removing ${outcomes.filter((o) => o.status === 'removed').length} item(s): ${why}`)
      const seen = new Set(outcomes.map((o) => o.target.locator))
      for (const t of plan.metadata) if (!seen.has(t.locator)) outcomes.push({target: t, status: 'failed', error: `not attempted: ${why}`})
      for (const st of plan.storage) {
        const files = st.kind === 'directory' ? [st.uri] : st.files
        const under = (u: string) => u === st.uri || u.startsWith(`${st.uri.replace(/\/+$/, '')}/`)
        if (!outcomes.some((o) => o.target.key === 'storage' && (files.includes(o.target.locator) || (st.kind === 'directory' && under(o.target.locator)))))
          for (const f of files) outcomes.push({target: {key: 'storage', locator: f}, status: 'failed', error: `not attempted: ${why}`})
      }
    }
    // The check is best effort: a store that went away after the removal leaves the outcomes standing.
    let left: string[] = []
    let verified = true
    try {
      left = await remaining(backend, plan, target)
    } catch (err) {
      verified = false
      const mayRemain = outcomes.filter((o) => o.status === 'failed' || o.status === 'unknown').length
      warnings.push(`could not verify what remains (${err instanceof Error ? err.message : String(err)}): ${mayRemain} item(s) may remain; run the cleanup again to finish or confirm`)
    }
    // Files whose removal failed, and files never reachable, remain too.
    const filesFailed = outcomes.filter((o) => o.target.key === 'storage' && o.status === 'failed').map((o) => o.target.locator)
    left = [...new Set([...left, ...filesFailed, ...plan.storageLeft.map((l) => l.uri)])]
    return result(plan, opts, outcomes, left, verified)
  } finally {
    if (!shared) await backend.close()
  }
}

/** What is still there after the removal: a second scan, so partial failures and reappearing nodes show. */
async function remaining(backend: Backend, plan: CleanupPlan, target: Target): Promise<string[]> {
  try {
    const inv = await backend.scan({brief: true})
    if (plan.scope === 'plan') {
      // The planned entries (and lock nodes) that are still there, or came back.
      const planned = new Set(plan.metadata.map((m) => m.key))
      const jobPlans = new Set(layoutOf(inv, target).stateHandles(inv).plans.filter((p) => p.jobId === plan.jobId).map((p) => p.key))
      return inv.items.filter((i) => planned.has(i.key) || jobPlans.has(i.key)).map((i) => i.locator)
    }
    // What the plan left alone on purpose (a map whose name lacks the cluster id) is not "still there".
    return layoutOf(inv, target)
      .remaining(inv, {jobId: plan.jobId, untouched: plan.untouched.map((u) => u.key)})
      .map((i) => i.locator)
  } catch (err) {
    if (err instanceof HaadmError && (err.code === 'CLUSTER_NOT_FOUND' || err.code === 'ROOT_NOT_FOUND')) return []
    throw err
  }
}

function buildResult(plan: CleanupPlan, opts: CleanupOptions, outcomes: RemovalOutcome[], left: string[] = [], verified = true): Omit<CleanupResult, 'warnings'> {
  return {plan, dryRun: opts.dryRun, forced: opts.force && plan.liveEvidence.length > 0, backup: opts.backup ?? null, outcomes, summary: summarize(outcomes), remaining: left, verified}
}
