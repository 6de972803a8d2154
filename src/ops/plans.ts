/**
 * Pure: the execution-plan (job graph) store of one cluster as records. An entry that is not
 * marked for deletion is what the next leading Dispatcher recovers and runs again.
 */
import type {ExecutionPlanInfo} from '../codec/execution-plan.js'
import type {PlanStore, StateHandleInventory} from './state-handle-entries.js'
import {type StateHandleRecord, stateHandleRecord} from './state-handle-records.js'
import type {StorageSummary} from './storage-verify.js'

export type PlanRecord = StateHandleRecord<ExecutionPlanInfo>

export interface PlansReport {
  backend: StateHandleInventory['backend']
  clusterId: string
  root: string
  scannedAt: string
  /** Where the entries live: `jobgraphs` relative to the cluster root, and absolute. */
  store: {key: string; locator: string}
  /** Every place execution plans were looked for, with the Flink versions that use it. */
  stores: PlanStore[]
  /** What the layout found worth saying (both directories, a configured path Flink puts elsewhere). */
  layoutNotes: string[]
  plans: PlanRecord[]
  /** Only with --verify-storage / --deep. */
  storage: StorageSummary | null
}

/** Pure: the plan records, optionally only those of the given jobs. */
export function planRecords(inv: StateHandleInventory, opts: {jobs?: string[]} = {}): PlansReport {
  const wanted = opts.jobs && opts.jobs.length > 0 ? new Set(opts.jobs) : null
  const plans = inv.plans
    .filter((e) => !wanted || (e.jobId !== null && wanted.has(e.jobId)))
    .map((e) => stateHandleRecord<ExecutionPlanInfo>(e))
  return {
    backend: inv.backend,
    clusterId: inv.clusterId,
    root: inv.root,
    scannedAt: inv.scannedAt,
    store: inv.planStore,
    stores: inv.planStores,
    layoutNotes: inv.notes,
    plans,
    storage: null,
  }
}
