import type {LeaderRecord, LeadersReport} from '../ops/leaders.js'
import {chalk} from './colour.js'
import {renderTable} from './table.js'

const label = (r: LeaderRecord) => (r.jobId ? `job ${r.jobId}` : r.component)

function aliveCell(r: LeaderRecord): string {
  if (r.status === 'undecodable') return chalk.red('undecodable')
  if (r.status === 'no-leader') return chalk.yellow('no leader')
  return r.alive ? chalk.green('alive') : chalk.red('dead')
}

export function renderLeaders(report: LeadersReport): string {
  const out: string[] = []
  out.push(chalk.bold(`cluster ${report.clusterId} (${report.backend} ${report.root})`))
  out.push(
    renderTable(
      ['COMPONENT', 'ADDRESS', 'LEADER SESSION', 'ZK SESSION', 'SINCE', 'STATE'],
      report.leaders.map((r) => [
        label(r),
        r.address ?? '-',
        r.sessionId ?? '-',
        r.owner ? `0x${r.owner}` : '-',
        r.since ?? '-',
        aliveCell(r),
      ]),
    ),
  )
  const problems = report.leaders.filter((r) => r.problem)
  for (const r of problems) out.push(chalk.red(`${label(r)}: ${r.key}: ${r.problem}`))
  for (const l of report.latches) {
    const who = l.contenders.map((c, i) => `0x${c.owner}${i === 0 ? ' (leader)' : ''}`).join(', ')
    out.push(`latch ${l.key}: ${l.contenders.length} contender(s)${who ? `: ${who}` : ''}`)
  }
  if (report.latches.length === 0) out.push('latch: no contenders (no JobManager holds the leader latch)')
  return out.join('\n')
}
