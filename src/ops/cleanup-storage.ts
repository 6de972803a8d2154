import {noteWrite} from '../deadline.js'
import type {Target} from '../config/target.js'
import {HaadmError} from '../errors.js'
import {blobUri, clusterStorageUri, JOB_EVENTS_DIR, jobDirUri, STATE_HANDLE_FILE, shuffleMasterSnapshotUri} from '../storage/flink-layout.js'
import {joinUri, openStorage, parseLocation, type Storage} from '../storage/index.js'

/** A storage step of a cleanup: one directory removed recursively, or a list of files. */
export interface StorageStep {
  kind: 'directory' | 'files'
  what: string
  uri: string
  /** For `files`: each file; for `directory`: empty (everything below `uri`). */
  files: string[]
  /**
   * `entries`: files that metadata entries point at, removed between the entries' lock nodes and the
   * entries themselves (Flink's releaseAndTryRemove order); `after` (default): once all metadata is gone.
   */
  phase?: 'entries' | 'after'
}

/** The files one job's execution plan and checkpoint entries point at, grouped by filesystem. */
export function pointedFiles(uris: string[], owner: string): {steps: StorageStep[]; warnings: string[]} {
  const groups = new Map<string, string[]>()
  const warnings: string[] = []
  for (const uri of uris) {
    let key: string
    try {
      const loc = parseLocation(uri)
      key = loc.kind === 'local' ? 'local' : `${loc.kind}`
    } catch (err) {
      warnings.push(`${uri} is not removed: ${err instanceof Error ? err.message : String(err)}`)
      continue
    }
    const group = groups.get(key)
    if (group) group.push(uri)
    else groups.set(key, [uri])
  }
  return {
    steps: [...groups.values()].map((files) => ({kind: 'files' as const, what: `execution plan and checkpoint files of ${owner}`, uri: files[0], files, phase: 'entries' as const})),
    warnings,
  }
}

export {STATE_HANDLE_FILE} from '../storage/flink-layout.js'

export interface StorageScope {
  jobId?: string
  includeJobResults: boolean
  includeOrphanFiles: boolean
}

/**
 * Finds what a cleanup removes from the HA storageDir and the JobResultStore, in Flink's terms:
 * whole cluster: `<storageDir>/<cluster-id>/blob` (FileSystemBlobStore.cleanupAllData); one job:
 * `blob/job_<jobId>`. Leftover state-handle files and JobResultStore entries only on request.
 * An unreachable store is a warning: the metadata cleanup does not depend on it.
 */
export async function planStorageCleanup(target: Target, scope: StorageScope): Promise<{steps: StorageStep[]; warnings: string[]; unreachable: string | null}> {
  const steps: StorageStep[] = []
  const warnings: string[] = []
  let unreachable: string | null = null
  const storageDir = target.storageDir?.value
  if (!storageDir) {
    warnings.push('no storageDir given (--storage-dir or high-availability.storageDir): HA blobs not looked at')
  } else {
    try {
      const clusterDir = clusterStorageUri(storageDir, target.clusterId.value)
      await withStorageAt(clusterDir, target, async (storage) => {
        const blobDir = blobUri(clusterDir, scope.jobId)
        if (await storage.stat(blobDir)) steps.push({kind: 'directory', what: scope.jobId ? `HA blobs of job ${scope.jobId}` : 'HA blob directory', uri: blobDir, files: []})
        // 1.20+ batch job recovery: <cluster dir>/<jobId>/job-events, removed with the job's directory.
        for (const jobId of scope.jobId ? [scope.jobId] : await jobDirectories(storage, clusterDir)) {
          const dir = jobDirUri(clusterDir, jobId)
          if (await hasOnlyJobEvents(storage, dir)) steps.push({kind: 'directory', what: `job events of job ${jobId} (batch job recovery, 1.20+)`, uri: dir, files: []})
        }
        // 2.0+ batch job recovery: the shuffle master's snapshot, which Flink's own cleanup leaves behind.
        if (!scope.jobId) {
          const shuffle = shuffleMasterSnapshotUri(clusterDir)
          if (await storage.stat(shuffle)) steps.push({kind: 'directory', what: 'shuffle master snapshot (batch job recovery, 2.0+)', uri: shuffle, files: []})
        }
        if (scope.includeOrphanFiles && !scope.jobId) {
          const files: string[] = []
          if (await storage.stat(clusterDir))
            for await (const e of storage.list(clusterDir)) if (e.kind === 'file' && STATE_HANDLE_FILE.test(e.name)) files.push(e.uri)
          if (files.length > 0) steps.push({kind: 'files', what: 'leftover execution plan and checkpoint files', uri: clusterDir, files})
        }
      })
    } catch (err) {
      if (!(err instanceof HaadmError)) throw err
      warnings.push(`the HA storageDir could not be read (${err.message}): HA blobs not removed`)
      unreachable = err.message
    }
  }
  if (scope.includeJobResults) {
    const jrs = target.jobResultStorePath?.value
    if (!jrs) warnings.push('no JobResultStore path (--jrs-path, --storage-dir or job-result-store.storage-path): job results not removed')
    else {
      try {
        await withStorageAt(jrs, target, async (storage) => {
          if (scope.jobId) {
            const files: string[] = []
            for (const name of [`${scope.jobId}.json`, `${scope.jobId}_DIRTY.json`]) if (await storage.stat(joinUri(jrs, name))) files.push(joinUri(jrs, name))
            if (files.length > 0) steps.push({kind: 'files', what: `JobResultStore entry of job ${scope.jobId}`, uri: jrs, files})
          } else if (await storage.stat(jrs)) steps.push({kind: 'directory', what: 'JobResultStore directory', uri: jrs, files: []})
        })
      } catch (err) {
        if (!(err instanceof HaadmError)) throw err
        warnings.push(`the JobResultStore could not be read (${err.message}): job results not removed`)
      }
    }
  }
  return {steps, warnings, unreachable}
}

/** The `<jobId>` directories directly in the cluster's storage directory. */
async function jobDirectories(storage: Storage, clusterDir: string): Promise<string[]> {
  const out: string[] = []
  if (!(await storage.stat(clusterDir))) return out
  for await (const e of storage.list(clusterDir)) if (e.kind === 'directory' && /^[0-9a-f]{32}$/.test(e.name)) out.push(e.name)
  return out
}

/** The job's directory exists and holds nothing but `job-events` (so removing it whole takes nothing else). */
async function hasOnlyJobEvents(storage: Storage, jobDir: string): Promise<boolean> {
  let events = false
  try {
    for await (const e of storage.list(jobDir)) {
      if (e.name !== JOB_EVENTS_DIR) return false
      events = true
    }
  } catch (err) {
    if (err instanceof HaadmError && err.code === 'STORAGE_NOT_FOUND') return false
    throw err
  }
  return events
}

async function withStorageAt<T>(uri: string, target: Target, fn: (s: Storage) => Promise<T>): Promise<T> {
  const storage = await openStorage(uri, target)
  try {
    return await fn(storage)
  } finally {
    await storage.close()
  }
}

/**
 * Removes the storage steps; each file's outcome as the metadata outcomes are reported. A directory
 * that is already gone (another cleanup of the same cluster got there first) is `absent`: success,
 * as a missing znode or ConfigMap is.
 */
export async function* removeStorage(target: Target, steps: StorageStep[]) {
  if (steps.length > 0) noteWrite()
  for (const step of steps) {
    const storage = await openStorage(step.uri, target)
    try {
      const outcomes = step.kind === 'directory' ? storage.deleteRecursive(step.uri) : storage.deleteMany(step.files)
      try {
        for await (const o of outcomes) yield {target: {key: 'storage', locator: o.uri}, status: o.status, error: o.error}
      } catch (err) {
        if (step.kind === 'directory' && err instanceof HaadmError && err.code === 'STORAGE_NOT_FOUND' && !(await storage.stat(step.uri).catch(() => undefined)))
          yield {target: {key: 'storage', locator: step.uri}, status: 'absent' as const}
        else throw err
      }
    } finally {
      await storage.close()
    }
  }
}
