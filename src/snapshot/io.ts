import {once} from 'node:events'
import {createWriteStream, promises as fs, readFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {createRequire} from 'node:module'
import type {RawItem} from '../backends/types.js'
import {ExitCode, HaadmError} from '../errors.js'
import {outputWriteError} from './write-error.js'
import {SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type SnapshotDocument, type SnapshotHeader, fromSnapshotItem, toSnapshotItem} from './format.js'

/** node:zlib takes ~4 ms to load: only runs that read or write a .gz snapshot pay for it. */
const zlib = () => createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib')

const invalid = (file: string, why: string, hint = 'Use a file written by haadm export (or by haadm cleanup --backup).') =>
  new HaadmError('SNAPSHOT_INVALID', `${file}: ${why}`, {exit: ExitCode.USAGE, hint})

/**
 * Streams a snapshot to `dest` (`-` is stdout): header, then each item as it arrives, then the count.
 * A file is written under a temporary name and renamed at the end, so a failed export never leaves a
 * half-written file that looks complete. Returns the number of items written.
 */
export async function writeSnapshot(
  dest: string,
  header: Omit<SnapshotHeader, 'format' | 'version'>,
  items: AsyncIterable<RawItem>,
  jobResults: unknown = null,
): Promise<number> {
  const toStdout = dest === '-'
  const tmp = toStdout ? '' : join(dirname(dest), `.${basename(dest)}.${process.pid}.tmp`)
  let fileStream: NodeJS.WritableStream
  if (toStdout) fileStream = process.stdout
  else {
    try {
      await fs.access(dirname(dest))
      const stream = createWriteStream(tmp, {flags: 'wx'})
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve())
        stream.once('error', reject)
      })
      fileStream = stream
    } catch (err) {
      throw new HaadmError('USAGE', `cannot write ${dest}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
        exit: ExitCode.USAGE,
        hint: 'Choose a path in an existing, writable directory, or -o - for stdout.',
      })
    }
  }
  const gzip = dest.endsWith('.gz') ? zlib().createGzip() : undefined
  const out: NodeJS.WritableStream = gzip ?? fileStream
  if (gzip) gzip.pipe(fileStream)
  let streamError: Error | undefined
  const onError = (err: Error) => (streamError ??= err)
  out.on('error', onError)
  fileStream.on('error', onError)

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
  let count = 0
  try {
    const head: SnapshotHeader = {format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, ...header}
    const headJson = JSON.stringify(head, null, 1)
    await write(`${headJson.slice(0, -2)},\n "items": [`)
    for await (const item of items) {
      await write(`${count === 0 ? '\n' : ',\n'}  ${JSON.stringify(toSnapshotItem(item))}`)
      count++
    }
    await write(`\n ],\n "jobResults": ${JSON.stringify(jobResults)},\n "itemCount": ${count}\n}\n`)
    if (!toStdout) {
      const finished = once(fileStream, 'close')
      out.end()
      await finished
      if (streamError) throw streamError
      await fs.rename(tmp, dest)
    } else if (gzip) {
      const finished = once(gzip, 'end')
      gzip.end()
      await finished
    }
  } catch (err) {
    if (!toStdout) {
      ;(out as unknown as {destroy?: () => void}).destroy?.()
      await fs.rm(tmp, {force: true})
    }
    if (err instanceof HaadmError) throw err
    throw outputWriteError(dest, err)
  }
  return count
}

const cache = new Map<string, SnapshotDocument>()

/** Reads and checks a snapshot (plain or gzip, told by its first bytes); each file is parsed once per process. */
export async function readSnapshot(file: string): Promise<SnapshotDocument> {
  return loadSnapshot(file)
}

/** What a snapshot records about its cluster, for target resolution (config's SnapshotDefaults). */
export function snapshotDefaults(file: string): {backend: string; clusterId: string; jobResultStorePath: string | null} {
  const doc = loadSnapshot(file)
  return {backend: doc.backend, clusterId: doc.clusterId, jobResultStorePath: (doc.jobResults as {path?: string} | null)?.path ?? null}
}

export function loadSnapshot(file: string): SnapshotDocument {
  const cached = cache.get(file)
  if (cached) return cached
  let raw: Buffer
  try {
    raw = readFileSync(file)
  } catch (err) {
    throw invalid(file, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'Check the path given to --snapshot.')
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
  const d = doc as Partial<SnapshotDocument>
  if (typeof d !== 'object' || d === null || d.format !== SNAPSHOT_FORMAT) throw invalid(file, 'not a haadm snapshot (no "format": "haadm-snapshot")')
  if (typeof d.version !== 'number' || !Number.isInteger(d.version) || d.version < 1) throw invalid(file, `unknown snapshot version ${JSON.stringify(d.version)}`)
  if (d.version > SNAPSHOT_VERSION)
    throw invalid(file, `snapshot format ${d.version} is newer than this haadm reads (${SNAPSHOT_VERSION})`, 'Upgrade haadm to read it.')
  if (!Array.isArray(d.items) || typeof d.itemCount !== 'number') throw invalid(file, 'truncated: the item list or its count is missing')
  if (d.items.length !== d.itemCount) throw invalid(file, `truncated: ${d.items.length} items but the file says ${d.itemCount}`)
  if (d.backend !== 'zookeeper' && d.backend !== 'kubernetes') throw invalid(file, `unknown backend ${JSON.stringify(d.backend)}`)
  if (typeof d.clusterId !== 'string' || typeof d.root !== 'string') throw invalid(file, 'the cluster id or root is missing')
  d.items.forEach((item, i) => {
    if (typeof item?.key !== 'string' || typeof item.locator !== 'string' || typeof item.data !== 'string')
      throw invalid(file, `item ${i} is malformed (needs key, locator and base64 data)`)
  })
  return d as SnapshotDocument
}

export function snapshotItems(doc: SnapshotDocument): RawItem[] {
  return doc.items.map(fromSnapshotItem)
}
