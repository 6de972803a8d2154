/**
 * Leader records of one cluster: the backend's layout reads them from the scanned inventory (which
 * node or key holds which component's record, in every Flink version) and judges liveness by the
 * store's own evidence (ZooKeeper: ephemeral owner and latch; Kubernetes: the lease).
 */
import {layoutOf} from '../backends/index.js'
import type {HaLayout} from '../backends/layout.js'
import type {Inventory} from '../backends/types.js'
import type {LeadersReport} from '../model/ha.js'

export type {K8sLease, LatchContender, LatchRecord, LeaderComponent, LeaderLayout, LeaderRecord, LeadersReport} from '../model/ha.js'

/** Pure: the leader records of one cluster from its scanned inventory, whichever backend scanned it. */
export function leaderRecords(inv: Inventory, layout: HaLayout = layoutOf(inv)): LeadersReport {
  return layout.leaders(inv)
}
