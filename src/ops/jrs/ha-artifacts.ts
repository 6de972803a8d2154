/**
 * What a job still has in the HA store, for the warning `haadm jobs purge --include-dirty` prints:
 * once its dirty entry is gone Flink never cleans these up (and recovers the job if its job graph
 * is still there). Best effort: an unreachable store is a warning, not a failure.
 */
import {layoutOf, moduleOf, openBackend, targetLayout} from '../../backends/index.js'
import type {Inventory} from '../../backends/types.js'
import type {Target} from '../../config/target.js'
import {blobUri, clusterStorageUri, jobEventsUri} from '../../storage/flink-layout.js'
import {withStorage} from '../../storage/index.js'
import {type HaArtifact, possiblyAlive} from '../../model/ha.js'

export type {HaArtifact} from '../../model/ha.js'

export interface HaArtifactsReport {
  status: 'listed' | 'unavailable'
  /** Why the store could not be asked. */
  reason: string | null
  store: string | null
  /** Whether a JobManager of the cluster holds dispatcher leadership right now (null when unknown). */
  dispatcherAlive: boolean | null
  artifacts: HaArtifact[]
}

/** Pure: the jobs' items in a scanned inventory, as its backend's layout finds them. */
export function haArtifactsFor(inv: Inventory, jobIds: string[], target?: Target): HaArtifact[] {
  return layoutOf(inv, target).jobArtifacts(inv, jobIds)
}

/** The jobs' directories in high-availability.storageDir (HA blobs, 1.20+ job events); best effort. */
async function storageArtifacts(target: Target, jobIds: string[]): Promise<HaArtifact[]> {
  const storageDir = target.storageDir?.value
  if (!storageDir || target.snapshot) return []
  const out: HaArtifact[] = []
  try {
    const clusterDir = clusterStorageUri(storageDir, target.clusterId.value)
    await withStorage(clusterDir, target, async (storage) => {
      for (const jobId of jobIds) {
        for (const [kind, uri] of [['blobs', blobUri(clusterDir, jobId)], ['job-events', jobEventsUri(clusterDir, jobId)]] as const) {
          if (!(await storage.stat(uri))) continue
          let children = 0
          for await (const _ of storage.list(uri)) children++
          out.push({jobId, kind, key: uri, locator: uri, children, pointer: null})
        }
      }
    })
  } catch {
    // A warning's extra detail: an unreachable storageDir is said elsewhere.
  }
  return out
}

/** Asks the HA store once; never throws. */
export async function lookupHaArtifacts(target: Target, jobIds: string[]): Promise<HaArtifactsReport> {
  const report = await lookupStoreArtifacts(target, jobIds)
  const files = await storageArtifacts(target, jobIds)
  return files.length > 0 ? {...report, artifacts: [...report.artifacts, ...files]} : report
}

async function lookupStoreArtifacts(target: Target, jobIds: string[]): Promise<HaArtifactsReport> {
  const none = (reason: string): HaArtifactsReport => ({status: 'unavailable', reason, store: null, dispatcherAlive: null, artifacts: []})
  if (jobIds.length === 0) return {status: 'listed', reason: null, store: null, dispatcherAlive: null, artifacts: []}
  const missing = target.snapshot ? null : moduleOf(target).missingSetting(target)
  if (missing) return none(missing)
  // A warning must not stall the command for the full default connection timeout.
  const t = moduleOf(target).quick(target, 5000)
  try {
    const backend = await openBackend(t)
    try {
      const inv = await backend.scan()
      const dispatcher = layoutOf(inv, target).leaders(inv).leaders.find((l) => l.component === 'dispatcher')
      return {
        status: 'listed',
        reason: null,
        store: `${inv.backend} ${inv.root}`,
        // A record that does not decode, held by a live session or lease, counts as possibly alive.
        dispatcherAlive: dispatcher ? possiblyAlive(dispatcher) : null,
        artifacts: haArtifactsFor(inv, jobIds, target),
      }
    } finally {
      await backend.close()
    }
  } catch (err) {
    const e = err as {code?: string; message?: string}
    // No cluster node at all: the store is reachable and holds nothing for these jobs.
    if (e.code === 'CLUSTER_NOT_FOUND') return {status: 'listed', reason: null, store: targetLayout(target).clusterRoot, dispatcherAlive: false, artifacts: []}
    return none(e.message ?? String(err))
  }
}
