/**
 * Pure: one state-handle entry (execution plan or checkpoint, any backend) as a record: the decoded
 * pointer, the lock holders, the deletion marker, and what Flink does with it on recovery
 * (zookeeper-layout.md §4–§5, kubernetes-layout.md §2–§3).
 */
import type {StateHandlePointer} from '../codec/state-handle.js'
import type {LockHolder, StateHandleEntry} from './state-handle-entries.js'

export interface LockSummary {
  /** Lock children: every one blocks Flink's removal of the entry. */
  count: number
  /** Those owned by a live session (ephemeral nodes exist only while their session lives). */
  live: number
  holders: LockHolder[]
}

/**
 * - `locked`: a JobManager holds a lock; Flink removes the entry only after every holder releases it.
 * - `unlocked`: no lock, not marked: the next leader recovers it (and locks it again).
 * - `marked-for-deletion`: a removal was cut short; Flink skips it on recovery.
 * - `stored`: the backend keeps no locks (Kubernetes), not marked.
 */
export type EntryState = 'locked' | 'unlocked' | 'marked-for-deletion' | 'stored'

/** `--verify-storage`: what the file the pointer names looks like. */
export interface StorageCheck {
  /**
   * ok: exists with the recorded size; missing; size-mismatch; unreachable: the storageDir itself
   * could not be reached; error: the check failed (permissions, I/O); not-checked: scheme not
   * supported yet, or no pointer to check.
   */
  status: 'ok' | 'missing' | 'size-mismatch' | 'unreachable' | 'error' | 'not-checked'
  /** The file's actual size, when it was found. */
  size: number | null
  reason: string | null
}

/** `--deep`: the decoded file. */
export interface ContentCheck<T> {
  status: 'decoded' | 'undecodable' | 'not-read'
  problem: string | null
  decoded: T | null
}

export interface StateHandleRecord<T> {
  /** Null when the entry's name is not a job id. */
  jobId: string | null
  name: string
  key: string
  locator: string
  /** Whether the pointer bytes decoded. */
  status: 'ok' | 'undecodable'
  problem: string | null
  /** {handleClass, uri (as stored, escaped), path (percent-decoded, as Flink prints it), stateSize} */
  pointer: StateHandlePointer | null
  /** Last path segment of the pointed file: `<prefix><12 hex>`. */
  fileName: string | null
  /** Null when the backend keeps no locks (Kubernetes). */
  locks: LockSummary | null
  markedForDeletion: boolean
  state: EntryState
  /** Flink's next leader reads this entry and (as far as haadm checked) its file on recovery. */
  recoverable: boolean
  /** Why `state` and `recoverable` are what they are, in words. */
  evidence: string
  created: string | null
  modified: string | null
  version: number | string | null
  /** Only with --verify-storage. */
  storage: StorageCheck | null
  /** Only with --deep. */
  content: ContentCheck<T> | null
  /** Kubernetes only: the ConfigMap and data key, and whether the delete-marker wrapper was there (false: Flink ≤1.14's bare handle). */
  kubernetes?: {configMap: string; dataKey: string; wrapped: boolean | null}
}

const sessions = (holders: LockHolder[]) => holders.map((h) => (h.owner ? `0x${h.owner}` : `${h.lockId} (persistent)`)).join(', ')

/** Pure: the record of one entry, before any storage check. */
export function stateHandleRecord<T>(e: StateHandleEntry): StateHandleRecord<T> {
  const decoded = e.pointer
  const pointer = decoded.ok ? decoded.value : null
  let problem: string | null = decoded.ok ? null : `pointer undecodable: ${decoded.error.reason} (at byte ${decoded.error.offset})`
  if (e.nameProblem) problem = problem ? `${e.nameProblem}; ${problem}` : e.nameProblem
  const locks = e.locks === null ? null : {count: e.locks.length, live: e.locks.filter((l) => l.alive).length, holders: e.locks}
  const record: StateHandleRecord<T> = {
    jobId: e.jobId,
    name: e.name,
    key: e.key,
    locator: e.locator,
    status: decoded.ok ? 'ok' : 'undecodable',
    problem,
    pointer,
    fileName: pointer ? pointer.path.slice(pointer.path.lastIndexOf('/') + 1) : null,
    locks,
    markedForDeletion: e.markedForDeletion,
    state: 'unlocked',
    recoverable: false,
    evidence: '',
    created: e.created,
    modified: e.modified,
    version: e.version,
    storage: null,
    content: null,
  }
  if (e.kubernetes) record.kubernetes = e.kubernetes
  return describeRecord(record, e.store)
}

/** Sets state, recoverable and evidence from the record's facts (again after a storage check). */
export function describeRecord<T>(r: StateHandleRecord<T>, store: StateHandleEntry['store']): StateHandleRecord<T> {
  const what = store === 'execution-plans' ? 'recovers the job from it' : 'restores from the latest such checkpoint'
  const reasons: string[] = []
  if (r.markedForDeletion) {
    r.state = 'marked-for-deletion'
    reasons.push(
      r.locks === null
        ? 'marked for deletion (delete marker set): Flink skips it on recovery and completes its removal on the next write'
        : 'marked for deletion (no locks node: a removal was cut short): Flink skips it on recovery and completes its removal on the next add',
    )
  } else if (r.locks === null) {
    r.state = 'stored'
    reasons.push(`stored, not marked for deletion: the next leader ${what}`)
  } else if (r.locks.count > 0) {
    r.state = 'locked'
    const persistent = r.locks.count - r.locks.live
    reasons.push(
      `locked by ${r.locks.live} live session(s)${persistent > 0 ? ` and ${persistent} persistent lock node(s)` : ''} (${sessions(r.locks.holders)}): Flink removes it only once every lock is released`,
    )
  } else {
    r.state = 'unlocked'
    reasons.push(`no live lock (every holder's session ended): the next leader ${what} and locks it again`)
  }
  if (r.status === 'undecodable') reasons.push('its pointer cannot be decoded: Flink cannot read it either')
  const s = r.storage
  if (s && (s.status === 'missing' || s.status === 'size-mismatch')) {
    reasons.push(
      s.status === 'missing'
        ? `the file it points to is missing: Flink's recovery fails on it`
        : `the file it points to has ${s.size} bytes, not the recorded ${r.pointer?.stateSize}: it changed after Flink wrote it, and Flink may fail to read it`,
    )
  }
  r.recoverable = !r.markedForDeletion && r.status === 'ok' && !(s && (s.status === 'missing' || s.status === 'size-mismatch'))
  r.evidence = reasons.join('; ')
  return r
}
