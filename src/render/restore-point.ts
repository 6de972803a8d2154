import type {RestorePointReport} from '../ops/restore-point.js'
import {chalk} from './colour.js'
import {renderTable} from './table.js'

export function renderRestorePoint(r: RestorePointReport): string {
  const out: string[] = []
  const ha = r.haMetadata === 'found' ? 'HA metadata found' : r.haMetadata === 'not-found' ? chalk.yellow('HA metadata not available') : chalk.yellow('HA store not read')
  out.push(`${chalk.bold(`cluster ${r.clusterId}`)}: ${ha}${r.haNote ? ` (${r.haNote})` : ''}`)
  if (r.jobs.length === 0) out.push('no checkpoint found for any job')
  for (const j of r.jobs) {
    out.push('')
    if (!j.chosen) {
      out.push(`${chalk.bold(`job ${j.jobId}`)}: ${chalk.red('no restore point')}: ${j.why}`)
    } else {
      out.push(`${chalk.bold(`job ${j.jobId}`)}: restore from checkpoint ${j.chosen.checkpointId}`)
      out.push(
        j.chosen.externalPointer
          ? `  execution.savepoint.path: ${j.chosen.externalPointer}`
          : chalk.yellow('  the checkpoint directory is unknown: pass --storage-dir so haadm reads the checkpoint file'),
      )
      out.push(`  why: ${j.why}`)
    }
    if (j.candidates.length > 0)
      out.push(
        renderTable(
          ['  ID', 'SOURCE', '_METADATA', 'USABLE', 'FROM'],
          j.candidates.map((c) => [`  ${c.checkpointId}`, c.source, c.metadata, c.usable ? 'yes' : `no: ${c.problem}`, c.from]),
        ),
      )
  }
  return out.join('\n')
}
