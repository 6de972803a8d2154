import {fmt} from '../model/seconds.js'
import {type ClustersResult, nothingFound} from '../ops/clusters.js'
import {chalk} from './colour.js'
import {renderTable} from './table.js'

/** 1234567 → `1.2 MB`. */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`
}

export function renderClusters(r: ClustersResult): string {
  if (r.clusters.length === 0) return `${nothingFound(r).replace(/^./, (c) => c.toUpperCase())}.`
  const withNs = r.clusters.some((c) => c.namespace !== null) && r.root === '*'
  const withDirty = r.clusters.some((c) => c.dirtyJobResults !== null)
  const head = [...(withNs ? ['NAMESPACE'] : []), 'CLUSTER', 'STATE', 'JOBS', 'CHECKPOINTS', 'ITEMS', 'BYTES', 'LAST CHANGE', ...(withDirty ? ['DIRTY JOBS'] : [])]
  const rows = r.clusters.map((c) => [
    ...(withNs ? [c.namespace ?? ''] : []),
    c.clusterId,
    c.alive ? chalk.green('alive') : 'dead',
    String(c.jobs),
    String(c.checkpoints),
    String(c.items),
    bytesText(c.bytes),
    c.idleSeconds === null ? '?' : `${fmt(c.idleSeconds)} ago`,
    ...(withDirty ? [c.dirtyJobResults === null ? '?' : String(c.dirtyJobResults)] : []),
  ])
  const alive = r.clusters.filter((c) => c.alive).length
  const shown = r.clusters.length === r.found ? `${r.found} cluster(s)` : `${r.clusters.length} of ${r.found} cluster(s)`
  return `${renderTable(head, rows)}\n${shown} in ${r.root === '*' ? 'every namespace' : r.root}: ${alive} alive, ${r.clusters.length - alive} dead.`
}
