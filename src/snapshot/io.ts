import {once} from 'node:events'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import type {RawItem} from '../backends/types.js'
import {ExitCode, HaadmError} from '../errors.js'
import {fromSnapshotItem, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type SnapshotDocument, type SnapshotHeader, type SnapshotStorageFile, toSnapshotItem} from './format.js'
import type {SnapshotFiles} from '../storage/snapshot.js'
import {openOutput, outputError} from './output.js'

/** node:zlib takes ~4 ms to load: only runs that read or write a .gz snapshot pay for it. */
const zlib = () => createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib')

const invalid = (file: string, why: string, hint = 'Use a file written by haadm export (or by haadm cleanup --backup).') =>
  new HaadmError('SNAPSHOT_INVALID', `${file}: ${why}`, {exit: ExitCode.USAGE, hint})

export interface WriteSnapshotOptions {
  /** The JobResultStore's files (an export, or a backup of JobResultStore entries), else null. */
  jobResults?: SnapshotFiles | null
  /** Backups: every other file the run removes (HA blobs, state-handle files, Operator directories), streamed. */
  storageFiles?: AsyncIterable<SnapshotStorageFile> | Iterable<SnapshotStorageFile>
  /** An existing regular file: replaced atomically (export), or refused (backups, unless told to overwrite). */
  existing?: 'replace' | 'refuse'
  /** For messages: "the snapshot file", "the backup file". */
  what?: string
  mode?: number
  describeExisting?: (path: string) => string | undefined
  existingHint?: string
  /** Fields written after the items (they can describe what was read), before the count. */
  trailer?: () => Record<string, unknown>
}

/** Characters gathered before one write (items, files). */
const CHUNK = 256 * 1024

export interface WriteSnapshotResult {
  items: number
  storageFiles: number
  /** Where it went: the resolved path (a symlink's target) or `-`. */
  path: string
  /** Standard output closed by its reader before the end (`| head`): a normal end, nothing more written. */
  closedByReader: boolean
}

/**
 * Streams a snapshot to `dest` by the output rules of ./output.ts (`-` is stdout; devices and FIFOs
 * written through; a regular file under a temporary name, fsynced and renamed when complete, so a
 * file with the final name is always whole): header, each item as it arrives, the JobResultStore's
 * and other files, then the count.
 */
export async function writeSnapshot(
  dest: string,
  header: Omit<SnapshotHeader, 'format' | 'version'>,
  items: AsyncIterable<RawItem>,
  opts: WriteSnapshotOptions = {},
): Promise<WriteSnapshotResult> {
  const what = opts.what ?? 'the snapshot file'
  const sink = await openOutput(dest, {existing: opts.existing ?? 'replace', what, mode: opts.mode, describeExisting: opts.describeExisting, existingHint: opts.existingHint})
  const toStdout = sink.kind === 'stdout'
  const fileStream = sink.stream
  const gzip = dest.endsWith('.gz') ? zlib().createGzip() : undefined
  const out: NodeJS.WritableStream = gzip ?? fileStream
  // The sink is ended by its commit (which fsyncs), not by the pipe.
  if (gzip) gzip.pipe(fileStream, {end: false})
  let streamError: Error | undefined
  const onError = (err: Error) => (streamError ??= err)
  out.on('error', onError)
  fileStream.on('error', onError)
  const closed = () => toStdout && (streamError as NodeJS.ErrnoException | undefined)?.code === 'EPIPE'

  // Errors surface through onError; waiting for 'drain' alone keeps one listener at a time.
  const write = async (text: string) => {
    if (streamError) throw streamError
    if (!out.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          out.removeListener('drain', done)
          out.removeListener('error', done)
          resolve()
        }
        out.on('drain', done)
        out.on('error', done)
      })
      if (streamError) throw streamError
    }
  }
  // Items and files go out in chunks of about CHUNK characters: one write call per item cost a syscall
  // each (9,500 writes for 10,000 items). `flush` writes what is gathered.
  let chunk = ''
  const gather = async (text: string) => {
    chunk += text
    if (chunk.length >= CHUNK) await flush()
  }
  const flush = async () => {
    if (chunk === '') return
    const text = chunk
    chunk = ''
    await write(text)
  }
  let count = 0
  let fileCount = 0
  try {
    const head: SnapshotHeader = {format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, ...header}
    const headJson = JSON.stringify(head, null, 1)
    await gather(`${headJson.slice(0, -2)},\n "items": [`)
    for await (const item of items) {
      await gather(`${count === 0 ? '\n' : ',\n'}  ${JSON.stringify(toSnapshotItem(item))}`)
      count++
    }
    await gather(`\n ],\n "jobResults": ${JSON.stringify(opts.jobResults ?? null)},\n`)
    if (opts.storageFiles) {
      await gather(' "storageFiles": [')
      for await (const f of opts.storageFiles) {
        await gather(`${fileCount === 0 ? '\n' : ',\n'}  ${JSON.stringify(f)}`)
        fileCount++
      }
      await gather('\n ],\n')
    }
    await flush()
    // Fields written after the items (they can describe what was read), before the count.
    for (const [k, v] of Object.entries(opts.trailer?.() ?? {})) await write(` ${JSON.stringify(k)}: ${JSON.stringify(v)},\n`)
    await write(` "itemCount": ${count}\n}\n`)
    if (gzip) {
      const finished = once(gzip, 'end')
      gzip.end()
      await finished
    }
    if (streamError) throw streamError
    await sink.commit()
    if (streamError) throw streamError
  } catch (err) {
    if (closed()) return {items: count, storageFiles: fileCount, path: sink.path, closedByReader: true}
    ;(gzip as unknown as {destroy?: () => void} | undefined)?.destroy?.()
    await sink.abort()
    if (err instanceof HaadmError) throw err
    throw outputError(err, sink.path, what)
  }
  return {items: count, storageFiles: fileCount, path: sink.path, closedByReader: false}
}

const cache = new Map<string, SnapshotDocument>()

/** Reads and checks a snapshot (plain or gzip, told by its first bytes); each file is parsed once per process. */
export async function readSnapshot(file: string): Promise<SnapshotDocument> {
  return loadSnapshot(file)
}

/** What a snapshot records about its cluster, for target resolution (config's SnapshotDefaults). */
export function snapshotDefaults(file: string): {backend: string; clusterId: string; jobResultStorePath: string | null; jobResultStoreDeleteOnCommit: string | null} {
  const doc = loadSnapshot(file)
  const dOC = doc.target?.jobResultStoreDeleteOnCommit
  return {
    backend: doc.backend,
    clusterId: doc.clusterId,
    jobResultStorePath: (doc.jobResults as {path?: string} | null)?.path ?? null,
    // Exports since this field was added record it; older ones leave Flink's default.
    jobResultStoreDeleteOnCommit: typeof dOC === 'boolean' ? String(dOC) : null,
  }
}

/** `hint`: how the user named the file (a flag or an argument), for the message when it cannot be read. */
export function loadSnapshot(file: string, hint = 'Check the path given to --snapshot.'): SnapshotDocument {
  const cached = cache.get(file)
  if (cached) return cached
  let raw: Buffer
  try {
    raw = readFileSync(file)
  } catch (err) {
    throw invalid(file, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, hint)
  }
  let text: Buffer = raw
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      text = zlib().gunzipSync(raw)
    } catch {
      throw invalid(file, 'truncated or corrupt gzip data')
    }
  }
  let doc: unknown
  try {
    doc = JSON.parse(text.toString('utf8'))
  } catch {
    throw invalid(file, 'not a haadm snapshot (not JSON, or truncated)')
  }
  const checked = checkSnapshot(file, doc)
  cache.set(file, checked)
  return checked
}

export function checkSnapshot(file: string, doc: unknown): SnapshotDocument {
  if ((doc as {format?: unknown} | null)?.format === LEGACY_BACKUP_FORMAT) doc = fromLegacyBackup(file, doc as LegacyBackup)
  const d = doc as Partial<SnapshotDocument>
  if (typeof d !== 'object' || d === null || d.format !== SNAPSHOT_FORMAT) throw invalid(file, 'not a haadm snapshot (no "format": "haadm-snapshot")')
  if (typeof d.version !== 'number' || !Number.isInteger(d.version) || d.version < 1) throw invalid(file, `unknown snapshot version ${JSON.stringify(d.version)}`)
  if (d.version > SNAPSHOT_VERSION)
    throw invalid(file, `snapshot format ${d.version} is newer than this haadm reads (${SNAPSHOT_VERSION})`, 'Upgrade haadm to read it.')
  if (!Array.isArray(d.items) || typeof d.itemCount !== 'number') throw invalid(file, 'truncated: the item list or its count is missing')
  if (d.items.length !== d.itemCount) throw invalid(file, `truncated: ${d.items.length} items but the file says ${d.itemCount}`)
  if (d.backend !== 'zookeeper' && d.backend !== 'kubernetes') throw invalid(file, `unknown backend ${JSON.stringify(d.backend)}`)
  if (typeof d.clusterId !== 'string' || typeof d.root !== 'string') throw invalid(file, 'the cluster id or root is missing')
  if (d.storageFiles !== undefined && d.storageFiles !== null) {
    if (!Array.isArray(d.storageFiles)) throw invalid(file, '"storageFiles" is not a list')
    d.storageFiles.forEach((f, i) => {
      if (typeof f?.uri !== 'string' || typeof f.data !== 'string') throw invalid(file, `storage file ${i} is malformed (needs uri and base64 data)`)
    })
  }
  d.items.forEach((item, i) => {
    if (typeof item?.key !== 'string' || typeof item.locator !== 'string' || typeof item.data !== 'string')
      throw invalid(file, `item ${i} is malformed (needs key, locator and base64 data)`)
  })
  return d as SnapshotDocument
}

export function snapshotItems(doc: SnapshotDocument): RawItem[] {
  return doc.items.map(fromSnapshotItem)
}

/**
 * Why a snapshot may not be a consistent picture (the tree changed while it was exported), or
 * undefined: every command that reads the snapshot says so.
 */
export function snapshotInconsistency(doc: SnapshotDocument): string | undefined {
  const c = doc.consistency
  if (!c || c.complete !== false) return undefined
  const changed = Array.isArray(c.changedDuringExport) ? c.changedDuringExport : []
  const names = changed.slice(0, 5).map((m) => (m.key === '' ? doc.root : `${doc.root}/${m.key}`))
  return `the tree changed while this snapshot was exported: ${changed.length} node(s) have a child count that does not match the children captured (${names.join(', ')}${changed.length > 5 ? ', ...' : ''}); it is not one consistent picture: export again while nothing writes`
}

/** haadm 0.1's `jobs purge|mark-clean --backup` files: {format: "haadm-backup", source, files: [{path, size, mtime, base64}]}. */
const LEGACY_BACKUP_FORMAT = 'haadm-backup'
interface LegacyBackup {
  format: string
  createdAt?: string
  command?: string
  source?: string
  files?: Array<{path?: string; size?: number; mtime?: string | null; base64?: string}>
}

/** Read as a snapshot of the files alone: those below the JobResultStore directory as its entries, the others as storage files. */
function fromLegacyBackup(file: string, b: LegacyBackup): SnapshotDocument {
  if (typeof b.source !== 'string' || !Array.isArray(b.files)) throw invalid(file, 'a haadm-backup file without "source" or "files"')
  const base = b.source.replace(/\/+$/, '')
  const files = b.files.map((f, i) => {
    if (typeof f?.path !== 'string' || typeof f.base64 !== 'string') throw invalid(file, `file ${i} is malformed (needs path and base64)`)
    return {uri: f.path, size: f.size ?? Buffer.from(f.base64, 'base64').length, mtime: f.mtime ?? null, data: f.base64}
  })
  const below = (u: string) => u.startsWith(`${base}/`)
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    haadmVersion: 'unknown',
    createdAt: b.createdAt ?? new Date(0).toISOString(),
    purpose: 'backup',
    command: b.command,
    backend: 'zookeeper',
    clusterId: '/default',
    root: '',
    target: {jobResultStorePath: base},
    items: [],
    jobResults: {path: base, files: files.filter((f) => below(f.uri)).map((f) => ({relative: f.uri.slice(base.length + 1), size: f.size, mtime: f.mtime, data: f.data}))},
    storageFiles: files.filter((f) => !below(f.uri)),
    itemCount: 0,
  }
}
