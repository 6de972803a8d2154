import type {BackendKind, Target} from '../config/target.js'
import type {ReadSpec} from './read-spec.js'

export type {ReadDepth, ReadNeed, ReadSpec} from './read-spec.js'

/** ZooKeeper's own metadata of a znode, as a scan saw it. */
export interface ZkStat {
  /** Owning session as lowercase hex without `0x`; `0` for persistent and container nodes. */
  ephemeralOwner: string
  ctime: string
  mtime: string
  version: number
  numChildren: number
  dataLength: number
}

/** A ConfigMap's metadata as a scan saw it; shared by the map's item and its keys' items. */
export interface K8sMapMeta {
  namespace: string
  configMap: string
  labels: Record<string, string>
  annotations: Record<string, string>
  resourceVersion: string
  uid: string
  creationTimestamp: string
  /** Set while the map is being deleted (finalizers pending). */
  deletionTimestamp: string | null
  ownerReferences: Array<{apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean}>
}

/** Kubernetes' side of a RawItem: the map, and which of its keys (null: the map itself). */
export interface K8sItemMeta extends K8sMapMeta {
  key: string | null
  /** The key is in `binaryData` (Flink writes only `data`). */
  binary?: boolean
}

/** One thing Flink keeps for the cluster, raw: where it is, its bytes, and the store's metadata. */
export interface RawItem {
  /**
   * Path relative to the cluster root, `/`-separated (`leader/dispatcher/connection_info`).
   * Kubernetes: `<configmap>` for a map, `<configmap>/<key>` for one of its keys.
   */
  key: string
  /**
   * Where the store keeps it (absolute znode path). Kubernetes: `<namespace>/<configmap>` names a
   * whole map, `<namespace>/<configmap>/<key>` one key of it (neither names nor keys contain `/`).
   */
  locator: string
  /** Kubernetes: the value's UTF-8 bytes as stored (Base64 text stays text); empty for a map item. */
  data: Uint8Array
  /** The bytes were not read (a fleet scan reads only what it needs); `data` is then empty. */
  unread?: boolean
  zk?: ZkStat
  k8s?: K8sItemMeta
}

/** Everything a scan returned for one cluster id. */
export interface Inventory {
  backend: BackendKind
  clusterId: string
  /** The cluster's root in the store (`/flink/default`). */
  root: string
  scannedAt: string
  items: RawItem[]
  /** Kubernetes: where the scan looked, and the maps labelled with the cluster id that are not HA data. */
  k8s?: {namespace: string; context: string | null; server: string; skipped: Array<{configMap: string; reason: string}>}
}

/** One metadata store. Heavy client libraries are imported inside the implementation, lazily. */
export interface ScanOptions {
  /**
   * When the cluster is missing, throw CLUSTER_NOT_FOUND / ROOT_NOT_FOUND at once, without the extra
   * requests that make the message helpful (which cluster ids exist): for callers that only need to
   * know that nothing is left, such as the check after a cleanup.
   */
  brief?: boolean
  /** Called as items are read, with the count so far (a progress display). */
  progress?: (items: number) => void
  /**
   * What to read (the layout's answer for the command, HaLayout.reads): subtrees skipped, items read
   * with their data or their metadata only. Absent: everything, with data.
   */
  read?: ReadSpec
  /**
   * The caller needs the whole inventory at once (no streaming): read in bulk where the store can
   * (ZooKeeper 3.6+: multiRead, many nodes a request), else as usual. The same items either way.
   */
  bulk?: boolean
}

export interface Backend {
  readonly kind: BackendKind
  scan(opts?: ScanOptions): Promise<Inventory>
  close(): Promise<void>
}

/** Optional capability: stream the scan with flat memory (export uses it). */
export interface StreamingBackend extends Backend {
  readonly clusterId: string
  /** The cluster's root in the store, as Inventory.root. */
  readonly root: string
  /** The same items as scan(), unsorted, as they are read. Throws as scan() does when the cluster is missing. */
  scanItems(): AsyncIterable<RawItem>
}

export function canStream(b: Backend): b is StreamingBackend {
  return typeof (b as Partial<StreamingBackend>).scanItems === 'function'
}

/** Optional capability: wait for a change of the store (`haadm leaders --watch`). */
export interface WatchingBackend extends Backend {
  /**
   * Resolves at the first change to one of the keys the layout named (see HaLayout.watchKeys),
   * relative to the inventory of the last scan (ZooKeeper: watches set now, so a change between that
   * scan and this call is seen at once; Kubernetes: a watch from the last list's resourceVersion,
   * resumed after a dropped connection). Resolves `false` when `signal` aborts; throws when the
   * store cannot be watched.
   */
  waitForChange(inv: Inventory, keys: {items: string[]; children: string[]}, signal: AbortSignal): Promise<boolean>
}

export function canWatch(b: Backend): b is WatchingBackend {
  return typeof (b as Partial<WatchingBackend>).waitForChange === 'function'
}

/** One thing to delete. Backends delete in the order given (callers order children before parents). */
export interface RemovalTarget {
  key: string
  locator: string
  /** Optimistic precondition: ZooKeeper data version, or a ConfigMap's resourceVersion. Omit for none. */
  version?: number | string
  /** Remove only if it has no children, else keep it (the empty-parent walk after a cluster cleanup). */
  onlyIfEmpty?: boolean
  /** Kubernetes: the ConfigMap's uid as scanned; deleting a map then requires the same object (not a re-created one). */
  uid?: string
}

export interface RemovalOutcome {
  target: RemovalTarget
  /**
   * `absent`: already gone, which counts as success (removal is idempotent).
   * `kept`: an `onlyIfEmpty` target that still has children, left in place on purpose.
   * `unknown`: the request was sent but its answer was lost (connection lost, timed out): it may or
   * may not have been applied; a rerun or a scan tells.
   */
  status: 'removed' | 'absent' | 'kept' | 'failed' | 'unknown'
  error?: string
}

/** A backend that can delete. Declared, not guessed: read-only backends (snapshots) do not implement it. */
export interface RemovableBackend extends Backend {
  remove(targets: RemovalTarget[], opts?: {concurrency?: number}): AsyncIterable<RemovalOutcome>
}

export function canRemove(b: Backend): b is RemovableBackend {
  return typeof (b as Partial<RemovableBackend>).remove === 'function'
}

/**
 * What to look for when scanning a whole ZooKeeper root or Kubernetes namespace for every cluster in
 * it. The rules come from the backend's layout (HaLayout.fleetScan); the caller adds its own.
 */
export interface FleetScanOptions {
  /** ZooKeeper: a node whose children have these names is a cluster's node (its subtree is read whole). */
  isClusterNode: (childNames: string[]) => boolean
  /** ZooKeeper: how many levels of nodes that are not clusters to look below (cluster ids may contain `/`). */
  maxDepth: number
  /** Which items' bytes to read, by key relative to the cluster root; the others come with the store's metadata only. */
  needsData: (key: string) => boolean
  /** Kubernetes: every namespace the account may list, not only the target's. */
  allNamespaces?: boolean
  /** Called as items are read, with the count so far. */
  progress?: (items: number) => void
}

/** Everything a scan of a whole root or namespace found, before the layout groups it into clusters. */
export interface FleetInventory {
  backend: BackendKind
  /** Where the scan looked: the ZooKeeper root (`/flink`), the namespace, or `*` for every namespace. */
  root: string
  scannedAt: string
  /**
   * ZooKeeper: every node read, keyed relative to the root (`team/app/leader`), with stats and, where
   * asked for, bytes. Kubernetes: one RawItem per map and per key, as scan() returns them, of every map
   * with an `app` label.
   */
  items: RawItem[]
  /** ZooKeeper: nodes at the depth bound whose children were not looked at (relative keys). */
  notLookedInto: string[]
  /** Kubernetes: the context and server the list went to. */
  k8s?: {context: string | null; server: string}
}

/** Optional capability: scan a whole root or namespace cheaply (ZooKeeper: children and stats, pipelined; Kubernetes: one list). */
export interface FleetBackend extends Backend {
  scanFleet(opts: FleetScanOptions): Promise<FleetInventory>
}

export function canScanFleet(b: Backend): b is FleetBackend {
  return typeof (b as Partial<FleetBackend>).scanFleet === 'function'
}

/**
 * Optional capability: remove many clusters that one fleet scan found over one connection, reusing that
 * scan (`cleanup --all-dead`). Each cluster gets a view of the connection; the earlier scan is completed
 * and checked again right before its removal, and the removal's first transaction is all or nothing, so
 * anything that changed since the scan is never removed blindly: the caller then scans the cluster afresh.
 */
export interface ReusingBackend extends RemovableBackend {
  /** The same connection, for one cluster of the fleet (the target as targetForCluster narrows it); closing the view leaves the connection open. */
  forCluster(target: Target): ReusingBackend
  /**
   * The earlier scan of this cluster, completed: the bytes `read` wants that it left unread are read, and
   * the `recheck` items' metadata and children are read again. `changed` names every item that differs
   * from the earlier scan (version, owner, creation, children, or gone): non-empty means scan afresh.
   */
  refresh(inv: Inventory, opts: {read: ReadSpec; recheck: string[]}): Promise<{inventory: Inventory; changed: string[]}>
  /**
   * Deletes every target in one transaction with its version as precondition: all removed, or nothing.
   * `notApplied` says why nothing was removed (an item changed since the scan, too many for one
   * transaction, no transaction to be had); outcomes `unknown` when the answer was lost.
   */
  removeAtomically(targets: RemovalTarget[]): Promise<RemovalOutcome[] | {notApplied: string}>
}

export function canReuse(b: Backend): b is ReusingBackend {
  const r = b as Partial<ReusingBackend>
  return typeof r.forCluster === 'function' && typeof r.refresh === 'function' && typeof r.removeAtomically === 'function'
}
