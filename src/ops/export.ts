import {openBackend, whereabouts} from '../backends/index.js'
import {canStream, type RawItem} from '../backends/types.js'
import type {Target} from '../config/target.js'
import {writeSnapshot} from '../snapshot/io.js'
import {classifyOutput} from '../snapshot/output.js'
import {HaadmError} from '../errors.js'
import {formatLocation, parseLocation, withStorage} from '../storage/index.js'
import type {SnapshotFiles} from '../storage/snapshot.js'
import type {ChildCountMismatch, SnapshotConsistency} from '../snapshot/format.js'

export interface ExportResult {
  file: string
  /** JobResultStore files included (null: none was reachable or configured). */
  jobResultFiles: number | null
  backend: string
  clusterId: string
  root: string
  items: number
  createdAt: string
  /** ZooKeeper: whether the tree stood still while it was read (null for other backends). */
  consistency: SnapshotConsistency | null
  /** Standard output was closed by its reader (`| head`) before the end: a normal end. */
  closedByReader?: boolean
}

/**
 * Watches the items of a ZooKeeper export go by: each node's stat says how many children it had when
 * it was read; the export must then hold that many. A child created or removed while the tree was read
 * shows as a difference (the cluster changed under the export: a JobManager, or a cleanup, at work).
 * Changes that keep the count the same between reading a node and listing it are not seen.
 */
export class ChildCountCheck {
  private readonly expected = new Map<string, number>()
  private readonly captured = new Map<string, number>()
  private zk = false

  see(item: RawItem): void {
    if (!item.zk) return
    this.zk = true
    this.expected.set(item.key, item.zk.numChildren)
    if (item.key !== '') {
      const i = item.key.lastIndexOf('/')
      const parent = i < 0 ? '' : item.key.slice(0, i)
      this.captured.set(parent, (this.captured.get(parent) ?? 0) + 1)
    }
  }

  result(): SnapshotConsistency | null {
    if (!this.zk) return null
    const changed: ChildCountMismatch[] = []
    for (const [key, numChildren] of this.expected) {
      const captured = this.captured.get(key) ?? 0
      if (captured !== numChildren) changed.push({key, numChildren, captured})
    }
    changed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return {complete: changed.length === 0, changedDuringExport: changed}
  }
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
    const check = new ChildCountCheck()
    const items = (async function* () {
      if (first.done) return
      check.see(first.value)
      yield first.value
      for (let n = await iterator.next(); !n.done; n = await iterator.next()) {
        check.see(n.value)
        yield n.value
      }
    })()
    const header = {haadmVersion, createdAt, purpose: 'export' as const, backend: backend.kind, clusterId: source.clusterId, root: source.root, target: targetSummary(target)}
    const jobResults = await captureJobResults(target, warnings)
    let consistency: SnapshotConsistency | null = null
    const written = await writeSnapshot(file, header, items, {
      jobResults,
      trailer: () => {
        consistency = check.result()
        return consistency ? {consistency} : {}
      },
    })
    return {
      file,
      jobResultFiles: jobResults?.files.length ?? null,
      backend: backend.kind,
      clusterId: source.clusterId,
      root: source.root,
      items: written.items,
      createdAt,
      consistency,
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
