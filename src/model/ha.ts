/**
 * The backend-neutral records every operation works on: leader records, the two state-handle stores
 * (execution plans and completed checkpoints) with their counters, a job's leftovers, and removal
 * targets with what they are. Each backend's layout module (src/backends/<backend>/layout.ts) builds
 * them from a scanned inventory; operations (src/ops) work on them without knowing the backend.
 */
import type {DecodeResult} from '../codec/result.js'
import type {StateHandlePointer} from '../codec/state-handle.js'
import type {BackendKind} from '../config/target.js'
import type {RemovalTarget} from '../backends/types.js'

export type LeaderComponent = 'dispatcher' | 'resource_manager' | 'rest_server' | 'job_master'

/**
 * Which Flink versions write a leader record at this place: `1.15+` (the cluster components'
 * records of the multi-component layouts), `1.15-1.18` (a job's record named `<jobId>`),
 * `1.19+` (`job-<jobId>`), `legacy-1.15` (use-old-ha-services, one latch or lease per component).
 */
export type LeaderLayout = '1.15+' | '1.15-1.18' | '1.19+' | 'legacy-1.15'

export interface LatchContender {
  /** `_c_<uuid>-latch-<seq>` */
  node: string
  sequence: number
  /** ZooKeeper session holding the latch node, hex. */
  owner: string
  since: string
}

export interface LatchRecord {
  /** Path relative to the cluster root (`leader/latch`). */
  key: string
  locator: string
  /** Ordered by sequence: the first one holds leadership (Curator LeaderLatch). */
  contenders: LatchContender[]
}

/** The fabric8 leader lease of a ConfigMap (its leader annotation), judged at scan time. */
export interface K8sLease {
  configMap: string
  holderIdentity: string | null
  leaseDurationSeconds: number | null
  acquireTime: string | null
  renewTime: string | null
  leaderTransitions: number | null
  /** Seconds since the last renewal, at scan time. */
  ageSeconds: number | null
  /** renewTime + leaseDuration. */
  expiresAt: string | null
  /**
   * Held, and renewTime + leaseDuration is after the scan: Flink's liveness rule. A held lease whose
   * duration or renewTime is missing or unparsable counts as valid (fabric8 and client-go never read a
   * missing duration as zero): only a released lease (no holder) or a known expiry makes it dead.
   */
  valid: boolean
  /** Held, but its expiry cannot be known (no or unparsable duration or renewTime): valid, with a warning. */
  expiryUnknown?: boolean
  /**
   * fabric8 cannot read the record (leaseDuration, acquireTime or renewTime missing or unparsable: its
   * LeaderElectionRecord constructor requires them): every contender then tries to create the map, gets
   * 409, and retries for ever, so no JobManager takes leadership until the annotation is fixed or the map removed.
   */
  blocksElection?: boolean
  problem: string | null
}

/**
 * The same record on every backend; the backend shows in key, locator, owner, since, evidence,
 * and in latch (ZooKeeper) or lease (Kubernetes), the other one being null.
 */
export interface LeaderRecord {
  component: LeaderComponent
  jobId: string | null
  layout: LeaderLayout
  /**
   * ZooKeeper: `connection_info`, relative to the cluster root, and absolute. Kubernetes:
   * `<configmap>/<key>` and `<namespace>/<configmap>/<key>` (legacy layout: the `address` key).
   */
  key: string
  locator: string
  status: 'leader' | 'no-leader' | 'undecodable'
  address: string | null
  sessionId: string | null
  /**
   * ZooKeeper: session owning `connection_info`, hex; null when there is no node. Kubernetes: the
   * lease's holderIdentity (one UUID per JobManager process); null without a leader entry.
   */
  owner: string | null
  /** ZooKeeper: when `connection_info` was written (znode ctime). Kubernetes: the lease's acquireTime. */
  since: string | null
  alive: boolean
  /** Why `alive` is what it is, in words. */
  evidence: string
  latch: {key: string; contenders: number; leaderOwner: string | null} | null
  /** Kubernetes: the leader lease (annotation) of the map holding the record; null on ZooKeeper. */
  lease: K8sLease | null
  problem: string | null
}

/**
 * Alive, or maybe: a record that does not decode while its holder (a live ZooKeeper session, a valid
 * lease) is there may be a live leader, and liveness decisions must treat it as one.
 */
export function possiblyAlive(r: LeaderRecord): boolean {
  if (r.alive) return true
  if (r.status !== 'undecodable') return false
  return r.lease ? r.lease.valid : r.owner !== null
}

export interface LeadersReport {
  backend: BackendKind
  clusterId: string
  root: string
  scannedAt: string
  leaders: LeaderRecord[]
  /** ZooKeeper's leader latches; empty on Kubernetes. */
  latches: LatchRecord[]
  /** Kubernetes' leader leases, one per leader map; empty on ZooKeeper. */
  leases: K8sLease[]
}

/** One lock on an entry: ZooKeeper's `locks/<lockId>` child, EPHEMERAL, owned by the locking JobManager's session. */
export interface LockHolder {
  /** The locking store instance's lock node name (a UUID in Flink). */
  lockId: string
  /** Owning session, hex without 0x; null when the lock node is not ephemeral (not written by Flink). */
  owner: string | null
  /** An ephemeral node exists only while its session lives: true for every ephemeral lock seen by the scan. */
  alive: boolean
  /** When the lock was taken (ctime). */
  since: string | null
  locator: string
}

/** One entry of a state-handle store, as any backend keeps it. */
export interface StateHandleEntry {
  store: 'execution-plans' | 'checkpoints'
  /** The job: the entry name for plans, the owning job for checkpoints. Null when the name is not a job id. */
  jobId: string | null
  /** Checkpoints: the id parsed from the entry name; null when Flink could not parse it either. */
  checkpointId: number | null
  /** Entry name: znode name, or ConfigMap key. */
  name: string
  /** Path relative to the cluster root (ZooKeeper), or `<configmap>/<key>`. */
  key: string
  /** Absolute location in the store. */
  locator: string
  /** The state handle the entry holds (the pointer to the file), or why it does not decode. */
  pointer: DecodeResult<StateHandlePointer>
  /** Lock holders; null when the backend has no lock nodes (Kubernetes). */
  locks: LockHolder[] | null
  /** ZooKeeper: the entry has no children (its `locks` node was deleted); Kubernetes: the delete marker is set. */
  markedForDeletion: boolean
  created: string | null
  modified: string | null
  /** ZooKeeper data version, or ConfigMap resourceVersion. */
  version: number | string | null
  /** Why the entry's name was not understood (not a job id, not a checkpoint id); null otherwise. */
  nameProblem: string | null
  /** Kubernetes only: the map and data key, and whether the delete-marker wrapper was there (false: the bare handle of Flink ≤1.14; null: undecodable). */
  kubernetes?: {configMap: string; dataKey: string; wrapped: boolean | null}
}

/** A checkpoint id counter that exists: the next id Flink hands out for the job. */
export interface CheckpointCounterEntry {
  jobId: string
  key: string
  locator: string
  /** ZooKeeper SharedCount bytes or the Kubernetes decimal string, decoded. */
  value: DecodeResult<number>
  modified: string | null
  version: number | string | null
}

/** One place where a cluster keeps execution plans, and which Flink versions write there. */
export interface PlanStore {
  /** Relative to the cluster root (`execution-plans`), or the ConfigMap's name. */
  key: string
  locator: string
  /** e.g. `1.x`, `2.x`, `1.x and 2.x`. */
  versions: string
  /** Where haadm took the place from: a configuration key, a default, or what the store holds. */
  source: string
  /** The store holds it. */
  exists: boolean
}

export interface StateHandleInventory {
  backend: BackendKind
  clusterId: string
  root: string
  scannedAt: string
  /** Where execution plans live (the first of planStores): relative key and absolute locator. */
  planStore: {key: string; locator: string}
  /** Every place execution plans were looked for (ZooKeeper: jobgraphs and/or execution-plans). */
  planStores: PlanStore[]
  plans: StateHandleEntry[]
  checkpoints: StateHandleEntry[]
  counters: CheckpointCounterEntry[]
  /** Jobs the checkpoint side knows (ZooKeeper: a `jobs/<jobId>` node; Kubernetes: a per-job map), even without checkpoints or counter. */
  checkpointJobs: string[]
  /** What the layout found worth saying (both plan directories, a path Flink would put elsewhere). */
  notes: string[]
}

/** Something of one job left in the HA store. */
export interface HaArtifact {
  jobId: string
  kind: 'job-graph' | 'job-node' | 'checkpoint' | 'leader' | 'job-events' | 'blobs'
  /** Relative to the cluster root (`jobgraphs/<jobId>`), or `<configmap>[/<key>]`; storage: the directory's URI. */
  key: string
  locator: string
  /** Nodes (ZooKeeper) or keys (a whole ConfigMap) below it. */
  children: number
  /** For execution plans and checkpoints: the file in high-availability.storageDir the pointer names. */
  pointer: string | null
}

/** One planned deletion, with what it is in Flink's terms. */
export interface PlannedRemoval extends RemovalTarget {
  what: string
}

/** What a layout says a cleanup removes from the store, before any storage file. */
export interface LayoutCleanup {
  /** Metadata to delete, in the order given (children before parents). */
  metadata: PlannedRemoval[]
  /** After a whole-cluster cleanup: the empty parents up to the store's root (ZooKeeper's tryDeleteEmptyParentZNodes). */
  parents: PlannedRemoval[]
  /** Evidence that the cluster (or job) is alive, or may be; non-empty means refuse unless forced. */
  liveEvidence: string[]
  /** Items left alone on purpose, with why. */
  untouched: Array<{key: string; why: string}>
  /** Other clusters whose HA nodes lie below the cleanup target (a root given as a cluster): never removed. */
  nestedClusters?: string[]
}

/** What a Flink upgrade left behind that the new version no longer reads (`haadm doctor`). */
export interface UpgradeLeftover {
  /** `plan-stores`: execution plans in both the 1.x and the 2.x place; `job-leader-names`: a job's leader record under both the 1.15–1.18 and the 1.19+ name. */
  kind: 'plan-stores' | 'job-leader-names'
  jobId: string | null
  /** Every place involved, absolute. */
  locators: string[]
  message: string
}
