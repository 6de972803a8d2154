import type {PlanRecord, PlansReport} from '../ops/plans.js'
import {chalk} from './colour.js'
import {recordFindings, renderStorageSummary, STATE_HANDLE_COLUMNS, stateHandleColumns} from './state-handles.js'
import {type Column, renderView, type View} from './table.js'

const label = (r: PlanRecord) => `job ${r.jobId ?? r.name}`

export function planColumns(verify: boolean): Column<PlanRecord>[] {
  return [{id: 'job', head: 'JOB', cell: (r) => r.jobId ?? r.name}, ...stateHandleColumns<PlanRecord>(verify)]
}

export const PLAN_COLUMNS = ['job', ...STATE_HANDLE_COLUMNS]

/** -o name: job ids. */
export function plansView(report: PlansReport): View<PlanRecord> {
  return {columns: planColumns(report.storage !== null), rows: report.plans, name: (r) => r.jobId ?? r.name}
}

export function renderPlans(report: PlansReport): string {
  const out: string[] = []
  const stores = report.stores.filter((st) => st.exists)
  const where = stores.length > 1 ? stores.map((st) => `${st.locator} (Flink ${st.versions})`).join(' and ') : report.store.locator
  out.push(chalk.bold(`cluster ${report.clusterId} (${report.backend} ${report.root}): execution plans in ${where}`))
  for (const n of report.layoutNotes) out.push(chalk.yellow(`note: ${n}`))
  if (report.plans.length === 0) {
    const looked = report.stores.length > 1 ? ` (looked in ${report.stores.map((st) => `${st.locator} for Flink ${st.versions}`).join(' and ')})` : ''
    out.push(`no execution plans${looked}: no JobManager will recover a job of this cluster`)
  } else {
    out.push(renderView(planColumns(report.storage !== null), report.plans))
    for (const r of report.plans) {
      const d = r.content?.decoded
      if (d) {
        const savepoint = d.savepointPath ? `, submitted to restore from ${d.savepointPath}` : ''
        out.push(`${label(r)}: ${d.kind} "${d.jobName ?? '?'}", type ${d.jobType ?? '?'}${savepoint}`)
        for (const p of d.problems) out.push(chalk.yellow(`${label(r)}: content: ${p}`))
      }
    }
    const recoverable = report.plans.filter((r) => r.recoverable).length
    out.push(`${recoverable} of ${report.plans.length} execution plan(s) would be recovered by the next leader`)
  }
  out.push(...recordFindings(label, report.plans), ...renderStorageSummary(report.storage))
  return out.join('\n')
}
