import {type K8sLease, type K8sLeaderEntry, k8sLeaderEntries, k8sLeases} from '../backends/kubernetes/inventory.js'
import type {Inventory, RawItem} from '../backends/types.js'
import {decodeLeaderInformation} from '../codec/leader-information.js'

export type {K8sLease} from '../backends/kubernetes/inventory.js'

export type LeaderComponent = 'dispatcher' | 'resource_manager' | 'rest_server' | 'job_master'

/** Which Flink versions write a leader node at this place. */
export type LeaderLayout = '1.15+' | '1.15-1.17' | '1.18+' | 'legacy-1.15'

export interface LatchContender {
  /** `_c_<uuid>-latch-<seq>` */
  node: string
  sequence: number
  /** ZooKeeper session holding the latch node, hex. */
  owner: string
  since: string
}

export interface LatchRecord {
  /** Path relative to the cluster root (`leader/latch`). */
  key: string
  locator: string
  /** Ordered by sequence: the first one holds leadership (Curator LeaderLatch). */
  contenders: LatchContender[]
}

/**
 * The same record on every backend; the backend shows in key, locator, owner, since, evidence,
 * and in latch (ZooKeeper) or lease (Kubernetes), the other one being null.
 */
export interface LeaderRecord {
  component: LeaderComponent
  jobId: string | null
  layout: LeaderLayout
  /**
   * ZooKeeper: `connection_info`, relative to the cluster root, and absolute. Kubernetes:
   * `<configmap>/<key>` and `<namespace>/<configmap>/<key>` (legacy layout: the `address` key).
   */
  key: string
  locator: string
  status: 'leader' | 'no-leader' | 'undecodable'
  address: string | null
  sessionId: string | null
  /**
   * ZooKeeper: session owning `connection_info`, hex; null when there is no node. Kubernetes: the
   * lease's holderIdentity (one UUID per JobManager process); null without a leader entry.
   */
  owner: string | null
  /** ZooKeeper: when `connection_info` was written (znode ctime). Kubernetes: the lease's acquireTime. */
  since: string | null
  alive: boolean
  /** Why `alive` is what it is, in words. */
  evidence: string
  latch: {key: string; contenders: number; leaderOwner: string | null} | null
  /** Kubernetes: the leader lease (annotation) of the map holding the record; null on ZooKeeper. */
  lease: K8sLease | null
  problem: string | null
}

export interface LeadersReport {
  backend: Inventory['backend']
  clusterId: string
  root: string
  scannedAt: string
  leaders: LeaderRecord[]
  /** ZooKeeper's leader latches; empty on Kubernetes. */
  latches: LatchRecord[]
  /** Kubernetes' leader leases, one per leader map; empty on ZooKeeper. */
  leases: K8sLease[]
}

const COMPONENTS = ['dispatcher', 'resource_manager', 'rest_server'] as const
const JOB_ID = /^[0-9a-f]{32}$/
const CONNECTION_INFO = 'connection_info'
const LATCH = 'latch'

/** Pure: the leader records of one cluster from its scanned inventory, whichever backend scanned it. */
export function leaderRecords(inv: Inventory): LeadersReport {
  return inv.backend === 'kubernetes' ? kubernetesLeaderRecords(inv) : zookeeperLeaderRecords(inv)
}

function zookeeperLeaderRecords(inv: Inventory): LeadersReport {
  const byKey = new Map(inv.items.map((i) => [i.key, i]))
  const latches = collectLatches(inv.items)
  const latchByKey = new Map(latches.map((l) => [l.key, l]))
  const sharedLatch = latchByKey.get('leader/latch')
  const leaders: LeaderRecord[] = []

  for (const component of COMPONENTS) {
    const dir = `leader/${component}`
    const ownLatch = latchByKey.get(`${dir}/latch`)
    const layout: LeaderLayout = ownLatch ? 'legacy-1.15' : '1.15+'
    leaders.push(record(inv, byKey, component, null, layout, dir, ownLatch ?? sharedLatch))
  }

  const jobs: Array<{jobId: string; layout: LeaderLayout; dir: string}> = []
  for (const item of inv.items) {
    const parts = item.key.split('/')
    if (parts.length !== 2) continue
    const [top, name] = parts
    if (top === 'leader' && JOB_ID.test(name)) jobs.push({jobId: name, layout: '1.15-1.17', dir: item.key})
    else if (top === 'leader' && name.startsWith('job-') && JOB_ID.test(name.slice(4)))
      jobs.push({jobId: name.slice(4), layout: '1.18+', dir: item.key})
    else if (top === 'jobs' && JOB_ID.test(name) && byKey.has(`${item.key}/leader`))
      jobs.push({jobId: name, layout: 'legacy-1.15', dir: `${item.key}/leader`})
  }
  jobs.sort((a, b) => a.jobId.localeCompare(b.jobId) || a.layout.localeCompare(b.layout))
  for (const j of jobs) {
    const latch = j.layout === 'legacy-1.15' ? latchByKey.get(`${j.dir}/latch`) : sharedLatch
    leaders.push(record(inv, byKey, 'job_master', j.jobId, j.layout, j.dir, latch))
  }
  return {backend: inv.backend, clusterId: inv.clusterId, root: inv.root, scannedAt: inv.scannedAt, leaders, latches, leases: []}
}

/** Kubernetes: a record is alive while it holds leader information and its map's lease is valid. */
function kubernetesLeaderRecords(inv: Inventory): LeadersReport {
  const leaders = k8sLeaderEntries(inv).map(kubernetesRecord)
  return {backend: inv.backend, clusterId: inv.clusterId, root: inv.root, scannedAt: inv.scannedAt, leaders, latches: [], leases: k8sLeases(inv)}
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

/** A leader slot (ZooKeeper node or Kubernetes key) with nothing known yet: no leader, not alive. Fields in JSON order. */
function noLeader(slot: Pick<LeaderRecord, 'component' | 'jobId' | 'layout' | 'key' | 'locator' | 'latch' | 'lease'>): LeaderRecord {
  const {component, jobId, layout, key, locator, latch, lease} = slot
  return {component, jobId, layout, key, locator, status: 'no-leader', address: null, sessionId: null, owner: null, since: null, alive: false, evidence: '', latch, lease, problem: null}
}

function leaseEvidence(configMap: string, l: K8sLease | null): string {
  if (!l) return `no leader annotation on ${configMap}: no JobManager holds its lease`
  if (l.problem && !l.valid) return `lease on ${configMap}: ${l.problem}`
  if (!l.holderIdentity) return `lease on ${configMap} released (no holder)`
  const d = l.leaseDurationSeconds ?? 0
  const age = l.ageSeconds ?? 0
  if (l.valid) return `lease on ${configMap} held by ${l.holderIdentity}, renewed ${fmt(age)} ago, valid ${fmt(d - age)} more (duration ${fmt(d)})`
  return `lease on ${configMap} held by ${l.holderIdentity} expired ${fmt(age - d)} ago (renewed ${fmt(age)} ago, duration ${fmt(d)})`
}

/** Seconds as a short duration: 4.2s, 3m 5s, 2h 1m, 3d 4h. */
export function fmt(seconds: number): string {
  const s = Math.max(0, seconds)
  if (s < 120) return `${Math.round(s * 10) / 10}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${Math.floor(s % 60)}s`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

function record(
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

  const owner = item.zk && item.zk.ephemeralOwner !== '0' ? item.zk.ephemeralOwner : null
  const common = {...base, owner, since: item.zk?.ctime ?? null}
  const decoded = decodeLeaderInformation(item.data)
  if (!decoded.ok) {
    return {
      ...common,
      status: 'undecodable',
      evidence: `${CONNECTION_INFO} could not be decoded`,
      problem: `${decoded.error.reason} (at byte ${decoded.error.offset})`,
    }
  }
  if (decoded.value === null) return {...common, evidence: `${CONNECTION_INFO} is empty (leadership revoked); ${contenders}`}

  const {address, sessionId} = decoded.value
  const withInfo = {...common, status: 'leader' as const, address, sessionId}
  // An ephemeral node exists only while its session lives; the holder leads if it also holds the lowest latch node.
  if (!owner) return {...withInfo, evidence: `${CONNECTION_INFO} is not ephemeral: not written by a live JobManager`}
  if (!latch || latch.contenders.length === 0)
    return {...withInfo, evidence: `session 0x${owner} is alive but holds no latch node`}
  if (leaderOwner !== owner)
    return {...withInfo, evidence: `session 0x${owner} is alive but the latch leader is session 0x${leaderOwner}`}
  return {...withInfo, alive: true, evidence: `session 0x${owner} is alive and holds the latch (${contenders})`}
}

/** Every `…/latch` node's protected sequential children, ordered as Curator's LeaderLatch orders them. */
function collectLatches(items: RawItem[]): LatchRecord[] {
  const latches = new Map<string, LatchRecord>()
  for (const item of items) {
    const slash = item.key.lastIndexOf('/')
    const parentKey = item.key.slice(0, slash)
    if (!parentKey.endsWith(`/${LATCH}`) && parentKey !== LATCH) continue
    const sequence = latchSequence(item.key.slice(slash + 1))
    if (sequence === undefined) continue
    let latch = latches.get(parentKey)
    if (!latch) {
      latch = {key: parentKey, locator: item.locator.slice(0, item.locator.lastIndexOf('/')), contenders: []}
      latches.set(parentKey, latch)
    }
    latch.contenders.push({
      node: item.key.slice(slash + 1),
      sequence,
      owner: item.zk?.ephemeralOwner ?? '0',
      since: item.zk?.ctime ?? '',
    })
  }
  for (const l of latches.values()) l.contenders.sort((a, b) => a.sequence - b.sequence)
  return [...latches.values()].sort((a, b) => a.key.localeCompare(b.key))
}

/** Curator sorts latch nodes by what follows `latch-` (`StandardLockInternalsDriver.fixForSorting`). */
export function latchSequence(name: string): number | undefined {
  const m = /latch-(\d+)$/.exec(name)
  return m ? Number(m[1]) : undefined
}
