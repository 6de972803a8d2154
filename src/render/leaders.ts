import type {LeaderRecord, LeadersReport} from '../ops/leaders.js'
import {fmt} from '../model/seconds.js'
import {chalk} from './colour.js'
import {type Column, renderView, type View} from './table.js'

const label = (r: LeaderRecord) => (r.jobId ? `job ${r.jobId}` : r.component)

function aliveCell(r: LeaderRecord): string {
  if (r.status === 'undecodable') return chalk.red('undecodable')
  if (r.status === 'no-leader') return chalk.yellow('no leader')
  return r.alive ? chalk.green('alive') : chalk.red('dead')
}

/** The leaders table; LEADER SESSION and SINCE only with -o wide (they pushed rows to 187 characters). */
export function leaderColumns(k8s: boolean): Column<LeaderRecord>[] {
  return [
    {id: 'component', head: 'COMPONENT', cell: label},
    {id: 'address', head: 'ADDRESS', cell: (r) => r.address ?? '-', shrink: 1},
    {id: 'leader-session', head: 'LEADER SESSION', cell: (r) => r.sessionId ?? '-', wide: true},
    {id: 'owner', head: k8s ? 'LEASE HOLDER' : 'ZK SESSION', cell: (r) => (r.owner ? (k8s ? r.owner : `0x${r.owner}`) : '-'), shrink: 2},
    {id: 'since', head: 'SINCE', cell: (r) => r.since ?? '-', wide: true},
    {id: 'state', head: 'STATE', cell: aliveCell},
  ]
}

export const LEADER_COLUMNS = leaderColumns(false).map((c) => c.id)

/** -o name: the component, or the job id of a job master. */
export function leadersView(report: LeadersReport): View<LeaderRecord> {
  return {columns: leaderColumns(report.backend === 'kubernetes'), rows: report.leaders, name: (r) => r.jobId ?? r.component}
}

export function renderLeaders(report: LeadersReport, opts: {asOf?: string} = {}): string {
  const out: string[] = []
  const k8s = report.backend === 'kubernetes'
  out.push(chalk.bold(`cluster ${report.clusterId} (${report.backend} ${k8s ? `namespace ${report.root}` : report.root})`))
  out.push(renderView(leaderColumns(k8s), report.leaders))
  const problems = report.leaders.filter((r) => r.problem)
  for (const r of problems) out.push(chalk.red(`${label(r)}: ${r.key}: ${r.problem}`))
  if (k8s) {
    for (const l of report.leases) {
      const state = l.valid ? chalk.green('valid') : chalk.red(l.holderIdentity ? 'expired' : 'released')
      const renewed = l.ageSeconds === null ? 'never renewed' : `renewed ${fmt(l.ageSeconds)} ago`
      out.push(`lease ${l.configMap}: ${l.holderIdentity ?? 'no holder'}, ${renewed}, duration ${fmt(l.leaseDurationSeconds ?? 0)}, ${l.leaderTransitions ?? 0} transition(s): ${state}`)
    }
    if (report.leases.length === 0) out.push('lease: none (no leader annotation on any map)')
    return withAsOf(out, opts.asOf)
  }
  for (const l of report.latches) {
    const who = l.contenders.map((c, i) => `0x${c.owner}${i === 0 ? ' (leader)' : ''}`).join(', ')
    out.push(`latch ${l.key}: ${l.contenders.length} contender(s)${who ? `: ${who}` : ''}`)
  }
  if (report.latches.length === 0) out.push('latch: no contenders (no JobManager holds the leader latch)')
  return withAsOf(out, opts.asOf)
}

/** A snapshot's liveness is that of the time it was taken: said once, under the report (the cells stay short). */
function withAsOf(out: string[], asOf: string | undefined): string {
  if (asOf) out.push(chalk.yellow(`from a snapshot taken ${asOf}: liveness is as of then, not now`))
  return out.join('\n')
}
