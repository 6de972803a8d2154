/**
 * `--verify-storage` and `--deep`: checks that the file each pointer names exists in
 * high-availability.storageDir with the size recorded in the pointer, decodes it on request, and
 * lists the files in `<storageDir>/<cluster-id>` that no entry points to (orphans: a JobManager
 * wrote the file and died before the entry, or a removal deleted the entry but not the file).
 * All storage access goes through a StorageProbe.
 */
import type {DecodeResult} from '../codec/result.js'
import {type ContentCheck, type StateHandleRecord, type StorageCheck, describeRecord} from './state-handle-records.js'
import {type ProbeFile, type StorageProbe, clusterStoragePath} from './storage-probe.js'

import {type HaFilePrefix, STATE_HANDLE_FILE as HA_FILE_NAME} from '../storage/flink-layout.js'

export {HA_FILE_PREFIXES, type HaFilePrefix} from '../storage/flink-layout.js'

export interface OrphanFile {
  name: string
  /** The file as a Flink path string, in the storageDir's own style. */
  path: string
  kind: HaFilePrefix
  size: number
  modified: string | null
}

export interface StorageSummary {
  /** high-availability.storageDir as resolved; null when not given. */
  storageDir: string | null
  /** `<storageDir>/<cluster-id>`: where Flink writes these files. */
  clusterDir: string | null
  /** true: reached; false: not reachable (see problem); null: not given, or its scheme is not supported yet. */
  reachable: boolean | null
  problem: string | null
  /** Entries by storage status. */
  counts: Record<StorageCheck['status'], number>
  /** Entries whose file is not directly in clusterDir (a different storageDir or cluster id wrote them); 0 without a storageDir. */
  outsideClusterDir: number
  /** Files named as Flink names them that no entry of the cluster points to; null when not listed (see orphansNote). */
  orphans: OrphanFile[] | null
  orphansNote: string | null
  /** Verification could not be completed (storageDir unreachable, or I/O errors): the command exits 5. */
  partial: boolean
  /** Checkpoints only: the jobs' 1.20+ batch-recovery event directories `<cluster dir>/<jobId>/job-events` that exist (null: not looked at). */
  jobEvents?: Array<{jobId: string; path: string; files: number; bytes: number}> | null
}

export interface VerifyOptions<T, R extends StateHandleRecord<T>> {
  probe: StorageProbe
  storageDir: string | null
  clusterId: string
  store: 'execution-plans' | 'checkpoints'
  /** Every pointer path of the cluster (both stores, all jobs), to tell orphans from referenced files. */
  referencedPaths: string[]
  /** Which kinds of orphans to list. */
  orphanPrefixes: readonly HaFilePrefix[]
  /** With --deep: decodes a file's bytes. */
  decode: ((bytes: Uint8Array) => DecodeResult<T>) | null
  /** With --deep: disagreements between the decoded file and its entry. */
  crossCheck?: (record: R, decoded: T) => string[]
  concurrency?: number
  /** Files larger than this are not decoded. Default 64 MiB. */
  maxDecodeBytes?: number
}

const DEFAULT_CONCURRENCY = 32
const DEFAULT_MAX_DECODE_BYTES = 64 * 1024 * 1024

function parentPath(path: string): string {
  return path.slice(0, path.lastIndexOf('/'))
}

/** Checks every record's file in place (storage, content, evidence) and returns the summary. */
export async function verifyStorage<T, R extends StateHandleRecord<T>>(records: R[], opts: VerifyOptions<T, R>): Promise<StorageSummary> {
  const {probe, storageDir} = opts
  const summary: StorageSummary = {
    storageDir,
    clusterDir: storageDir === null ? null : clusterStoragePath(storageDir, opts.clusterId),
    reachable: null,
    problem: null,
    counts: {ok: 0, missing: 0, 'size-mismatch': 0, unreachable: 0, error: 0, 'not-checked': 0},
    outsideClusterDir: 0,
    orphans: null,
    orphansNote: null,
    partial: false,
  }

  // The storageDir itself: tells "unreachable" (not mounted, no permission) from "file missing".
  let listing: Map<string, ProbeFile> | null = null
  if (storageDir === null || summary.clusterDir === null) {
    summary.orphansNote = 'no storageDir given (--storage-dir, high-availability.storageDir): orphan files not listed'
  } else {
    const root = await probe.stat(storageDir)
    if ((root.status === 'found' && root.kind === 'directory') || (root.status === 'missing' && probe.impliedDirectories?.(storageDir))) summary.reachable = true
    else if (root.status === 'found') summary.problem = `storageDir ${storageDir} is not a directory`
    else if (root.status === 'missing') summary.problem = `storageDir ${storageDir} does not exist`
    else summary.problem = `storageDir ${storageDir}: ${root.reason}`
    if (root.status === 'unsupported') summary.orphansNote = `orphan files not listed: ${root.reason}`
    else if (summary.reachable !== true) {
      summary.reachable = false
      summary.orphansNote = 'orphan files not listed: the storageDir could not be reached'
    } else {
      const listed = await probe.list(summary.clusterDir)
      if (listed.status === 'listed') listing = new Map(listed.files.map((f) => [probe.locationKey(f.path), f]))
      else if (listed.status === 'missing') {
        listing = new Map()
        summary.orphansNote = `${summary.clusterDir} does not exist`
      } else {
        summary.problem = `cannot list ${summary.clusterDir}: ${listed.reason}`
        summary.orphansNote = 'orphan files not listed: the cluster directory could not be listed'
        if (listed.status === 'error') summary.partial = true
      }
    }
  }
  const storageKey = storageDir === null ? null : probe.locationKey(storageDir)
  const clusterKey = summary.clusterDir === null ? null : probe.locationKey(summary.clusterDir)

  const check = async (r: R): Promise<void> => {
    r.storage = await checkOne(r)
    if (opts.decode) r.content = await decodeOne(r)
    describeRecord(r, opts.store)
    summary.counts[r.storage.status]++
  }

  const checkOne = async (r: R): Promise<StorageCheck> => {
    if (!r.pointer) return {status: 'not-checked', size: null, reason: 'no pointer: the entry does not decode'}
    const path = r.pointer.path
    const key = probe.locationKey(path)
    if (clusterKey !== null && probe.locationKey(parentPath(path)) !== clusterKey) summary.outsideClusterDir++
    if (summary.reachable === false && storageKey !== null && key.startsWith(`${storageKey}/`)) {
      return {status: 'unreachable', size: null, reason: summary.problem}
    }
    if (listing && clusterKey !== null && probe.locationKey(parentPath(path)) === clusterKey) {
      const f = listing.get(key)
      return f ? sized(r, f.size) : {status: 'missing', size: null, reason: `no file ${path}`}
    }
    const s = await probe.stat(path)
    switch (s.status) {
      case 'found':
        return s.kind === 'file' ? sized(r, s.size) : {status: 'error', size: null, reason: `${path} is not a regular file`}
      case 'missing':
        return {status: 'missing', size: null, reason: `no file ${path}`}
      case 'unsupported':
        return {status: 'not-checked', size: null, reason: s.reason}
      case 'error':
        return {status: 'error', size: null, reason: s.reason}
    }
  }

  const decodeOne = async (r: R): Promise<ContentCheck<T>> => {
    if (!r.pointer || r.storage?.status !== 'ok') {
      return {status: 'not-read', problem: r.storage?.reason ?? 'file not checked', decoded: null}
    }
    const read = await probe.read(r.pointer.path, {maxBytes: opts.maxDecodeBytes ?? DEFAULT_MAX_DECODE_BYTES})
    switch (read.status) {
      case 'read': {
        const d = opts.decode!(read.bytes)
        if (!d.ok) return {status: 'undecodable', problem: `${d.error.reason} (at byte ${d.error.offset})`, decoded: null}
        const disagreements = opts.crossCheck ? opts.crossCheck(r, d.value) : []
        return {status: 'decoded', problem: disagreements.length > 0 ? disagreements.join('; ') : null, decoded: d.value}
      }
      case 'too-large':
        return {status: 'not-read', problem: `file has ${read.size} bytes, more than haadm decodes`, decoded: null}
      case 'missing':
        return {status: 'not-read', problem: 'the file disappeared before it could be read', decoded: null}
      case 'unsupported':
      case 'error':
        return {status: 'not-read', problem: read.reason, decoded: null}
    }
  }

  await forEachBounded(records, opts.concurrency ?? DEFAULT_CONCURRENCY, check)

  if (summary.counts.error > 0) summary.partial = true
  if (summary.reachable === false) summary.partial = true
  if (listing) {
    const referenced = new Set(opts.referencedPaths.map((p) => probe.locationKey(p)))
    summary.orphans = [...listing.entries()]
      .filter(([key, f]) => HA_FILE_NAME.test(f.name) && !referenced.has(key))
      .map(([, f]) => ({name: f.name, path: f.path, kind: HA_FILE_NAME.exec(f.name)![1] as HaFilePrefix, size: f.size, modified: f.modified}))
      .filter((o) => opts.orphanPrefixes.includes(o.kind))
  }
  return summary
}

function sized<T>(r: StateHandleRecord<T>, size: number): StorageCheck {
  const expected = r.pointer?.stateSize ?? -1
  // stateSize -1 means "unknown" to Flink: nothing to compare.
  if (expected < 0 || expected === size) return {status: 'ok', size, reason: null}
  return {status: 'size-mismatch', size, reason: `file has ${size} bytes, the pointer records ${expected}`}
}

/** Runs fn over items with at most `limit` in flight. */
async function forEachBounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!
      await fn(item)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
}
