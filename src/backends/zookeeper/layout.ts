/**
 * Flink's ZooKeeper HA layout, 1.15 → 2.x (docs/flink/zookeeper-layout.md): every znode name and
 * path of one cluster below `/<root>/<cluster-id>`, which Flink versions write which, and what a
 * cleanup removes in which order. Pure: it reads a scanned inventory and never assumes a default
 * where the store can say what is there.
 *
 *   leader/latch/_c_<uuid>-latch-<seq>          Curator LeaderLatch of every JobManager (1.15+)
 *   leader/{dispatcher,resource_manager,rest_server}/connection_info
 *   leader/<jobId>/connection_info              job master, 1.15–1.18
 *   leader/job-<jobId>/connection_info          job master, 1.19+ (FLINK-32710)
 *   leader/<component>/{latch,connection_info}  legacy 1.15 (use-old-ha-services): one latch per component
 *   jobs/<jobId>/leader/{latch,connection_info} legacy 1.15 job master
 *   jobgraphs/<jobId>[/locks/<uuid>]            execution plans, 1.x (high-availability.zookeeper.path.jobgraphs)
 *   execution-plans/<jobId>[/locks/<uuid>]      execution plans, 2.x (…path.execution-plans, fallback …path.jobgraphs)
 *   jobs/<jobId>/checkpoints/<%019d>[/locks/…]  retained checkpoints
 *   jobs/<jobId>/checkpoint_id_counter          next checkpoint id, int32 big-endian
 */
import {checkpointIdFromName, decodeCheckpointIdCounter} from '../../codec/checkpoint-id.js'
import {isJobIdText} from '../../codec/job-id.js'
import {decodeLeaderInformation} from '../../codec/leader-information.js'
import {decodeStateHandlePointer} from '../../codec/state-handle.js'
import {describeSource, type Resolved} from '../../config/target.js'
import type {
  CheckpointCounterEntry,
  HaArtifact,
  LatchRecord,
  LayoutCleanup,
  LeaderComponent,
  LeaderLayout,
  LeaderRecord,
  LeadersReport,
  LockHolder,
  PlannedRemoval,
  PlanStore,
  StateHandleEntry,
  StateHandleInventory,
  UpgradeLeftover,
} from '../../model/ha.js'
import {byCodeUnit} from '../../model/order.js'
import type {HaLayout} from '../layout.js'
import {READ_ALL, type ReadDepth, type ReadNeed, type ReadSpec} from '../read-spec.js'
import type {FleetInventory, FleetScanOptions, Inventory, RawItem} from '../types.js'

// ZooKeeperUtils: node names with no configuration key in 1.15+.
export const LEADER = 'leader'
export const LATCH = 'latch'
export const CONNECTION_INFO = 'connection_info'
export const JOBS = 'jobs'
export const CHECKPOINTS = 'checkpoints'
export const COUNTER = 'checkpoint_id_counter'
export const LOCKS = 'locks'
export const CLUSTER_COMPONENTS = ['dispatcher', 'resource_manager', 'rest_server'] as const
/** Flink's per-job leader component id from 1.19 (`job-<jobId>`); 1.15–1.18 use the bare id. */
export const JOB_LEADER_PREFIX = 'job-'
/** high-availability.zookeeper.path.jobgraphs default (1.x; a deprecated fallback key in 2.x). */
export const JOB_GRAPHS_DEFAULT = '/jobgraphs'
/** high-availability.zookeeper.path.execution-plans default (2.x, FLINK-36158). */
export const EXECUTION_PLANS_DEFAULT = '/execution-plans'
/** The children of a cluster node that mark it as Flink's (for telling clusters from other nodes). */
export const CLUSTER_CHILDREN = [LEADER, JOBS, 'jobgraphs', 'execution-plans'] as const
/**
 * How many levels of nodes that are not clusters a fleet scan looks below the root: cluster ids may
 * contain `/` (`/team/app`), and Flink puts the cluster at `/<root>/<cluster-id>`.
 */
export const FLEET_MAX_DEPTH = 4

/** Where execution plans are configured to be; unset values are detected from the store. */
export interface ZooKeeperPlanSettings {
  /** high-availability.zookeeper.path.jobgraphs, when configured (not its default). */
  jobGraphs?: Resolved<string>
  /** high-availability.zookeeper.path.execution-plans, when configured. */
  executionPlans?: Resolved<string>
}

export interface ZooKeeperLayoutOptions extends ZooKeeperPlanSettings {
  /** `/<root>/<cluster-id>` as Flink assembles it. */
  clusterPath: string
}

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, '')
const parentKey = (key: string) => {
  const i = key.lastIndexOf('/')
  return i < 0 ? '' : key.slice(0, i)
}
const baseName = (key: string) => key.slice(key.lastIndexOf('/') + 1)
const inSubtree = (key: string, top: string) => top === '' || key === top || key.startsWith(`${top}/`)
const ephemeralOwner = (item: RawItem | undefined) => (item?.zk && item.zk.ephemeralOwner !== '0' ? item.zk.ephemeralOwner : null)

/** Curator sorts latch nodes by what follows `latch-` (`StandardLockInternalsDriver.fixForSorting`). */
export function latchSequence(name: string): number | undefined {
  const m = /latch-(\d+)$/.exec(name)
  return m ? Number(m[1]) : undefined
}

/** One candidate directory of execution plans. */
interface PlanDirCandidate {
  dir: string
  versions: string
  source: string
  /** Read only when the store holds it (a default that another setting may have replaced). */
  onlyIfPresent: boolean
}

/**
 * Where this cluster's execution plans are, from the configuration and from what the store holds
 * (pure). Flink 1.x reads only `…path.jobgraphs` (default /jobgraphs); 2.x reads
 * `…path.execution-plans` (default /execution-plans) and falls back to `…path.jobgraphs`. Unset, both
 * defaults are looked for and whichever exists is read (both when both do: an upgrade's leftovers).
 */
export function planDirectories(inv: Inventory, s: ZooKeeperPlanSettings): {stores: PlanStore[]; dirs: string[]; notes: string[]} {
  const notes = planSettingNotes(s, inv.root)
  const present = (dir: string) => dir !== '' && inv.items.some((i) => i.key === dir)
  const cand: PlanDirCandidate[] = []
  const src = (r: Resolved<string>) => describeSource(r.source)
  const usable = (r: Resolved<string>) => r.value.startsWith('/')
  const ep = s.executionPlans
  const jg = s.jobGraphs
  if (ep) {
    if (usable(ep)) cand.push({dir: trimSlashes(ep.value), versions: '2.x', source: src(ep), onlyIfPresent: false})
    if (jg && trimSlashes(jg.value) !== trimSlashes(ep.value)) {
      if (usable(jg)) cand.push({dir: trimSlashes(jg.value), versions: '1.x', source: src(jg), onlyIfPresent: true})
    } else if (!jg) {
      // Flink 1.x does not know the execution-plans key and keeps its plans at the old default.
      cand.push({dir: trimSlashes(JOB_GRAPHS_DEFAULT), versions: '1.x', source: 'default (Flink 1.x ignores …path.execution-plans)', onlyIfPresent: true})
    }
  } else if (jg) {
    if (usable(jg)) cand.push({dir: trimSlashes(jg.value), versions: '1.x and 2.x', source: `${src(jg)} (2.x reads it as the fallback of …path.execution-plans)`, onlyIfPresent: false})
  } else {
    cand.push(
      {dir: trimSlashes(JOB_GRAPHS_DEFAULT), versions: '1.x', source: 'default, found in the store', onlyIfPresent: true},
      {dir: trimSlashes(EXECUTION_PLANS_DEFAULT), versions: '2.x', source: 'default, found in the store', onlyIfPresent: true},
    )
  }

  const seen = new Set<string>()
  const chosen = cand.filter((c) => {
    if (seen.has(c.dir) || c.dir === '') return false
    seen.add(c.dir)
    return !c.onlyIfPresent || present(c.dir)
  })
  const stores: PlanStore[] = chosen.map((c) => ({key: c.dir, locator: `${inv.root}/${c.dir}`, versions: c.versions, source: c.source, exists: present(c.dir)}))
  const existing = stores.filter((st) => st.exists)
  if (existing.length > 1)
    notes.push(`execution plans are kept in ${existing.map((st) => `${st.key} (Flink ${st.versions})`).join(' and ')}: an upgrade left the old directory behind; haadm reads both`)
  if (stores.length === 0 && !ep && !jg) {
    // Nothing configured and nothing in the store: name both places Flink would use.
    for (const dir of [trimSlashes(JOB_GRAPHS_DEFAULT), trimSlashes(EXECUTION_PLANS_DEFAULT)])
      stores.push({key: dir, locator: `${inv.root}/${dir}`, versions: dir === 'jobgraphs' ? '1.x' : '2.x', source: 'default (not in the store)', exists: false})
  }
  return {stores, dirs: chosen.map((c) => c.dir), notes}
}

/**
 * What the plan-directory settings mean, before any scan: two keys that disagree, a value without a
 * leading "/" (ZooKeeperUtils.createJobGraphs / createExecutionPlans build the namespace as
 * `client.getNamespace() + path`, with no separator, so such plans sit outside the cluster node).
 */
export function planSettingNotes(s: ZooKeeperPlanSettings, clusterPath: string): string[] {
  const notes: string[] = []
  const src = (r: Resolved<string>) => describeSource(r.source)
  const ep = s.executionPlans
  const jg = s.jobGraphs
  if (ep && jg && trimSlashes(jg.value) !== trimSlashes(ep.value))
    notes.push(`high-availability.zookeeper.path.execution-plans (${src(ep)}) and the deprecated …path.jobgraphs (${src(jg)}) differ: Flink 2.x uses ${ep.value}, Flink 1.x ${jg.value}; haadm reads the first, and the second when it exists`)
  for (const [key, r] of [['high-availability.zookeeper.path.execution-plans', ep], ['high-availability.zookeeper.path.jobgraphs', jg]] as const) {
    if (!r || r.value.startsWith('/')) continue
    notes.push(`${key} ${JSON.stringify(r.value)} (${src(r)}) does not start with "/": Flink appends it to the cluster's namespace as it stands, so it keeps those execution plans at ${clusterPath}${r.value.replace(/\/+$/, '')}, outside the cluster node; haadm reads only below ${clusterPath}`)
  }
  return notes
}

/** A node that holds any of Flink's HA children (leader, jobs, jobgraphs, execution-plans) is a cluster's. */
export function isClusterNode(childNames: string[]): boolean {
  return childNames.some((n) => (CLUSTER_CHILDREN as readonly string[]).includes(n))
}

/** Groups an inventory's items by parent key, once. */
function childIndex(items: RawItem[]): (key: string) => RawItem[] {
  const children = new Map<string, RawItem[]>()
  for (const item of items) {
    const parent = parentKey(item.key)
    let list = children.get(parent)
    if (!list) children.set(parent, (list = []))
    list.push(item)
  }
  return (key) => children.get(key) ?? []
}

/** What a znode is, in Flink's terms (the plan's table). */
export function describeKey(key: string, planDirs: readonly string[] = ['jobgraphs', 'execution-plans']): string {
  if (key === '') return 'cluster root'
  const p = key.split('/')
  const last = p.at(-1)!
  if (last === CONNECTION_INFO) return `leader record of ${p.slice(-2)[0]}`
  if (p.includes(LATCH) && /latch-\d+$/.test(last)) return 'leader latch contender'
  if (p.at(-2) === LOCKS) return 'lock'
  if (last === LOCKS) return 'lock holder list'
  if (last === COUNTER) return 'checkpoint id counter'
  if (p.at(-2) === CHECKPOINTS && /^\d{19}$/.test(last)) return `checkpoint ${Number(last)}`
  if (isJobIdText(last) && planDirs.includes(parentKey(key))) return 'execution plan (job graph) pointer'
  return 'node'
}

/** The subtrees Flink's global cleanup of one job removes. */
export function jobSubtrees(jobId: string, planDirs: readonly string[]): string[] {
  return [...planDirs.map((d) => `${d}/${jobId}`), `${JOBS}/${jobId}`, `${LEADER}/${jobId}`, `${LEADER}/${JOB_LEADER_PREFIX}${jobId}`]
}

export class ZooKeeperLayout implements HaLayout {
  readonly backend = 'zookeeper' as const
  readonly itemNoun = {one: 'znode', many: 'znodes'}

  constructor(private readonly opts: ZooKeeperLayoutOptions) {}

  get clusterRoot(): string {
    return this.opts.clusterPath
  }

  settingNotes(): string[] {
    return planSettingNotes(this.opts, this.opts.clusterPath)
  }

  planDirectories(inv: Inventory) {
    return planDirectories(inv, this.opts)
  }

  /**
   * Every directory that may hold execution plans, whatever the store holds: the configured ones and
   * both defaults (planDirectories picks among them after the scan). Undefined when one of them could
   * overlap the leader or jobs subtrees, or the root: then a command reads everything.
   */
  private candidatePlanDirs(): string[] | undefined {
    const dirs = new Set([trimSlashes(JOB_GRAPHS_DEFAULT), trimSlashes(EXECUTION_PLANS_DEFAULT)])
    for (const r of [this.opts.jobGraphs, this.opts.executionPlans]) if (r && r.value.startsWith('/')) dirs.add(trimSlashes(r.value))
    for (const d of dirs) if (d === '' || d.includes('*') || [LEADER, JOBS].includes(d.split('/')[0])) return undefined
    return [...dirs]
  }

  /**
   * What each command reads. Leaders: the leader subtree and the legacy jobs/<jobId>/leader, nothing of
   * plans and checkpoints. State handles: entries with data, their lock nodes as metadata (owners,
   * numChildren); for given jobs only theirs, the other jobs by name. A cleanup: the whole tree's shape,
   * owners and versions (metadata), with data where it decodes: leader records (liveness) and the
   * plan and checkpoint entries whose pointers it needs (every entry's when the storage directory is
   * inferred from them or the whole cluster's files are removed; else the job's).
   */
  reads(need: ReadNeed): ReadSpec {
    const dirs = this.candidatePlanDirs()
    if (!dirs) return READ_ALL
    const rules: Array<readonly [string, ReadDepth]> = [['', 'stat']]
    // The nodes above a configured plan directory that is more than one level deep.
    const ancestors = [...new Set(dirs.flatMap((d) => d.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))))]
    if (need.command === 'leaders') {
      // Leader records, latches, and the legacy 1.15 job leaders under jobs/<jobId>/leader.
      rules.push([`${LEADER}/**`, 'data'], [JOBS, 'stat'], [`${JOBS}/*`, 'stat'], [`${JOBS}/*/${LEADER}/**`, 'data'], ['**', 'skip'])
      return {rules}
    }
    if (need.command === 'cleanup') {
      rules.push([`${LEADER}/**`, 'data'], [`${JOBS}/*/${LEADER}/**`, 'data'])
      const entries = need.jobId === null || need.everyPointer ? '*' : need.jobId
      for (const d of dirs) rules.push([`${d}/${entries}`, 'data'])
      rules.push([`${JOBS}/${entries}/${CHECKPOINTS}/*`, 'data'], ['**', 'stat'])
      return {rules}
    }
    // State handles: plan entries, checkpoints and counters; no leader data. Lock nodes: metadata only.
    rules.push([`${LEADER}/**`, 'skip'], [`${JOBS}/*/${LEADER}/**`, 'skip'])
    const jobs = need.jobs
    for (const d of dirs) {
      for (const j of jobs) rules.push([`${d}/${j}/*/**`, 'stat'], [`${d}/${j}`, 'data'])
      if (jobs.length > 0) rules.push([d, 'stat'], [`${d}/*`, 'stat'], [`${d}/*/**`, 'skip'])
      else rules.push([d, 'stat'], [`${d}/*/*/**`, 'stat'], [`${d}/*`, 'data'])
    }
    for (const j of jobs) rules.push([`${JOBS}/${j}/${CHECKPOINTS}/*/*/**`, 'stat'], [`${JOBS}/${j}/**`, 'data'])
    rules.push([JOBS, 'stat'])
    if (jobs.length > 0) rules.push([`${JOBS}/*`, 'stat'], [`${JOBS}/*/**`, 'skip'])
    else rules.push([`${JOBS}/*`, 'stat'], [`${JOBS}/*/${CHECKPOINTS}`, 'stat'], [`${JOBS}/*/${CHECKPOINTS}/*/*/**`, 'stat'], [`${JOBS}/*/**`, 'data'])
    for (const a of ancestors) rules.push([a, 'stat'])
    rules.push(['**', 'skip'])
    // An entry's one child is its lock holder list, `<entry>/locks` (ZooKeeperStateHandleStore.getRootLockPath,
    // Flink 1.15+; before, a lock node of another name, which the scan then finds by listing).
    const soleChild = [...dirs.map((d) => [`${d}/*`, LOCKS] as const), [`${JOBS}/*/${CHECKPOINTS}/*`, LOCKS] as const]
    return {rules, soleChild}
  }


  fleetScan(): Pick<FleetScanOptions, 'isClusterNode' | 'maxDepth' | 'needsData'> {
    // Liveness needs every node's owner (stats) and the leader records' bytes; nothing else is read.
    return {isClusterNode: isClusterNode, maxDepth: FLEET_MAX_DEPTH, needsData: (key) => baseName(key) === CONNECTION_INFO}
  }

  clusters(fleet: FleetInventory): Inventory[] {
    const childrenOf = childIndex(fleet.items)
    const out: Inventory[] = []
    const visit = (key: string, depth: number) => {
      for (const child of childrenOf(key)) {
        if (child.key === '') continue // the root item is its own parent key
        const names = childrenOf(child.key).map((c) => baseName(c.key))
        if (isClusterNode(names)) {
          const cut = child.key.length + 1
          const items: RawItem[] = [{...child, key: ''}]
          const collect = (k: string) => {
            for (const c of childrenOf(k)) {
              items.push({...c, key: c.key.slice(cut)})
              collect(c.key)
            }
          }
          collect(child.key)
          items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
          out.push({backend: 'zookeeper', clusterId: `/${child.key}`, root: child.locator, scannedAt: fleet.scannedAt, items})
        } else if (depth < FLEET_MAX_DEPTH) visit(child.key, depth + 1)
      }
    }
    visit('', 1)
    return out.sort((a, b) => (a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : 0))
  }

  footprint(inv: Inventory): {items: number; bytes: number; lastChange: string | null} {
    let bytes = 0
    let last: string | null = null
    for (const i of inv.items) {
      bytes += i.zk?.dataLength ?? i.data.length
      const t = i.zk?.mtime
      if (t && (last === null || t > last)) last = t
    }
    return {items: inv.items.length, bytes, lastChange: last}
  }

  leaders(inv: Inventory): LeadersReport {
    const byKey = new Map(inv.items.map((i) => [i.key, i]))
    const latches = collectLatches(inv.items)
    const latchByKey = new Map(latches.map((l) => [l.key, l]))
    const sharedLatch = latchByKey.get(`${LEADER}/${LATCH}`)
    const leaders: LeaderRecord[] = []

    for (const component of CLUSTER_COMPONENTS) {
      const dir = `${LEADER}/${component}`
      const ownLatch = latchByKey.get(`${dir}/${LATCH}`)
      leaders.push(zkLeaderRecord(inv, byKey, component, null, ownLatch ? 'legacy-1.15' : '1.15+', dir, ownLatch ?? sharedLatch))
    }

    const jobs: Array<{jobId: string; layout: LeaderLayout; dir: string}> = []
    for (const item of inv.items) {
      const parts = item.key.split('/')
      if (parts.length !== 2) continue
      const [top, name] = parts
      if (top === LEADER && isJobIdText(name)) jobs.push({jobId: name, layout: '1.15-1.18', dir: item.key})
      else if (top === LEADER && name.startsWith(JOB_LEADER_PREFIX) && isJobIdText(name.slice(JOB_LEADER_PREFIX.length)))
        jobs.push({jobId: name.slice(JOB_LEADER_PREFIX.length), layout: '1.19+', dir: item.key})
      else if (top === JOBS && isJobIdText(name) && byKey.has(`${item.key}/${LEADER}`)) jobs.push({jobId: name, layout: 'legacy-1.15', dir: `${item.key}/${LEADER}`})
    }
    jobs.sort((a, b) => byCodeUnit(a.jobId, b.jobId) || a.layout.localeCompare(b.layout))
    for (const j of jobs) {
      const latch = j.layout === 'legacy-1.15' ? latchByKey.get(`${j.dir}/${LATCH}`) : sharedLatch
      leaders.push(zkLeaderRecord(inv, byKey, 'job_master', j.jobId, j.layout, j.dir, latch))
    }
    return {backend: inv.backend, clusterId: inv.clusterId, root: inv.root, scannedAt: inv.scannedAt, leaders, latches, leases: []}
  }

  watchKeys(inv: Inventory): {items: string[]; children: string[]} {
    const report = this.leaders(inv)
    // connection_info nodes, including the cluster components' that do not exist yet; latch
    // contenders come and go as children of the latches; new job leader nodes appear under leader/
    // (1.15+) or jobs/<jobId>/leader (legacy 1.15).
    const items = report.leaders.map((r) => r.key)
    const children = [...new Set([LEADER, JOBS, ...report.latches.map((l) => l.key), ...report.leaders.map((r) => parentKey(r.key))])]
    return {items: [...new Set(items)], children}
  }

  stateHandles(inv: Inventory): StateHandleInventory {
    const childrenOf = childIndex(inv.items)
    const {stores, dirs, notes} = this.planDirectories(inv)

    const entry = (item: RawItem, store: StateHandleEntry['store'], jobId: string | null, checkpointId: number | null, nameProblem: string | null): StateHandleEntry => {
      const locksNode = childrenOf(item.key).find((c) => baseName(c.key) === LOCKS)
      // 1.15+: locks/<lockId>. Before 1.15 the lock was the entry's own child <lockId>, with no locks node.
      const lockItems = locksNode ? childrenOf(locksNode.key) : childrenOf(item.key)
      const locks: LockHolder[] = lockItems.map((l) => {
        const owner = ephemeralOwner(l)
        return {lockId: baseName(l.key), owner, alive: owner !== null, since: l.zk?.ctime ?? null, locator: l.locator}
      })
      // Flink's definition (ZooKeeperStateHandleStore.isNotMarkedForDeletion): numChildren > 0.
      const numChildren = item.zk?.numChildren ?? childrenOf(item.key).length
      return {
        store,
        jobId,
        checkpointId,
        name: baseName(item.key),
        key: item.key,
        locator: item.locator,
        pointer: decodeStateHandlePointer(item.data),
        locks,
        markedForDeletion: numChildren === 0,
        created: item.zk?.ctime ?? null,
        modified: item.zk?.mtime ?? null,
        version: item.zk?.version ?? null,
        nameProblem,
      }
    }

    const plans: StateHandleEntry[] = []
    for (const dir of dirs) {
      for (const item of childrenOf(dir)) {
        const name = baseName(item.key)
        const valid = isJobIdText(name)
        plans.push(entry(item, 'execution-plans', valid ? name : null, null, valid ? null : `entry name ${JSON.stringify(name)} is not a job id`))
      }
    }

    const checkpoints: StateHandleEntry[] = []
    const counters: CheckpointCounterEntry[] = []
    const checkpointJobs: string[] = []
    for (const jobDir of childrenOf(JOBS)) {
      const jobId = baseName(jobDir.key)
      if (!isJobIdText(jobId)) continue
      checkpointJobs.push(jobId)
      for (const child of childrenOf(jobDir.key)) {
        const name = baseName(child.key)
        if (name === COUNTER) {
          counters.push({jobId, key: child.key, locator: child.locator, value: decodeCheckpointIdCounter(child.data), modified: child.zk?.mtime ?? null, version: child.zk?.version ?? null})
        } else if (name === CHECKPOINTS) {
          for (const cp of childrenOf(child.key)) {
            const id = checkpointIdFromName(baseName(cp.key))
            checkpoints.push(entry(cp, 'checkpoints', jobId, id.ok ? id.value : null, id.ok ? null : id.error.reason))
          }
        }
      }
    }

    const byKey = (a: StateHandleEntry, b: StateHandleEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
    const first = stores[0]
    return {
      backend: inv.backend,
      clusterId: inv.clusterId,
      root: inv.root,
      scannedAt: inv.scannedAt,
      planStore: first ? {key: first.key, locator: first.locator} : {key: '', locator: inv.root},
      planStores: stores,
      plans: plans.sort(byKey),
      checkpoints: checkpoints.sort(byKey),
      counters: counters.sort((a, b) => byCodeUnit(a.jobId, b.jobId)),
      checkpointJobs: checkpointJobs.sort(),
      notes,
    }
  }

  cleanup(inv: Inventory, jobId: string | null): LayoutCleanup {
    const dirs = this.planDirectories(inv).dirs
    const tops = jobId ? jobSubtrees(jobId, dirs) : ['']
    const chosen = inv.items.filter((i) => tops.some((t) => inSubtree(i.key, t)))
    const metadata = sortDeepestFirst(chosen.map((i): PlannedRemoval => ({key: i.key, locator: i.locator, version: i.zk?.version, what: describeKey(i.key, dirs)})))
    const parents: PlannedRemoval[] = []
    if (!jobId && chosen.length > 0) {
      // AbstractHaServices: tryDeleteEmptyParentZNodes after the cluster node, never `/`.
      for (let p = inv.root.slice(0, inv.root.lastIndexOf('/')); p.length > 0; p = p.slice(0, p.lastIndexOf('/')))
        parents.push({key: '..', locator: p, onlyIfEmpty: true, what: 'parent, only if empty'})
    }
    return {metadata, parents, liveEvidence: this.liveEvidence(inv, chosen, jobId, dirs), untouched: [], ...(jobId ? {} : {nestedClusters: nestedClusters(inv)})}
  }

  /**
   * An ephemeral node exists only while its session lives, so any ephemeral node among the items to
   * remove is a live JobManager: a leader record, a latch contender or a lock. A leader record that
   * does not decode may belong to a live leader too.
   */
  private liveEvidence(inv: Inventory, chosen: RawItem[], jobId: string | null, dirs: readonly string[]): string[] {
    const evidence: string[] = []
    for (const r of this.leaders(inv).leaders) {
      if (jobId && r.jobId !== jobId) continue
      const who = r.jobId ? `job ${r.jobId}` : r.component
      if (r.alive) evidence.push(`${who} has a live leader: ${r.address} (session 0x${r.owner})`)
      else if (r.status === 'undecodable' && r.owner) evidence.push(`${who}'s leader record does not decode (${r.problem}) and is held by the live session 0x${r.owner}: the cluster may be alive`)
    }
    const sessions = new Map<string, string[]>()
    for (const item of chosen) {
      const owner = ephemeralOwner(item)
      if (!owner) continue
      sessions.set(owner, [...(sessions.get(owner) ?? []), item.key])
    }
    for (const [owner, keys] of sessions) {
      const kinds = [...new Set(keys.map((k) => describeKey(k, dirs)))].join(', ')
      evidence.push(`session 0x${owner} is alive and owns ${keys.length} node(s) (${kinds}), e.g. ${keys[0]}`)
    }
    return [...new Set(evidence)]
  }

  livenessKeys(inv: Inventory): string[] {
    // leaders() reads leader/** and the legacy jobs/<jobId>/leader/**; a new child of the cluster node is a new leader directory.
    return inv.items.filter((i) => i.key === '' || isLeaderKey(i.key)).map((i) => i.key)
  }

  guardedRemovalOrder(metadata: PlannedRemoval[]): {beforeFiles: PlannedRemoval[]; afterFiles: PlannedRemoval[]} {
    // The leader subtrees hold no state handles: they may go with the lock nodes, before the files. A
    // latch contender or leader record that appeared since the scan then fails that whole transaction.
    const first = (key: string) => key.split('/').includes(LOCKS) || isLeaderKey(key)
    return {beforeFiles: metadata.filter((m) => first(m.key)), afterFiles: metadata.filter((m) => !first(m.key))}
  }

  removalOrder(metadata: PlannedRemoval[]): {beforeFiles: PlannedRemoval[]; afterFiles: PlannedRemoval[]} {
    // ZooKeeperStateHandleStore.releaseAndTryRemove: the lock nodes (the entry is then marked for
    // deletion), the file, the entry. A crash in between leaves a marked entry Flink does not recover.
    const isLock = (key: string) => key.split('/').includes(LOCKS)
    return {beforeFiles: metadata.filter((m) => isLock(m.key)), afterFiles: metadata.filter((m) => !isLock(m.key))}
  }

  remaining(inv: Inventory, scope: {jobId: string | null; untouched: string[]}): RawItem[] {
    const tops = scope.jobId ? jobSubtrees(scope.jobId, this.planDirectories(inv).dirs) : ['']
    return inv.items.filter((i) => tops.some((t) => inSubtree(i.key, t)) && !scope.untouched.some((u) => inSubtree(i.key, u)))
  }

  jobIds(inv: Inventory): string[] {
    const dirs = this.planDirectories(inv).dirs
    const ids = new Set<string>()
    for (const item of inv.items) {
      const parent = parentKey(item.key)
      const name = baseName(item.key)
      if ((dirs.includes(parent) || parent === JOBS) && isJobIdText(name)) ids.add(name)
      else if (parent === LEADER) {
        const id = name.startsWith(JOB_LEADER_PREFIX) ? name.slice(JOB_LEADER_PREFIX.length) : name
        if (isJobIdText(id)) ids.add(id)
      }
    }
    return [...ids].sort()
  }

  planRemoval(inv: Inventory, jobId: string): LayoutCleanup {
    const dirs = this.planDirectories(inv).dirs
    const tops = dirs.map((d) => `${d}/${jobId}`)
    const metadata = sortDeepestFirst(
      inv.items.filter((i) => tops.some((t) => inSubtree(i.key, t))).map((i): PlannedRemoval => ({key: i.key, locator: i.locator, version: i.zk?.version, what: describeKey(i.key, dirs)})),
    )
    return {metadata, parents: [], liveEvidence: this.liveEvidence(inv, inv.items, null, dirs), untouched: []}
  }

  upgradeLeftovers(inv: Inventory): UpgradeLeftover[] {
    const out: UpgradeLeftover[] = []
    const existing = this.planDirectories(inv).stores.filter((st) => st.exists)
    if (existing.length > 1)
      out.push({
        kind: 'plan-stores',
        jobId: null,
        locators: existing.map((st) => st.locator),
        message: `execution plans are kept in ${existing.map((st) => `${st.key} (Flink ${st.versions})`).join(' and ')}: Flink reads only the place of its own version, so the other one is never recovered and never cleaned up`,
      })
    const keys = new Set(inv.items.map((i) => i.key))
    for (const item of inv.items) {
      if (parentKey(item.key) !== LEADER || !isJobIdText(baseName(item.key))) continue
      const jobId = baseName(item.key)
      const newer = `${LEADER}/${JOB_LEADER_PREFIX}${jobId}`
      if (!keys.has(newer)) continue
      out.push({
        kind: 'job-leader-names',
        jobId,
        locators: [item.locator, `${inv.root}/${newer}`],
        message: `job ${jobId} has a leader node under both ${LEADER}/${jobId} (Flink 1.15–1.18) and ${newer} (1.19+): the version that runs now neither reads nor removes the other one`,
      })
    }
    return out
  }

  jobArtifacts(inv: Inventory, jobIds: string[]): HaArtifact[] {
    const wanted = new Set(jobIds)
    const dirs = this.planDirectories(inv).dirs
    const childrenOf = childIndex(inv.items)
    const below = (key: string): number => childrenOf(key).reduce((n, c) => n + 1 + below(c.key), 0)
    const out: HaArtifact[] = []
    for (const item of inv.items) {
      const parts = item.key.split('/')
      const last = parts[parts.length - 1]
      const parent = parentKey(item.key)
      let jobId: string | undefined
      let kind: HaArtifact['kind'] | undefined
      if (dirs.includes(parent) && wanted.has(last)) [jobId, kind] = [last, 'job-graph']
      else if (parts.length === 2 && parts[0] === JOBS && wanted.has(last)) [jobId, kind] = [last, 'job-node']
      else if (parts.length === 2 && parts[0] === LEADER) {
        const id = last.startsWith(JOB_LEADER_PREFIX) ? last.slice(JOB_LEADER_PREFIX.length) : last
        if (wanted.has(id)) [jobId, kind] = [id, 'leader']
      } else if (parts.length === 4 && parts[0] === JOBS && wanted.has(parts[1]) && parts[2] === CHECKPOINTS) [jobId, kind] = [parts[1], 'checkpoint']
      if (!jobId || !kind) continue
      let pointer: string | null = null
      if (kind === 'job-graph' || kind === 'checkpoint') {
        const d = decodeStateHandlePointer(item.data)
        pointer = d.ok ? d.value.path : null
      }
      out.push({jobId, kind, key: item.key, locator: item.locator, children: below(item.key), pointer})
    }
    return out.sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }
}

/** Segments of a path (`/a/b` → 3, as split('/') counts them), without building the array. */
const depth = (locator: string) => {
  let n = 1
  for (let i = locator.indexOf('/'); i >= 0; i = locator.indexOf('/', i + 1)) n++
  return n
}

/**
 * Clusters below the scanned node: a node with Flink's cluster children (leader, jobs, jobgraphs,
 * execution-plans) that is not itself one of the scanned cluster's own nodes. Found when a root is
 * given as a cluster (`--zk-root / --cluster-id flink`); their paths relative to the scanned node.
 */
export function nestedClusters(inv: Inventory): string[] {
  const own = new Set<string>(CLUSTER_CHILDREN)
  const found = new Set<string>()
  for (const item of inv.items) {
    const parts = item.key.split('/')
    if (parts.length < 2 || !own.has(parts[parts.length - 1])) continue
    const node = parts.slice(0, -1)
    if (own.has(node[0])) continue
    // The shallowest: a cluster's own subtree is no further cluster.
    const key = node.join('/')
    if ([...found].some((f) => key.startsWith(`${f}/`))) continue
    for (const f of [...found]) if (f.startsWith(`${key}/`)) found.delete(f)
    found.add(key)
  }
  return [...found].sort()
}

/** A node of the leader subtree (leader/**) or of a legacy 1.15 job master's (jobs/<jobId>/leader/**). */
function isLeaderKey(key: string): boolean {
  if (key === LEADER || key.startsWith(`${LEADER}/`)) return true
  const parts = key.split('/')
  return parts.length >= 3 && parts[0] === JOBS && parts[2] === LEADER
}

/**
 * Sorts in place deepest first, then by path, so children go before their parents (Curator's
 * deletingChildrenIfNeeded); each path's depth is counted once.
 */
function sortDeepestFirst(list: PlannedRemoval[]): PlannedRemoval[] {
  const d = new Map(list.map((r) => [r, depth(r.locator)]))
  return list.sort((a, b) => d.get(b)! - d.get(a)! || (a.locator < b.locator ? -1 : a.locator > b.locator ? 1 : 0))
}

/** A leader slot with nothing known yet: no leader, not alive. Fields in JSON order. */
export function noLeader(slot: Pick<LeaderRecord, 'component' | 'jobId' | 'layout' | 'key' | 'locator' | 'latch' | 'lease'>): LeaderRecord {
  const {component, jobId, layout, key, locator, latch, lease} = slot
  return {component, jobId, layout, key, locator, status: 'no-leader', address: null, sessionId: null, owner: null, since: null, alive: false, evidence: '', latch, lease, problem: null}
}

function zkLeaderRecord(
  inv: Inventory,
  byKey: Map<string, RawItem>,
  component: LeaderComponent,
  jobId: string | null,
  layout: LeaderLayout,
  dir: string,
  latch: LatchRecord | undefined,
): LeaderRecord {
  const key = `${dir}/${CONNECTION_INFO}`
  const item = byKey.get(key)
  const leaderOwner = latch?.contenders[0]?.owner ?? null
  const base = noLeader({
    component,
    jobId,
    layout,
    key,
    locator: item?.locator ?? `${inv.root}/${key}`,
    latch: latch ? {key: latch.key, contenders: latch.contenders.length, leaderOwner} : null,
    lease: null,
  })
  const contenders = latch ? `${latch.contenders.length} latch contender(s)` : 'no latch'
  if (!item) return {...base, evidence: `no ${CONNECTION_INFO} node; ${contenders}`}

  const owner = ephemeralOwner(item)
  const common = {...base, owner, since: item.zk?.ctime ?? null}
  const decoded = decodeLeaderInformation(item.data)
  if (!decoded.ok) {
    return {...common, status: 'undecodable', evidence: `${CONNECTION_INFO} could not be decoded`, problem: `${decoded.error.reason} (at byte ${decoded.error.offset})`}
  }
  if (decoded.value === null) return {...common, evidence: `${CONNECTION_INFO} is empty (leadership revoked); ${contenders}`}

  const {address, sessionId} = decoded.value
  const withInfo = {...common, status: 'leader' as const, address, sessionId}
  // An ephemeral node exists only while its session lives; the holder leads if it also holds the lowest latch node.
  if (!owner) return {...withInfo, evidence: `${CONNECTION_INFO} is not ephemeral: not written by a live JobManager`}
  if (!latch || latch.contenders.length === 0) return {...withInfo, evidence: `session 0x${owner} is alive but holds no latch node`}
  if (leaderOwner !== owner) return {...withInfo, evidence: `session 0x${owner} is alive but the latch leader is session 0x${leaderOwner}`}
  return {...withInfo, alive: true, evidence: `session 0x${owner} is alive and holds the latch (${contenders})`}
}

/** Every `…/latch` node's protected sequential children, ordered as Curator's LeaderLatch orders them. */
function collectLatches(items: RawItem[]): LatchRecord[] {
  const latches = new Map<string, LatchRecord>()
  for (const item of items) {
    const slash = item.key.lastIndexOf('/')
    const parent = item.key.slice(0, slash)
    if (!parent.endsWith(`/${LATCH}`) && parent !== LATCH) continue
    const sequence = latchSequence(item.key.slice(slash + 1))
    if (sequence === undefined) continue
    let latch = latches.get(parent)
    if (!latch) latches.set(parent, (latch = {key: parent, locator: item.locator.slice(0, item.locator.lastIndexOf('/')), contenders: []}))
    latch.contenders.push({node: item.key.slice(slash + 1), sequence, owner: item.zk?.ephemeralOwner ?? '0', since: item.zk?.ctime ?? ''})
  }
  for (const l of latches.values()) l.contenders.sort((a, b) => a.sequence - b.sequence)
  return [...latches.values()].sort((a, b) => byCodeUnit(a.key, b.key))
}
