import type {StateHandleRecord} from '../ops/state-handle-records.js'
import type {StorageSummary} from '../ops/storage-verify.js'
import {chalk} from './colour.js'
import type {Column} from './table.js'

export function stateCell<T>(r: StateHandleRecord<T>): string {
  if (r.status === 'undecodable') return chalk.red('undecodable')
  switch (r.state) {
    case 'locked':
      return chalk.green('locked')
    case 'unlocked':
      return chalk.yellow('unlocked')
    case 'marked-for-deletion':
      return chalk.red('marked for deletion')
    case 'stored':
      return 'stored'
  }
}

export function locksCell<T>(r: StateHandleRecord<T>): string {
  if (r.locks === null) return '-'
  if (r.locks.count === 0) return '0'
  const who = r.locks.holders.map((h) => (h.owner ? `0x${h.owner}` : 'persistent')).join(',')
  return `${r.locks.live}/${r.locks.count} live ${who}`
}

export function storageCell<T>(r: StateHandleRecord<T>): string {
  const s = r.storage
  if (!s) return '-'
  switch (s.status) {
    case 'ok':
      return chalk.green('ok')
    case 'missing':
      return chalk.red('missing')
    case 'size-mismatch':
      return chalk.red(`size ${s.size}`)
    case 'unreachable':
      return chalk.yellow('unreachable')
    case 'error':
      return chalk.red('error')
    case 'not-checked':
      return chalk.yellow('not checked')
  }
}

export const sizeCell = <T>(r: StateHandleRecord<T>) => (r.pointer ? String(r.pointer.stateSize) : '-')
export const fileCell = <T>(r: StateHandleRecord<T>) => r.pointer?.path ?? '-'

/** Lines for entries with a problem, a storage finding or a content finding. */
export function recordFindings<T, R extends StateHandleRecord<T>>(label: (r: R) => string, records: R[]): string[] {
  const out: string[] = []
  for (const r of records) {
    if (r.problem) out.push(chalk.red(`${label(r)}: ${r.key}: ${r.problem}`))
    if (r.storage && r.storage.status !== 'ok' && r.storage.reason) out.push(`${label(r)}: storage ${r.storage.status}: ${r.storage.reason}`)
    if (r.content && r.content.status !== 'decoded' && r.content.problem) out.push(`${label(r)}: content ${r.content.status}: ${r.content.problem}`)
    if (r.content && r.content.status === 'decoded' && r.content.problem) out.push(chalk.red(`${label(r)}: content: ${r.content.problem}`))
  }
  return out
}

export function renderStorageSummary(s: StorageSummary | null): string[] {
  if (!s) return []
  const out: string[] = []
  const c = s.counts
  const counts = [
    `${c.ok} ok`,
    c.missing ? chalk.red(`${c.missing} missing`) : null,
    c['size-mismatch'] ? chalk.red(`${c['size-mismatch']} size mismatch`) : null,
    c.unreachable ? chalk.yellow(`${c.unreachable} unreachable`) : null,
    c.error ? chalk.red(`${c.error} error`) : null,
    c['not-checked'] ? chalk.yellow(`${c['not-checked']} not checked`) : null,
  ]
    .filter(Boolean)
    .join(', ')
  out.push(`storage: ${s.clusterDir ?? 'no storageDir given'}: ${counts}`)
  if (s.problem) out.push(chalk.yellow(`storage: ${s.problem}`))
  if (s.outsideClusterDir > 0) out.push(chalk.yellow(`storage: ${s.outsideClusterDir} pointed file(s) are not in ${s.clusterDir}: is the storageDir (or cluster id) the one Flink uses?`))
  if (s.orphans === null) {
    if (s.orphansNote) out.push(`orphans: ${s.orphansNote}`)
  } else if (s.orphans.length === 0) {
    out.push(`orphans: none${s.orphansNote ? ` (${s.orphansNote})` : ''}`)
  } else {
    out.push(chalk.yellow(`orphans: ${s.orphans.length} file(s) no entry points to:`))
    for (const o of s.orphans) out.push(`  ${o.path}  ${o.size} bytes  ${o.modified ?? ''}`.trimEnd())
  }
  for (const e of s.jobEvents ?? []) out.push(`job events: job ${e.jobId}: ${e.path} (${e.files} file(s), ${e.bytes} bytes; Flink 1.20+ batch job recovery)`)
  return out
}

/** The columns plans and checkpoints share after their first; SIZE and MODIFIED only with -o wide, STORAGE with --verify-storage. */
export function stateHandleColumns<R extends StateHandleRecord<unknown>>(verify: boolean): Column<R>[] {
  return [
    {id: 'state', head: 'STATE', cell: stateCell},
    {id: 'locks', head: 'LOCKS', cell: locksCell, shrink: 1},
    {id: 'size', head: 'SIZE', cell: sizeCell, wide: true},
    {id: 'file', head: 'FILE', cell: fileCell, shrink: 2, keep: 'end'},
    {id: 'modified', head: 'MODIFIED', cell: (r) => r.modified ?? '-', wide: true},
    ...(verify ? [{id: 'storage', head: 'STORAGE', cell: storageCell}] : []),
  ]
}

export const STATE_HANDLE_COLUMNS = stateHandleColumns(true).map((c) => c.id)
