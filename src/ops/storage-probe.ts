/**
 * The few storage operations `--verify-storage` and `--deep` need, behind one small interface so
 * that the shared storage module (src/storage/, local and S3) can replace the local implementation
 * here without touching the callers. Paths are Flink path strings as Flink prints them (not
 * percent-escaped): `/mnt/ha/default/completedCheckpoint…`, `file:/mnt/ha/…`, `file:///mnt/ha/…`,
 * `s3://bucket/ha/…`. Every operation returns a result value; none throws for a missing file, an
 * unsupported scheme or an I/O error.
 */
import {readdir, stat, open} from 'node:fs/promises'
import {posix} from 'node:path'

export type ProbeStat =
  | {status: 'found'; kind: 'file' | 'directory' | 'other'; size: number; modified: string | null}
  | {status: 'missing'}
  | {status: 'unsupported'; reason: string}
  | {status: 'error'; reason: string}

export type ProbeRead =
  | {status: 'read'; bytes: Uint8Array}
  | {status: 'too-large'; size: number}
  | {status: 'missing'}
  | {status: 'unsupported'; reason: string}
  | {status: 'error'; reason: string}

export interface ProbeFile {
  name: string
  /** The directory path joined with the name, in the directory's own style. */
  path: string
  size: number
  modified: string | null
}

export type ProbeList =
  | {status: 'listed'; files: ProbeFile[]}
  | {status: 'missing'}
  | {status: 'unsupported'; reason: string}
  | {status: 'error'; reason: string}

export interface StorageProbe {
  stat(path: string): Promise<ProbeStat>
  /** The whole file, unless it is larger than maxBytes. */
  read(path: string, opts: {maxBytes: number}): Promise<ProbeRead>
  /** Regular files directly in a directory. */
  list(dir: string): Promise<ProbeList>
  /** A key under which two spellings of the same location compare equal. */
  locationKey(path: string): string
  /** True where directories exist only as key prefixes (object stores): a "missing" directory is an empty one. */
  impliedDirectories?(path: string): boolean
}

/** The scheme of a Flink path string (Path's rule: text before a ':' that comes before any '/'), or null. */
export function pathScheme(path: string): string | null {
  const colon = path.indexOf(':')
  const slash = path.indexOf('/')
  if (colon <= 0 || (slash !== -1 && slash < colon)) return null
  return path.slice(0, colon).toLowerCase()
}

/**
 * Flink's `new Path(new Path(storageDir), clusterId)` (HighAvailabilityServicesUtils.
 * getClusterHighAvailableStoragePath) for the shapes haadm meets: the cluster id is a child
 * path, so its leading slash goes; duplicate and trailing slashes are folded.
 */
export function clusterStoragePath(storageDir: string, clusterId: string): string {
  const child = clusterId.replace(/^\/+|\/+$/g, '').replace(/\/{2,}/g, '/')
  return joinFlinkPath(storageDir, child)
}

/** Appends a relative child to a Flink path string, folding slashes in the path part. */
export function joinFlinkPath(parent: string, child: string): string {
  const {prefix, path} = splitAuthority(parent)
  const joined = `${path.replace(/\/+$/, '')}/${child.replace(/^\/+/, '')}`.replace(/\/{2,}/g, '/')
  return prefix + joined
}

/** `s3://bucket` + `/x/y`; `file:` + `/x`; `` + `/x`. */
function splitAuthority(p: string): {prefix: string; path: string} {
  const scheme = pathScheme(p)
  if (scheme === null) return {prefix: '', path: p}
  const rest = p.slice(scheme.length + 1)
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2)
    return slash < 0 ? {prefix: p, path: ''} : {prefix: p.slice(0, scheme.length + 1 + slash), path: rest.slice(slash)}
  }
  return {prefix: p.slice(0, scheme.length + 1), path: rest}
}

/** The local file system path of a scheme-less or `file:` Flink path, or null for anything else. */
export function localFsPath(path: string): string | null {
  const scheme = pathScheme(path)
  if (scheme === null) return path.startsWith('/') ? posix.normalize(path) : null
  if (scheme !== 'file') return null
  let rest = path.slice(5)
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2)
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash)
    if (authority !== '' && authority !== 'localhost') return null
    rest = slash < 0 ? '/' : rest.slice(slash)
  }
  return rest.startsWith('/') ? posix.normalize(rest) : null
}

const notSupported = (path: string) => `not checked: scheme ${pathScheme(path) ?? '(none, relative path)'}: not supported yet`

function ioReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException
  return err?.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : String(e)
}

/** Local files: scheme-less absolute paths and `file:` URIs. Other schemes report "not supported yet". */
export function localStorageProbe(): StorageProbe {
  return {
    async stat(path) {
      const fsPath = localFsPath(path)
      if (fsPath === null) return {status: 'unsupported', reason: notSupported(path)}
      try {
        const s = await stat(fsPath)
        return {status: 'found', kind: s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other', size: s.size, modified: s.mtime.toISOString()}
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'ENOTDIR') return {status: 'missing'}
        return {status: 'error', reason: ioReason(e)}
      }
    },

    async read(path, {maxBytes}) {
      const fsPath = localFsPath(path)
      if (fsPath === null) return {status: 'unsupported', reason: notSupported(path)}
      let handle
      try {
        handle = await open(fsPath, 'r')
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        return code === 'ENOENT' || code === 'ENOTDIR' ? {status: 'missing'} : {status: 'error', reason: ioReason(e)}
      }
      try {
        const {size} = await handle.stat()
        if (size > maxBytes) return {status: 'too-large', size}
        const bytes = new Uint8Array(size)
        let off = 0
        while (off < size) {
          const {bytesRead} = await handle.read(bytes, off, size - off, off)
          if (bytesRead === 0) break
          off += bytesRead
        }
        return {status: 'read', bytes: off === size ? bytes : bytes.subarray(0, off)}
      } catch (e) {
        return {status: 'error', reason: ioReason(e)}
      } finally {
        await handle.close()
      }
    },

    async list(dir) {
      const fsPath = localFsPath(dir)
      if (fsPath === null) return {status: 'unsupported', reason: notSupported(dir)}
      let names
      try {
        names = await readdir(fsPath, {withFileTypes: true})
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        return code === 'ENOENT' ? {status: 'missing'} : {status: 'error', reason: ioReason(e)}
      }
      const files: ProbeFile[] = []
      for (const d of names) {
        if (!d.isFile()) continue
        try {
          const s = await stat(posix.join(fsPath, d.name))
          files.push({name: d.name, path: joinFlinkPath(dir, d.name), size: s.size, modified: s.mtime.toISOString()})
        } catch {
          // removed between readdir and stat
        }
      }
      return {status: 'listed', files: files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))}
    },

    locationKey(path) {
      const fsPath = localFsPath(path)
      if (fsPath !== null) return `file:${fsPath.replace(/\/+$/, '') || '/'}`
      const {prefix, path: p} = splitAuthority(path)
      return prefix.toLowerCase() + p.replace(/\/{2,}/g, '/').replace(/\/+$/, '')
    },
  }
}
