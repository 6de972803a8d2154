/**
 * The StorageProbe over the shared storage module (src/storage: local files and S3), which is what
 * `plans` and `checkpoints` use: its errors become probe results, a scheme it does not read
 * (hdfs://, gs://, ...) becomes "not checked: scheme ... not supported yet", and each filesystem
 * is opened once per command.
 */
import type {Target} from '../config/target.js'
import {HaadmError} from '../errors.js'
import {type Storage, type StorageEntry, formatLocation, openStorage, parseLocation} from '../storage/index.js'
import {type ProbeFile, type ProbeList, type ProbeRead, type ProbeStat, type StorageProbe, pathScheme} from './storage-probe.js'

export interface ClosableStorageProbe extends StorageProbe {
  close(): Promise<void>
}

const notSupported = (path: string) => `not checked: scheme ${pathScheme(path) ?? '(none, relative path)'}: not supported yet`

function reason(e: unknown): string {
  return e instanceof HaadmError ? e.message : e instanceof Error ? e.message : String(e)
}

/** Local files and S3 through src/storage; S3 settings from the target (--s3-endpoint, ...). */
export function sharedStorageProbe(target: Pick<Target, 's3'>): ClosableStorageProbe {
  const opened = new Map<string, Promise<Storage>>()

  /** The storage and the normalised location, or why the path cannot be read. */
  const resolve = (path: string): {storage: Promise<Storage>; uri: string; local: boolean} | {unsupported: string} => {
    if (pathScheme(path) !== null && !/^(file|s3|s3a|s3p):/i.test(path)) return {unsupported: notSupported(path)}
    let loc
    try {
      loc = parseLocation(path)
    } catch (e) {
      return {unsupported: `not checked: ${reason(e)}`}
    }
    const kind = loc.kind === 'local' ? 'local' : 's3'
    let storage = opened.get(kind)
    if (!storage) {
      // The files themselves, as they are now, even when the records come from a snapshot (which holds
      // only the JobResultStore's files: asking it made every existing file look missing).
      storage = openStorage(formatLocation(loc), {s3: target.s3})
      opened.set(kind, storage)
    }
    return {storage, uri: formatLocation(loc), local: loc.kind === 'local'}
  }

  const isNotFound = (e: unknown) => e instanceof HaadmError && e.code === 'STORAGE_NOT_FOUND'

  return {
    async stat(path): Promise<ProbeStat> {
      const r = resolve(path)
      if ('unsupported' in r) return {status: 'unsupported', reason: r.unsupported}
      try {
        const e = await (await r.storage).stat(r.uri)
        return e ? {status: 'found', kind: e.kind, size: e.size ?? 0, modified: e.mtime} : {status: 'missing'}
      } catch (e) {
        // stat answers "none" for a missing file; what it throws (a missing bucket, no access) is an error.
        return {status: 'error', reason: reason(e)}
      }
    },

    async read(path, {maxBytes}): Promise<ProbeRead> {
      const r = resolve(path)
      if ('unsupported' in r) return {status: 'unsupported', reason: r.unsupported}
      try {
        const storage = await r.storage
        const e = await storage.stat(r.uri)
        if (!e || e.kind !== 'file') return {status: 'missing'}
        if ((e.size ?? 0) > maxBytes) return {status: 'too-large', size: e.size ?? 0}
        return {status: 'read', bytes: await storage.read(r.uri)}
      } catch (e) {
        return isNotFound(e) ? {status: 'missing'} : {status: 'error', reason: reason(e)}
      }
    },

    async list(dir): Promise<ProbeList> {
      const r = resolve(dir)
      if ('unsupported' in r) return {status: 'unsupported', reason: r.unsupported}
      try {
        const files: ProbeFile[] = []
        for await (const e of (await r.storage).list(r.uri) as AsyncIterable<StorageEntry>) {
          if (e.kind === 'file') files.push({name: e.name, path: e.uri, size: e.size ?? 0, modified: e.mtime})
        }
        return {status: 'listed', files: files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))}
      } catch (e) {
        return isNotFound(e) ? {status: 'missing'} : {status: 'error', reason: reason(e)}
      }
    },

    impliedDirectories(path) {
      // Object stores have no directories, only key prefixes: an empty prefix is an empty directory.
      return /^s3[ap]?:/i.test(path)
    },

    locationKey(path) {
      try {
        const loc = parseLocation(path)
        // s3://, s3a:// and s3p:// name the same object.
        return loc.kind === 'local' ? `file:${loc.path}` : `s3://${loc.bucket}/${loc.key}`
      } catch {
        return path.replace(/\/+$/, '')
      }
    },

    async close() {
      const all = [...opened.values()]
      opened.clear()
      await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()))
    },
  }
}
