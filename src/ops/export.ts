import {openBackend, whereabouts} from '../backends/index.js'
import {canStream, type RawItem} from '../backends/types.js'
import type {Target} from '../config/target.js'
import {writeSnapshot} from '../snapshot/io.js'
import {classifyOutput} from '../snapshot/output.js'
import {HaadmError} from '../errors.js'
import {formatLocation, parseLocation, withStorage} from '../storage/index.js'
import type {SnapshotFiles} from '../storage/snapshot.js'

export interface ExportResult {
  file: string
  /** JobResultStore files included (null: none was reachable or configured). */
  jobResultFiles: number | null
  backend: string
  clusterId: string
  root: string
  items: number
  createdAt: string
  /** Standard output was closed by its reader (`| head`) before the end: a normal end. */
  closedByReader?: boolean
}

/** Where the snapshot was read from, without credentials. */
export function targetSummary(t: Target): Record<string, string | boolean | null> {
  return {
    ...whereabouts(t),
    storageDir: t.storageDir?.value ?? null,
    jobResultStorePath: t.jobResultStorePath?.value ?? null,
    // Read back by --snapshot: mark-clean and jobs results then know how Flink commits entries.
    jobResultStoreDeleteOnCommit: t.jobResultStoreDeleteOnCommit.value,
    snapshot: t.snapshot?.value ?? null,
  }
}

/** Streams everything the backend's scan returns for the cluster into a snapshot file. */
export async function exportSnapshot(target: Target, file: string, haadmVersion: string, warnings: string[] = []): Promise<ExportResult> {
  // A path that cannot be written fails before anything is read.
  classifyOutput(file, 'the snapshot file')
  const backend = await openBackend(target)
  try {
    const createdAt = new Date().toISOString()
    let source: {clusterId: string; root: string; items: AsyncIterable<RawItem> | Iterable<RawItem>}
    if (canStream(backend)) source = {clusterId: backend.clusterId, root: backend.root, items: backend.scanItems()}
    else source = await backend.scan()
    // Read the first item before creating the file: a missing cluster fails with nothing written.
    const iterator = toAsync(source.items)[Symbol.asyncIterator]()
    const first = await iterator.next()
    const items = (async function* () {
      if (first.done) return
      yield first.value
      for (let n = await iterator.next(); !n.done; n = await iterator.next()) yield n.value
    })()
    const header = {haadmVersion, createdAt, purpose: 'export' as const, backend: backend.kind, clusterId: source.clusterId, root: source.root, target: targetSummary(target)}
    const jobResults = await captureJobResults(target, warnings)
    const written = await writeSnapshot(file, header, items, {jobResults})
    return {
      file,
      jobResultFiles: jobResults?.files.length ?? null,
      backend: backend.kind,
      clusterId: source.clusterId,
      root: source.root,
      items: written.items,
      createdAt,
      ...(written.closedByReader ? {closedByReader: true} : {}),
    }
  } finally {
    await backend.close()
  }
}

/** The JobResultStore's files (small JSON documents), when its path is known and reachable. */
async function captureJobResults(target: Target, warnings: string[]): Promise<SnapshotFiles | null> {
  const path = target.jobResultStorePath?.value
  if (!path || target.snapshot) return null
  try {
    return await withStorage(path, target, async (storage) => {
      const root = formatLocation(parseLocation(path))
      if (!(await storage.stat(root))) return {path: root, files: []}
      const files: SnapshotFiles['files'] = []
      for await (const e of storage.list(root, {recursive: true})) {
        if (e.kind !== 'file') continue
        files.push({relative: e.relative, size: e.size ?? 0, mtime: e.mtime, data: Buffer.from(await storage.read(e.uri)).toString('base64')})
      }
      return {path: root, files}
    })
  } catch (err) {
    if (!(err instanceof HaadmError)) throw err
    warnings.push(`the JobResultStore was not included: ${err.message}`)
    return null
  }
}

async function* toAsync<T>(items: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  yield* items
}
