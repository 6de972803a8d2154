/**
 * Every Flink cluster of a ZooKeeper root or Kubernetes namespace: resolve → one fleet scan (children
 * and stats, bytes only where liveness needs them) → the layout groups it into clusters → pure records
 * with the same liveness rules as cleanup → filters. The JobResultStore is read only when the storage
 * directory is known.
 */
import {layoutOf, openBackend, targetForCluster, targetLayout} from '../backends/index.js'
import {type Backend, canScanFleet, type Inventory} from '../backends/types.js'
import {parseDurationMs} from '../config/duration.js'
import type {Target} from '../config/target.js'
import {ExitCode, HaadmError, usageError} from '../errors.js'
import {mapConcurrent} from '../storage/concurrency.js'
import {withStorage} from '../storage/index.js'
import {DIRTY_SUFFIX} from './jrs/records.js'

export interface ClusterRecord {
  clusterId: string
  /** Kubernetes: the namespace; null on ZooKeeper. */
  namespace: string | null
  /** Where the cluster is: its znode, or its namespace. */
  root: string
  alive: boolean
  /** Why it counts as alive (cleanup's evidence: live sessions, latch holders, valid leases); empty when dead. */
  evidence: string[]
  /** Jobs with an execution plan entry. */
  jobs: number
  /** Retained checkpoint entries. */
  checkpoints: number
  items: number
  bytes: number
  /** Newest change the store records (ZooKeeper: znode mtime; Kubernetes: lease renewal or map creation). */
  lastChange: string | null
  /** Seconds from lastChange to the scan. */
  idleSeconds: number | null
  /** `_DIRTY.json` entries in the cluster's JobResultStore directory; null when the storage is not known or not readable. */
  dirtyJobResults: number | null
}

export interface ClusterFilters {
  state?: 'dead' | 'alive'
  /** Only clusters whose last change is at least this long before the scan. */
  olderThan?: {text: string; ms: number}
  /** Glob on the cluster id (`*`, `?`, `[...]`); a leading `/` of the id is optional. */
  match?: string
}

export interface FleetScanResult {
  backend: Target['backend']['value']
  /** Where the scan looked: the ZooKeeper root, the namespace, or `*` (every namespace). */
  root: string
  scannedAt: string
  inventories: Inventory[]
  /** Nodes at the depth bound whose children were not looked at. */
  notLookedInto: string[]
}

/** Parses --older-than; a usage error (exit 2) when it is not a duration. */
export function parseOlderThan(text: string | undefined): ClusterFilters['olderThan'] {
  if (text === undefined) return undefined
  const ms = parseDurationMs(text)
  if (ms === undefined || ms < 0) throw usageError(`--older-than ${JSON.stringify(text)} is not a duration`, 'Write e.g. 90 min, 12 h or 7 d (a number alone is milliseconds).')
  return {text, ms}
}

/** A shell-style glob as a regular expression over the whole id: `*` any run of characters (`/` too), `?` one, `[...]` a class. */
export function globRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') re += '.*'
    else if (c === '?') re += '.'
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2)
      if (end < 0) re += '\\['
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\')
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&')
  }
  return new RegExp(`^${re}$`, 's')
}

export function matchesGlob(clusterId: string, glob: string): boolean {
  const re = globRegExp(glob)
  return re.test(clusterId) || re.test(clusterId.replace(/^\/+/, '')) || re.test(`/${clusterId.replace(/^\/+/, '')}`)
}

/** Scans the target's whole root or namespace and returns one inventory per cluster found. */
export async function scanFleet(target: Target, opts: {allNamespaces?: boolean; progress?: (items: number) => void} = {}): Promise<FleetScanResult> {
  const backend = await openFleetBackend(target)
  try {
    return await scanFleetWith(backend, target, opts)
  } finally {
    await backend.close()
  }
}

/** The connection a fleet scan goes over (a snapshot holds one cluster: refused). */
export function openFleetBackend(target: Target): Promise<Backend> {
  if (target.snapshot)
    throw usageError('a snapshot holds one cluster: listing or removing many clusters needs the live store', 'Drop --snapshot and name the store (--zk-quorum, --kubeconfig).')
  return openBackend(target)
}

/** scanFleet over a connection the caller opened (and closes). */
export async function scanFleetWith(backend: Backend, target: Target, opts: {allNamespaces?: boolean; progress?: (items: number) => void} = {}): Promise<FleetScanResult> {
  if (!canScanFleet(backend)) throw usageError(`the ${backend.kind} backend cannot list its clusters`)
  const layout = targetLayout(target)
  const fleet = await backend.scanFleet({...layout.fleetScan(), allNamespaces: opts.allNamespaces, progress: opts.progress})
  return {backend: fleet.backend, root: fleet.root, scannedAt: fleet.scannedAt, inventories: layout.clusters(fleet), notLookedInto: fleet.notLookedInto}
}

/** Pure: one record per cluster, with cleanup's liveness rules. */
export function clusterRecord(inv: Inventory, target: Target): ClusterRecord {
  const layout = layoutOf(inv, target)
  const evidence = layout.cleanup(inv, null).liveEvidence
  const sh = layout.stateHandles(inv)
  const fp = layout.footprint(inv)
  const scanned = Date.parse(inv.scannedAt)
  return {
    clusterId: inv.clusterId,
    namespace: inv.k8s?.namespace ?? null,
    root: inv.root,
    alive: evidence.length > 0,
    evidence,
    jobs: new Set(sh.plans.map((p) => p.jobId ?? p.name)).size,
    checkpoints: sh.checkpoints.length,
    items: fp.items,
    bytes: fp.bytes,
    lastChange: fp.lastChange,
    idleSeconds: fp.lastChange ? Math.max(0, Math.round((scanned - Date.parse(fp.lastChange)) / 1000)) : null,
    dirtyJobResults: null,
  }
}

/** Pure: the records the filters select, and why the others were left out. */
export function selectClusters(records: ClusterRecord[], f: ClusterFilters): ClusterRecord[] {
  return records.filter((r) => {
    if (f.state === 'dead' && r.alive) return false
    if (f.state === 'alive' && !r.alive) return false
    if (f.olderThan && (r.idleSeconds === null || r.idleSeconds * 1000 < f.olderThan.ms)) return false
    if (f.match !== undefined && !matchesGlob(r.clusterId, f.match)) return false
    return true
  })
}

/** `<storageDir>/job-result-store/<cluster-id>`'s dirty entries per record, when the storage directory is known. */
export async function countDirtyJobResults(records: ClusterRecord[], inventories: Inventory[], target: Target, warnings: string[]): Promise<void> {
  if (!target.storageDir) return
  const byId = new Map(inventories.map((inv) => [`${inv.root}\u0000${inv.clusterId}`, inv]))
  const failures: string[] = []
  const work = mapConcurrent(records, 16, async (r) => {
    const inv = byId.get(`${r.root}\u0000${r.clusterId}`)
    const t = inv ? targetForCluster(target, inv) : undefined
    const path = t?.jobResultStorePath?.value
    if (!path) return
    try {
      r.dirtyJobResults = await withStorage(path, t, async (storage) => {
        if (!(await storage.stat(path))) return 0
        let n = 0
        for await (const e of storage.list(path)) if (e.kind === 'file' && e.name.endsWith(DIRTY_SUFFIX)) n++
        return n
      })
    } catch (err) {
      if (!(err instanceof HaadmError)) throw err
      failures.push(`${r.clusterId}: ${err.message}`)
    }
  })
  for await (const _ of work);
  if (failures.length > 0) warnings.push(`the JobResultStore could not be read for ${failures.length} cluster(s) (dirty entries unknown), e.g. ${failures[0]}`)
}

export interface ClustersResult {
  backend: FleetScanResult['backend']
  root: string
  scannedAt: string
  /** Clusters found before the filters. */
  found: number
  filters: {state: string | null; olderThan: string | null; match: string | null}
  clusters: ClusterRecord[]
  notLookedInto: string[]
}

/** `haadm clusters`: scan → records → filters (→ JobResultStore counts). */
export async function listClusters(
  target: Target,
  opts: {filters: ClusterFilters; allNamespaces?: boolean; strict?: boolean; progress?: (items: number) => void},
  warnings: string[],
): Promise<ClustersResult> {
  const fleet = await scanFleet(target, {allNamespaces: opts.allNamespaces, progress: opts.progress})
  const all = fleet.inventories.map((inv) => clusterRecord(inv, target))
  const clusters = selectClusters(all, opts.filters)
  await countDirtyJobResults(clusters, fleet.inventories, target, warnings)
  const result: ClustersResult = {
    backend: fleet.backend,
    root: fleet.root,
    scannedAt: fleet.scannedAt,
    found: all.length,
    filters: {state: opts.filters.state ?? null, olderThan: opts.filters.olderThan?.text ?? null, match: opts.filters.match ?? null},
    clusters,
    notLookedInto: fleet.notLookedInto,
  }
  if (fleet.notLookedInto.length > 0)
    warnings.push(`${fleet.notLookedInto.length} node(s) at the depth bound were not looked into (no cluster found above them), e.g. ${fleet.notLookedInto[0]}`)
  if (clusters.length === 0 && opts.strict)
    throw new HaadmError('NOT_FOUND', nothingFound(result), {exit: ExitCode.UNREACHABLE, details: {found: all.length}})
  return result
}

/** The sentence for an empty answer: no cluster at all, or none that the filters select. */
export function nothingFound(r: Pick<ClustersResult, 'found' | 'root' | 'filters'>): string {
  const where = r.root === '*' ? 'in any namespace' : `in ${r.root}`
  if (r.found === 0) return `no Flink cluster ${where}`
  const f = [r.filters.state, r.filters.olderThan && `older than ${r.filters.olderThan}`, r.filters.match && `matching ${r.filters.match}`].filter(Boolean).join(', ')
  return `none of the ${r.found} Flink cluster(s) ${where} is ${f}`
}
