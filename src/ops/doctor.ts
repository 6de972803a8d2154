/**
 * Pure: `haadm doctor`'s findings from what the other read operations already produce (state-handle
 * records with their storage checks, leader records, the layout's per-job items and upgrade leftovers,
 * JobResultStore entries, the jobs' storage directories). Every finding has a stable id, a severity,
 * the items it concerns, the evidence, what Flink does because of it, and the haadm command that fixes
 * it (or why there is none). No I/O here: doctor-read.ts gathers the inputs.
 */
import type {HaArtifact, K8sLease, LeaderRecord, UpgradeLeftover} from '../model/ha.js'
import type {CheckpointRecord, CheckpointsReport} from './checkpoints.js'
import type {JobResultEntryRecord, OperatorDirRecord} from './jrs/records.js'
import type {PlansReport} from './plans.js'
import type {OrphanFile} from './storage-verify.js'

export const SEVERITIES = ['error', 'warning', 'info'] as const
export type Severity = (typeof SEVERITIES)[number]

export type FindingId =
  | 'plan-file-missing'
  | 'plan-file-unreadable'
  | 'checkpoint-file-missing'
  | 'checkpoint-file-unreadable'
  | 'counter-not-ahead'
  | 'undecodable'
  | 'dirty-job-result'
  | 'clean-job-result-with-plan'
  | 'job-leftovers'
  | 'marked-for-deletion'
  | 'upgrade-leftovers'
  | 'orphan-files'
  | 'operator-jrs-dirs'
  | 'stale-leader'
  | 'unreadable-lease'
  | 'checks-skipped'

export interface Finding {
  id: FindingId
  severity: Severity
  jobId: string | null
  /** Where the items are (znode paths, `<namespace>/<configmap>/<key>`, file URIs). */
  items: string[]
  evidence: string
  /** What Flink does because of it. */
  effect: string
  /** The haadm command that fixes it, or `no fix: …` with what to do instead. */
  fix: string
}

/** The jobs' directories in high-availability.storageDir; null when they could not be listed. */
export interface JobStorageDirs {
  /** `blob/job_<jobId>` by job id. */
  blobs: Map<string, string>
  /** `<jobId>/job-events` by job id. */
  jobEvents: Map<string, string>
}

export interface DoctorInputs {
  clusterId: string
  /** How to name this cluster in a haadm command: the target's own flags, ready to paste. */
  targetArgs: string
  plans: PlansReport
  checkpoints: CheckpointsReport
  leaders: LeaderRecord[]
  /** Signs that the cluster is alive (the layout's, as cleanup uses them). */
  liveEvidence: string[]
  /** Every job the HA store holds anything of. */
  storeJobIds: string[]
  /** The layout's items of those jobs. */
  artifacts: HaArtifact[]
  upgradeLeftovers: UpgradeLeftover[]
  /** null: not looked at (see skipped). */
  storageDirs: JobStorageDirs | null
  /** null: the JobResultStore was not read (see skipped). */
  jobResults: {path: string; entries: JobResultEntryRecord[]; operatorDirs: OperatorDirRecord[]} | null
  /** Checks that could not run, and why. */
  skipped: Array<{check: string; reason: string}>
  /** How many Operator JobResultStore directories are normal (the newest ones); more is a finding. */
  keepOperatorDirs?: number
}

export interface DoctorReport {
  backend: CheckpointsReport['backend']
  clusterId: string
  root: string
  scannedAt: string
  /** `healthy`, `recovers with warnings`, or `will not recover`. */
  verdict: 'healthy' | 'recovers with warnings' | 'will not recover'
  summary: string
  counts: Record<Severity, number>
  alive: boolean
  findings: Finding[]
  /** Checks that ran. */
  checks: string[]
  skipped: Array<{check: string; reason: string}>
  failOn: Severity
  /** A finding at or above failOn exists: the command exits 6. */
  failed: boolean
}

export const CHECKS = {
  metadata: ['undecodable', 'counter-not-ahead', 'marked-for-deletion', 'upgrade-leftovers', 'job-leftovers', 'stale-leader', 'unreadable-lease'],
  storage: ['plan-files', 'checkpoint-files', 'orphan-files', 'job-storage-leftovers'],
  jobResults: ['dirty-job-results', 'clean-job-results', 'operator-jrs-dirs'],
} as const

const rank = (s: Severity) => SEVERITIES.indexOf(s)

/** Whether a finding of this severity trips `--fail-on level`. */
export function atOrAbove(severity: Severity, level: Severity): boolean {
  return rank(severity) <= rank(level)
}

const fmtBytes = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`)

/** Pure: every finding, ordered by severity, then job, then id. */
export function diagnose(inp: DoctorInputs, failOn: Severity = 'error'): DoctorReport {
  const findings: Finding[] = []
  const add = (f: Finding) => findings.push(f)
  const T = inp.targetArgs
  const cmd = (s: string) => `haadm ${s.replace('%T', T)}`.replace(/\s+/g, ' ').trim()
  const alive = inp.liveEvidence.length > 0
  const restorePoint = (jobId: string) => cmd(`restore-point %T --job ${jobId}`)

  // ---- execution plans
  const planJobs = new Set<string>()
  for (const p of inp.plans.plans) {
    if (p.jobId) planJobs.add(p.jobId)
    if (p.status === 'undecodable') {
      add({
        id: 'undecodable',
        severity: 'error',
        jobId: p.jobId,
        items: [p.locator],
        evidence: `execution plan entry ${p.key} does not decode: ${p.problem}`,
        effect: 'the Dispatcher cannot read the state handle: recovering the job fails and the JobManager restarts',
        fix: p.jobId ? `${cmd(`plans remove %T ${p.jobId}`)}, then resubmit the job from ${restorePoint(p.jobId)}` : `no fix in haadm: the entry name is not a job id; remove ${p.locator} by hand`,
      })
      continue
    }
    if (p.markedForDeletion || !p.storage) continue
    const st = p.storage
    const content = p.content
    const resubmit = p.jobId ? `${cmd(`plans remove %T ${p.jobId}`)}, then resubmit the job from the checkpoint ${restorePoint(p.jobId)} prints` : 'remove the entry by hand'
    if (st.status === 'missing') {
      add({
        id: 'plan-file-missing',
        severity: 'error',
        jobId: p.jobId,
        items: [p.locator, p.pointer?.path ?? ''],
        evidence: `${p.key} points to ${p.pointer?.path}: ${st.reason}`,
        effect: 'the Dispatcher cannot recover the job: reading the plan fails (FileNotFoundException) and the JobManager restarts, again and again',
        fix: resubmit,
      })
    } else if (st.status === 'size-mismatch' || st.status === 'error' || content?.status === 'undecodable' || (content?.status === 'decoded' && content.problem)) {
      const why = st.status !== 'ok' ? st.reason : content?.problem
      add({
        id: 'plan-file-unreadable',
        severity: 'error',
        jobId: p.jobId,
        items: [p.locator, p.pointer?.path ?? ''],
        evidence: `${p.pointer?.path}: ${why}`,
        effect: 'the Dispatcher cannot recover the job from this file: the JobManager fails to start the job',
        fix: resubmit,
      })
    }
  }

  // ---- checkpoints and counters
  for (const job of inp.checkpoints.jobs) {
    const retained = job.checkpoints.filter((c) => !c.markedForDeletion)
    const works = (c: CheckpointRecord) => c.status === 'ok' && (!c.storage || c.storage.status === 'ok') && (!c.content || c.content.status === 'decoded')
    const broken: Array<{c: CheckpointRecord; id: FindingId; why: string}> = []
    for (const c of job.checkpoints) {
      if (c.status === 'undecodable') {
        add({
          id: 'undecodable',
          severity: 'error',
          jobId: job.jobId,
          items: [c.locator],
          evidence: `checkpoint entry ${c.key} does not decode: ${c.problem}`,
          effect: c.markedForDeletion ? 'Flink skips entries marked for deletion; it never removes this one' : "the job's recovery fails reading its retained checkpoints",
          fix: `no fix: restore from ${restorePoint(job.jobId)}`,
        })
        continue
      }
      if (c.markedForDeletion || !c.storage) continue
      if (c.storage.status === 'missing') broken.push({c, id: 'checkpoint-file-missing', why: c.storage.reason ?? 'missing'})
      else if (c.storage.status === 'size-mismatch' || c.storage.status === 'error') broken.push({c, id: 'checkpoint-file-unreadable', why: c.storage.reason ?? c.storage.status})
      else if (c.content?.status === 'undecodable') broken.push({c, id: 'checkpoint-file-unreadable', why: `does not decode: ${c.content.problem}`})
      else if (c.content?.status === 'decoded' && c.content.problem) broken.push({c, id: 'checkpoint-file-unreadable', why: c.content.problem})
    }
    for (const {c, id, why} of broken) {
      const older = retained.filter((o) => o.checkpointId !== null && c.checkpointId !== null && o.checkpointId < c.checkpointId && works(o)).map((o) => o.checkpointId as number)
      const best = older.length > 0 ? Math.max(...older) : null
      add({
        id,
        severity: 'error',
        jobId: job.jobId,
        items: [c.locator, c.pointer?.path ?? ''],
        evidence: `checkpoint ${c.checkpointId ?? c.name}: ${why}; ${best !== null ? `the older retained checkpoint ${best} is intact` : 'no older retained checkpoint is intact'}`,
        effect: "Flink reads every retained checkpoint when it recovers the job; this one fails, so the job does not recover (the JobManager restarts)",
        fix:
          best !== null
            ? `no fix: restore from checkpoint ${best} (${restorePoint(job.jobId)}), after ${cmd(`plans remove %T ${job.jobId}`)}`
            : `no fix: restore from a savepoint or an externalized checkpoint (${restorePoint(job.jobId)} --checkpoint-dir <state.checkpoints.dir>)`,
      })
    }
    if (job.counter.status === 'undecodable') {
      add({
        id: 'undecodable',
        severity: 'error',
        jobId: job.jobId,
        items: [job.counter.locator ?? ''],
        evidence: `checkpoint id counter of job ${job.jobId} does not decode: ${job.counter.problem}`,
        effect: 'the CheckpointCoordinator cannot read the next checkpoint id: the job fails to start',
        fix: `no fix: restore from ${restorePoint(job.jobId)} as a new job`,
      })
    }
    for (const n of job.notes) {
      if (n.kind !== 'counter-not-ahead') continue
      add({
        id: 'counter-not-ahead',
        severity: 'error',
        jobId: job.jobId,
        items: [job.counter.locator ?? ''],
        evidence: n.message,
        effect: 'the next checkpoint gets an id that is already retained: storing it collides with the existing entry and the checkpoint fails, or a restore picks the wrong one',
        fix: `no fix: restore from ${restorePoint(job.jobId)} as a new job (${cmd(`plans remove %T ${job.jobId}`)}, resubmit with execution.savepoint.path)`,
      })
    }
  }

  // ---- marked for deletion
  const marked = new Map<string, {plans: string[]; checkpoints: string[]}>()
  for (const e of [...inp.plans.plans, ...inp.checkpoints.jobs.flatMap((j) => j.checkpoints)]) {
    if (!e.markedForDeletion) continue
    const key = e.jobId ?? '?'
    const m = marked.get(key) ?? {plans: [], checkpoints: []}
    marked.set(key, m)
    ;('checkpointId' in e ? m.checkpoints : m.plans).push(e.locator)
  }
  for (const [jobId, m] of marked) {
    const items = [...m.plans, ...m.checkpoints]
    add({
      id: 'marked-for-deletion',
      severity: 'warning',
      jobId: jobId === '?' ? null : jobId,
      items,
      evidence: [m.plans.length > 0 ? 'its execution plan entry' : '', m.checkpoints.length > 0 ? `${m.checkpoints.length} checkpoint entr${m.checkpoints.length === 1 ? 'y' : 'ies'}` : '']
        .filter(Boolean)
        .join(' and ') + ' marked for deletion, but the removal never finished (a JobManager died in releaseAndTryRemove)',
      effect: m.plans.length > 0 ? 'the Dispatcher does not recover the job, and nothing removes the entry' : 'Flink skips these entries on recovery and never removes them until the job is cleaned up',
      fix: m.plans.length > 0 && jobId !== '?' ? cmd(`plans remove %T ${jobId}`) : jobId !== '?' && !planJobs.has(jobId) ? cmd(`cleanup %T --job ${jobId}`) : 'no fix needed: they go with the job\'s cleanup',
    })
  }

  // ---- JobResultStore
  const dirty = new Set<string>()
  if (inp.jobResults) {
    for (const e of inp.jobResults.entries) {
      if (e.state === 'dirty' && e.jobId) dirty.add(e.jobId)
      if (!e.valid && e.problem) {
        add({
          id: 'undecodable',
          severity: 'error',
          jobId: e.jobId,
          items: [e.path],
          evidence: `JobResultStore entry ${e.file}: ${e.problem}`,
          effect: e.state === 'dirty' ? 'the Dispatcher fails reading its JobResultStore on start' : 'Flink does not match this entry to its job',
          fix: e.jobId ? cmd(`jobs purge %T --job ${e.jobId}${e.state === 'dirty' ? ' --include-dirty' : ''}`) : `no fix in haadm: remove ${e.path} by hand`,
        })
      }
    }
    for (const e of inp.jobResults.entries) {
      if (!e.jobId || !e.valid) continue
      if (e.state === 'dirty' && !alive) {
        const left = inp.artifacts.filter((a) => a.jobId === e.jobId)
        const files = [inp.storageDirs?.blobs.get(e.jobId), inp.storageDirs?.jobEvents.get(e.jobId)].filter((x): x is string => Boolean(x))
        add({
          id: 'dirty-job-result',
          severity: 'warning',
          jobId: e.jobId,
          items: [e.path, ...left.map((a) => a.locator), ...files],
          evidence: `${e.file} (${e.applicationStatus ?? 'status unknown'}, written ${e.mtime ?? '?'}) on a cluster with no live JobManager; the job still has ${left.length === 0 && files.length === 0 ? 'nothing in the HA store' : [...summarizeArtifacts(left), ...files].join(', ')}`,
          effect: "the job's cleanup never finished: a JobManager started with this JobResultStore retries it; until then the job's HA data stays",
          fix: cmd(`cleanup %T --job ${e.jobId} --include-job-results`),
        })
      }
      if (e.state === 'clean' && planJobs.has(e.jobId)) {
        add({
          id: 'clean-job-result-with-plan',
          severity: 'warning',
          jobId: e.jobId,
          items: [e.path, ...inp.plans.plans.filter((p) => p.jobId === e.jobId).map((p) => p.locator)],
          evidence: `${e.file} says the job finished (${e.applicationStatus ?? '?'}) and was cleaned up, yet its execution plan is still in the HA store`,
          effect: 'Flink does not run the job again (the JobResultStore has a clean entry for it); in Application mode with a fixed job id nothing runs',
          fix: `${cmd(`jobs purge %T --job ${e.jobId}`)} to run it again, or ${cmd(`cleanup %T --job ${e.jobId}`)} to drop the leftover plan`,
        })
      }
    }
    const keep = inp.keepOperatorDirs ?? 3
    const stale = inp.jobResults.operatorDirs.filter((d) => !d.current).slice(Math.max(0, keep - 1))
    if (stale.length > 0)
      add({
        id: 'operator-jrs-dirs',
        severity: 'info',
        jobId: null,
        items: stale.map((d) => d.path),
        evidence: `${inp.jobResults.operatorDirs.length} Flink Kubernetes Operator JobResultStore directories; ${stale.length} beyond the newest ${keep} (${fmtBytes(stale.reduce((n, d) => n + d.bytes, 0))}${stale.some((d) => d.dirtyEntries > 0) ? `, ${stale.reduce((n, d) => n + d.dirtyEntries, 0)} dirty entries` : ''})`,
        effect: 'Flink reads only the current directory: the others are never read and never removed',
        fix: cmd(`jobs purge %T --prune-stale-dirs --keep ${keep}`),
      })
  }

  // ---- per-job leftovers of jobs that are gone
  const storageJobs = inp.storageDirs ? [...inp.storageDirs.blobs.keys(), ...inp.storageDirs.jobEvents.keys()] : []
  const gone = [...new Set([...inp.storeJobIds, ...storageJobs])].filter((j) => !planJobs.has(j) && !dirty.has(j)).sort()
  for (const jobId of gone) {
    const left = inp.artifacts.filter((a) => a.jobId === jobId)
    const files = [inp.storageDirs?.blobs.get(jobId), inp.storageDirs?.jobEvents.get(jobId)].filter((x): x is string => Boolean(x))
    if (left.length === 0 && files.length === 0) continue
    add({
      id: 'job-leftovers',
      severity: 'warning',
      jobId,
      items: [...left.map((a) => a.locator), ...files],
      evidence: `job ${jobId} has no execution plan${inp.jobResults ? ' and no dirty JobResultStore entry' : ''} but still has ${[...summarizeArtifacts(left), ...files].join(', ')}`,
      effect: 'no JobManager recovers or cleans up this job any more: leaked by an interrupted cleanup, or by Flink 1.17.2+ cluster cleanup, which keeps per-job data',
      fix: cmd(`cleanup %T --job ${jobId}`),
    })
  }

  // ---- upgrade leftovers
  for (const u of inp.upgradeLeftovers)
    add({
      id: 'upgrade-leftovers',
      severity: 'warning',
      jobId: u.jobId,
      items: u.locators,
      evidence: u.message,
      effect: 'left by an upgrade: the running version ignores the old place, so what is there is neither recovered nor cleaned up',
      fix: u.kind === 'plan-stores' ? `no single haadm command: check ${cmd('plans %T')}, then remove the jobs of the old place you do not want with ${cmd('plans remove %T <jobId>')}` : cmd(`cleanup %T --job ${u.jobId}`) + ' once the job is gone; while it runs, leave it',
    })

  // ---- orphan files
  const orphans = new Map<string, OrphanFile>()
  for (const o of [...(inp.plans.storage?.orphans ?? []), ...(inp.checkpoints.storage?.orphans ?? [])]) orphans.set(o.path, o)
  if (orphans.size > 0) {
    const byKind = new Map<string, {n: number; bytes: number}>()
    for (const o of orphans.values()) {
      const k = byKind.get(o.kind) ?? {n: 0, bytes: 0}
      k.n++
      k.bytes += o.size
      byKind.set(o.kind, k)
    }
    add({
      id: 'orphan-files',
      severity: 'info',
      jobId: null,
      items: [...orphans.keys()].sort(),
      evidence: [...byKind].map(([k, v]) => `${v.n} ${k}* file(s), ${fmtBytes(v.bytes)}`).join('; ') + ' that no entry points to',
      effect: 'Flink never reads or removes them (a JobManager died between writing the file and the entry, or between removing the entry and the file)',
      fix: `${cmd('restore-point %T')} reads them when the metadata is gone; ${cmd('cleanup %T --include-orphan-files')} removes them with the cluster`,
    })
  }

  // ---- leaders
  if (alive)
    for (const r of inp.leaders) {
      if (r.status !== 'leader' || r.alive || r.owner === null) continue
      const who = r.jobId ? `job ${r.jobId}` : r.component
      add({
        id: 'stale-leader',
        severity: 'warning',
        jobId: r.jobId,
        items: [r.locator],
        evidence: `${who}'s leader record names ${r.address}: ${r.evidence}`,
        effect: r.lease
          ? 'the record is not renewed: clients follow an address whose leadership lapsed until another JobManager takes over'
          : 'clients (REST, TaskManagers) follow the published address, which is not the JobManager holding leadership',
        fix: 'no fix in haadm: Flink rewrites the record when leadership changes; restart the JobManager that wrote it if it persists',
      })
    }

  // ---- leader annotations fabric8 cannot read: the election is stuck, whatever the cluster's state
  const blocking = new Map<string, {lease: K8sLease; locator: string}>()
  for (const r of inp.leaders) if (r.lease?.blocksElection && !blocking.has(r.lease.configMap)) blocking.set(r.lease.configMap, {lease: r.lease, locator: r.locator})
  for (const [configMap, {lease, locator}] of blocking)
    add({
      id: 'unreadable-lease',
      severity: 'error',
      jobId: null,
      items: [locator],
      evidence: `${configMap}: ${lease.problem}`,
      effect: 'fabric8 reads no leader record from it, tries to create the map, gets 409 AlreadyExists and retries for ever: no JobManager can take this leadership',
      fix: `write the annotation again with all five fields (holderIdentity, leaseDuration, acquireTime, renewTime, leaderTransitions), or stop the cluster and remove the map (${cmd('cleanup %T')})`,
    })

  // ---- skipped checks: said, never a silent pass
  if (inp.skipped.length > 0)
    add({
      id: 'checks-skipped',
      severity: 'info',
      jobId: null,
      items: [],
      evidence: inp.skipped.map((s) => `${s.check}: ${s.reason}`).join('; '),
      effect: 'these checks did not run, so their findings are unknown',
      fix: 'pass --storage-dir (and --jrs-path) with a reachable location, or run where it is mounted',
    })

  for (const f of findings) f.items = f.items.filter((i) => i !== '')
  findings.sort((a, b) => rank(a.severity) - rank(b.severity) || (a.jobId ?? '').localeCompare(b.jobId ?? '') || a.id.localeCompare(b.id))
  const counts = {error: 0, warning: 0, info: 0}
  for (const f of findings) counts[f.severity]++
  const verdict = counts.error > 0 ? 'will not recover' : counts.warning > 0 ? 'recovers with warnings' : 'healthy'
  const summary =
    verdict === 'will not recover'
      ? `will not recover: ${counts.error} error${counts.error === 1 ? '' : 's'}${counts.warning > 0 ? `, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}` : ''}`
      : verdict === 'recovers with warnings'
        ? `recovers, with ${counts.warning} warning${counts.warning === 1 ? '' : 's'}`
        : counts.info > 0
          ? `healthy (${counts.info} note${counts.info === 1 ? '' : 's'})`
          : 'healthy'
  const ran = [
    ...CHECKS.metadata,
    ...(inp.plans.storage?.reachable ? CHECKS.storage : []),
    ...(inp.jobResults ? CHECKS.jobResults : []),
  ]
  return {
    backend: inp.checkpoints.backend,
    clusterId: inp.clusterId,
    root: inp.checkpoints.root,
    scannedAt: inp.checkpoints.scannedAt,
    verdict,
    summary,
    counts,
    alive,
    findings,
    checks: ran,
    skipped: inp.skipped,
    failOn,
    failed: findings.some((f) => atOrAbove(f.severity, failOn)),
  }
}

function summarizeArtifacts(list: HaArtifact[]): string[] {
  const by = new Map<string, number>()
  for (const a of list) by.set(a.kind, (by.get(a.kind) ?? 0) + 1)
  const names: Record<HaArtifact['kind'], string> = {
    'job-graph': 'execution plan',
    'job-node': 'checkpoint store (job node or map)',
    checkpoint: 'checkpoint',
    leader: 'leader record',
    'job-events': 'job-events directory',
    blobs: 'blob directory',
  }
  return [...by].map(([k, n]) => `${n} ${names[k as HaArtifact['kind']]}${n === 1 ? '' : 's'}`)
}
