/**
 * Flink's Kubernetes HA layout as operations ask for it (docs/flink/kubernetes-layout.md): leader
 * records with their leases, the execution-plan and checkpoint entries, what a cleanup removes, what a
 * job leaves behind. Built on the map names, keys and labels of layout.ts and the inventory helpers of
 * inventory.ts. Pure.
 *
 *   <cid>-cluster-config-map (1.15+)       leaders `org.apache.flink.k8s.leader.<component>` (jobs:
 *                                          `<jobId>` 1.15–1.18, `job-<jobId>` 1.19+), plans
 *                                          `jobGraph-<jobId>` (1.x) / `executionPlan-<jobId>` (2.x)
 *   <cid>-<jobId>-config-map (1.15+)       `checkpointID-<%019d>`, `counter`
 *   <cid>-{dispatcher,resourcemanager,restserver}-leader   legacy (≤1.14, 1.15 use-old-ha-services):
 *                                          `address`, `sessionId`; the dispatcher map also `jobGraph-<jobId>`
 *   <cid>-<jobId>-jobmanager-leader        legacy job: leader, checkpoints, counter
 * Labels: app=<cid>, type=flink-native-kubernetes, and up to 1.20 configmap-type=high-availability.
 */
import {fail, ok} from '../../codec/result.js'
import type {CheckpointCounterEntry, HaArtifact, LayoutCleanup, LeaderRecord, LeadersReport, PlannedRemoval, StateHandleEntry, StateHandleInventory, UpgradeLeftover} from '../../model/ha.js'
import {fmt} from '../../model/seconds.js'
import type {HaLayout} from '../layout.js'
import {READ_ALL, type ReadDepth, type ReadNeed, type ReadSpec} from '../read-spec.js'
import type {FleetInventory, FleetScanOptions, Inventory, RawItem} from '../types.js'
import {noLeader} from '../zookeeper/layout.js'
import {compareText} from '../../model/order.js'
import {
  type K8sHaMap,
  type K8sLease,
  type K8sLeaderEntry,
  type K8sStateHandleEntry,
  k8sCheckpointCounters,
  k8sCheckpointEntries,
  k8sExecutionPlanEntries,
  k8sHaMaps,
  k8sLeaderEntries,
  k8sLeases,
} from './inventory.js'
import {CHECKPOINT_KEY_PREFIX, classifyMap, COUNTER_KEY, EXECUTION_PLAN_KEY_PREFIX, JOB_GRAPH_KEY_PREFIX, LEADER_KEY_PREFIX, leaderKeyComponent} from './layout.js'

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, '')

/** The map that holds a cluster's execution plans: the 1.15+ cluster map, else the legacy dispatcher map. */
function planMap(maps: Map<string, K8sHaMap>): K8sHaMap | undefined {
  const all = [...maps.values()]
  return all.find((m) => m.kind.kind === 'cluster') ?? all.find((m) => m.kind.kind === 'legacy-leader' && m.kind.component === 'dispatcher')
}

/** The keys of one job in the map that holds plans and leaders. */
function jobKeys(jobId: string): string[] {
  return [`${JOB_GRAPH_KEY_PREFIX}${jobId}`, `${EXECUTION_PLAN_KEY_PREFIX}${jobId}`, `${LEADER_KEY_PREFIX}${jobId}`, `${LEADER_KEY_PREFIX}job-${jobId}`]
}

/** The job id of a `jobGraph-<jobId>` / `executionPlan-<jobId>` key, or undefined. */
function planKeyJob(key: string): string | undefined {
  for (const prefix of [JOB_GRAPH_KEY_PREFIX, EXECUTION_PLAN_KEY_PREFIX]) {
    const id = key.startsWith(prefix) ? key.slice(prefix.length) : ''
    if (/^[0-9a-f]{32}$/.test(id)) return id
  }
  return undefined
}

const isJobMapOf = (m: K8sHaMap, jobId: string) => (m.kind.kind === 'job' || m.kind.kind === 'legacy-job') && m.kind.jobId === jobId

export class KubernetesLayout implements HaLayout {
  readonly backend = 'kubernetes' as const
  readonly itemNoun = {one: 'item', many: 'items'}

  constructor(private readonly opts: {namespace: string | null}) {}

  get clusterRoot(): string {
    return this.opts.namespace ?? '(namespace of the kubeconfig context)'
  }

  settingNotes(): string[] {
    return []
  }

  /**
   * The API server returns whole maps, so every map is listed; what is left out is the keys a command
   * does not decode: leaders skip plan and checkpoint pointers and counters, one job's state handles
   * read only that job's pointers (the other jobs' plan keys are kept, without data, for their ids).
   * A cleanup reads everything (liveness and the pointed files come from most keys).
   */
  reads(need: ReadNeed): ReadSpec {
    const planKeys = [JOB_GRAPH_KEY_PREFIX, EXECUTION_PLAN_KEY_PREFIX]
    if (need.command === 'leaders')
      return {rules: [...[...planKeys, CHECKPOINT_KEY_PREFIX].map((p): readonly [string, ReadDepth] => [`*/${p}*`, 'skip']), [`*/${COUNTER_KEY}`, 'skip']]}
    if (need.command === 'state-handles' && need.jobs.length > 0) {
      const rules: Array<readonly [string, ReadDepth]> = []
      for (const j of need.jobs) rules.push([`*-${j}-*/**`, 'data'], ...planKeys.map((p) => [`*/${p}${j}`, 'data'] as const))
      rules.push(...planKeys.map((p) => [`*/${p}*`, 'stat'] as const), [`*/${CHECKPOINT_KEY_PREFIX}*`, 'skip'], [`*/${COUNTER_KEY}`, 'skip'], [`*/${LEADER_KEY_PREFIX}*`, 'skip'])
      return {rules}
    }
    if (need.command === 'state-handles') return {rules: [[`*/${LEADER_KEY_PREFIX}*`, 'skip']]}
    return READ_ALL
  }

  fleetScan(): Pick<FleetScanOptions, 'isClusterNode' | 'maxDepth' | 'needsData'> {
    // One list returns every map whole: there is no tree to walk and nothing to leave unread.
    return {isClusterNode: () => false, maxDepth: 0, needsData: () => true}
  }

  /**
   * Groups the maps by namespace and `app` label (Flink labels every map of a cluster `app=<cluster-id>`)
   * and keeps, per group, the maps scan() would keep for that cluster id (Flink's map names, the HA
   * label; never autoscaler maps or maps owned by a Deployment). A group without an HA map is no cluster.
   */
  clusters(fleet: FleetInventory): Inventory[] {
    const groups = new Map<string, {namespace: string; app: string; items: RawItem[]; skipped: Array<{configMap: string; reason: string}>}>()
    const verdicts = new Map<string, boolean>()
    for (const item of fleet.items) {
      const m = item.k8s
      const app = m?.labels.app
      if (!m || app === undefined || app === '') continue
      const id = `${m.namespace}\u0000${app}`
      let g = groups.get(id)
      if (!g) groups.set(id, (g = {namespace: m.namespace, app, items: [], skipped: []}))
      const mapId = `${m.namespace}/${m.configMap}`
      if (m.key === null) {
        const v = classifyMap(app, m.configMap, m.labels, m.ownerReferences)
        verdicts.set(mapId, v.ha)
        if (!v.ha) g.skipped.push({configMap: m.configMap, reason: v.skipped!})
      }
    }
    for (const item of fleet.items) {
      const m = item.k8s
      if (!m || !m.labels.app || !verdicts.get(`${m.namespace}/${m.configMap}`)) continue
      groups.get(`${m.namespace}\u0000${m.labels.app}`)!.items.push(item)
    }
    const out: Inventory[] = []
    for (const g of groups.values()) {
      if (!g.items.some((i) => i.k8s?.key === null)) continue
      g.items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      out.push({
        backend: 'kubernetes',
        clusterId: g.app,
        root: g.namespace,
        scannedAt: fleet.scannedAt,
        items: g.items,
        k8s: {namespace: g.namespace, context: fleet.k8s?.context ?? null, server: fleet.k8s?.server ?? '', skipped: g.skipped},
      })
    }
    return out.sort((a, b) => compareText(a.root, b.root) || compareText(a.clusterId, b.clusterId))
  }

  footprint(inv: Inventory): {items: number; bytes: number; lastChange: string | null} {
    let bytes = 0
    let last: string | null = null
    const later = (t: string | null | undefined) => {
      if (t && !Number.isNaN(Date.parse(t)) && (last === null || Date.parse(t) > Date.parse(last))) last = new Date(Date.parse(t)).toISOString()
    }
    for (const i of inv.items) {
      bytes += i.data.length
      if (i.k8s?.key === null) later(i.k8s.creationTimestamp)
    }
    for (const l of k8sLeases(inv)) later(l.renewTime)
    return {items: inv.items.length, bytes, lastChange: last}
  }

  leaders(inv: Inventory): LeadersReport {
    const leaders = k8sLeaderEntries(inv).map(kubernetesRecord)
    return {backend: inv.backend, clusterId: inv.clusterId, root: inv.root, scannedAt: inv.scannedAt, leaders, latches: [], leases: k8sLeases(inv)}
  }

  watchKeys(inv: Inventory): {items: string[]; children: string[]} {
    // The maps that hold leader keys or a leader lease (item keys are <map> and <map>/<data key>).
    const report = this.leaders(inv)
    const maps = [...report.leaders.map((r) => r.key.split('/')[0]), ...report.leases.map((l) => l.configMap)]
    return {items: [...new Set(maps)], children: []}
  }

  stateHandles(inv: Inventory): StateHandleInventory {
    const ns = inv.k8s?.namespace ?? inv.root
    const maps = k8sHaMaps(inv)
    const holder = planMap(maps)
    const planMapName = holder?.name ?? `${inv.clusterId}-cluster-config-map`
    const entry = (e: K8sStateHandleEntry, store: StateHandleEntry['store']): StateHandleEntry => {
      let checkpointId: number | null = null
      let nameProblem: string | null = null
      if (store === 'checkpoints') {
        if (e.checkpointId === null) nameProblem = `key ${JSON.stringify(e.dataKey)} holds no checkpoint id`
        else if (e.checkpointId > BigInt(Number.MAX_SAFE_INTEGER)) nameProblem = `checkpoint id ${e.checkpointId} is beyond what haadm represents exactly (2^53)`
        else checkpointId = Number(e.checkpointId)
      } else if (e.jobId === null) nameProblem = `key ${JSON.stringify(e.dataKey)} does not end in a job id`
      return {
        store,
        jobId: e.jobId,
        checkpointId,
        name: e.dataKey,
        key: e.key,
        locator: e.locator,
        pointer: e.decoded.ok ? ok(e.decoded.value.pointer) : e.decoded,
        locks: null,
        markedForDeletion: e.decoded.ok && e.decoded.value.markedForDeletion,
        created: null,
        modified: null,
        version: e.resourceVersion,
        nameProblem,
        kubernetes: {configMap: e.configMap, dataKey: e.dataKey, wrapped: e.decoded.ok ? e.decoded.value.wrapped : null},
      }
    }
    const counters: CheckpointCounterEntry[] = k8sCheckpointCounters(inv)
      .filter((c) => c.present)
      .map((c) => ({
        jobId: c.jobId,
        key: c.key,
        locator: c.locator,
        value:
          c.next === null
            ? fail(c.problem ?? 'counter is not a number', 0, 'MALFORMED')
            : c.next > BigInt(Number.MAX_SAFE_INTEGER)
              ? fail(`counter ${c.next} is out of range`, 0, 'LIMIT')
              : ok(Number(c.next)),
        modified: null,
        version: maps.get(c.configMap)?.meta.resourceVersion ?? null,
      }))
    const checkpointJobs = [...new Set([...maps.values()].flatMap((m) => (m.kind.kind === 'job' || m.kind.kind === 'legacy-job' ? [m.kind.jobId] : [])))].sort()
    const plans = k8sExecutionPlanEntries(inv)
    const prefixes = new Set(plans.map((p) => p.kind))
    const versions = prefixes.size === 0 ? '1.x and 2.x' : [...prefixes].map((k) => (k === 'jobGraph' ? '1.x' : '2.x')).join(' and ')
    const notes: string[] = []
    if (prefixes.size > 1) notes.push(`${planMapName} holds both ${JOB_GRAPH_KEY_PREFIX} (Flink 1.x) and ${EXECUTION_PLAN_KEY_PREFIX} (Flink 2.x) keys: an upgrade left the old keys behind`)
    return {
      backend: inv.backend,
      clusterId: inv.clusterId,
      root: inv.root,
      scannedAt: inv.scannedAt,
      planStore: {key: planMapName, locator: `${ns}/${planMapName}`},
      planStores: [{key: planMapName, locator: `${ns}/${planMapName}`, versions, source: holder?.kind.kind === 'legacy-leader' ? 'legacy dispatcher leader map' : 'cluster ConfigMap', exists: holder !== undefined}],
      plans: plans.map((e) => entry(e, 'execution-plans')),
      checkpoints: k8sCheckpointEntries(inv).map((e) => entry(e, 'checkpoints')),
      counters,
      checkpointJobs,
      notes,
    }
  }

  /**
   * A whole cluster is its HA ConfigMaps, deleted whole (each with a uid and resourceVersion
   * precondition) in every layout. The backend's scan already left out autoscaler maps and maps owned by
   * a Deployment; a map whose name does not carry the cluster id is left alone too. One job is its
   * per-job map, plus its execution-plan and leader keys in the cluster map (legacy: the dispatcher map).
   */
  cleanup(inv: Inventory, jobId: string | null): LayoutCleanup {
    const metadata: PlannedRemoval[] = []
    const untouched: LayoutCleanup['untouched'] = []
    const cid = trimSlashes(inv.clusterId)
    const maps = k8sHaMaps(inv)
    const holder = planMap(maps)
    for (const map of maps.values()) {
      const whole = {key: map.item.key, locator: map.item.locator, version: map.meta.resourceVersion, uid: map.meta.uid}
      if (!map.name.includes(cid)) {
        untouched.push({key: map.item.key, why: `its name does not carry the cluster id ${cid}`})
        continue
      }
      const kind = map.kind
      if (!jobId) {
        const what =
          kind.kind === 'cluster'
            ? 'cluster ConfigMap'
            : kind.kind === 'job' || kind.kind === 'legacy-job'
              ? `ConfigMap of job ${kind.jobId}`
              : kind.kind === 'legacy-leader'
                ? `legacy ${kind.component} leader ConfigMap`
                : 'HA ConfigMap'
        metadata.push({...whole, what})
      } else if (isJobMapOf(map, jobId)) {
        metadata.push({...whole, what: `ConfigMap of job ${jobId}`})
      } else if (map === holder || kind.kind === 'cluster') {
        for (const k of jobKeys(jobId)) {
          const entry = map.entries.get(k)
          if (!entry) continue
          metadata.push({key: entry.key, locator: entry.locator, version: map.meta.resourceVersion, what: k.startsWith(LEADER_KEY_PREFIX) ? 'job leader key' : 'execution plan (job graph) pointer'})
        }
      }
    }
    const evidence: string[] = []
    for (const r of this.leaders(inv).leaders) {
      if (jobId && r.jobId !== jobId) continue
      const who = r.jobId ? `job ${r.jobId}` : r.component
      if (r.alive) evidence.push(`${who} has a live leader: ${r.address} (lease holder ${r.owner})`)
      else if (r.status === 'undecodable' && r.lease?.valid) evidence.push(`${who}'s leader entry does not decode (${r.problem}) while the lease on ${r.lease.configMap} is valid: the cluster may be alive`)
    }
    if (!jobId)
      for (const l of k8sLeases(inv))
        if (l.valid)
          evidence.push(
            l.expiryUnknown
              ? `the lease on ${l.configMap} is held by ${l.holderIdentity} and ${l.problem}`
              : `the lease on ${l.configMap} is held by ${l.holderIdentity}, renewed ${l.ageSeconds}s ago, valid until ${l.expiresAt}`,
          )
    return {metadata, parents: [], liveEvidence: [...new Set(evidence)], untouched}
  }

  removalOrder(metadata: PlannedRemoval[]): {beforeFiles: PlannedRemoval[]; afterFiles: PlannedRemoval[]} {
    // No lock nodes to mark entries with: the keys go first (with the map's resourceVersion as
    // precondition), so a crash leaks a file, never leaves a pointer to a missing file.
    return {beforeFiles: metadata, afterFiles: []}
  }

  remaining(inv: Inventory, scope: {jobId: string | null; untouched: string[]}): RawItem[] {
    const maps = k8sHaMaps(inv)
    const under = (key: string, top: string) => key === top || key.startsWith(`${top}/`)
    const keep = (i: RawItem) => !scope.untouched.some((u) => under(i.key, u))
    if (!scope.jobId) return inv.items.filter(keep)
    const jobId = scope.jobId
    const keys = new Set(jobKeys(jobId))
    return inv.items.filter((i) => {
      if (!keep(i) || !i.k8s) return false
      const map = maps.get(i.k8s.configMap)
      if (!map) return false
      if (isJobMapOf(map, jobId)) return true
      return i.k8s.key !== null && keys.has(i.k8s.key)
    })
  }

  jobIds(inv: Inventory): string[] {
    const ids = new Set<string>()
    for (const map of k8sHaMaps(inv).values()) {
      if (map.kind.kind === 'job' || map.kind.kind === 'legacy-job') ids.add(map.kind.jobId)
      for (const key of map.entries.keys()) {
        const id = planKeyJob(key) ?? leaderKeyComponent(key)?.jobId
        if (id) ids.add(id)
      }
    }
    return [...ids].sort()
  }

  planRemoval(inv: Inventory, jobId: string): LayoutCleanup {
    const maps = k8sHaMaps(inv)
    const holder = planMap(maps)
    const metadata: PlannedRemoval[] = []
    for (const map of maps.values()) {
      if (map !== holder && map.kind.kind !== 'cluster') continue
      for (const k of [`${JOB_GRAPH_KEY_PREFIX}${jobId}`, `${EXECUTION_PLAN_KEY_PREFIX}${jobId}`]) {
        const entry = map.entries.get(k)
        if (entry) metadata.push({key: entry.key, locator: entry.locator, version: map.meta.resourceVersion, what: 'execution plan (job graph) pointer'})
      }
    }
    return {metadata, parents: [], liveEvidence: this.cleanup(inv, null).liveEvidence, untouched: []}
  }

  upgradeLeftovers(inv: Inventory): UpgradeLeftover[] {
    const out: UpgradeLeftover[] = []
    for (const map of k8sHaMaps(inv).values()) {
      const keys = [...map.entries.keys()]
      const old = keys.filter((k) => k.startsWith(JOB_GRAPH_KEY_PREFIX) && planKeyJob(k))
      const neu = keys.filter((k) => k.startsWith(EXECUTION_PLAN_KEY_PREFIX) && planKeyJob(k))
      if (old.length > 0 && neu.length > 0)
        out.push({
          kind: 'plan-stores',
          jobId: null,
          locators: [...old, ...neu].map((k) => map.entries.get(k)!.locator),
          message: `${map.name} holds ${old.length} ${JOB_GRAPH_KEY_PREFIX} key(s) (Flink 1.x) and ${neu.length} ${EXECUTION_PLAN_KEY_PREFIX} key(s) (2.x): Flink reads only the keys of its own version, so the others are never recovered and never cleaned up`,
        })
      for (const k of keys) {
        const c = leaderKeyComponent(k)
        if (!c || c.layout !== '1.15-1.18') continue
        const newer = `${LEADER_KEY_PREFIX}job-${c.jobId}`
        if (!map.entries.has(newer)) continue
        out.push({
          kind: 'job-leader-names',
          jobId: c.jobId,
          locators: [map.entries.get(k)!.locator, map.entries.get(newer)!.locator],
          message: `job ${c.jobId} has a leader key under both ${k} (Flink 1.15–1.18) and ${newer} (1.19+) in ${map.name}: the version that runs now neither reads nor removes the other one`,
        })
      }
    }
    return out
  }

  jobArtifacts(inv: Inventory, jobIds: string[]): HaArtifact[] {
    const out: HaArtifact[] = []
    const maps = k8sHaMaps(inv)
    for (const jobId of jobIds) {
      for (const map of maps.values()) {
        if (isJobMapOf(map, jobId)) {
          out.push({jobId, kind: 'job-node', key: map.item.key, locator: map.item.locator, children: map.entries.size, pointer: null})
          continue
        }
        for (const k of jobKeys(jobId)) {
          const item = map.entries.get(k)
          if (!item) continue
          out.push({jobId, kind: k.startsWith(LEADER_KEY_PREFIX) ? 'leader' : 'job-graph', key: item.key, locator: item.locator, children: 0, pointer: null})
        }
      }
    }
    const pointers = new Map<string, string | null>()
    for (const e of [...k8sExecutionPlanEntries(inv), ...k8sCheckpointEntries(inv)]) pointers.set(e.key, e.decoded.ok ? e.decoded.value.pointer.path : null)
    for (const e of k8sCheckpointEntries(inv))
      if (e.jobId !== null && jobIds.includes(e.jobId)) out.push({jobId: e.jobId, kind: 'checkpoint', key: e.key, locator: e.locator, children: 0, pointer: null})
    for (const a of out) if (a.kind === 'job-graph' || a.kind === 'checkpoint') a.pointer = pointers.get(a.key) ?? null
    return out.sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }
}

function kubernetesRecord(e: K8sLeaderEntry): LeaderRecord {
  const base = noLeader({component: e.component, jobId: e.jobId, layout: e.layout, key: e.key, locator: e.locator, latch: null, lease: e.lease})
  const lease = leaseEvidence(e.configMap, e.lease)
  if (!e.present) return {...base, evidence: `no key ${e.key} (no leader published); ${lease}`}
  const held = {...base, owner: e.lease?.holderIdentity ?? null, since: e.lease?.acquireTime ?? null}
  if (e.problem) return {...held, status: 'undecodable', evidence: `${e.key} could not be decoded`, problem: e.problem}
  if (!e.leader) return {...held, evidence: `${e.key} is empty (leadership revoked); ${lease}`}
  return {...held, status: 'leader', address: e.leader.address, sessionId: e.leader.sessionId, alive: e.lease?.valid ?? false, evidence: lease}
}

function leaseEvidence(configMap: string, l: K8sLease | null): string {
  if (!l) return `no leader annotation on ${configMap}: no JobManager holds its lease`
  if (l.problem && !l.valid) return `lease on ${configMap}: ${l.problem}`
  if (!l.holderIdentity) return `lease on ${configMap} released (no holder)`
  if (l.valid && l.expiryUnknown) return `lease on ${configMap} held by ${l.holderIdentity}: ${l.problem}`
  const d = l.leaseDurationSeconds ?? 0
  const age = l.ageSeconds ?? 0
  if (l.valid) return `lease on ${configMap} held by ${l.holderIdentity}, renewed ${fmt(age)} ago, valid ${fmt(d - age)} more (duration ${fmt(d)})`
  return `lease on ${configMap} held by ${l.holderIdentity} expired ${fmt(age - d)} ago (renewed ${fmt(age)} ago, duration ${fmt(d)})`
}
