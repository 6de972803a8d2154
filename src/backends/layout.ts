/**
 * What operations ask of a backend's layout: every Flink fact of where Flink keeps what on that store,
 * for every version from 1.15 to 2.x, answered from what the scan found. One implementation per backend
 * (src/backends/zookeeper/layout.ts, src/backends/kubernetes/ha-layout.ts); src/ops never spells a
 * znode path or a ConfigMap name and never branches on the backend kind.
 *
 * Layouts are pure: no I/O, no client library, so every command and test can load them freely.
 */
import type {BackendKind} from '../config/target.js'
import type {HaArtifact, LayoutCleanup, LeadersReport, PlannedRemoval, StateHandleInventory, UpgradeLeftover} from '../model/ha.js'
import type {ReadNeed, ReadSpec} from './read-spec.js'
import type {FleetInventory, FleetScanOptions, Inventory, RawItem} from './types.js'

export interface HaLayout {
  readonly backend: BackendKind
  /** What one removable item of this store is called, singular and plural (`znode`, `item`). */
  readonly itemNoun: {one: string; many: string}
  /**
   * What a scan must read for a command (before any scan: from the layout's settings), so that the
   * command's answer is the same as from a full scan: leaders do not read checkpoint and plan subtrees,
   * one job's state handles only that job's, a cleanup's plan the data it decodes.
   */
  reads(need: ReadNeed): ReadSpec
  /** The leader records (cluster components and job masters), each with its liveness evidence. */
  leaders(inv: Inventory): LeadersReport
  /**
   * What to watch to see leadership change (`haadm leaders --watch`): `items` whose creation, change
   * or deletion may change a leader record (ZooKeeper: the connection_info nodes; Kubernetes: the maps
   * holding leader keys or a lease), `children` whose list of children may (ZooKeeper: the latches, and
   * the directories where a new job's leader node appears). Keys as the inventory's.
   */
  watchKeys(inv: Inventory): {items: string[]; children: string[]}
  /** The execution-plan and checkpoint stores and the checkpoint id counters. */
  stateHandles(inv: Inventory): StateHandleInventory
  /** What Flink's cleanupAllData (jobId null) or one job's global cleanup removes from the store. */
  cleanup(inv: Inventory, jobId: string | null): LayoutCleanup
  /**
   * The crash-safe order around the files that entries point at: `beforeFiles` go first (ZooKeeper: the
   * entries' lock nodes, which marks them for deletion), then the files, then `afterFiles`.
   */
  removalOrder(metadata: PlannedRemoval[]): {beforeFiles: PlannedRemoval[]; afterFiles: PlannedRemoval[]}
  /**
   * The items that decide whether the cluster is alive, to read again right before a bulk removal that
   * reuses an earlier scan (ZooKeeper: the cluster node, whose children show a new leader directory, and
   * every node of the leader subtrees, whose children show a new latch contender or leader record).
   * Absent: the backend's bulk removal scans each cluster afresh.
   */
  livenessKeys?(inv: Inventory): string[]
  /**
   * removalOrder for a removal that reuses an earlier scan and makes its first step one transaction:
   * `beforeFiles` also takes the nodes that decide liveness which nothing before the files needs
   * (ZooKeeper: the leader subtrees), so a JobManager that starts after the scan makes that first step
   * remove nothing. Absent: removalOrder.
   */
  guardedRemovalOrder?(metadata: PlannedRemoval[]): {beforeFiles: PlannedRemoval[]; afterFiles: PlannedRemoval[]}
  /** After a cleanup, a fresh scan's items that are still within its scope (what remains). */
  remaining(inv: Inventory, scope: {jobId: string | null; untouched: string[]}): RawItem[]
  /** What the given jobs still have in the store. */
  jobArtifacts(inv: Inventory, jobIds: string[]): HaArtifact[]
  /** Every job the store holds anything of (an execution plan, checkpoint data, a leader record), sorted. */
  jobIds(inv: Inventory): string[]
  /**
   * What removing only one job's execution plan takes (the Operator's last-state upgrade step): the
   * entry in every place Flink keeps plans, with its lock nodes (ZooKeeper) or as a key of its map with
   * the map's resourceVersion (Kubernetes); never its checkpoints, counter or leader record. The live
   * evidence is the whole cluster's: the plan belongs to the Dispatcher.
   */
  planRemoval(inv: Inventory, jobId: string): LayoutCleanup
  /** What an upgrade left behind: plans in both the 1.x and the 2.x place, both names of a job's leader record. */
  upgradeLeftovers(inv: Inventory): UpgradeLeftover[]
  /** What the layout's settings mean before any scan (settings that disagree, a path Flink puts elsewhere). */
  settingNotes(): string[]
  /** The cluster's place in the store when no scan found it (an empty plan still names it). */
  readonly clusterRoot: string
  /**
   * How to look for every cluster of a root or namespace: what makes a node a cluster's (ZooKeeper:
   * it holds Flink's HA children), how far below nodes that are not clusters to look, which bytes to read.
   */
  fleetScan(): Pick<FleetScanOptions, 'isClusterNode' | 'maxDepth' | 'needsData'>
  /**
   * Splits a scan of a whole root or namespace into one inventory per Flink cluster, each in the shape
   * scan() returns for that cluster id (ZooKeeper: the outermost nodes holding Flink's HA children;
   * Kubernetes: the HA maps grouped by namespace and `app` label, chosen by Flink's map names and labels).
   */
  clusters(fleet: FleetInventory): Inventory[]
  /** One cluster's size and newest change as the store records them (ZooKeeper: znode mtimes; Kubernetes: lease renewals, map creation). */
  footprint(inv: Inventory): {items: number; bytes: number; lastChange: string | null}
}
