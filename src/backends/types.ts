import type {BackendKind} from '../config/target.js'

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

/** One thing Flink keeps for the cluster, raw: where it is, its bytes, and the store's metadata. */
export interface RawItem {
  /** Path relative to the cluster root, `/`-separated (`leader/dispatcher/connection_info`). */
  key: string
  /** Where the store keeps it (absolute znode path; ConfigMap name and key). */
  locator: string
  data: Uint8Array
  zk?: ZkStat
}

/** Everything a scan returned for one cluster id. */
export interface Inventory {
  backend: BackendKind
  clusterId: string
  /** The cluster's root in the store (`/flink/default`). */
  root: string
  scannedAt: string
  items: RawItem[]
}

/** One metadata store. Heavy client libraries are imported inside the implementation, lazily. */
export interface Backend {
  readonly kind: BackendKind
  scan(): Promise<Inventory>
  close(): Promise<void>
}
