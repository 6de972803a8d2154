/**
 * `cleanup --all-dead`: one fleet scan selects every dead cluster (cleanup's liveness rules; a live one
 * is never selected), then each is removed as `cleanup --cluster-id <id>` removes it (runCleanup:
 * liveness check, crash-safe order, storage), several at a time. Where the backend can (ZooKeeper), all
 * of it goes over the fleet scan's one connection and reuses that scan (CleanupOptions.reuse): a cluster
 * that changed since is scanned afresh, and one that came alive is refused.
 */
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {targetForCluster} from '../backends/index.js'
import {type Backend, canReuse, type Inventory} from '../backends/types.js'
import type {Target} from '../config/target.js'
import {ExitCode, HaadmError} from '../errors.js'
import {mapConcurrent} from '../storage/concurrency.js'
import {type ClusterFilters, type ClusterRecord, clusterRecord, nothingFound, openFleetBackend, scanFleetWith, selectClusters} from './clusters.js'
import type {CleanupResult} from './cleanup.js'
import {runCleanup} from './cleanup-run.js'
import {exportSnapshot} from './export.js'

/** Clusters removed at once, each with its own pipelined requests (over the shared connection where the backend allows). */
export const FLEET_CONCURRENCY = 8

export interface FleetCleanupOptions {
  filters: Omit<ClusterFilters, 'state'>
  allNamespaces?: boolean
  dryRun: boolean
  strict: boolean
  /** A directory: one snapshot per cluster, all written before anything is removed. */
  backupDir?: string
  includeJobResults: boolean
  includeOrphanFiles: boolean
  haadmVersion: string
  concurrency?: number
  /** Shown the plan of every selected cluster; asks the user (or checks --yes); throws to refuse. */
  confirm: (plan: FleetPlan) => Promise<void>
  /** Whether confirm needs the per-cluster plans (a terminal shows them); without, the plans come from the real runs. */
  wantPlans: boolean
  scanProgress?: (items: number) => void
  /** Clusters finished so far, of all selected. */
  progress?: (done: number, total: number) => void
}

export interface FleetPlan {
  root: string
  clusters: Array<{record: ClusterRecord; plan: CleanupResult['plan'] | null}>
}

export type FleetClusterStatus = 'removed' | 'partial' | 'refused' | 'failed' | 'nothing-to-do' | 'planned'

export interface FleetClusterOutcome {
  clusterId: string
  namespace: string | null
  root: string
  status: FleetClusterStatus
  /** Why a cluster was refused or failed. */
  error: {code: string; message: string} | null
  backup: string | null
  /** What the cluster's cleanup did, as `cleanup --cluster-id <id> --json` reports it; null when it did not run. */
  result: CleanupResult | null
}

export interface FleetCleanupResult {
  backend: string
  root: string
  scannedAt: string
  /** Clusters found, alive and dead, before the filters. */
  found: number
  /** Live clusters, never selected. */
  alive: number
  filters: {olderThan: string | null; match: string | null}
  dryRun: boolean
  /** The dead clusters the filters selected. */
  selected: ClusterRecord[]
  clusters: FleetClusterOutcome[]
  summary: Record<FleetClusterStatus, number>
  /** Cluster ids whose cleanup left something (partial), failed, or was refused: the run exits 5. */
  partlyLeft: string[]
  warnings: string[]
}

/** A file name for a cluster's backup: the id with its slashes encoded (`/team/app` → `team%2Fapp`). */
export function backupName(rec: Pick<ClusterRecord, 'clusterId' | 'namespace'>): string {
  const id = rec.clusterId.replace(/^\/+|\/+$/g, '').replace(/%/g, '%25').replace(/\//g, '%2F') || 'root'
  return `${rec.namespace ? `${rec.namespace}_` : ''}${id}.haadm.json.gz`
}

export async function runFleetCleanup(target: Target, opts: FleetCleanupOptions): Promise<FleetCleanupResult> {
  // One connection for the whole run: the fleet scan, then every cluster's removal over it where the
  // backend can reuse the scan (ZooKeeper); otherwise each cluster opens its own, as cleanup --cluster-id.
  const backend = await openFleetBackend(target)
  try {
    return await fleetCleanup(backend, target, opts)
  } finally {
    await backend.close()
  }
}

async function fleetCleanup(backend: Backend, target: Target, opts: FleetCleanupOptions): Promise<FleetCleanupResult> {
  const warnings: string[] = []
  const fleet = await scanFleetWith(backend, target, {allNamespaces: opts.allNamespaces, progress: opts.scanProgress})
  const records = fleet.inventories.map((inv) => ({inv, record: clusterRecord(inv, target)}))
  const selected = selectClusters(
    records.map((r) => r.record),
    {...opts.filters, state: 'dead'},
  )
  const invOf = new Map(records.map((r) => [r.record, r.inv]))
  const base: FleetCleanupResult = {
    backend: fleet.backend,
    root: fleet.root,
    scannedAt: fleet.scannedAt,
    found: records.length,
    alive: records.filter((r) => r.record.alive).length,
    filters: {olderThan: opts.filters.olderThan?.text ?? null, match: opts.filters.match ?? null},
    dryRun: opts.dryRun,
    selected,
    clusters: [],
    summary: {removed: 0, partial: 0, refused: 0, failed: 0, 'nothing-to-do': 0, planned: 0},
    partlyLeft: [],
    warnings,
  }
  if (selected.length === 0) {
    const why = nothingFound({found: records.length, root: fleet.root, filters: {state: 'dead', olderThan: base.filters.olderThan, match: base.filters.match}})
    if (opts.strict) throw new HaadmError('NOT_FOUND', why, {exit: ExitCode.UNREACHABLE, details: {found: records.length, alive: base.alive}})
    warnings.push(why)
    return base
  }
  const concurrency = opts.concurrency ?? FLEET_CONCURRENCY
  const targetOf = (rec: ClusterRecord) => targetForCluster(target, invOf.get(rec) as Inventory)
  const reuse = (rec: ClusterRecord) => (canReuse(backend) ? {backend: backend.forCluster(targetOf(rec)), inventory: invOf.get(rec)} : undefined)
  const common = {
    force: false,
    strict: false,
    includeJobResults: opts.includeJobResults,
    includeOrphanFiles: opts.includeOrphanFiles,
    haadmVersion: opts.haadmVersion,
    confirm: async () => {},
  }

  // The plans, when a terminal shows them or for a dry run: each cluster as `cleanup --dry-run` plans it.
  const plans = new Map<ClusterRecord, CleanupResult>()
  if (opts.dryRun || opts.wantPlans) {
    for await (const [rec, res] of mapConcurrent(selected, concurrency, async (rec) => [rec, await runCleanup(targetOf(rec), {...common, dryRun: true, reuse: reuse(rec)})] as const))
      plans.set(rec, res)
  }
  if (opts.dryRun) {
    base.clusters = selected.map((rec) => outcome(rec, 'planned', plans.get(rec)!, null, null))
    warnings.push(...groupWarnings(base.clusters))
    base.summary.planned = base.clusters.length
    const left = base.clusters.filter((o) => (o.result?.plan.storageLeft.length ?? 0) > 0)
    if (left.length > 0) warnings.push(`a real run would leave files in storage for ${left.length} cluster(s) (exit 5): ${left.map((o) => o.clusterId).join(', ')}`)
    return base
  }
  await opts.confirm({root: fleet.root, clusters: selected.map((record) => ({record, plan: plans.get(record)?.plan ?? null}))})

  // Every backup before anything is removed: a failure here stops the run with nothing removed.
  const backups = new Map<ClusterRecord, string>()
  if (opts.backupDir) {
    mkdirSync(opts.backupDir, {recursive: true})
    for await (const [rec, file] of mapConcurrent(selected, concurrency, async (rec) => {
      const file = join(opts.backupDir!, backupName(rec))
      try {
        await exportSnapshot(targetOf(rec), file, opts.haadmVersion, [])
      } catch (err) {
        const e = err instanceof HaadmError ? err : undefined
        throw new HaadmError('BACKUP_FAILED', `could not back up cluster ${rec.clusterId} to ${file}: ${e?.message ?? String(err)}; nothing was removed`, {
          exit: ExitCode.PARTIAL,
          hint: 'Fix the backup directory (or drop --backup) and run again.',
          cause: err,
        })
      }
      return [rec, file] as const
    }))
      backups.set(rec, file)
  }

  let done = 0
  opts.progress?.(0, selected.length)
  const outcomes = new Map<ClusterRecord, FleetClusterOutcome>()
  for await (const o of mapConcurrent(selected, concurrency, async (rec) => {
    let res: FleetClusterOutcome
    try {
      const r = await runCleanup(targetOf(rec), {...common, dryRun: false, reuse: reuse(rec)})
      const left = r.summary.failed > 0 || r.remaining.length > 0
      const nothing = r.plan.metadata.length === 0 && r.plan.storage.length === 0
      res = outcome(rec, left ? 'partial' : nothing ? 'nothing-to-do' : 'removed', r, null, backups.get(rec) ?? null)
    } catch (err) {
      const e = err instanceof HaadmError ? err : new HaadmError('UNEXPECTED', err instanceof Error ? err.message : String(err), {exit: ExitCode.UNEXPECTED, cause: err})
      res = outcome(rec, e.code === 'LIVE_CLUSTER' ? 'refused' : 'failed', null, {code: e.code, message: e.message}, backups.get(rec) ?? null)
    }
    opts.progress?.(++done, selected.length)
    return [rec, res] as const
  }))
    outcomes.set(o[0], o[1])

  base.clusters = selected.map((rec) => outcomes.get(rec)!)
  warnings.push(...groupWarnings(base.clusters))
  for (const o of base.clusters) base.summary[o.status]++
  base.partlyLeft = base.clusters.filter((o) => o.status === 'partial' || o.status === 'failed' || o.status === 'refused').map((o) => o.clusterId)
  return base
}

function outcome(rec: ClusterRecord, status: FleetClusterStatus, result: CleanupResult | null, error: FleetClusterOutcome['error'], backup: string | null): FleetClusterOutcome {
  return {clusterId: rec.clusterId, namespace: rec.namespace, root: rec.root, status, error, backup, result}
}

/** The clusters' warnings, each text once with the clusters it concerns (100 clusters without a storageDir say so once). */
function groupWarnings(outcomes: FleetClusterOutcome[]): string[] {
  const by = new Map<string, string[]>()
  for (const o of outcomes)
    for (const w of o.result?.warnings ?? []) {
      const text = w.split(o.clusterId).join('<cluster-id>')
      by.set(text, [...(by.get(text) ?? []), o.clusterId])
    }
  return [...by].map(([text, ids]) =>
    ids.length === 1 ? text.split('<cluster-id>').join(ids[0]) : `${text} (${ids.length} clusters: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})`,
  )
}
