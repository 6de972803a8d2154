/**
 * What a job still has in the HA store, for the warning `haadm jobs purge --include-dirty` prints:
 * once its dirty entry is gone Flink never cleans these up (and recovers the job if its job graph
 * is still there). Best effort: an unreachable store is a warning, not a failure.
 */
import {openBackend} from '../../backends/index.js'
import type {Inventory} from '../../backends/types.js'
import {decodeStateHandlePointer} from '../../codec/state-handle.js'
import type {Target} from '../../config/target.js'
import {leaderRecords} from '../leaders.js'

export interface HaArtifact {
  jobId: string
  kind: 'job-graph' | 'job-node' | 'checkpoint' | 'leader'
  /** Relative to the cluster root, e.g. `jobgraphs/<jobId>`. */
  key: string
  locator: string
  /** Nodes below it. */
  children: number
  /** For job graphs and checkpoints: the file in high-availability.storageDir the pointer names. */
  pointer: string | null
}

export interface HaArtifactsReport {
  status: 'listed' | 'unavailable'
  /** Why the store could not be asked. */
  reason: string | null
  store: string | null
  /** Whether a JobManager of the cluster holds dispatcher leadership right now (null when unknown). */
  dispatcherAlive: boolean | null
  artifacts: HaArtifact[]
}

/** Pure: the job's nodes in a scanned inventory. */
export function haArtifactsFor(inv: Inventory, jobIds: string[], jobGraphsPath = '/jobgraphs'): HaArtifact[] {
  const wanted = new Set(jobIds)
  const graphs = jobGraphsPath.replace(/^\/+|\/+$/g, '')
  const keys = inv.items.map((i) => i.key)
  const below = (key: string) => keys.filter((k) => k.startsWith(`${key}/`)).length
  const out: HaArtifact[] = []
  for (const item of inv.items) {
    const parts = item.key.split('/')
    let jobId: string | undefined
    let kind: HaArtifact['kind'] | undefined
    const last = parts[parts.length - 1]
    const parent = parts.slice(0, -1).join('/')
    if (parent === graphs && wanted.has(last)) [jobId, kind] = [last, 'job-graph']
    else if (parts.length === 2 && parts[0] === 'jobs' && wanted.has(last)) [jobId, kind] = [last, 'job-node']
    else if (parts.length === 2 && parts[0] === 'leader' && (wanted.has(last) || wanted.has(last.replace(/^job-/, ''))))
      [jobId, kind] = [last.replace(/^job-/, ''), 'leader']
    else if (parts.length === 4 && parts[0] === 'jobs' && wanted.has(parts[1]) && parts[2] === 'checkpoints') [jobId, kind] = [parts[1], 'checkpoint']
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

/** Asks the HA store (ZooKeeper) once; never throws. */
export async function lookupHaArtifacts(target: Target, jobIds: string[]): Promise<HaArtifactsReport> {
  const none = (reason: string): HaArtifactsReport => ({status: 'unavailable', reason, store: null, dispatcherAlive: null, artifacts: []})
  if (jobIds.length === 0) return {status: 'listed', reason: null, store: null, dispatcherAlive: null, artifacts: []}
  if (target.backend.value === 'zookeeper' && !target.zookeeper.quorum) return none('no ZooKeeper quorum is configured (--zk-quorum, --flink-conf)')
  // A warning must not stall the command for the full default connection timeout.
  const t =
    target.zookeeper.connectionTimeoutMs.source.kind === 'default'
      ? {...target, zookeeper: {...target.zookeeper, connectionTimeoutMs: {value: 5000, source: target.zookeeper.connectionTimeoutMs.source}}}
      : target
  try {
    const backend = await openBackend(t)
    try {
      const inv = await backend.scan()
      const dispatcher = leaderRecords(inv).leaders.find((l) => l.component === 'dispatcher')
      return {
        status: 'listed',
        reason: null,
        store: `${inv.backend} ${inv.root}`,
        dispatcherAlive: dispatcher ? dispatcher.alive : null,
        artifacts: haArtifactsFor(inv, jobIds, target.zookeeper.jobGraphsPath.value),
      }
    } finally {
      await backend.close()
    }
  } catch (err) {
    const e = err as {code?: string; message?: string}
    // No cluster node at all: the store is reachable and holds nothing for these jobs.
    if (e.code === 'CLUSTER_NOT_FOUND') return {status: 'listed', reason: null, store: target.zookeeper.clusterPath, dispatcherAlive: false, artifacts: []}
    return none(e.message ?? String(err))
  }
}
