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

export function renderCleanup(r: CleanupResult, verbose = false): string {
  if (r.plan.metadata.length === 0 && r.plan.storage.length === 0) return `Nothing to do: no HA metadata for ${r.plan.jobId ? `job ${r.plan.jobId} of ` : ''}cluster ${r.plan.clusterId} under ${r.plan.root}.`
  if (r.dryRun) return `${renderPlan(r.plan)}\n${chalk.yellow('Dry run: nothing was removed.')}`
  const out: string[] = []
  const failed = r.outcomes.filter((o) => o.status === 'failed')
  for (const o of failed.slice(0, LIST_LIMIT)) out.push(chalk.red(`failed: ${o.target.locator}: ${o.error}`))
  if (failed.length > LIST_LIMIT) out.push(chalk.red(`… and ${failed.length - LIST_LIMIT} more failures (--json lists them all)`))
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
  out.push(`Removed ${kinds('removed')}; already gone ${kinds('absent')}; kept ${s.kept} (parents not empty); failed ${s.failed}.${r.backup ? ` Backup: ${r.backup}.` : ''}`)
  if (verbose)
    for (const o of r.outcomes.filter((x) => x.status === 'removed')) out.push(`  removed ${isFile(o) ? 'file ' : r.plan.backend === 'kubernetes' ? 'map  ' : 'znode'} ${o.target.locator}`)
  else if (s.removed > 0) out.push('(--verbose or --json lists every item)')
  if (r.remaining.length > 0) {
    out.push(chalk.red(`Still there (${r.remaining.length}):`))
    for (const p of r.remaining.slice(0, LIST_LIMIT)) out.push(`  ${p}`)
  }
  return out.join('\n')
}
