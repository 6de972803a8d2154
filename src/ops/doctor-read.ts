/**
 * resolve → one backend scan → the layout's records → storage checks (plans and checkpoints decoded,
 * orphans, the jobs' blob and job-events directories) → the JobResultStore → diagnose (pure). The I/O
 * of `haadm doctor`; each part that cannot be reached is named in `skipped`, never passed silently.
 */
import {layoutOf, withBackend} from '../backends/index.js'
import type {Inventory} from '../backends/types.js'
import type {Target} from '../config/target.js'
import {HaadmError} from '../errors.js'
import {blobUri, clusterStorageUri} from '../storage/flink-layout.js'
import {withStorage} from '../storage/index.js'
import {CHECKS, type DoctorInputs, type DoctorReport, type JobStorageDirs, type Severity, diagnose} from './doctor.js'
import {jrsPathOf} from './jrs/inputs.js'
import {jobResultEntries, operatorDirRecords} from './jrs/records.js'
import {scanJobResultStore} from './jrs/scan.js'
import {sharedStorageProbe} from './storage-probe-shared.js'
import {checkpointsOf, plansOf} from './state-handles-read.js'

export interface DoctorOptions {
  failOn: Severity
  /** How many Operator JobResultStore directories are normal. */
  keepOperatorDirs?: number
}

export async function readDoctor(target: Target, opts: DoctorOptions): Promise<DoctorReport> {
  const inv: Inventory = await withBackend(target, (b) => b.scan())
  const layout = layoutOf(inv, target)
  const sh = layout.stateHandles(inv)
  const skipped: DoctorInputs['skipped'] = []
  const storageDir = target.storageDir?.value ?? null
  const verify = storageDir !== null
  const probe = sharedStorageProbe(target)
  let plans, checkpoints
  try {
    const o = {jobs: [], verifyStorage: verify, deep: verify, probe}
    plans = await plansOf(target, sh, o)
    checkpoints = await checkpointsOf(target, sh, o)
  } finally {
    await probe.close()
  }
  const storage = plans.storage
  let storageDirs: JobStorageDirs | null = null
  if (!verify) for (const c of CHECKS.storage) skipped.push({check: c, reason: 'no storageDir given (--storage-dir, high-availability.storageDir)'})
  else if (storage?.reachable !== true) for (const c of CHECKS.storage) skipped.push({check: c, reason: storage?.problem ?? storage?.orphansNote ?? 'the storageDir could not be reached'})
  else {
    storageDirs = {blobs: new Map(), jobEvents: new Map((checkpoints.storage?.jobEvents ?? []).map((e) => [e.jobId, e.path]))}
    try {
      await jobBlobDirs(target, clusterStorageUri(storageDir, target.clusterId.value), storageDirs.blobs)
    } catch (err) {
      skipped.push({check: 'job-storage-leftovers', reason: `cannot list the HA blob directory: ${err instanceof Error ? err.message : String(err)}`})
      storageDirs = null
    }
  }
  // Jobs the storageDir still has directories of are looked up in the store too.
  const storeJobIds = layout.jobIds(inv)
  const wanted = [...new Set([...storeJobIds, ...(storageDirs ? [...storageDirs.blobs.keys(), ...storageDirs.jobEvents.keys()] : [])])]

  let jobResults: DoctorInputs['jobResults'] = null
  if (!target.jobResultStorePath) for (const c of CHECKS.jobResults) skipped.push({check: c, reason: 'no JobResultStore path (--jrs-path, --storage-dir, job-result-store.storage-path)'})
  else {
    const {path} = jrsPathOf(target)
    try {
      jobResults = await withStorage(path, target, async (s) => {
        try {
          const scan = await scanJobResultStore(s, path)
          return {path, entries: jobResultEntries(scan), operatorDirs: operatorDirRecords(scan.operatorDirs)}
        } catch (err) {
          // No directory yet: Flink creates it when a job first reaches a terminal state.
          if (err instanceof HaadmError && err.code === 'STORAGE_NOT_FOUND' && !target.snapshot) return {path, entries: [], operatorDirs: []}
          throw err
        }
      })
    } catch (err) {
      if (!(err instanceof HaadmError)) throw err
      for (const c of CHECKS.jobResults) skipped.push({check: c, reason: `the JobResultStore ${path} could not be read: ${err.message}`})
    }
  }

  return diagnose(
    {
      clusterId: inv.clusterId,
      targetArgs: targetArgs(target),
      plans,
      checkpoints,
      leaders: layout.leaders(inv).leaders,
      liveEvidence: layout.cleanup(inv, null).liveEvidence,
      storeJobIds,
      artifacts: layout.jobArtifacts(inv, wanted),
      upgradeLeftovers: layout.upgradeLeftovers(inv),
      storageDirs,
      jobResults,
      skipped,
      keepOperatorDirs: opts.keepOperatorDirs,
    },
    opts.failOn,
  )
}

/** `blob/job_<jobId>` directories of the cluster (FileSystemBlobStore). */
async function jobBlobDirs(target: Target, clusterDir: string, out: Map<string, string>): Promise<void> {
  const dir = blobUri(clusterDir)
  await withStorage(dir, target, async (s) => {
    try {
      for await (const e of s.list(dir)) {
        const m = /^job_([0-9a-f]{32})$/.exec(e.name)
        if (e.kind === 'directory' && m) out.set(m[1], e.uri)
      }
    } catch (err) {
      if (err instanceof HaadmError && err.code === 'STORAGE_NOT_FOUND') return
      throw err
    }
  })
}

const quote = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`)

/** The target's own flags, as a user would type them again: the store, the cluster id, the storage. */
export function targetArgs(target: Target): string {
  const a: string[] = []
  const flag = (name: string, v: {value: string | boolean | number; source: {kind: string}} | undefined, always = false) => {
    if (!v || (!always && v.source.kind !== 'flag' && v.source.kind !== 'env')) return
    if (typeof v.value === 'boolean') {
      if (v.value) a.push(`--${name}`)
    } else a.push(`--${name}`, quote(String(v.value)))
  }
  if (target.flinkConf) a.push('--flink-conf', quote(target.flinkConf.file))
  if (target.backend.value === 'kubernetes') {
    a.push('--backend', 'kubernetes')
    flag('kubeconfig', target.kubernetes.kubeconfig)
    flag('context', target.kubernetes.context)
    flag('namespace', target.kubernetes.namespace)
  } else {
    flag('zk-quorum', target.zookeeper.quorum)
    flag('zk-root', target.zookeeper.root)
  }
  flag('cluster-id', target.clusterId, !target.flinkConf)
  flag('storage-dir', target.storageDir)
  flag('jrs-path', target.jobResultStorePath)
  flag('s3-endpoint', target.s3.endpoint)
  flag('s3-path-style', target.s3.pathStyleAccess)
  flag('s3-region', target.s3.region)
  return a.join(' ')
}
