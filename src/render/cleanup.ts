import type {CleanupPlan, CleanupResult} from '../ops/cleanup.js'
import type {FleetCleanupResult, FleetPlan} from '../ops/cleanup-fleet.js'
import {fmt} from '../model/seconds.js'
import {chalk} from './colour.js'
import {renderTable} from './table.js'

const LIST_LIMIT = 40

export function describePlan(plan: CleanupPlan): string {
  const what =
    plan.scope === 'plan'
      ? `the execution plan of job ${plan.jobId} of cluster ${plan.clusterId} (its checkpoints and counter are kept)`
      : plan.scope === 'job'
        ? `job ${plan.jobId} of cluster ${plan.clusterId}`
        : `cluster ${plan.clusterId}`
  return `${plan.metadata.length} ${plan.backend === 'zookeeper' ? 'znode(s)' : 'item(s)'} of ${what} under ${plan.root}`
}

export function renderPlan(plan: CleanupPlan): string {
  const out: string[] = []
  const byKind = new Map<string, number>()
  for (const m of plan.metadata) byKind.set(m.what.replace(/^checkpoint \d+$/, 'checkpoint'), (byKind.get(m.what.replace(/^checkpoint \d+$/, 'checkpoint')) ?? 0) + 1)
  out.push(chalk.bold(`Plan: remove ${describePlan(plan)}, children first:`))
  out.push(renderTable(['WHAT', 'COUNT'], [...byKind].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, String(n)])))
  out.push(renderTable(['PATH', 'WHAT'], plan.metadata.slice(0, LIST_LIMIT).map((m) => [m.locator, m.what])))
  if (plan.metadata.length > LIST_LIMIT) out.push(`… and ${plan.metadata.length - LIST_LIMIT} more (--json lists them all)`)
  if (plan.parents.length > 0) out.push(`then the empty parents, only if empty: ${plan.parents.map((p) => p.locator).join(', ')}`)
  for (const step of plan.storage)
    out.push(`then ${step.what}: ${step.kind === 'directory' ? `${step.uri} and everything below it` : `${step.files.length} file(s) in ${step.uri}`}`)
  if (plan.storageDir) out.push(`storage directory: ${plan.storageDir.uri} (${plan.storageDir.source})`)
  if (plan.storageLeft.length > 0) {
    out.push(chalk.yellow(`left in storage (${plan.storageLeft.length}), a real run exits 5:`))
    for (const l of plan.storageLeft.slice(0, LIST_LIMIT)) out.push(chalk.yellow(`  ${l.uri}: ${l.why}`))
    if (plan.storageLeft.length > LIST_LIMIT) out.push(chalk.yellow(`  … and ${plan.storageLeft.length - LIST_LIMIT} more (--json lists them all)`))
  }
  if (plan.liveEvidence.length > 0) {
    out.push(chalk.red('The cluster is alive:'))
    for (const e of plan.liveEvidence) out.push(chalk.red(`  ${e}`))
  }
  return out.join('\n')
}

export function renderCleanup(r: CleanupResult, verbose = false): string {
  if (r.plan.metadata.length === 0 && r.plan.storage.length === 0)
    return r.plan.scope === 'plan'
      ? `Nothing to do: no execution plan for job ${r.plan.jobId} in cluster ${r.plan.clusterId} under ${r.plan.root}.`
      : `Nothing to do: no HA metadata for ${r.plan.jobId ? `job ${r.plan.jobId} of ` : ''}cluster ${r.plan.clusterId} under ${r.plan.root}.`
  if (r.dryRun) return `${renderPlan(r.plan)}\n${chalk.yellow('Dry run: nothing was removed.')}`
  const out: string[] = []
  out.push(...renderFailures(r.outcomes.filter((o) => o.status === 'failed')).map((l) => chalk.red(l)))
  out.push(...renderFailures(r.outcomes.filter((o) => o.status === 'unknown')).map((l) => chalk.yellow(l.replace(/^failed: /, 'unknown (may have been removed): '))))
  // By kind: znodes (or ConfigMaps) and files are different things to a reader.
  const isFile = (o: CleanupResult['outcomes'][number]) => o.target.key === 'storage'
  const metaNoun = r.plan.backend === 'kubernetes' ? 'ConfigMap(s)' : 'znode(s)'
  const count = (status: string, files: boolean) => r.outcomes.filter((o) => o.status === status && isFile(o) === files).length
  const kinds = (status: string) => {
    const parts = [`${count(status, false)} ${metaNoun}`]
    if (r.plan.storage.length > 0 || count(status, true) > 0) parts.push(`${count(status, true)} file(s)`)
    return parts.join(', ')
  }
  const s = r.summary
  out.push(`Removed ${kinds('removed')}; already gone ${kinds('absent')}; kept ${s.kept} (parents not empty); failed ${s.failed}${s.unknown ? `; unknown ${s.unknown}` : ''}.${r.backup ? ` Backup: ${r.backup}.` : ''}`)
  if (!r.verified) out.push(chalk.red(`Could not verify what remains: ${s.failed + s.unknown} item(s) may remain; run the cleanup again.`))
  if (verbose)
    for (const o of r.outcomes.filter((x) => x.status === 'removed')) out.push(`  removed ${isFile(o) ? 'file ' : r.plan.backend === 'kubernetes' ? 'map  ' : 'znode'} ${o.target.locator}`)
  else if (s.removed > 0) out.push('(--verbose or --json lists every item)')
  if (r.remaining.length > 0) {
    out.push(chalk.red(`Still there (${r.remaining.length}):`))
    for (const p of r.remaining.slice(0, LIST_LIMIT)) out.push(`  ${p}`)
  }
  return out.join('\n')
}

const who = (c: {clusterId: string; namespace: string | null}) => (c.namespace ? `${c.namespace}/${c.clusterId}` : c.clusterId)

/** The plan of `cleanup --all-dead`: one line per cluster, then what the storage side does. */
export function renderFleetPlan(plan: FleetPlan): string {
  const out = [chalk.bold(`Plan: remove ${plan.clusters.length} dead cluster(s) under ${plan.root}, each as cleanup --cluster-id would:`)]
  out.push(
    renderTable(
      ['CLUSTER', 'ITEMS', 'JOBS', 'LAST CHANGE', 'STORAGE'],
      plan.clusters.map(({record: r, plan: p}) => [
        who(r),
        String(p ? p.metadata.length : r.items),
        String(r.jobs),
        r.idleSeconds === null ? '?' : `${fmt(r.idleSeconds)} ago`,
        !p ? '' : p.storageLeft.length > 0 ? chalk.yellow(`${p.storageLeft.length} left (see --dry-run)`) : p.storageDir ? `${p.storage.reduce((n, s) => n + (s.kind === 'files' ? s.files.length : 1), 0)} step(s) in ${p.storageDir.uri} (${p.storageDir.source})` : 'no storageDir',
      ]),
    ),
  )
  return out.join('\n')
}

export function renderFleetCleanup(r: FleetCleanupResult): string {
  if (r.selected.length === 0) return `Nothing to do: ${r.warnings.at(-1) ?? 'no dead cluster selected'}.`
  const out: string[] = []
  if (r.dryRun) {
    for (const o of r.clusters) if (o.result) out.push(`${chalk.bold(who(o))}\n${renderPlan(o.result.plan)}`)
    out.push(chalk.yellow(`Dry run: ${r.clusters.length} dead cluster(s) would be removed (${r.alive} alive left alone); nothing was removed.`))
    return out.join('\n\n')
  }
  out.push(
    renderTable(
      ['CLUSTER', 'OUTCOME', 'REMOVED', 'FAILED', 'LEFT'],
      r.clusters.map((o) => [
        who(o),
        o.status === 'removed' || o.status === 'nothing-to-do' ? o.status : chalk.red(o.status),
        String(o.result?.summary.removed ?? 0),
        String(o.result?.summary.failed ?? 0),
        o.error ? o.error.message : String(o.result?.remaining.length ?? 0),
      ]),
    ),
  )
  const s = r.summary
  out.push(`${r.clusters.length} dead cluster(s): ${s.removed} removed, ${s['nothing-to-do']} already gone, ${s.partial} partly left, ${s.refused} refused (alive since the scan), ${s.failed} failed; ${r.alive} alive cluster(s) left alone.`)
  return out.join('\n')
}

/**
 * One line per failure while they are few and different; one line with a count for each error that
 * repeats (a lost connection fails every item the same way: one line says it, not a thousand).
 */
export function renderFailures(failed: CleanupResult['outcomes']): string[] {
  const byError = new Map<string, string[]>()
  for (const o of failed) {
    const e = o.error ?? 'unknown error'
    byError.set(e, [...(byError.get(e) ?? []), o.target.locator])
  }
  const out: string[] = []
  let listed = 0
  for (const [error, locators] of byError) {
    if (locators.length > 3) {
      out.push(`failed: ${locators.length} items: ${error} (e.g. ${locators[0]})`)
      continue
    }
    for (const l of locators) {
      if (listed++ < LIST_LIMIT) out.push(`failed: ${l}: ${error}`)
    }
  }
  if (listed > LIST_LIMIT) out.push(`… and ${listed - LIST_LIMIT} more failures (--json lists them all)`)
  return out
}
