/**
 * Inventory-level helpers for a Kubernetes scan: pure functions from an Inventory (one RawItem per
 * ConfigMap and per key) to Flink's things — leader entries with their lease, job graph / execution
 * plan entries, checkpoint entries, checkpoint counters — for the record builders in src/ops. No
 * I/O, no client library.
 */
import {type KubernetesStateHandle, decodeKubernetesStateHandleValue} from '../../codec/delete-marker.js'
import type {DecodeResult} from '../../codec/result.js'
import type {K8sLease, LeaderLayout} from '../../model/ha.js'
import {byCodeUnit, compareText} from '../../model/order.js'
import type {Inventory, K8sMapMeta, RawItem} from '../types.js'
import {
  CHECKPOINT_KEY_PREFIX,
  COUNTER_KEY,
  EXECUTION_PLAN_KEY_PREFIX,
  type HaMapKind,
  JOB_GRAPH_KEY_PREFIX,
  LEADER_ANNOTATION,
  LEGACY_ADDRESS_KEY,
  LEGACY_SESSION_ID_KEY,
  type LeaderKeyComponent,
  checkpointIdOf,
  haMapKind,
  leaderKeyComponent,
  parseLeaderAnnotation,
  parseLeaderValue,
  parseLegacyLeader,
} from './layout.js'

const text = new TextDecoder()

/** One HA ConfigMap of the inventory with its entries by key. */
export interface K8sHaMap {
  name: string
  kind: HaMapKind
  meta: K8sMapMeta
  item: RawItem
  entries: Map<string, RawItem>
}

/** The HA maps of a Kubernetes inventory, by name. Maps that are not HA data never reach an inventory. */
export function k8sHaMaps(inv: Inventory): Map<string, K8sHaMap> {
  const maps = new Map<string, K8sHaMap>()
  for (const item of inv.items) {
    if (!item.k8s || item.k8s.key !== null) continue
    const kind = haMapKind(inv.clusterId, item.k8s.configMap) ?? {kind: 'other-ha' as const}
    maps.set(item.k8s.configMap, {name: item.k8s.configMap, kind, meta: item.k8s, item, entries: new Map()})
  }
  for (const item of inv.items) {
    if (!item.k8s || item.k8s.key === null) continue
    maps.get(item.k8s.configMap)?.entries.set(item.k8s.key, item)
  }
  return maps
}

export const valueOf = (item: RawItem | undefined): string | undefined => (item ? text.decode(item.data) : undefined)

export type {K8sLease} from '../../model/ha.js'

/** The fabric8 leader lease of a map (its leader annotation), judged at `now`. */
export function k8sLease(map: K8sHaMap, now: string): K8sLease | null {
  const annotation = map.meta.annotations[LEADER_ANNOTATION]
  if (annotation === undefined) return null
  const base: K8sLease = {
    configMap: map.name,
    holderIdentity: null,
    leaseDurationSeconds: null,
    acquireTime: null,
    renewTime: null,
    leaderTransitions: null,
    ageSeconds: null,
    expiresAt: null,
    valid: false,
    problem: null,
  }
  const parsed = parseLeaderAnnotation(annotation)
  if (!parsed.ok) return {...base, problem: parsed.reason}
  const r = parsed.value
  const nowMs = Date.parse(now)
  const renewMs = r.renewTime ? Date.parse(r.renewTime) : NaN
  const ageSeconds = Number.isNaN(renewMs) ? null : Math.round((nowMs - renewMs) / 100) / 10
  const expiresMs = !Number.isNaN(renewMs) && r.leaseDurationSeconds !== null ? renewMs + r.leaseDurationSeconds * 1000 : NaN
  const held = r.holderIdentity !== null
  const unknown = held && Number.isNaN(expiresMs)
  // fabric8's resourcelock/LeaderElectionRecord.java (5.5.0-7.3.1) requires these three (Objects.requireNonNull in its
  // @JsonCreator): without one ConfigMapLock reads no record (docs/flink-source-checks.md §4).
  const missing = [r.leaseDurationSeconds === null && 'leaseDuration', r.acquireTime === null && 'acquireTime', r.renewTime === null && 'renewTime'].filter((m): m is string => m !== false)
  return {
    ...base,
    ...r,
    ageSeconds,
    expiresAt: Number.isNaN(expiresMs) ? null : new Date(expiresMs).toISOString(),
    valid: held && (unknown || expiresMs > nowMs),
    ...(unknown ? {expiryUnknown: true} : {}),
    ...(missing.length > 0 ? {blocksElection: true} : {}),
    problem:
      missing.length > 0
        ? `${LEADER_ANNOTATION} lacks a valid ${missing.join(', ')}: fabric8 cannot read the record, so no JobManager can take leadership until it is fixed or the map is removed${unknown ? '; its expiry is unknown, so it counts as held (live)' : ''}`
        : null,
  }
}

/** Every lease of the inventory, by map name order. */
export function k8sLeases(inv: Inventory): K8sLease[] {
  const out: K8sLease[] = []
  for (const m of k8sHaMaps(inv).values()) {
    const l = k8sLease(m, inv.scannedAt)
    if (l) out.push(l)
  }
  return out.sort((a, b) => byCodeUnit(a.configMap, b.configMap))
}

/** One leader record's raw material: where it is, what it says, and the lease that says whether it lives. */
export interface K8sLeaderEntry {
  component: LeaderKeyComponent['component']
  jobId: string | null
  layout: LeaderLayout
  configMap: string
  /** `<configmap>/<key>`; for the legacy layout the `address` key. */
  key: string
  locator: string
  /** The entry exists (for the legacy layout: the map does). */
  present: boolean
  leader: {sessionId: string; address: string} | null
  problem: string | null
  lease: K8sLease | null
}

const CLUSTER_COMPONENTS = [
  {component: 'dispatcher', legacy: 'dispatcher', id: 'dispatcher'},
  {component: 'resource_manager', legacy: 'resourcemanager', id: 'resourcemanager'},
  {component: 'rest_server', legacy: 'restserver', id: 'restserver'},
] as const

/**
 * The leader entries of a cluster: always the three cluster components (from the 1.15+ cluster
 * map, or from their legacy maps when only those exist), then every job master found, by job id.
 */
export function k8sLeaderEntries(inv: Inventory): K8sLeaderEntry[] {
  const maps = k8sHaMaps(inv)
  const ns = inv.k8s?.namespace ?? inv.root
  const clusterMapName = `${inv.clusterId}-cluster-config-map`
  const clusterMap = maps.get(clusterMapName)
  const clusterLease = clusterMap ? k8sLease(clusterMap, inv.scannedAt) : null
  const out: K8sLeaderEntry[] = []

  const fromKey = (c: {component: K8sLeaderEntry['component']; jobId: string | null; layout: K8sLeaderEntry['layout']}, dataKey: string): K8sLeaderEntry => {
    const item = clusterMap?.entries.get(dataKey)
    const base = {...c, configMap: clusterMapName, key: `${clusterMapName}/${dataKey}`, locator: `${ns}/${clusterMapName}/${dataKey}`, lease: clusterLease}
    if (!item) return {...base, present: false, leader: null, problem: null}
    const parsed = parseLeaderValue(valueOf(item)!)
    return parsed.ok
      ? {...base, present: true, leader: {sessionId: parsed.sessionId, address: parsed.address}, problem: null}
      : {...base, present: true, leader: null, problem: parsed.reason}
  }
  const fromLegacy = (c: {component: K8sLeaderEntry['component']; jobId: string | null}, map: K8sHaMap): K8sLeaderEntry => {
    const base = {
      ...c,
      layout: 'legacy-1.15' as const,
      configMap: map.name,
      key: `${map.name}/${LEGACY_ADDRESS_KEY}`,
      locator: `${ns}/${map.name}/${LEGACY_ADDRESS_KEY}`,
      present: true,
      lease: k8sLease(map, inv.scannedAt),
    }
    const parsed = parseLegacyLeader(valueOf(map.entries.get(LEGACY_ADDRESS_KEY)), valueOf(map.entries.get(LEGACY_SESSION_ID_KEY)))
    return parsed.ok ? {...base, leader: parsed.value, problem: null} : {...base, leader: null, problem: parsed.reason}
  }

  // Only legacy maps (≤1.14, use-old-ha-services): a component without its map has no leader, in that layout.
  const legacyOnly = !clusterMap && [...maps.values()].some((m) => m.kind.kind === 'legacy-leader' || m.kind.kind === 'legacy-job')
  for (const c of CLUSTER_COMPONENTS) {
    const name = `${inv.clusterId}-${c.legacy}-leader`
    const legacy = maps.get(name)
    if (legacy && !clusterMap) out.push(fromLegacy({component: c.component, jobId: null}, legacy))
    else if (legacyOnly)
      out.push({
        component: c.component,
        jobId: null,
        layout: 'legacy-1.15',
        configMap: name,
        key: `${name}/${LEGACY_ADDRESS_KEY}`,
        locator: `${ns}/${name}/${LEGACY_ADDRESS_KEY}`,
        present: false,
        leader: null,
        problem: null,
        lease: null,
      })
    else out.push(fromKey({component: c.component, jobId: null, layout: '1.15+'}, `org.apache.flink.k8s.leader.${c.id}`))
  }

  const jobs: K8sLeaderEntry[] = []
  if (clusterMap) {
    for (const key of clusterMap.entries.keys()) {
      const c = leaderKeyComponent(key)
      if (c?.component === 'job_master') jobs.push(fromKey(c, key))
    }
  }
  for (const m of maps.values()) if (m.kind.kind === 'legacy-job') jobs.push(fromLegacy({component: 'job_master', jobId: m.kind.jobId}, m))
  jobs.sort((a, b) => byCodeUnit(a.jobId!, b.jobId!) || a.layout.localeCompare(b.layout))
  return [...out, ...jobs]
}

/** A `jobGraph-`, `executionPlan-` or `checkpointID-` entry, decoded. */
export interface K8sStateHandleEntry {
  kind: 'jobGraph' | 'executionPlan' | 'checkpoint'
  jobId: string | null
  /** Checkpoint entries only; null when the key does not parse (Flink: INVALID_CHECKPOINT_ID). */
  checkpointId: bigint | null
  configMap: string
  key: string
  dataKey: string
  locator: string
  /** The map's resourceVersion at scan time. */
  resourceVersion: string
  /** `decoded.value.markedForDeletion`: Flink treats the entry as deleted. */
  decoded: DecodeResult<KubernetesStateHandle>
}

function stateHandleEntry(map: K8sHaMap, item: RawItem, kind: K8sStateHandleEntry['kind'], jobId: string | null, checkpointId: bigint | null): K8sStateHandleEntry {
  return {
    kind,
    jobId,
    checkpointId,
    configMap: map.name,
    key: item.key,
    dataKey: item.k8s!.key!,
    locator: item.locator,
    resourceVersion: map.meta.resourceVersion,
    decoded: decodeKubernetesStateHandleValue(valueOf(item)!),
  }
}

/** Job graph (1.x) and execution plan (2.x) entries of the cluster map (legacy: the dispatcher map). */
export function k8sExecutionPlanEntries(inv: Inventory): K8sStateHandleEntry[] {
  const out: K8sStateHandleEntry[] = []
  for (const m of k8sHaMaps(inv).values()) {
    if (m.kind.kind !== 'cluster' && !(m.kind.kind === 'legacy-leader' && m.kind.component === 'dispatcher')) continue
    for (const [k, item] of m.entries) {
      const prefix = k.startsWith(JOB_GRAPH_KEY_PREFIX) ? JOB_GRAPH_KEY_PREFIX : k.startsWith(EXECUTION_PLAN_KEY_PREFIX) ? EXECUTION_PLAN_KEY_PREFIX : undefined
      if (!prefix) continue
      const id = k.slice(prefix.length)
      out.push(stateHandleEntry(m, item, prefix === JOB_GRAPH_KEY_PREFIX ? 'jobGraph' : 'executionPlan', /^[0-9a-f]{32}$/.test(id) ? id : null, null))
    }
  }
  return out.sort((a, b) => compareText(a.key, b.key))
}

/** Checkpoint entries of the per-job maps (legacy: `-jobmanager-leader` maps), optionally of one job; by job, then id. */
export function k8sCheckpointEntries(inv: Inventory, jobId?: string): K8sStateHandleEntry[] {
  const out: K8sStateHandleEntry[] = []
  for (const m of k8sHaMaps(inv).values()) {
    if (m.kind.kind !== 'job' && m.kind.kind !== 'legacy-job') continue
    if (jobId !== undefined && m.kind.jobId !== jobId) continue
    for (const [k, item] of m.entries) {
      if (!k.startsWith(CHECKPOINT_KEY_PREFIX)) continue
      out.push(stateHandleEntry(m, item, 'checkpoint', m.kind.jobId, checkpointIdOf(k) ?? null))
    }
  }
  return out.sort((a, b) => compareText(a.jobId ?? '', b.jobId ?? '') || cmpBig(a.checkpointId, b.checkpointId) || compareText(a.key, b.key))
}

const cmpBig = (a: bigint | null, b: bigint | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1)

/** The checkpoint counter of each per-job map: the next checkpoint id; an absent key means 1. */
export interface K8sCheckpointCounter {
  jobId: string
  configMap: string
  key: string
  locator: string
  /** The `counter` key exists. */
  present: boolean
  /** The next checkpoint id Flink will use; 1 when absent; null when the value is not a number. */
  next: bigint | null
  problem: string | null
}

export function k8sCheckpointCounters(inv: Inventory): K8sCheckpointCounter[] {
  const out: K8sCheckpointCounter[] = []
  const ns = inv.k8s?.namespace ?? inv.root
  for (const m of k8sHaMaps(inv).values()) {
    if (m.kind.kind !== 'job' && m.kind.kind !== 'legacy-job') continue
    const item = m.entries.get(COUNTER_KEY)
    const base = {jobId: m.kind.jobId, configMap: m.name, key: `${m.name}/${COUNTER_KEY}`, locator: `${ns}/${m.name}/${COUNTER_KEY}`}
    if (!item) {
      out.push({...base, present: false, next: 1n, problem: null})
      continue
    }
    const v = valueOf(item)!
    out.push(
      /^\d{1,19}$/.test(v)
        ? {...base, present: true, next: BigInt(v), problem: null}
        : {...base, present: true, next: null, problem: `counter ${JSON.stringify(v.slice(0, 40))} is not a decimal number`},
    )
  }
  return out.sort((a, b) => byCodeUnit(a.jobId, b.jobId))
}
