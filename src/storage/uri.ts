/**
 * Locations as Flink's `Path` strings write them: plain local paths, `file:` URIs, and the S3
 * schemes Flink's S3 filesystems register (`s3://` and `s3a://` by flink-s3-fs-hadoop, `s3://` and
 * `s3p://` by flink-s3-fs-presto). Pure: no I/O.
 */
import {isAbsolute, posix, resolve} from 'node:path'
import {ExitCode, HaadmError} from '../errors.js'

export const S3_SCHEMES = ['s3', 's3a', 's3p'] as const
export type S3Scheme = (typeof S3_SCHEMES)[number]

export type StorageLocation =
  | {kind: 'local'; /** Absolute, normalised, no trailing slash (except `/`). */ path: string}
  | {kind: 's3'; scheme: S3Scheme; bucket: string; /** No leading or trailing slash; '' is the bucket root. */ key: string}

/** Parses a location; relative local paths resolve against `cwd`. Unknown schemes are a usage error (exit 2). */
export function parseLocation(text: string, cwd: string = process.cwd()): StorageLocation {
  const raw = text.trim()
  if (raw === '') throw usage(`an empty path`, 'Pass a directory or an s3:// URI.')
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/.exec(raw)
  // A Windows drive letter is no scheme, but haadm runs where Flink does: POSIX paths only.
  if (!m) return {kind: 'local', path: normaliseLocal(isAbsolute(raw) ? raw : resolve(cwd, raw))}
  const scheme = m[1].toLowerCase()
  const rest = m[2]
  if (scheme === 'file') {
    // file:/p, file:///p and file://localhost/p are the same path; any other host is not local.
    let path: string
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2)
      const host = slash < 0 ? rest.slice(2) : rest.slice(2, slash)
      if (host !== '' && host !== 'localhost')
        throw usage(`${raw} names host ${JSON.stringify(host)}: haadm reads file: URIs of this machine only`, 'Write file:///path.')
      path = slash < 0 ? '/' : rest.slice(slash)
    } else path = rest
    if (!path.startsWith('/')) path = resolve(cwd, path)
    return {kind: 'local', path: normaliseLocal(path)}
  }
  if ((S3_SCHEMES as readonly string[]).includes(scheme)) {
    if (!rest.startsWith('//')) throw usage(`${raw} is not an S3 URI`, `Write ${scheme}://bucket/path.`)
    const body = rest.slice(2)
    const slash = body.indexOf('/')
    const bucket = slash < 0 ? body : body.slice(0, slash)
    if (!/^[a-z0-9][a-z0-9.\-_]*$/i.test(bucket))
      throw usage(`${raw} has no valid bucket name`, `Write ${scheme}://bucket/path.`)
    const key = slash < 0 ? '' : normaliseKey(body.slice(slash + 1))
    return {kind: 's3', scheme: scheme as S3Scheme, bucket, key}
  }
  throw new HaadmError('STORAGE_UNSUPPORTED', `haadm cannot read ${scheme}:// paths (${raw})`, {
    exit: ExitCode.USAGE,
    hint: 'haadm reads local paths, file: URIs and S3 (s3://, s3a://, s3p://). Mount or copy the directory, or use an S3-compatible gateway.',
  })
}

function usage(message: string, hint: string): HaadmError {
  return new HaadmError('USAGE', message, {exit: ExitCode.USAGE, hint})
}

function normaliseLocal(path: string): string {
  const p = posix.normalize(path)
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p
}

/** Folds `//` and drops leading and trailing slashes, as Flink's Path does for object keys. */
function normaliseKey(key: string): string {
  return key.split('/').filter((s) => s !== '' && s !== '.').join('/')
}

/** The location as a string: a plain absolute path for local files, `<scheme>://bucket/key` for S3. */
export function formatLocation(loc: StorageLocation): string {
  if (loc.kind === 'local') return loc.path
  return `${loc.scheme}://${loc.bucket}${loc.key === '' ? '' : `/${loc.key}`}`
}

/** `dir` + `/` + `name` (name may hold slashes), in the same scheme. */
export function childLocation(dir: StorageLocation, name: string): StorageLocation {
  if (dir.kind === 'local') return {kind: 'local', path: normaliseLocal(posix.join(dir.path, name))}
  return {...dir, key: normaliseKey(dir.key === '' ? name : `${dir.key}/${name}`)}
}

export function parentLocation(loc: StorageLocation): StorageLocation {
  if (loc.kind === 'local') return {kind: 'local', path: posix.dirname(loc.path)}
  const i = loc.key.lastIndexOf('/')
  return {...loc, key: i < 0 ? '' : loc.key.slice(0, i)}
}

export function baseName(loc: StorageLocation): string {
  if (loc.kind === 'local') return posix.basename(loc.path)
  const i = loc.key.lastIndexOf('/')
  return i < 0 ? loc.key : loc.key.slice(i + 1)
}

/** Convenience for string-in, string-out callers. */
export const joinUri = (dir: string, name: string): string => formatLocation(childLocation(parseLocation(dir), name))
export const parentUri = (uri: string): string => formatLocation(parentLocation(parseLocation(uri)))
export const baseNameOf = (uri: string): string => baseName(parseLocation(uri))
