import {describe, expect, it} from 'vitest'
import type {Inventory, RawItem} from '../../src/backends/types.js'
import {describeKey, jobSubtrees} from '../../src/backends/zookeeper/layout.js'
import {planCleanup} from '../../src/ops/cleanup.js'
import {zkLayout} from '../support/layouts.js'

const JOB = '0123456789abcdef0123456789abcdef'
const OTHER = 'ffffffffffffffffffffffffffffffff'

function node(key: string, owner = '0', version = 0): RawItem {
  return {
    key,
    locator: key ? `/flink/c1/${key}` : '/flink/c1',
    data: new Uint8Array(0),
    zk: {ephemeralOwner: owner, ctime: 't', mtime: 't', version, numChildren: 0, dataLength: 0},
  }
}
const inv = (items: RawItem[], root = '/flink/c1'): Inventory => ({backend: 'zookeeper', clusterId: '/c1', root, scannedAt: 'now', items})

describe('planCleanup', () => {
  const items = [
    node(''),
    node('leader'),
    node('leader/dispatcher'),
    node(`leader/job-${JOB}`),
    node('jobgraphs'),
    node(`jobgraphs/${JOB}`, '0', 3),
    node(`jobgraphs/${JOB}/locks`),
    node('jobs'),
    node(`jobs/${JOB}`),
    node(`jobs/${JOB}/checkpoints`),
    node(`jobs/${JOB}/checkpoints/0000000000000000042`),
    node(`jobs/${JOB}/checkpoint_id_counter`),
    node(`jobs/${OTHER}`),
  ]

  it('a whole cluster: every node, children before parents, then the empty parents but never /', () => {
    const plan = planCleanup(inv(items), {})
    expect(plan.metadata).toHaveLength(items.length)
    const pos = new Map(plan.metadata.map((m, i) => [m.key, i]))
    for (const m of plan.metadata) {
      const parent = m.key.includes('/') ? m.key.slice(0, m.key.lastIndexOf('/')) : ''
      if (m.key !== '') expect(pos.get(m.key)!, m.key).toBeLessThan(pos.get(parent)!)
    }
    expect(plan.metadata.at(-1)!.key).toBe('')
    expect(plan.metadata.find((m) => m.key === `jobgraphs/${JOB}`)!.version).toBe(3)
    expect(plan.parents.map((p) => p.locator)).toEqual(['/flink'])
    expect(plan.parents.every((p) => p.onlyIfEmpty)).toBe(true)
    expect(plan.liveEvidence).toEqual([])
  })

  it('multi-level roots walk up every level', () => {
    expect(planCleanup(inv([node('')], '/a/b/c'), {}).parents.map((p) => p.locator)).toEqual(['/a/b', '/a'])
  })

  it('one job: only its subtrees, in every layout', () => {
    const plan = planCleanup(inv([...items, node(`leader/${JOB}`), node(`leader/${JOB}/connection_info`)]), {jobId: JOB})
    expect(plan.metadata.map((m) => m.key).sort()).toEqual(
      [
        `jobgraphs/${JOB}`,
        `jobgraphs/${JOB}/locks`,
        `jobs/${JOB}`,
        `jobs/${JOB}/checkpoints`,
        `jobs/${JOB}/checkpoints/0000000000000000042`,
        `jobs/${JOB}/checkpoint_id_counter`,
        `leader/${JOB}`,
        `leader/${JOB}/connection_info`,
        `leader/job-${JOB}`,
      ].sort(),
    )
    expect(plan.parents).toEqual([])
  })

  it('a custom job graph path is honoured', () => {
    expect(jobSubtrees(JOB, ['custom/graphs'])).toContain(`custom/graphs/${JOB}`)
    const custom = inv([node(''), node('custom'), node('custom/graphs'), node(`custom/graphs/${JOB}`), node(`jobgraphs/${JOB}`)])
    const plan = planCleanup(custom, {jobId: JOB}, zkLayout(custom, '/custom/graphs/'))
    expect(plan.metadata.map((m) => m.key)).toEqual([`custom/graphs/${JOB}`])
  })

  it('ephemeral nodes are evidence of life, grouped by session', () => {
    const plan = planCleanup(
      inv([...items, node(`jobgraphs/${JOB}/locks/6f1c`, 'abc'), node('leader/latch/_c_x-latch-0000000001', 'abc'), node('leader/latch/_c_y-latch-0000000002', 'def')]),
      {},
    )
    expect(plan.liveEvidence).toHaveLength(2)
    expect(plan.liveEvidence[0]).toMatch(/^session 0xabc is alive and owns 2 node\(s\) \(lock, leader latch contender\)/)
    const jobPlan = planCleanup(inv([...items, node('leader/latch/_c_x-latch-0000000001', 'abc')]), {jobId: JOB})
    expect(jobPlan.liveEvidence).toEqual([])
  })

  it('Flink 2.x: a job cleanup takes its execution-plans entry, found in the store without configuration', () => {
    const v2 = inv([node(''), node('execution-plans'), node(`execution-plans/${JOB}`), node(`execution-plans/${JOB}/locks`), node(`jobs/${JOB}`)])
    expect(planCleanup(v2, {jobId: JOB}).metadata.map((m) => m.key).sort()).toEqual([`execution-plans/${JOB}`, `execution-plans/${JOB}/locks`, `jobs/${JOB}`])
    // Both directories (an upgrade's leftovers): both entries go.
    const both = inv([...v2.items, node('jobgraphs'), node(`jobgraphs/${JOB}`)])
    expect(planCleanup(both, {jobId: JOB}).metadata.map((m) => m.key)).toContain(`jobgraphs/${JOB}`)
    expect(planCleanup(both, {jobId: JOB}).metadata.map((m) => m.key)).toContain(`execution-plans/${JOB}`)
  })

  it('names what each node is', () => {
    expect(describeKey('jobs/x/checkpoints/0000000000000000007')).toBe('checkpoint 7')
    expect(describeKey(`jobgraphs/${JOB}`)).toBe('execution plan (job graph) pointer')
    expect(describeKey('leader/rest_server/connection_info')).toBe('leader record of rest_server')
  })
})
