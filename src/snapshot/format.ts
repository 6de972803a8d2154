import type {BackendKind} from '../config/target.js'
import type {RawItem, ZkStat} from '../backends/types.js'

/**
 * The snapshot format: one JSON document (gzip-compressed when the file name ends in `.gz`).
 *
 * {
 *   "format": "haadm-snapshot",   // always
 *   "version": 1,                 // format version; a reader refuses versions newer than it knows
 *   "haadmVersion": "0.1.0",      // the haadm that wrote it
 *   "createdAt": "<ISO time>",    // when the scan ran
 *   "backend": "zookeeper" | "kubernetes",
 *   "clusterId": "/default",
 *   "root": "/flink/default",     // the cluster's root in the store
 *   "target": {...},              // where it was read from (quorum, namespace, storageDir, JobResultStore
 *                                 // path and delete-on-commit...), no secrets
 *   "purpose": "export" | "backup",   // optional (older files: export); a backup holds only what a run removed
 *   "command": "cleanup",         // backups: the command that wrote it (cleanup, jobs purge, jobs mark-clean)
 *   "items": [                    // every raw item the backend's scan returned
 *     {"key": "leader/dispatcher/connection_info",   // relative to root
 *      "locator": "/flink/default/leader/dispatcher/connection_info",
 *      "data": "<base64 bytes>",
 *      "zk": {"ephemeralOwner", "ctime", "mtime", "version", "numChildren", "dataLength"},   // ZooKeeper
 *      "k8s": {...}}                                                                    // Kubernetes
 *   ],
 *   "jobResults": null | {        // JobResultStore files when they were reachable
 *     "path": "/var/ha/job-result-store/default",
 *     "files": [{"relative": "<jobId>_DIRTY.json", "size": 187, "mtime": "<ISO time>", "data": "<base64>"}]
 *   },
 *   "consistency": {              // ZooKeeper exports: whether the tree stood still while it was read
 *     "complete": true | false,   // false: some node's numChildren differs from the children captured
 *     "changedDuringExport": [{"key": "jobs", "numChildren": 3, "captured": 2}]
 *   },
 *   "storageFiles": [             // backups only (absent in exports): every other file the run removed
 *     {"uri": "/var/ha/default/blob/job_<id>/blob_p-...", "size": 1234, "mtime": "<ISO time>", "data": "<base64>"}
 *   ],
 *   "itemCount": 42               // written last: a file without it, or with another count, is truncated
 * }
 */
export const SNAPSHOT_FORMAT = 'haadm-snapshot'
export const SNAPSHOT_VERSION = 1

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT
  version: number
  haadmVersion: string
  createdAt: string
  backend: BackendKind
  clusterId: string
  root: string
  target: Record<string, string | number | boolean | null>
  purpose?: 'export' | 'backup'
  command?: string
}

/** A file a backup saved before the run removed it (see `storageFiles` above). */
export interface SnapshotStorageFile {
  uri: string
  size: number
  mtime: string | null
  data: string
}

export interface SnapshotItem {
  key: string
  locator: string
  data: string
  zk?: ZkStat
  [extra: string]: unknown
}

/** A parent whose stat's child count does not match the children the export captured. */
export interface ChildCountMismatch {
  key: string
  numChildren: number
  captured: number
}

export interface SnapshotConsistency {
  complete: boolean
  changedDuringExport: ChildCountMismatch[]
}

export interface SnapshotDocument extends SnapshotHeader {
  items: SnapshotItem[]
  jobResults: unknown
  /** Absent in files of older haadm versions and in Kubernetes exports. */
  consistency?: SnapshotConsistency
  storageFiles?: SnapshotStorageFile[]
  itemCount: number
}

export function toSnapshotItem(item: RawItem): SnapshotItem {
  const {data, ...rest} = item
  return {...rest, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')}
}

export function fromSnapshotItem(item: SnapshotItem): RawItem {
  const {data, ...rest} = item
  return {...rest, data: new Uint8Array(Buffer.from(data, 'base64'))} as RawItem
}
