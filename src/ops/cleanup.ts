import type {Inventory, RawItem, RemovalOutcome, RemovalTarget} from '../backends/types.js'
import {k8sHaMaps, k8sLeases} from '../backends/kubernetes/inventory.js'
import {EXECUTION_PLAN_KEY_PREFIX, JOB_GRAPH_KEY_PREFIX, LEADER_KEY_PREFIX} from '../backends/kubernetes/layout.js'
import type {StorageStep} from './cleanup-storage.js'
import {leaderRecords} from './leaders.js'

export const JOB_ID = /^[0-9a-f]{32}$/

/** One planned deletion, with what it is in Flink's terms. */
export interface PlannedRemoval extends RemovalTarget {
  what: string
}

export interface CleanupPlan {
  backend: Inventory['backend']
  clusterId: string
  root: string
  scope: 'cluster' | 'job'
  jobId: string | null
  /** Metadata to delete, children before parents. */
  metadata: PlannedRemoval[]
  /** After a whole-cluster cleanup: the empty parents up to the store's root, as Flink's tryDeleteEmptyParentZNodes. */
  parents: PlannedRemoval[]
  /** Evidence that the cluster (or job) is alive; non-empty means refuse unless forced. */
  liveEvidence: string[]
  /** Items left alone on purpose, with why. */
  untouched: Array<{key: string; why: string}>
  /** Files in the HA storageDir and JobResultStore, removed only after all metadata is gone (Flink's order). */
  storage: StorageStep[]
}

export interface CleanupResult {
  plan: CleanupPlan
  dryRun: boolean
  forced: boolean
  backup: string | null
  outcomes: RemovalOutcome[]
  summary: {removed: number; absent: number; kept: number; failed: number}
  /** What is still there after a partial failure. */
  remaining: string[]
  /** Things the user should know that did not stop the cleanup (storage not reachable, ...). */
  warnings: string[]
}

const depth = (locator: string) => locator.split('/').length

/** Deepest first, then by path, so children go before their parents (Curator's deletingChildrenIfNeeded). */
function deepestFirst(a: PlannedRemoval, b: PlannedRemoval): number {
  return depth(b.locator) - depth(a.locator) || (a.locator < b.locator ? -1 : a.locator > b.locator ? 1 : 0)
}

/** What a znode is, for the plan's table. */
export function describeKey(key: string): string {
  if (key === '') return 'cluster root'
  const p = key.split('/')
  if (p.at(-1) === 'connection_info') return `leader record of ${p.slice(-2)[0]}`
  if (p.includes('latch') && /latch-\d+$/.test(p.at(-1)!)) return 'leader latch contender'
  if (p.at(-2) === 'locks') return 'lock'
  if (p.at(-1) === 'locks') return 'lock holder list'
  if (p.at(-1) === 'checkpoint_id_counter') return 'checkpoint id counter'
  if (p.at(-2) === 'checkpoints' && /^\d{19}$/.test(p.at(-1)!)) return `checkpoint ${Number(p.at(-1))}`
  if (p.length === 2 && JOB_ID.test(p[1]) && p[0] !== 'jobs' && p[0] !== 'leader') return 'execution plan (job graph) pointer'
  return 'node'
}

function removal(item: RawItem): PlannedRemoval {
  return {key: item.key, locator: item.locator, version: item.zk?.version, what: describeKey(item.key)}
}

/** The subtrees Flink's global cleanup of one job removes (ZooKeeper). */
export function jobSubtrees(jobId: string, jobGraphsPath: string): string[] {
  const graphs = jobGraphsPath.replace(/^\/+|\/+$/g, '')
  return [`${graphs}/${jobId}`, `jobs/${jobId}`, `leader/${jobId}`, `leader/job-${jobId}`]
}

const inSubtree = (key: string, top: string) => key === top || key.startsWith(`${top}/`)

/**
 * Pure: what a cleanup of the whole cluster (Flink's cleanupAllData) or of one job (its global cleanup)
 * removes from this inventory, in a crash-safe order, and whether anything says the cluster is alive.
 */
export function planCleanup(inv: Inventory, opts: {jobId?: string; jobGraphsPath?: string}): CleanupPlan {
  if (inv.backend === 'kubernetes') return planKubernetesCleanup(inv, opts.jobId)
  const scope = opts.jobId ? 'job' : 'cluster'
  const tops = opts.jobId ? jobSubtrees(opts.jobId, opts.jobGraphsPath ?? '/jobgraphs') : ['']
  const chosen = inv.items.filter((i) => tops.some((t) => t === '' || inSubtree(i.key, t)))
  const metadata = chosen.map(removal).sort(deepestFirst)

  const parents: PlannedRemoval[] = []
  if (scope === 'cluster' && inv.backend === 'zookeeper' && chosen.length > 0) {
    for (let p = inv.root.slice(0, inv.root.lastIndexOf('/')); p.length > 0; p = p.slice(0, p.lastIndexOf('/')))
      parents.push({key: '..', locator: p, onlyIfEmpty: true, what: 'parent, only if empty'})
  }

  return {
    backend: inv.backend,
    clusterId: inv.clusterId,
    root: inv.root,
    scope,
    jobId: opts.jobId ?? null,
    metadata,
    parents,
    liveEvidence: liveEvidence(inv, chosen, scope),
    untouched: [],
    storage: [],
  }
}

/**
 * An ephemeral node exists only while its session lives, so any ephemeral node among the items to remove
 * is a live JobManager: a leader record, a latch contender or a lock.
 */
function liveEvidence(inv: Inventory, chosen: RawItem[], scope: 'cluster' | 'job'): string[] {
  const evidence: string[] = []
  if (scope === 'cluster') {
    for (const r of leaderRecords(inv).leaders)
      if (r.alive) evidence.push(`${r.jobId ? `job ${r.jobId}` : r.component} has a live leader: ${r.address} (session 0x${r.owner})`)
  }
  const sessions = new Map<string, string[]>()
  for (const item of chosen) {
    const owner = item.zk?.ephemeralOwner
    if (!owner || owner === '0') continue
    sessions.set(owner, [...(sessions.get(owner) ?? []), item.key])
  }
  for (const [owner, keys] of sessions) {
    const kinds = [...new Set(keys.map(describeKey))].join(', ')
    evidence.push(`session 0x${owner} is alive and owns ${keys.length} node(s) (${kinds}), e.g. ${keys[0]}`)
  }
  return evidence
}

/**
 * Kubernetes: a whole cluster is its HA ConfigMaps, deleted whole (each with a uid and resourceVersion
 * precondition) in every layout: 1.15+ cluster and per-job maps (including per-job maps 1.19+ leaks),
 * legacy leader maps. The backend's scan already left out autoscaler maps and maps owned by a
 * Deployment; a map whose name does not carry the cluster id is left alone too. One job is its per-job
 * map, plus its execution plan and leader keys in the cluster map.
 */
function planKubernetesCleanup(inv: Inventory, jobId: string | undefined): CleanupPlan {
  const metadata: PlannedRemoval[] = []
  const untouched: CleanupPlan['untouched'] = []
  const cid = inv.clusterId.replace(/^\/+|\/+$/g, '')
  for (const map of k8sHaMaps(inv).values()) {
    const whole = {key: map.item.key, locator: map.item.locator, version: map.meta.resourceVersion, uid: map.meta.uid}
    if (!map.name.includes(cid)) {
      untouched.push({key: map.item.key, why: `its name does not carry the cluster id ${cid}`})
      continue
    }
    const kind = map.kind
    if (!jobId) {
      const what =
        kind.kind === 'cluster' ? 'cluster ConfigMap' : kind.kind === 'job' || kind.kind === 'legacy-job' ? `ConfigMap of job ${kind.jobId}` : kind.kind === 'legacy-leader' ? `legacy ${kind.component} leader ConfigMap` : 'HA ConfigMap'
      metadata.push({...whole, what})
    } else if ((kind.kind === 'job' || kind.kind === 'legacy-job') && kind.jobId === jobId) {
      metadata.push({...whole, what: `ConfigMap of job ${jobId}`})
    } else if (kind.kind === 'cluster') {
      const keys = [`${JOB_GRAPH_KEY_PREFIX}${jobId}`, `${EXECUTION_PLAN_KEY_PREFIX}${jobId}`, `${LEADER_KEY_PREFIX}${jobId}`, `${LEADER_KEY_PREFIX}job-${jobId}`]
      for (const k of keys) {
        const entry = map.entries.get(k)
        if (!entry) continue
        metadata.push({key: entry.key, locator: entry.locator, version: map.meta.resourceVersion, what: k.startsWith(LEADER_KEY_PREFIX) ? 'job leader key' : 'execution plan (job graph) pointer'})
      }
    }
  }
  const evidence: string[] = []
  for (const r of leaderRecords(inv).leaders)
    if (r.alive && (!jobId || r.jobId === jobId)) evidence.push(`${r.jobId ? `job ${r.jobId}` : r.component} has a live leader: ${r.address} (lease holder ${r.owner})`)
  if (!jobId)
    for (const l of k8sLeases(inv))
      if (l.valid) evidence.push(`the lease on ${l.configMap} is held by ${l.holderIdentity}, renewed ${l.ageSeconds}s ago, valid until ${l.expiresAt}`)
  return {
    backend: inv.backend,
    clusterId: inv.clusterId,
    root: inv.root,
    scope: jobId ? 'job' : 'cluster',
    jobId: jobId ?? null,
    metadata,
    parents: [],
    liveEvidence: [...new Set(evidence)],
    untouched,
    storage: [],
  }
}

export function summarize(outcomes: RemovalOutcome[]): CleanupResult['summary'] {
  const s = {removed: 0, absent: 0, kept: 0, failed: 0}
  for (const o of outcomes) s[o.status]++
  return s
}
