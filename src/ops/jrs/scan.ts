/**
 * Reads a JobResultStore directory: every entry file's bytes, the other files and directories beside
 * them, and the Flink Kubernetes Operator's per-deploy `<uuid>` directories under the cluster's directory.
 * The only I/O of `haadm jobs results`. Each file is decoded and turned into its record (pure code:
 * codec/job-result.ts, records.ts entryRecord) as soon as it is read, so memory holds one compact record
 * per entry, never the files or their decoded form (100,000 entries: ~55 MB of records).
 */
import {decodeJobResultFile} from '../../codec/job-result.js'
import {HaadmError} from '../../errors.js'
import {mapConcurrent} from '../../storage/concurrency.js'
import {baseNameOf, formatLocation, parentUri, parseLocation, type Storage, type StorageEntry} from '../../storage/index.js'
import {CLEAN_SUFFIX, DIRTY_SUFFIX, entryRecord, type JobResultEntryRecord, type ScannedFile} from './records.js'

/** The Operator's workaround (FLINK-27569) appends `UUID.randomUUID()` to the JRS path on every deploy. */
export const OPERATOR_DIR = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const READ_CONCURRENCY = 32

export interface ScannedOther {
  uri: string
  name: string
  kind: 'file' | 'directory'
  size: number | null
  mtime: string | null
}

export interface ScannedOperatorDir {
  uri: string
  name: string
  /** Files below it, at any depth. */
  files: number
  /** Job ids of `<jobId>_DIRTY.json` files directly in it. */
  dirtyJobIds: string[]
  bytes: number
  /** Newest file time; the directory's own time when it holds no file (local filesystems). */
  newest: string | null
  /** It is the JobResultStore path the target resolves to (the running deploy's, normally). */
  current: boolean
}

export interface JrsScan {
  path: string
  /** Where the Operator's `<uuid>` directories live: the JRS path's parent when its last segment is one, else the JRS path. */
  clusterDir: string
  layout: 'operator' | 'flat'
  scannedAt: string
  /** The records of the `*.json` files directly in the JRS path, in listing order. */
  entries: JobResultEntryRecord[]
  others: ScannedOther[]
  operatorDirs: ScannedOperatorDir[]
}

export async function scanJobResultStore(storage: Storage, path: string): Promise<JrsScan> {
  const jrsPath = formatLocation(parseLocation(path))
  const scannedAt = new Date().toISOString()
  const layout = OPERATOR_DIR.test(baseNameOf(jrsPath)) ? 'operator' : 'flat'
  const clusterDir = layout === 'operator' ? parentUri(jrsPath) : jrsPath
  const entries: JobResultEntryRecord[] = []
  const others: ScannedOther[] = []
  const subdirs: StorageEntry[] = []

  // Listing and reading overlap; the listing is pulled page by page as reads finish.
  async function* jsonFiles(): AsyncGenerator<StorageEntry> {
    for await (const e of storage.list(jrsPath)) {
      if (e.kind === 'directory') subdirs.push(e)
      else if (e.name.endsWith(CLEAN_SUFFIX)) yield e
      else others.push({uri: e.uri, name: e.name, kind: 'file', size: e.size, mtime: e.mtime})
    }
  }
  if (storage.readSync) {
    // Local files: read and decode in a tight loop, one file's bytes alive at a time.
    const readSync = storage.readSync.bind(storage)
    for await (const e of jsonFiles()) {
      const f = decodeEntry(e, () => readSync(e.uri))
      if (f) entries.push(entryRecord(f))
    }
  } else for await (const f of mapConcurrent(jsonFiles(), READ_CONCURRENCY, (e) => readEntry(storage, e))) if (f) entries.push(entryRecord(f))

  const operatorDirs: ScannedOperatorDir[] = []
  const candidates = layout === 'flat' ? subdirs : await listDirs(storage, clusterDir)
  for (const d of subdirs) if (layout === 'operator' || !OPERATOR_DIR.test(d.name)) others.push({uri: d.uri, name: d.name, kind: 'directory', size: null, mtime: d.mtime})
  for (const d of candidates) {
    if (!OPERATOR_DIR.test(d.name)) continue
    const current = d.uri === jrsPath
    operatorDirs.push(current ? currentDirSummary(d, entries, others) : await summariseDir(storage, d))
  }
  return {path: jrsPath, clusterDir, layout, scannedAt, entries, others, operatorDirs}
}

async function readEntry(storage: Storage, e: StorageEntry): Promise<ScannedFile | undefined> {
  let bytes: Uint8Array
  try {
    bytes = await storage.read(e.uri)
  } catch (err) {
    return decodeEntry(e, () => {
      throw err
    })
  }
  return decodeEntry(e, () => bytes)
}

function decodeEntry(e: StorageEntry, read: () => Uint8Array): ScannedFile | undefined {
  const base = {uri: e.uri, name: e.name, size: e.size ?? 0, mtime: e.mtime}
  try {
    return {...base, decoded: decodeJobResultFile(read())}
  } catch (err) {
    // Gone since the listing (Flink marked it clean meanwhile): it is no entry any more.
    if (err instanceof HaadmError && err.code === 'STORAGE_NOT_FOUND') return undefined
    return {...base, readError: err instanceof Error ? err.message : String(err)}
  }
}

async function listDirs(storage: Storage, dir: string): Promise<StorageEntry[]> {
  const out: StorageEntry[] = []
  for await (const e of storage.list(dir)) if (e.kind === 'directory') out.push(e)
  return out
}

async function summariseDir(storage: Storage, d: StorageEntry): Promise<ScannedOperatorDir> {
  let files = 0
  let bytes = 0
  let newest: string | null = null
  const dirtyJobIds: string[] = []
  for await (const e of storage.list(d.uri, {recursive: true})) {
    files++
    bytes += e.size ?? 0
    if (e.mtime && (newest === null || e.mtime > newest)) newest = e.mtime
    if (e.relative === e.name && e.name.endsWith(DIRTY_SUFFIX)) dirtyJobIds.push(e.name.slice(0, -DIRTY_SUFFIX.length))
  }
  return {uri: d.uri, name: d.name, files, dirtyJobIds: dirtyJobIds.sort(), bytes, newest: newest ?? d.mtime, current: false}
}

function currentDirSummary(d: StorageEntry, files: JobResultEntryRecord[], others: ScannedOther[]): ScannedOperatorDir {
  let newest: string | null = null
  let bytes = 0
  let count = 0
  for (const f of [...files, ...others.filter((o) => o.kind === 'file')]) {
    count++
    bytes += f.size ?? 0
    if (f.mtime && (newest === null || f.mtime > newest)) newest = f.mtime
  }
  const dirtyJobIds = files.filter((f) => f.file.endsWith(DIRTY_SUFFIX)).map((f) => f.file.slice(0, -DIRTY_SUFFIX.length))
  return {uri: d.uri, name: d.name, files: count, dirtyJobIds: dirtyJobIds.sort(), bytes, newest: newest ?? d.mtime, current: true}
}
