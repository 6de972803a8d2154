import {ExitCode, HaadmError} from '../errors.js'
import type {DeleteOutcome, ListOptions, Storage, StorageEntry} from './types.js'

/** JobResultStore files as a snapshot keeps them (see src/snapshot/format.ts). */
export interface SnapshotFiles {
  /** The directory they were read from. */
  path: string
  files: Array<{relative: string; size: number; mtime: string | null; data: string}>
}

const readOnly = () =>
  new HaadmError('USAGE', 'a snapshot is read-only: it can show entries and plans (--dry-run), not change them', {
    exit: ExitCode.USAGE,
    hint: 'Run against the live store.',
  })

/** A read-only Storage over the files a snapshot captured, rooted where they were read from. */
export class SnapshotStorage implements Storage {
  readonly kind = 'local' as const
  private readonly byUri = new Map<string, {size: number; mtime: string | null; data: string}>()

  constructor(private readonly snap: SnapshotFiles) {
    for (const f of snap.files) this.byUri.set(`${snap.path}/${f.relative}`, f)
  }

  private entry(uri: string, dir: string): StorageEntry | undefined {
    const f = this.byUri.get(uri)
    const relative = uri.slice(dir.length + 1)
    const name = uri.slice(uri.lastIndexOf('/') + 1)
    if (f) return {uri, name, relative, kind: 'file', size: f.size, mtime: f.mtime}
    const prefix = `${uri}/`
    for (const k of this.byUri.keys()) if (k.startsWith(prefix)) return {uri, name, relative, kind: 'directory', size: null, mtime: null}
    return undefined
  }

  async *list(dirUri: string, opts: ListOptions = {}): AsyncIterable<StorageEntry> {
    const dir = dirUri.replace(/\/+$/, '')
    const prefix = `${dir}/`
    const seen = new Set<string>()
    if (!this.entry(dir, dir) && dir !== this.snap.path)
      throw new HaadmError('STORAGE_NOT_FOUND', `no such directory in the snapshot: ${dir}`, {exit: ExitCode.UNREACHABLE})
    for (const uri of [...this.byUri.keys()].sort()) {
      if (!uri.startsWith(prefix)) continue
      const rest = uri.slice(prefix.length)
      const child = opts.recursive || !rest.includes('/') ? uri : `${prefix}${rest.slice(0, rest.indexOf('/'))}`
      if (seen.has(child)) continue
      seen.add(child)
      yield this.entry(child, dir)!
    }
  }

  async stat(uri: string): Promise<StorageEntry | undefined> {
    const clean = uri.replace(/\/+$/, '')
    return this.entry(clean, clean.slice(0, clean.lastIndexOf('/')))
  }

  async read(uri: string): Promise<Uint8Array> {
    const f = this.byUri.get(uri)
    if (!f) throw new HaadmError('STORAGE_NOT_FOUND', `no such file in the snapshot: ${uri}`, {exit: ExitCode.UNREACHABLE})
    return new Uint8Array(Buffer.from(f.data, 'base64'))
  }

  async copy(): Promise<void> {
    throw readOnly()
  }
  async create(): Promise<void> {
    throw readOnly()
  }
  async rename(): Promise<void> {
    throw readOnly()
  }
  async delete(): Promise<DeleteOutcome['status']> {
    throw readOnly()
  }
  // eslint-disable-next-line require-yield
  async *deleteMany(): AsyncIterable<DeleteOutcome> {
    throw readOnly()
  }
  // eslint-disable-next-line require-yield
  async *deleteRecursive(): AsyncIterable<DeleteOutcome> {
    throw readOnly()
  }
  async removeEmptyDir(): Promise<void> {
    throw readOnly()
  }
  async close(): Promise<void> {}
}
