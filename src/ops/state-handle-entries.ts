/**
 * The backend-neutral view of Flink's two state-handle stores (execution plans / job graphs, and
 * completed checkpoints) and the checkpoint id counters: what the record builders in plans.ts and
 * checkpoints.ts work on. Each backend maps its raw inventory onto these entries with one function:
 * zkStateHandleInventory (znodes, lock children, "no children" as the deletion marker) and
 * k8sStateHandleInventory (ConfigMap keys `jobGraph-<jobId>` / `executionPlan-<jobId>`,
 * `checkpointID-<%019d>` and `counter`; no locks; the StateHandleWithDeleteMarker flag).
 */
import {type K8sStateHandleEntry, k8sCheckpointCounters, k8sCheckpointEntries, k8sExecutionPlanEntries, k8sHaMaps} from '../backends/kubernetes/inventory.js'
import type {Inventory, RawItem} from '../backends/types.js'
import {checkpointIdFromName, decodeCheckpointIdCounter} from '../codec/checkpoint-id.js'
import {isJobIdText} from '../codec/job-id.js'
import {type DecodeResult, fail, ok} from '../codec/result.js'
import {type StateHandlePointer, decodeStateHandlePointer} from '../codec/state-handle.js'
import type {BackendKind} from '../config/target.js'

/** One lock on an entry: ZooKeeper's `locks/<lockId>` child, EPHEMERAL, owned by the locking JobManager's session. */
export interface LockHolder {
  /** The locking store instance's lock node name (a UUID in Flink). */
  lockId: string
  /** Owning session, hex without 0x; null when the lock node is not ephemeral (not written by Flink). */
  owner: string | null
  /** An ephemeral node exists only while its session lives: true for every ephemeral lock seen by the scan. */
  alive: boolean
  /** When the lock was taken (ctime). */
  since: string | null
  locator: string
}

/** One entry of a state-handle store, as any backend keeps it. */
export interface StateHandleEntry {
  store: 'execution-plans' | 'checkpoints'
  /** The job: the entry name for plans, the owning job for checkpoints. Null when the name is not a job id. */
  jobId: string | null
  /** Checkpoints: the id parsed from the entry name; null when Flink could not parse it either. */
  checkpointId: number | null
  /** Entry name: znode name, or ConfigMap key. */
  name: string
  /** Path relative to the cluster root (ZooKeeper), or `<configmap>/<key>`. */
  key: string
  /** Absolute location in the store. */
  locator: string
  /** The state handle the entry holds (the pointer to the file), or why it does not decode. */
  pointer: DecodeResult<StateHandlePointer>
  /** Lock holders; null when the backend has no lock nodes (Kubernetes). */
  locks: LockHolder[] | null
  /** ZooKeeper: the entry has no children (its `locks` node was deleted); Kubernetes: the delete marker is set. */
  markedForDeletion: boolean
  created: string | null
  modified: string | null
  /** ZooKeeper data version, or ConfigMap resourceVersion. */
  version: number | string | null
  /** Why the entry's name was not understood (not a job id, not a checkpoint id); null otherwise. */
  nameProblem: string | null
  /** Kubernetes only: the map and data key, and whether the delete-marker wrapper was there (false: the bare handle of Flink ≤1.14; null: undecodable). */
  kubernetes?: {configMap: string; dataKey: string; wrapped: boolean | null}
}

/** A checkpoint id counter that exists: the next id Flink hands out for the job. */
export interface CheckpointCounterEntry {
  jobId: string
  key: string
  locator: string
  /** ZooKeeper SharedCount bytes or the Kubernetes decimal string, decoded. */
  value: DecodeResult<number>
  modified: string | null
  version: number | string | null
}

export interface StateHandleInventory {
  backend: BackendKind
  clusterId: string
  root: string
  scannedAt: string
  /** Where execution plans live: `jobgraphs` (relative) and its absolute locator. */
  planStore: {key: string; locator: string}
  plans: StateHandleEntry[]
  checkpoints: StateHandleEntry[]
  counters: CheckpointCounterEntry[]
  /** Jobs the checkpoint side knows (ZooKeeper: a `jobs/<jobId>` node), even without checkpoints or counter. */
  checkpointJobs: string[]
}

const LOCKS = 'locks'
const JOBS = 'jobs'
const CHECKPOINTS = 'checkpoints'
const COUNTER = 'checkpoint_id_counter'

function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, '')
}

function parentKey(key: string): string {
  const i = key.lastIndexOf('/')
  return i < 0 ? '' : key.slice(0, i)
}

function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1)
}

/**
 * ZooKeeper: `<jobgraphs>/<jobId>`, `jobs/<jobId>/checkpoints/<%019d>` with their `locks/<uuid>`
 * children, and `jobs/<jobId>/checkpoint_id_counter` (zookeeper-layout.md §2, §4–§6).
 * `jobGraphsPath` is high-availability.zookeeper.path.jobgraphs (default `/jobgraphs`).
 */
export function zkStateHandleInventory(inv: Inventory, jobGraphsPath: string): StateHandleInventory {
  const planDir = trimSlashes(jobGraphsPath)
  const children = new Map<string, RawItem[]>()
  for (const item of inv.items) {
    const parent = parentKey(item.key)
    let list = children.get(parent)
    if (!list) children.set(parent, (list = []))
    list.push(item)
  }
  const childrenOf = (key: string) => children.get(key) ?? []

  const entry = (item: RawItem, store: StateHandleEntry['store'], jobId: string | null, checkpointId: number | null, nameProblem: string | null): StateHandleEntry => {
    const locksNode = childrenOf(item.key).find((c) => baseName(c.key) === LOCKS)
    // 1.15+: locks/<lockId>. Before 1.15 the lock was the entry's own child <lockId>, with no locks node.
    const lockItems = locksNode ? childrenOf(locksNode.key) : childrenOf(item.key)
    const locks: LockHolder[] = lockItems.map((l) => {
      const owner = l.zk && l.zk.ephemeralOwner !== '0' ? l.zk.ephemeralOwner : null
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
  if (planDir !== '') {
    for (const item of childrenOf(planDir)) {
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
        counters.push({
          jobId,
          key: child.key,
          locator: child.locator,
          value: decodeCheckpointIdCounter(child.data),
          modified: child.zk?.mtime ?? null,
          version: child.zk?.version ?? null,
        })
      } else if (name === CHECKPOINTS) {
        for (const cp of childrenOf(child.key)) {
          const id = checkpointIdFromName(baseName(cp.key))
          checkpoints.push(entry(cp, 'checkpoints', jobId, id.ok ? id.value : null, id.ok ? null : id.error.reason))
        }
      }
    }
  }

  const byName = (a: StateHandleEntry, b: StateHandleEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  return {
    backend: inv.backend,
    clusterId: inv.clusterId,
    root: inv.root,
    scannedAt: inv.scannedAt,
    planStore: {key: planDir, locator: planDir === '' ? inv.root : `${inv.root}/${planDir}`},
    plans: plans.sort(byName),
    checkpoints: checkpoints.sort(byName),
    counters: counters.sort((a, b) => a.jobId.localeCompare(b.jobId)),
    checkpointJobs: checkpointJobs.sort(),
  }
}

/**
 * Kubernetes: `jobGraph-<jobId>` / `executionPlan-<jobId>` keys of the cluster map (legacy: the
 * dispatcher map), `checkpointID-<%019d>` and `counter` keys of the per-job maps
 * (kubernetes-layout.md §2–§3). Entries have no locks; the delete marker is the wrapper's flag.
 */
export function k8sStateHandleInventory(inv: Inventory): StateHandleInventory {
  const ns = inv.k8s?.namespace ?? inv.root
  const maps = k8sHaMaps(inv)
  const clusterMap = [...maps.values()].find((m) => m.kind.kind === 'cluster') ?? [...maps.values()].find((m) => m.kind.kind === 'legacy-leader' && m.kind.component === 'dispatcher')
  const planMapName = clusterMap?.name ?? `${inv.clusterId}-cluster-config-map`
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
  return {
    backend: inv.backend,
    clusterId: inv.clusterId,
    root: inv.root,
    scannedAt: inv.scannedAt,
    planStore: {key: planMapName, locator: `${ns}/${planMapName}`},
    plans: k8sExecutionPlanEntries(inv).map((e) => entry(e, 'execution-plans')),
    checkpoints: k8sCheckpointEntries(inv).map((e) => entry(e, 'checkpoints')),
    counters,
    checkpointJobs,
  }
}

/** Maps a scanned inventory onto state-handle entries, by backend. */
export function stateHandleInventory(inv: Inventory, opts: {jobGraphsPath: string}): StateHandleInventory {
  switch (inv.backend) {
    case 'zookeeper':
      return zkStateHandleInventory(inv, opts.jobGraphsPath)
    case 'kubernetes':
      return k8sStateHandleInventory(inv)
  }
}
