/**
 * Where a cluster's HA storage is when no storageDir is given: every state-handle pointer names
 * `<storageDir>/<cluster-id>/<file>` (HighAvailabilityServicesUtils.getClusterHighAvailableStoragePath
 * and FileSystemStateStorageHelper), so the pointers' directory is the cluster's HA directory and,
 * without the cluster id, the storageDir. All pointers must agree; haadm never guesses. Pure.
 */
import {describeSource, type Target} from '../config/target.js'
import {HaadmError} from '../errors.js'
import {formatLocation, parentLocation, parseLocation, type StorageLocation} from '../storage/uri.js'

export type StorageDirInference =
  | {ok: true; storageDir: string; clusterDir: string; pointers: number}
  | {ok: false; problem: string; pointers: number}

/** The same directory whatever S3 scheme names it (flink-s3-fs-hadoop's s3:// and s3a:// reach the same object). */
const sameDir = (l: StorageLocation) => (l.kind === 'local' ? `local:${l.path}` : `s3:${l.bucket}/${l.key}`)

export function inferStorageDir(clusterId: string, pointerUris: string[]): StorageDirInference {
  const pointers = pointerUris.length
  if (pointers === 0) return {ok: false, problem: 'no state-handle pointer to infer the storage directory from', pointers}
  const dirs = new Map<string, {loc: StorageLocation; uris: string[]}>()
  for (const uri of pointerUris) {
    let loc: StorageLocation
    try {
      loc = parentLocation(parseLocation(uri, '/'))
    } catch (err) {
      const why = err instanceof HaadmError ? err.message : String(err)
      return {ok: false, problem: `pointer ${uri} names a place haadm cannot reach (${why}): the storage directory is not inferred`, pointers}
    }
    const k = sameDir(loc)
    const d = dirs.get(k)
    if (d) d.uris.push(uri)
    else dirs.set(k, {loc, uris: [uri]})
  }
  if (dirs.size > 1) {
    const list = [...dirs.values()].map((d) => `${formatLocation(d.loc)} (${d.uris.length})`)
    return {ok: false, problem: `the ${pointers} state-handle pointers disagree on the cluster's HA directory: ${list.join(', ')}; haadm does not guess which one is the storage directory`, pointers}
  }
  const only = [...dirs.values()][0]!.loc
  const cid = clusterId.replace(/^\/+|\/+$/g, '')
  const tail = only.kind === 'local' ? only.path : only.key
  if (cid === '' || !(tail === cid || tail.endsWith(`/${cid}`)))
    return {ok: false, problem: `the state-handle pointers name ${formatLocation(only)}, which does not end in the cluster id ${cid}: not <storageDir>/<cluster-id>, so the storage directory is not inferred`, pointers}
  const rest = tail.slice(0, tail.length - cid.length).replace(/\/+$/, '')
  const storage: StorageLocation = only.kind === 'local' ? {kind: 'local', path: rest === '' ? '/' : rest} : {...only, key: rest}
  return {ok: true, storageDir: formatLocation(storage), clusterDir: formatLocation(only), pointers}
}

/** Where the storageDir came from, in words: the flag, the configuration file and line, or the pointers. */
export function storageDirSource(target: Target): string | null {
  return target.storageDir ? describeSource(target.storageDir.source) : null
}

/**
 * The target with a storageDir: the given one, or one inferred from the cluster's pointers (then the
 * JobResultStore path is derived from it as Flink derives its default). `problem` says why none was
 * inferred although pointers exist.
 */
export function withInferredStorage(target: Target, pointerUris: string[]): {target: Target; problem: string | null} {
  if (target.storageDir || pointerUris.length === 0) return {target, problem: null}
  const inf = inferStorageDir(target.clusterId.value, pointerUris)
  if (!inf.ok) return {target, problem: inf.problem}
  const storageDir = {value: inf.storageDir, source: {kind: 'derived' as const, note: `inferred from ${inf.pointers} state-handle pointer(s)`}}
  const jrs =
    target.jobResultStorePath ??
    ({
      value: `${inf.storageDir}/job-result-store/${target.clusterId.value}`.replace(/([^:/])\/{2,}/g, '$1/'),
      source: {kind: 'derived', note: '<storageDir>/job-result-store/<cluster-id>, storageDir inferred'},
    } as const)
  return {target: {...target, storageDir, jobResultStorePath: jrs}, problem: null}
}
