/**
 * `haadm restore-point`: per job, the checkpoint to restore from and its external pointer (the
 * `chk-<n>` directory to paste into execution.savepoint.path or the Operator's initialSavepointPath).
 *
 * Candidates come from three places, each named in the answer:
 *   ha-entry         a retained checkpoint entry of the HA store (what Flink itself restores from)
 *   storage-file     a completedCheckpoint* file in <storageDir>/<cluster-id>, decoded (the HA metadata is gone)
 *   checkpoint-dir   a retained <state.checkpoints.dir>/<jobId>/chk-<n>/_metadata
 * The choice is by decoded checkpoint id, never by file time. While the HA store has a usable entry for
 * the job, Flink restores from its highest one, so that wins; else the highest usable id of the others.
 * `pick` is pure; `readRestorePoint` does the I/O.
 */
import {layoutOf, moduleOf, withBackend} from '../backends/index.js'
import {decodeCompletedCheckpoint} from '../codec/completed-checkpoint.js'
import type {Target} from '../config/target.js'
import {ExitCode, HaadmError} from '../errors.js'
import {clusterStorageUri, STATE_HANDLE_FILE} from '../storage/flink-layout.js'
import {joinUri, type Storage, type StorageEntry, withStorage} from '../storage/index.js'
import {listSome} from './job-ids.js'
import {type ClosableStorageProbe, sharedStorageProbe} from './storage-probe-shared.js'
import {checkpointsOf} from './state-handles-read.js'

export type CandidateSource = 'ha-entry' | 'storage-file' | 'checkpoint-dir'

export interface RestoreCandidate {
  jobId: string
  checkpointId: number
  source: CandidateSource
  /** The entry's locator, the completedCheckpoint file, or the chk-<n> directory. */
  from: string
  /** The chk-<n> directory: what execution.savepoint.path takes. Null when the file could not be read. */
  externalPointer: string | null
  metadataPath: string | null
  /** Whether `_metadata` exists: found, missing, or not-checked (storage not given or not supported). */
  metadata: 'found' | 'missing' | 'not-checked'
  usable: boolean
  /** Why it is not usable, or what is unknown about it. */
  problem: string | null
}

export interface RestorePointJob {
  jobId: string
  chosen: RestoreCandidate | null
  /** Why the chosen one wins, or why there is none. */
  why: string
  /** Highest id first. */
  candidates: RestoreCandidate[]
}

export interface RestorePointReport {
  clusterId: string
  /** found: the HA store holds the cluster; not-found: its HA metadata is gone; not-read: no store configured or reachable. */
  haMetadata: 'found' | 'not-found' | 'not-read'
  haNote: string | null
  storageDir: string | null
  checkpointDir: string | null
  jobs: RestorePointJob[]
}

const byIdDesc = (a: RestoreCandidate, b: RestoreCandidate) => b.checkpointId - a.checkpointId || a.source.localeCompare(b.source) || a.from.localeCompare(b.from)
const SOURCE_NAME: Record<CandidateSource, string> = {'ha-entry': 'the HA store', 'storage-file': 'a completedCheckpoint file in the storageDir', 'checkpoint-dir': 'the checkpoint directory'}

/** Pure: the choice per job. */
export function pick(candidates: RestoreCandidate[]): RestorePointJob[] {
  const byJob = new Map<string, RestoreCandidate[]>()
  for (const c of candidates) byJob.set(c.jobId, [...(byJob.get(c.jobId) ?? []), c])
  return [...byJob.keys()].sort().map((jobId) => {
    const list = byJob.get(jobId)!.sort(byIdDesc)
    const ha = list.filter((c) => c.source === 'ha-entry' && c.usable)
    const others = list.filter((c) => c.source !== 'ha-entry' && c.usable)
    let chosen: RestoreCandidate | null = null
    let why: string
    if (ha.length > 0) {
      chosen = ha[0]!
      const higher = others.filter((o) => o.checkpointId > chosen!.checkpointId)
      why = `Flink restores from the highest retained checkpoint of the HA store that is not marked for deletion and whose file decodes: ${chosen.checkpointId}${higher.length > 0 ? ` (checkpoint ${higher[0]!.checkpointId} in ${SOURCE_NAME[higher[0]!.source]} is not in the HA store: it never completed there or was subsumed)` : ''}`
    } else if (others.length > 0) {
      // Prefer the decoded file, then the directory, for the same id: the same chk-<n> either way.
      chosen = others[0]!
      const sources = [...new Set(others.filter((o) => o.checkpointId === chosen!.checkpointId).map((o) => SOURCE_NAME[o.source]))]
      why = `the highest decoded checkpoint id with its _metadata ${chosen.metadata === 'found' ? 'present' : 'not checked'}: ${chosen.checkpointId}, found in ${sources.join(' and ')}${list.some((c) => c.source === 'ha-entry') ? '; no HA entry of the job is usable' : ''}`
    } else {
      why = list.length === 0 ? 'no checkpoint found' : `none of the ${list.length} candidate(s) is usable: ${list[0]!.problem}`
    }
    return {jobId, chosen, why, candidates: list}
  })
}

export interface RestorePointOptions {
  jobs: string[]
  checkpointDir?: string
}

export async function readRestorePoint(target: Target, opts: RestorePointOptions): Promise<RestorePointReport> {
  const storageDir = target.storageDir?.value ?? null
  const wanted = (j: string | null): j is string => j !== null && (opts.jobs.length === 0 || opts.jobs.includes(j))
  const report: RestorePointReport = {clusterId: target.clusterId.value, haMetadata: 'not-read', haNote: null, storageDir, checkpointDir: opts.checkpointDir ?? null, jobs: []}
  const fallback = storageDir !== null || opts.checkpointDir !== undefined
  const candidates: RestoreCandidate[] = []
  const referenced = new Set<string>()
  const probe = sharedStorageProbe(target)
  try {
    // 1. The HA store, when one is configured.
    const missing = target.snapshot ? null : moduleOf(target).missingSetting(target)
    if (missing) {
      if (!fallback) throw new HaadmError('USAGE', `${missing}, and no --storage-dir or --checkpoint-dir to look in instead`, {exit: ExitCode.USAGE, hint: 'Name the HA store, or the storage when the HA metadata is gone.'})
      report.haNote = `${missing}: the HA store was not read`
    } else {
      try {
        const sh = await withBackend(target, async (b) => {
          const inv = await b.scan()
          return layoutOf(inv, target).stateHandles(inv)
        })
        report.haMetadata = 'found'
        for (const e of sh.checkpoints) if (e.pointer.ok) referenced.add(probe.locationKey(e.pointer.value.path))
        const cps = await checkpointsOf(target, sh, {jobs: [], verifyStorage: storageDir !== null, deep: storageDir !== null, probe})
        for (const job of cps.jobs) {
          if (!wanted(job.jobId)) continue
          for (const c of job.checkpoints) {
            if (c.checkpointId === null) continue
            const d = c.content?.decoded ?? null
            const problems: string[] = []
            if (c.markedForDeletion) problems.push('marked for deletion: Flink skips it')
            if (c.status !== 'ok') problems.push(`the entry does not decode: ${c.problem}`)
            else if (!c.storage) problems.push('its file was not read (no --storage-dir): the checkpoint directory is unknown')
            else if (c.storage.status !== 'ok') problems.push(`its file: ${c.storage.reason ?? c.storage.status}`)
            else if (c.content && c.content.status !== 'decoded') problems.push(`its file: ${c.content.problem}`)
            candidates.push(
              await withMetadata(probe, {
                jobId: job.jobId,
                checkpointId: c.checkpointId,
                source: 'ha-entry',
                from: c.locator,
                externalPointer: d?.externalPointer ?? null,
                metadataPath: d?.metadataPath ?? (d?.externalPointer ? joinUri(d.externalPointer, '_metadata') : null),
                metadata: 'not-checked',
                usable: problems.length === 0 || (problems.length === 1 && !c.storage && !c.markedForDeletion && c.status === 'ok'),
                problem: problems.join('; ') || null,
              }),
            )
          }
        }
      } catch (err) {
        const gone = err instanceof HaadmError && (err.code === 'CLUSTER_NOT_FOUND' || err.code === 'ROOT_NOT_FOUND')
        if (!fallback) {
          if (gone && err instanceof HaadmError)
            throw new HaadmError(err.code, `${err.message}: the HA metadata is gone`, {exit: err.exit, hint: 'Pass --storage-dir (high-availability.storageDir) and/or --checkpoint-dir (state.checkpoints.dir) to find the checkpoints in the storage.', details: err.details})
          throw err
        }
        report.haMetadata = gone ? 'not-found' : 'not-read'
        report.haNote = err instanceof Error ? err.message : String(err)
      }
    }

    // 2. completedCheckpoint files in <storageDir>/<cluster-id> that no entry points to.
    if (storageDir !== null) {
      const dir = clusterStorageUri(storageDir, target.clusterId.value)
      const listed = await probe.list(dir)
      if (listed.status === 'listed') {
        for (const f of listed.files) {
          if (!STATE_HANDLE_FILE.test(f.name) || !f.name.startsWith('completedCheckpoint') || referenced.has(probe.locationKey(f.path))) continue
          const read = await probe.read(f.path, {maxBytes: 64 * 1024 * 1024})
          if (read.status !== 'read') continue
          const d = decodeCompletedCheckpoint(read.bytes)
          if (!d.ok || d.value.jobId === null || d.value.checkpointId === null || !wanted(d.value.jobId)) continue
          candidates.push(
            await withMetadata(probe, {
              jobId: d.value.jobId,
              checkpointId: d.value.checkpointId,
              source: 'storage-file',
              from: f.path,
              externalPointer: d.value.externalPointer,
              metadataPath: d.value.metadataPath ?? (d.value.externalPointer ? joinUri(d.value.externalPointer, '_metadata') : null),
              metadata: 'not-checked',
              usable: d.value.externalPointer !== null,
              problem: d.value.externalPointer === null ? 'the file names no checkpoint directory' : null,
            }),
          )
        }
      } else if (listed.status !== 'missing' && report.haMetadata !== 'found') {
        throw new HaadmError('STORAGE_UNREACHABLE', `cannot list ${dir}: ${listed.reason}`, {exit: ExitCode.UNREACHABLE})
      }
    }

    // 3. Retained checkpoints in state.checkpoints.dir: <dir>/<jobId>/chk-<n>/_metadata.
    if (opts.checkpointDir !== undefined) {
      const dir = opts.checkpointDir
      await withStorage(dir, target, async (s) => {
        // The jobs asked for and the jobs already known from the HA store or the storageDir files, plus
        // every <jobId> directory listed (an object store lists a prefix only as deep as it is asked).
        const jobDirs = new Set<string>([...opts.jobs, ...candidates.map((c) => c.jobId)])
        try {
          for await (const e of s.list(dir)) if (e.kind === 'directory' && /^[0-9a-f]{32}$/.test(e.name) && wanted(e.name)) jobDirs.add(e.name)
        } catch (err) {
          if (err instanceof HaadmError && err.code === 'STORAGE_NOT_FOUND') throw new HaadmError('STORAGE_NOT_FOUND', `no checkpoint directory ${dir}`, {exit: ExitCode.UNREACHABLE, hint: 'Pass state.checkpoints.dir as Flink has it.'})
          throw err
        }
        for (const jobId of [...jobDirs].sort()) {
          for await (const e of listOrNothing(s, joinUri(dir, jobId))) {
            const m = /^chk-(\d+)$/.exec(e.name)
            if (e.kind !== 'directory' || !m) continue
            const metadataPath = joinUri(e.uri, '_metadata')
            const found = await s.stat(metadataPath)
            candidates.push({
              jobId,
              checkpointId: Number(m[1]),
              source: 'checkpoint-dir',
              from: e.uri,
              externalPointer: e.uri,
              metadataPath,
              metadata: found ? 'found' : 'missing',
              usable: Boolean(found),
              problem: found ? null : 'no _metadata: the checkpoint did not complete, or was discarded',
            })
          }
        }
      })
    }
  } finally {
    await probe.close()
  }
  report.jobs = pick(candidates)
  const missingJobs = opts.jobs.filter((j) => !report.jobs.some((r) => r.jobId === j))
  for (const jobId of missingJobs) report.jobs.push({jobId, chosen: null, why: 'no checkpoint of this job was found', candidates: []})
  report.jobs.sort((a, b) => a.jobId.localeCompare(b.jobId))
  if (opts.jobs.length > 0 && report.jobs.every((j) => j.candidates.length === 0))
    throw new HaadmError('JOB_NOT_FOUND', `no checkpoint of job ${listSome(opts.jobs)} found${report.haMetadata === 'found' ? '' : ' (the HA metadata is gone)'}`, {
      exit: ExitCode.UNREACHABLE,
      hint: fallback ? 'Check the job id, --storage-dir and --checkpoint-dir.' : 'Pass --storage-dir and/or --checkpoint-dir to look in the storage.',
    })
  return report
}

/** A directory's entries; nothing when it does not exist. */
async function* listOrNothing(s: Storage, dir: string): AsyncGenerator<StorageEntry> {
  try {
    yield* s.list(dir)
  } catch (err) {
    if (err instanceof HaadmError && err.code === 'STORAGE_NOT_FOUND') return
    throw err
  }
}

/** Checks `_metadata` of a candidate; a missing one makes it unusable. */
async function withMetadata(probe: ClosableStorageProbe, c: RestoreCandidate): Promise<RestoreCandidate> {
  if (c.metadataPath === null) return c
  const s = await probe.stat(c.metadataPath)
  if (s.status === 'found') return {...c, metadata: 'found'}
  if (s.status === 'missing') return {...c, metadata: 'missing', usable: false, problem: [c.problem, `no ${c.metadataPath}`].filter(Boolean).join('; ')}
  return c
}
