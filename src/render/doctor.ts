import type {DoctorReport, Severity} from '../ops/doctor.js'
import {chalk} from './colour.js'

const ITEM_LIMIT = 5
const TITLE: Record<Severity, string> = {error: 'ERRORS', warning: 'WARNINGS', info: 'NOTES'}
const COLOUR: Record<Severity, (s: string) => string> = {error: chalk.red, warning: chalk.yellow, info: (s) => s}

export function renderDoctor(r: DoctorReport): string {
  const out: string[] = []
  const colour = r.verdict === 'will not recover' ? chalk.red : r.verdict === 'healthy' ? chalk.green : chalk.yellow
  out.push(`${chalk.bold(`cluster ${r.clusterId}`)} (${r.backend} ${r.root}, ${r.alive ? 'alive' : 'no live JobManager'}): ${colour(r.summary)}`)
  for (const sev of ['error', 'warning', 'info'] as const) {
    const list = r.findings.filter((f) => f.severity === sev)
    if (list.length === 0) continue
    out.push('', chalk.bold(COLOUR[sev](`${TITLE[sev]} (${list.length})`)))
    for (const f of list) {
      out.push(`  ${COLOUR[sev](f.id)}${f.jobId ? ` job ${f.jobId}` : ''}: ${f.evidence}`)
      out.push(`    Flink: ${f.effect}`)
      out.push(`    fix:   ${f.fix}`)
      for (const i of f.items.slice(0, ITEM_LIMIT)) out.push(`      ${i}`)
      if (f.items.length > ITEM_LIMIT) out.push(`      … and ${f.items.length - ITEM_LIMIT} more (--json lists them all)`)
    }
  }
  if (r.skipped.length > 0) out.push('', `Skipped checks: ${r.skipped.map((s) => s.check).join(', ')}.`)
  return out.join('\n')
}
