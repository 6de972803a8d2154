import type {Inventory, RawItem} from '../backends/types.js'
import {decodeLeaderInformation} from '../codec/leader-information.js'

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

export interface LeaderRecord {
  component: LeaderComponent
  jobId: string | null
  layout: LeaderLayout
  /** `connection_info`, relative to the cluster root and absolute. */
  key: string
  locator: string
  status: 'leader' | 'no-leader' | 'undecodable'
  address: string | null
  sessionId: string | null
  /** ZooKeeper session owning `connection_info`, hex; null when there is no node. */
  owner: string | null
  /** When `connection_info` was written (znode ctime). */
  since: string | null
  alive: boolean
  /** Why `alive` is what it is, in words. */
  evidence: string
  latch: {key: string; contenders: number; leaderOwner: string | null} | null
  problem: string | null
}

export interface LeadersReport {
  backend: Inventory['backend']
  clusterId: string
  root: string
  scannedAt: string
  leaders: LeaderRecord[]
  latches: LatchRecord[]
}

const COMPONENTS = ['dispatcher', 'resource_manager', 'rest_server'] as const
const JOB_ID = /^[0-9a-f]{32}$/
const CONNECTION_INFO = 'connection_info'
const LATCH = 'latch'

/** Pure: the leader records of one cluster from its scanned inventory. */
export function leaderRecords(inv: Inventory): LeadersReport {
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
  return {backend: inv.backend, clusterId: inv.clusterId, root: inv.root, scannedAt: inv.scannedAt, leaders, latches}
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
  const base: LeaderRecord = {
    component,
    jobId,
    layout,
    key,
    locator: item?.locator ?? `${inv.root}/${key}`,
    status: 'no-leader',
    address: null,
    sessionId: null,
    owner: null,
    since: null,
    alive: false,
    evidence: '',
    latch: latch ? {key: latch.key, contenders: latch.contenders.length, leaderOwner} : null,
    problem: null,
  }
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
