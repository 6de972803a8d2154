/**
 * `haadm leaders --watch`: the leader records, then one change at a time as the store reports them.
 * The backend waits for a change to what the layout names as leadership's items (ZooKeeper watches
 * on the connection_info nodes and latches; a Kubernetes watch on the HA maps from the list's
 * resourceVersion), then the cluster is scanned again and the layout's leader records compared with
 * the last ones: each record whose leader changed is one change. A short settling pause after a
 * notification folds a failover's "leader gone" and "new leader" writes into one change.
 */
import {layoutOf, openBackend, targetLayout} from '../backends/index.js'
import type {ReadSpec} from '../backends/read-spec.js'
import {canWatch, type Inventory, type ScanOptions} from '../backends/types.js'
import type {Target} from '../config/target.js'
import {remainingMs} from '../deadline.js'
import {HaadmError, usageError} from '../errors.js'
import type {LeaderComponent, LeaderRecord, LeadersReport} from '../model/ha.js'

/** How long to let a burst of writes (a failover) settle before scanning again. */
const SETTLE_MS = 1000

export interface LeaderState {
  status: LeaderRecord['status']
  address: string | null
  sessionId: string | null
  /** ZooKeeper session (hex) or Kubernetes lease holder. */
  owner: string | null
  alive: boolean
}

export interface LeaderChange {
  time: string
  component: LeaderComponent
  jobId: string | null
  /** null: no record before (a new job) or after (a job's record removed). */
  from: LeaderState | null
  to: LeaderState | null
}

const stateOf = (r: LeaderRecord): LeaderState => ({status: r.status, address: r.address, sessionId: r.sessionId, owner: r.owner, alive: r.alive})
const idOf = (r: LeaderRecord) => `${r.component}\u0000${r.jobId ?? ''}`
const same = (a: LeaderState | null, b: LeaderState | null) =>
  a === b || (a !== null && b !== null && a.status === b.status && a.address === b.address && a.sessionId === b.sessionId && a.owner === b.owner && a.alive === b.alive)

/** Pure: the records whose leader, session, owner or liveness differ between two reports. */
export function leaderChanges(before: LeadersReport, after: LeadersReport, time: string): LeaderChange[] {
  const old = new Map(before.leaders.map((r) => [idOf(r), r]))
  const now = new Map(after.leaders.map((r) => [idOf(r), r]))
  const out: LeaderChange[] = []
  for (const id of new Set([...old.keys(), ...now.keys()])) {
    const a = old.get(id)
    const b = now.get(id)
    const from = a ? stateOf(a) : null
    const to = b ? stateOf(b) : null
    if (!same(from, to)) out.push({time, component: (a ?? b)!.component, jobId: (a ?? b)!.jobId, from, to})
  }
  return out
}

/**
 * Reports the leaders (`onReport`), then each change (`onChange`) until `signal` aborts or the run's
 * deadline (--timeout) passes. A snapshot cannot be watched (usage error).
 */
export async function watchLeaders(target: Target, opts: {signal: AbortSignal; onReport: (r: LeadersReport) => void; onChange: (c: LeaderChange) => void}): Promise<void> {
  if (target.snapshot) throw usageError('--watch needs a live store: a snapshot does not change', 'Drop --snapshot (and HAADM_SNAPSHOT), or leave out --watch.')
  const backend = await openBackend(target)
  try {
    if (!canWatch(backend)) throw usageError(`--watch is not supported on ${backend.kind}`)
    // Only what leader records need, as `haadm leaders` reads: no plan or checkpoint subtrees.
    const read = targetLayout(target).reads({command: 'leaders'})
    let inv = await backend.scan({read})
    const layout = layoutOf(inv, target)
    let report = layout.leaders(inv)
    opts.onReport(report)
    // the deadline ends a watch as Ctrl-C does
    const stop = new AbortController()
    const onAbort = () => stop.abort()
    opts.signal.addEventListener('abort', onAbort)
    const left = remainingMs()
    const timer = Number.isFinite(left) ? setTimeout(onAbort, left) : undefined
    try {
      while (!stop.signal.aborted) {
        if (!(await backend.waitForChange(inv, layout.watchKeys(inv), stop.signal))) break
        await new Promise((r) => setTimeout(r, SETTLE_MS))
        if (stop.signal.aborted) break
        inv = await rescan(backend, inv, read)
        const next = layout.leaders(inv)
        for (const c of leaderChanges(report, next, new Date().toISOString())) opts.onChange(c)
        report = next
      }
    } finally {
      if (timer) clearTimeout(timer)
      opts.signal.removeEventListener('abort', onAbort)
    }
  } finally {
    await backend.close()
  }
}

/** A scan; a cluster whose last item went away has no leaders (rather than ending the watch). */
async function rescan(backend: {scan(o?: ScanOptions): Promise<Inventory>}, last: Inventory, read: ReadSpec): Promise<Inventory> {
  try {
    return await backend.scan({read})
  } catch (err) {
    if (err instanceof HaadmError && err.code === 'CLUSTER_NOT_FOUND') return {...last, items: [], scannedAt: new Date().toISOString()}
    throw err
  }
}
