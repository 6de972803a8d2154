/**
 * The backend-neutral view of Flink's two state-handle stores (execution plans / job graphs, and
 * completed checkpoints) and the checkpoint id counters: what the record builders in plans.ts and
 * checkpoints.ts work on. The backend's layout maps its raw inventory onto these entries.
 */
import {layoutOf} from '../backends/index.js'
import type {HaLayout} from '../backends/layout.js'
import type {Inventory} from '../backends/types.js'
import type {StateHandleInventory} from '../model/ha.js'

export type {CheckpointCounterEntry, LockHolder, PlanStore, StateHandleEntry, StateHandleInventory} from '../model/ha.js'

/** Pure: the state-handle entries of a scanned inventory, read by its backend's layout. */
export function stateHandleInventory(inv: Inventory, layout: HaLayout = layoutOf(inv)): StateHandleInventory {
  return layout.stateHandles(inv)
}
