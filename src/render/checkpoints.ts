import type {CheckpointJob, CheckpointRecord, CheckpointsReport} from '../ops/checkpoints.js'
import {chalk} from './colour.js'
import {recordFindings, renderStorageSummary, STATE_HANDLE_COLUMNS, stateHandleColumns} from './state-handles.js'
import {type Column, renderView, type View} from './table.js'

const iso = (ms: number | null) => (ms === null ? '?' : new Date(ms).toISOString())

function jobHeader(j: CheckpointJob): string {
  const plan = !j.plan.present
    ? chalk.yellow('no plan')
    : j.plan.markedForDeletion
      ? chalk.red('plan marked for deletion')
      : j.plan.status === 'undecodable'
        ? chalk.red('plan undecodable')
        : 'plan present'
  const counter =
    j.counter.status === 'undecodable'
      ? chalk.red(`counter undecodable: ${j.counter.problem}`)
      : `next checkpoint id ${j.counter.nextCheckpointId}${j.counter.present ? '' : ' (no counter: Flink starts at 1)'}`
  const restore = j.restoreFrom === null ? 'no checkpoint to restore from' : `restores from checkpoint ${j.restoreFrom}`
  return chalk.bold(`job ${j.jobId}`) + `: ${plan}; ${counter}; ${restore}`
}

/** Per job in text; with --no-headers one table, led by the job id. */
export function checkpointColumns(verify: boolean): Column<CheckpointRecord>[] {
  return [
    {id: 'job', head: 'JOB', cell: (r) => r.jobId ?? '-', flat: true},
    {id: 'id', head: 'ID', cell: (r) => (r.checkpointId === null ? r.name : String(r.checkpointId))},
    ...stateHandleColumns<CheckpointRecord>(verify),
  ]
}

export const CHECKPOINT_COLUMNS = ['job', 'id', ...STATE_HANDLE_COLUMNS]

/** -o name: <jobId>/<checkpoint id>, one a line. */
export function checkpointsView(report: CheckpointsReport): View<CheckpointRecord> {
  return {
    columns: checkpointColumns(report.storage !== null),
    rows: report.jobs.flatMap((j) => j.checkpoints),
    name: (r) => `${r.jobId}/${r.checkpointId ?? r.name}`,
  }
}

export function renderCheckpoints(report: CheckpointsReport): string {
  const out: string[] = []
  out.push(chalk.bold(`cluster ${report.clusterId} (${report.backend} ${report.root}): completed checkpoints`))
  if (report.jobs.length === 0) out.push('no jobs with execution plans or checkpoint data')
  const verify = report.storage !== null
  for (const j of report.jobs) {
    out.push('', jobHeader(j))
    if (j.checkpoints.length === 0) {
      out.push('  no retained checkpoints')
      continue
    }
    const table = renderView(checkpointColumns(verify), j.checkpoints)
    out.push(...table.split('\n').map((l) => `  ${l}`))
    for (const r of j.checkpoints) {
      const d = r.content?.decoded
      if (!d) continue
      out.push(
        `  ${r.checkpointId ?? r.name}: ${d.checkpointType ?? 'checkpoint'} triggered ${iso(d.triggerTimestamp)}, completed ${iso(d.completionTimestamp)}, at ${d.externalPointer ?? '?'}`,
      )
      for (const p of d.problems) out.push(chalk.yellow(`  ${r.checkpointId ?? r.name}: content: ${p}`))
    }
  }
  const label = (r: CheckpointRecord) => `job ${r.jobId} checkpoint ${r.checkpointId ?? r.name}`
  const findings = recordFindings(label, report.jobs.flatMap((j) => j.checkpoints))
  const notes = report.notes.map((n) => chalk.yellow(`note: job ${n.jobId}: ${n.message}`))
  const counters = report.jobs.filter((j) => j.counter.problem).map((j) => chalk.red(`job ${j.jobId}: ${j.counter.key}: ${j.counter.problem}`))
  if (findings.length + notes.length + counters.length > 0) out.push('')
  out.push(...counters, ...findings, ...notes, ...renderStorageSummary(report.storage))
  return out.join('\n')
}
