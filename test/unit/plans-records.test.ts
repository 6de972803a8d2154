import {describe, expect, it} from 'vitest'
import type {Inventory, RawItem} from '../../src/backends/types.js'
import {planRecords} from '../../src/ops/plans.js'
import {zkStateHandleInventory} from '../support/layouts.js'
import {pointer} from '../support/java-bytes.js'

// The pure side of `haadm plans`: ZooKeeper inventory → state-handle entries → plan records.


const JOB_A = '0123456789abcdef0123456789abcdef'
const JOB_B = 'fedcba9876543210fedcba9876543210'
const JOB_C = '00000000000000000000000000000abc'
const T = '2026-01-01T00:00:00.000Z'

function node(key: string, opts: {data?: Uint8Array; owner?: string; children?: number; version?: number} = {}): RawItem {
  const data = opts.data ?? new Uint8Array(0)
  return {
    key,
    locator: `/flink/default/${key}`,
    data,
    zk: {ephemeralOwner: opts.owner ?? '0', ctime: T, mtime: T, version: opts.version ?? 0, numChildren: opts.children ?? 0, dataLength: data.length},
  }
}

const inv = (items: RawItem[]): Inventory => ({backend: 'zookeeper', clusterId: '/default', root: '/flink/default', scannedAt: 'now', items})

/** An entry as addAndLock leaves it: entry, locks, one ephemeral lock per owner. */
function lockedEntry(key: string, data: Uint8Array, owners: string[]): RawItem[] {
  return [
    node(key, {data, children: 1}),
    node(`${key}/locks`, {data: Buffer.from('127.0.0.1'), children: owners.length}),
    ...owners.map((o, i) => node(`${key}/locks/0000000${i}-aaaa-bbbb-cccc-dddddddddddd`, {owner: o, data: Buffer.from('127.0.0.1')})),
  ]
}

describe('zkStateHandleInventory + planRecords', () => {
  const fileA = '/mnt/ha/default/submittedJobGraph0123456789ab'
  const items = [
    node('jobgraphs', {children: 4}),
    ...lockedEntry(`jobgraphs/${JOB_A}`, pointer(fileA, 1060), ['10000aaaa', '10000bbbb']),
    // Marked for deletion: the locks node is gone, so the entry has no children.
    node(`jobgraphs/${JOB_B}`, {data: pointer('s3://bucket/ha/default/submittedExecutionPlanffffffffffff', 99)}),
    // Unlocked: its JobManagers are gone but `locks` (persistent) stays.
    node(`jobgraphs/${JOB_C}`, {data: pointer('file:/mnt/my%20ha/default/submittedJobGraphaaaaaaaaaaaa', 7), children: 1}),
    node(`jobgraphs/${JOB_C}/locks`),
    // Junk Flink would not write.
    node('jobgraphs/not-a-job', {data: Uint8Array.from([0xac, 0xed, 0x00, 0x05, 0x77]), children: 1}),
    node('jobgraphs/not-a-job/locks', {children: 1}),
    node('jobgraphs/not-a-job/locks/persistent-lock'),
  ]

  it('maps entries, locks and deletion markers as Flink defines them', () => {
    const shi = zkStateHandleInventory(inv(items), '/jobgraphs')
    expect(shi.planStore).toEqual({key: 'jobgraphs', locator: '/flink/default/jobgraphs'})
    expect(shi.plans.map((p) => [p.name, p.jobId, p.markedForDeletion, p.locks?.length])).toEqual([
      [JOB_C, JOB_C, false, 0],
      [JOB_A, JOB_A, false, 2],
      [JOB_B, JOB_B, true, 0],
      ['not-a-job', null, false, 1],
    ])
    const a = shi.plans.find((p) => p.jobId === JOB_A)!
    expect(a.locks!.map((l) => [l.owner, l.alive])).toEqual([
      ['10000aaaa', true],
      ['10000bbbb', true],
    ])
    expect(shi.plans.find((p) => p.name === 'not-a-job')!.locks![0]).toMatchObject({owner: null, alive: false, lockId: 'persistent-lock'})
  })

  it('builds records with pointer, locks, state and evidence', () => {
    const report = planRecords(zkStateHandleInventory(inv(items), '/jobgraphs'))
    const byName = Object.fromEntries(report.plans.map((p) => [p.name, p]))
    expect(byName[JOB_A]).toMatchObject({
      jobId: JOB_A,
      status: 'ok',
      problem: null,
      pointer: {uri: fileA, path: fileA, stateSize: 1060},
      fileName: 'submittedJobGraph0123456789ab',
      locks: {count: 2, live: 2},
      markedForDeletion: false,
      state: 'locked',
      recoverable: true,
      storage: null,
      content: null,
      created: T,
      version: 0,
    })
    expect(byName[JOB_A]!.evidence).toMatch(/locked by 2 live session\(s\) \(0x10000aaaa, 0x10000bbbb\)/)
    expect(byName[JOB_B]).toMatchObject({state: 'marked-for-deletion', recoverable: false, locks: {count: 0, live: 0}})
    expect(byName[JOB_B]!.evidence).toMatch(/marked for deletion .*Flink skips it on recovery/)
    expect(byName[JOB_C]).toMatchObject({state: 'unlocked', recoverable: true, pointer: {path: 'file:/mnt/my ha/default/submittedJobGraphaaaaaaaaaaaa'}})
    expect(byName[JOB_C]!.evidence).toMatch(/no live lock .* the next leader recovers the job from it/)
    const junk = byName['not-a-job']!
    expect(junk).toMatchObject({jobId: null, status: 'undecodable', state: 'locked', recoverable: false, pointer: null, locks: {count: 1, live: 0}})
    expect(junk.problem).toMatch(/entry name "not-a-job" is not a job id; pointer undecodable: .* \(at byte \d+\)/)
    expect(junk.evidence).toMatch(/persistent lock node/)
  })

  it('reads the lock children Flink before 1.15 put directly under the entry', () => {
    const legacy = [
      node('jobgraphs', {children: 1}),
      node(`jobgraphs/${JOB_A}`, {data: pointer('/mnt/ha/default/submittedJobGraph0123456789ab', 5), children: 1}),
      node(`jobgraphs/${JOB_A}/9c6a1f0e-0000-4000-8000-000000000001`, {owner: '10000cccc'}),
    ]
    const rec = planRecords(zkStateHandleInventory(inv(legacy), '/jobgraphs')).plans[0]!
    expect(rec).toMatchObject({state: 'locked', markedForDeletion: false, locks: {count: 1, live: 1, holders: [{lockId: '9c6a1f0e-0000-4000-8000-000000000001', owner: '10000cccc'}]}})
  })

  it('filters by job and honours another jobgraphs path', () => {
    expect(planRecords(zkStateHandleInventory(inv(items), '/jobgraphs'), {jobs: [JOB_B]}).plans.map((p) => p.jobId)).toEqual([JOB_B])
    const moved = items.map((i) => ({...i, key: i.key.replace(/^jobgraphs/, 'custom/graphs')}))
    const shi = zkStateHandleInventory(inv([node('custom', {children: 1}), ...moved]), '/custom/graphs/')
    expect(shi.plans).toHaveLength(4)
    expect(shi.planStore.key).toBe('custom/graphs')
    expect(zkStateHandleInventory(inv(items), '/elsewhere').plans).toEqual([])
  })

  it('an empty cluster has no plans', () => {
    const report = planRecords(zkStateHandleInventory(inv([node('', {children: 0})]), '/jobgraphs'))
    expect(report.plans).toEqual([])
    expect(report.storage).toBeNull()
  })
})
