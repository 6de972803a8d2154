import {layoutOf} from '../backends/index.js'
import type {HaLayout} from '../backends/layout.js'
import type {Inventory, RemovalOutcome} from '../backends/types.js'
import type {PlannedRemoval} from '../model/ha.js'
import type {StorageStep} from './cleanup-storage.js'

export type {PlannedRemoval} from '../model/ha.js'

export interface CleanupPlan {
  backend: Inventory['backend']
  clusterId: string
  root: string
  /** `plan`: only one job's execution plan (`haadm plans remove`), its checkpoints and counter kept. */
  scope: 'cluster' | 'job' | 'plan'
  jobId: string | null
  /** Metadata to delete, children before parents. */
  metadata: PlannedRemoval[]
  /** After a whole-cluster cleanup: the empty parents up to the store's root, as Flink's tryDeleteEmptyParentZNodes. */
  parents: PlannedRemoval[]
  /** Evidence that the cluster (or job) is alive; non-empty means refuse unless forced. */
  liveEvidence: string[]
  /** Items left alone on purpose, with why. */
  untouched: Array<{key: string; why: string}>
  /** Other clusters whose HA nodes lie below the target node (ZooKeeper): a cleanup of such a node is refused. */
  nestedClusters: string[]
  /** Files in the HA storageDir and JobResultStore, removed only after all metadata is gone (Flink's order). */
  storage: StorageStep[]
  /** The HA storageDir and where it came from (a flag, a configuration file:line, or inferred from the pointers); null when unknown. */
  storageDir: {uri: string; source: string} | null
  /** Files and directories of the cluster that the run cannot remove (storage not determined or not reachable): a real run exits 5 listing them. */
  storageLeft: Array<{uri: string; why: string}>
}

export interface CleanupResult {
  plan: CleanupPlan
  dryRun: boolean
  forced: boolean
  backup: string | null
  outcomes: RemovalOutcome[]
  summary: {removed: number; absent: number; kept: number; failed: number; unknown: number}
  /** What is still there after a partial failure. */
  remaining: string[]
  /**
   * Whether the check after the removal (a second scan) ran: false when it failed (the store became
   * unreachable), and then `remaining` lists only what is known to remain; a warning says how many
   * items may remain.
   */
  verified: boolean
  /** Things the user should know that did not stop the cleanup (storage not reachable, ...). */
  warnings: string[]
}

/**
 * Pure: what a cleanup of the whole cluster (Flink's cleanupAllData) or of one job (its global cleanup)
 * removes from this inventory, in a crash-safe order, and whether anything says the cluster is alive.
 * The backend's layout knows what belongs to the cluster or the job, in every Flink version.
 */
export function planCleanup(inv: Inventory, opts: {jobId?: string; planOnly?: boolean}, layout: HaLayout = layoutOf(inv)): CleanupPlan {
  const jobId = opts.jobId ?? null
  const planOnly = opts.planOnly === true && jobId !== null
  const c = planOnly ? layout.planRemoval(inv, jobId) : layout.cleanup(inv, jobId)
  return {
    backend: inv.backend,
    clusterId: inv.clusterId,
    root: inv.root,
    scope: planOnly ? 'plan' : jobId ? 'job' : 'cluster',
    jobId,
    metadata: c.metadata,
    parents: c.parents,
    liveEvidence: c.liveEvidence,
    untouched: c.untouched,
    nestedClusters: c.nestedClusters ?? [],
    storage: [],
    storageDir: null,
    storageLeft: [],
  }
}

export function summarize(outcomes: RemovalOutcome[]): CleanupResult['summary'] {
  const s = {removed: 0, absent: 0, kept: 0, failed: 0, unknown: 0}
  for (const o of outcomes) s[o.status]++
  return s
}
