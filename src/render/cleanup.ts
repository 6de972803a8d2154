import type {CleanupPlan, CleanupResult} from '../ops/cleanup.js'
import {chalk} from './colour.js'
import {renderTable} from './table.js'

const LIST_LIMIT = 40

export function describePlan(plan: CleanupPlan): string {
  const what = plan.scope === 'job' ? `job ${plan.jobId} of cluster ${plan.clusterId}` : `cluster ${plan.clusterId}`
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
  if (plan.liveEvidence.length > 0) {
    out.push(chalk.red('The cluster is alive:'))
    for (const e of plan.liveEvidence) out.push(chalk.red(`  ${e}`))
  }
  return out.join('\n')
}

export function renderCleanup(r: CleanupResult): string {
  if (r.plan.metadata.length === 0 && r.plan.storage.length === 0) return `Nothing to do: no HA metadata for ${r.plan.jobId ? `job ${r.plan.jobId} of ` : ''}cluster ${r.plan.clusterId} under ${r.plan.root}.`
  if (r.dryRun) return `${renderPlan(r.plan)}\n${chalk.yellow('Dry run: nothing was removed.')}`
  const out: string[] = []
  out.push(...renderFailures(r.outcomes.filter((o) => o.status === 'failed')).map((l) => chalk.red(l)))
  out.push(...renderFailures(r.outcomes.filter((o) => o.status === 'unknown')).map((l) => chalk.yellow(l.replace(/^failed: /, 'unknown (may have been removed): '))))
  const s = r.summary
  out.push(`Removed ${s.removed}, already gone ${s.absent}, kept ${s.kept} (parents not empty), failed ${s.failed}${s.unknown ? `, unknown ${s.unknown}` : ''}.${r.backup ? ` Backup: ${r.backup}.` : ''}`)
  if (!r.verified) out.push(chalk.red(`Could not verify what remains: ${s.failed + s.unknown} item(s) may remain; run the cleanup again.`))
  if (r.remaining.length > 0) {
    out.push(chalk.red(`Still there (${r.remaining.length}):`))
    for (const p of r.remaining.slice(0, LIST_LIMIT)) out.push(`  ${p}`)
  }
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
