/**
 * Reads a JobResultStore directory: every entry file's bytes, the other files and directories beside
 * them, and the Flink Kubernetes Operator's per-deploy `<uuid>` directories under the cluster's directory.
 * The only I/O of `haadm jobs results`. The listing comes first and is kept as compact columns (name,
 * time, size), sorted oldest first: the order of the report, known before any file is read. The files
 * are then read in that order, a small window at a time, each decoded and turned into its record (pure
 * code: codec/job-result.ts, records.ts entryRecord) as soon as it is read, so a caller can write each
 * entry out and drop it (`jobs results` keeps nothing per entry for --json, a compact row for tables).
 */
import {decodeJobResultFile} from '../../codec/job-result.js'
import {remainingMs, timeoutText} from '../../deadline.js'
import {ExitCode, HaadmError} from '../../errors.js'
import {baseNameOf, formatLocation, parentUri, parseLocation, type Storage, type StorageEntry} from '../../storage/index.js'
import {CLEAN_SUFFIX, DIRTY_SUFFIX, entryRecord, type JobResultEntryRecord, type ScannedFile} from './records.js'

/** The Operator's workaround (FLINK-27569) appends `UUID.randomUUID()` to the JRS path on every deploy. */
export const OPERATOR_DIR = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

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

/**
 * A JobResultStore's listing: the entry files (`*.json` directly in the path) as columns, oldest first
 * (then by name), which is the order of every report; the other files and sub-directories as listed.
 * 100,000 entries: ~7 MB.
 */
export interface JrsListing {
  path: string
  clusterDir: string
  layout: 'operator' | 'flat'
  scannedAt: string
  /** Entry file names, oldest first, then by name. */
  names: string[]
  /** Their times, epoch ms (NaN when the store gives none), and sizes. */
  mtimes: Float64Array
  sizes: Float64Array
  /** An entry's location is prefix + name, except where `uris` says otherwise. */
  prefix: string
  uris: Map<number, string> | null
  others: ScannedOther[]
  subdirs: StorageEntry[]
}

export async function listJobResultStore(storage: Storage, path: string): Promise<JrsListing> {
  const jrsPath = formatLocation(parseLocation(path))
  const scannedAt = new Date().toISOString()
  const layout = OPERATOR_DIR.test(baseNameOf(jrsPath)) ? 'operator' : 'flat'
  const clusterDir = layout === 'operator' ? parentUri(jrsPath) : jrsPath
  const others: ScannedOther[] = []
  const subdirs: StorageEntry[] = []
  const names: string[] = []
  const mtimes: number[] = []
  const sizes: number[] = []
  let prefix: string | undefined
  const odd = new Map<number, string>()
  for await (const e of storage.list(jrsPath)) {
    if (e.kind === 'directory') subdirs.push(e)
    else if (e.name.endsWith(CLEAN_SUFFIX)) {
      prefix ??= e.uri.endsWith(e.name) ? e.uri.slice(0, e.uri.length - e.name.length) : ''
      if (!(e.uri.length === prefix.length + e.name.length && e.uri.startsWith(prefix) && e.uri.endsWith(e.name))) odd.set(names.length, e.uri)
      // A name of its own: the listing's name is a slice of its full location, which would stay alive with it.
      names.push(detached(e.name))
      mtimes.push(e.mtime === null ? NaN : Date.parse(e.mtime))
      sizes.push(e.size ?? 0)
    } else others.push({uri: e.uri, name: e.name, kind: 'file', size: e.size, mtime: e.mtime})
  }
  // Oldest first, then by name; no time sorts first (as the empty string did).
  const order = Array.from({length: names.length}, (_, i) => i)
  const key = (i: number) => (Number.isNaN(mtimes[i]) ? -Infinity : mtimes[i])
  order.sort((a, b) => {
    const ta = key(a)
    const tb = key(b)
    if (ta !== tb) return ta < tb ? -1 : 1
    return names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0
  })
  const uris = odd.size === 0 ? null : new Map<number, string>()
  const listing: JrsListing = {
    path: jrsPath,
    clusterDir,
    layout,
    scannedAt,
    names: order.map((i) => names[i]),
    mtimes: Float64Array.from(order, (i) => mtimes[i]),
    sizes: Float64Array.from(order, (i) => sizes[i]),
    prefix: prefix ?? '',
    uris,
    others,
    subdirs,
  }
  if (uris) order.forEach((from, to) => odd.has(from) && uris.set(to, odd.get(from)!))
  return listing
}

/** The location of the listing's entry i. */
export function entryUri(l: JrsListing, i: number): string {
  return l.uris?.get(i) ?? l.prefix + l.names[i]
}

/** The listed time of entry i, as the store gives it (ISO 8601), or null. */
export function entryMtime(l: JrsListing, i: number): string | null {
  return Number.isNaN(l.mtimes[i]) ? null : new Date(l.mtimes[i]).toISOString()
}

/** Files read per batch; also the most reads in flight on object stores. */
const WINDOW = 32

/**
 * The listed entries read and decoded, in listing order, a batch at a time: local files one after
 * another in a tight synchronous loop (one file's bytes alive at a time), object stores WINDOW reads in
 * flight. Each batch holds the records of up to WINDOW entries and their listing indices; an entry
 * gone since the listing (Flink marked it clean meanwhile) is no entry any more and is left out
 * (`gone` marks it). The run's deadline (--timeout) is checked before each batch: the synchronous
 * loop gives no timer a turn, so it is the one place a deadline can end a long local read.
 */
export async function* readListedEntries(storage: Storage, l: JrsListing, gone?: Uint8Array): AsyncGenerator<{records: JobResultEntryRecord[]; indices: number[]}> {
  const n = l.names.length
  const record = (i: number, f: ScannedFile | undefined) => {
    if (f) return entryRecord(f)
    if (gone) gone[i] = 1
    return undefined
  }
  if (storage.readSync) {
    const readSync = storage.readSync.bind(storage)
    for (let at = 0; at < n; ) {
      checkDeadline(l, at)
      const records: JobResultEntryRecord[] = []
      const indices: number[] = []
      for (const end = Math.min(n, at + WINDOW); at < end; at++) {
        const uri = entryUri(l, at)
        const r = record(at, decodeEntry(l, at, uri, () => readSync(uri)))
        if (r) {
          records.push(r)
          indices.push(at)
        }
      }
      yield {records, indices}
    }
    return
  }
  // In listing order, WINDOW reads in flight: the head of the queue is awaited, the next read started.
  // readEntry never rejects (a failed read is a record with the problem).
  const inFlight: {read: Promise<ScannedFile | undefined>; done: boolean}[] = []
  let next = 0
  let head = 0
  const start = () => {
    const slot = {read: readEntry(storage, l, next++), done: false}
    slot.read.then(() => (slot.done = true))
    inFlight.push(slot)
  }
  while (next < n && inFlight.length < WINDOW) start()
  while (head < n) {
    checkDeadline(l, head)
    const records: JobResultEntryRecord[] = []
    const indices: number[] = []
    // Everything already read is taken together; at least one read is waited for.
    do {
      const f = await inFlight.shift()!.read
      const i = head++
      if (next < n) start()
      const r = record(i, f)
      if (r) {
        records.push(r)
        indices.push(i)
      }
    } while (head < n && records.length < WINDOW && inFlight[0]?.done)
    yield {records, indices}
  }
}

function checkDeadline(l: JrsListing, read: number): void {
  if (remainingMs() > 0) return
  throw new HaadmError('DEADLINE_EXCEEDED', `the run's deadline (--timeout ${timeoutText()}) passed while reading the JobResultStore ${l.path} (${read} of ${l.names.length} entries read)`, {
    exit: ExitCode.UNREACHABLE,
    hint: 'A longer --timeout waits longer; the filters (--dirty, --job, ...) do not shorten the read.',
    details: {timeout: timeoutText(), read, entries: l.names.length},
  })
}

/** The Operator's per-deploy directories; the current one (the JRS path itself) summarised from the listing, less the entries in `gone`. */
export async function operatorDirsOf(storage: Storage, l: JrsListing, gone?: Uint8Array): Promise<ScannedOperatorDir[]> {
  const operatorDirs: ScannedOperatorDir[] = []
  const candidates = l.layout === 'flat' ? l.subdirs : await listDirs(storage, l.clusterDir)
  for (const d of candidates) {
    if (!OPERATOR_DIR.test(d.name)) continue
    operatorDirs.push(d.uri === l.path ? currentDirSummary(d, l, gone) : await summariseDir(storage, d))
  }
  return operatorDirs
}

/** The other files and directories Flink skips (an Operator directory under a flat path is none). */
export function othersOf(l: JrsListing): ScannedOther[] {
  const others = [...l.others]
  for (const d of l.subdirs) if (l.layout === 'operator' || !OPERATOR_DIR.test(d.name)) others.push({uri: d.uri, name: d.name, kind: 'directory', size: null, mtime: d.mtime})
  return others
}

export async function scanJobResultStore(storage: Storage, path: string): Promise<JrsScan> {
  const l = await listJobResultStore(storage, path)
  const gone = new Uint8Array(l.names.length)
  const entries: JobResultEntryRecord[] = []
  for await (const b of readListedEntries(storage, l, gone)) for (const r of b.records) entries.push(r)
  return {path: l.path, clusterDir: l.clusterDir, layout: l.layout, scannedAt: l.scannedAt, entries, others: othersOf(l), operatorDirs: await operatorDirsOf(storage, l, gone)}
}

async function readEntry(storage: Storage, l: JrsListing, i: number): Promise<ScannedFile | undefined> {
  const uri = entryUri(l, i)
  let bytes: Uint8Array
  try {
    bytes = await storage.read(uri)
  } catch (err) {
    return decodeEntry(l, i, uri, () => {
      throw err
    })
  }
  return decodeEntry(l, i, uri, () => bytes)
}

function decodeEntry(l: JrsListing, i: number, uri: string, read: () => Uint8Array): ScannedFile | undefined {
  const base = {uri, name: l.names[i], size: l.sizes[i], mtime: entryMtime(l, i)}
  try {
    return {...base, decoded: decodeJobResultFile(read())}
  } catch (err) {
    // Gone since the listing (Flink marked it clean meanwhile): it is no entry any more.
    if (err instanceof HaadmError && err.code === 'STORAGE_NOT_FOUND') return undefined
    return {...base, readError: err instanceof Error ? err.message : String(err)}
  }
}

/** A copy of a string that does not keep the string it was sliced from alive (see codec/job-result.ts own). */
function detached(s: string): string {
  return (' ' + s).slice(1)
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

function currentDirSummary(d: StorageEntry, l: JrsListing, gone?: Uint8Array): ScannedOperatorDir {
  let newest = -Infinity
  let newestIso: string | null = null
  let bytes = 0
  let count = 0
  const dirtyJobIds: string[] = []
  for (let i = 0; i < l.names.length; i++) {
    if (gone?.[i]) continue
    count++
    bytes += l.sizes[i]
    if (!Number.isNaN(l.mtimes[i]) && l.mtimes[i] > newest) newest = l.mtimes[i]
    if (l.names[i].endsWith(DIRTY_SUFFIX)) dirtyJobIds.push(l.names[i].slice(0, -DIRTY_SUFFIX.length))
  }
  if (newest !== -Infinity) newestIso = new Date(newest).toISOString()
  for (const f of l.others) {
    count++
    bytes += f.size ?? 0
    if (f.mtime && (newestIso === null || f.mtime > newestIso)) newestIso = f.mtime
  }
  return {uri: d.uri, name: d.name, files: count, dirtyJobIds: dirtyJobIds.sort(), bytes, newest: newestIso ?? d.mtime, current: true}
}
