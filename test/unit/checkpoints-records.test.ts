import {describe, expect, it} from 'vitest'
import type {Inventory, RawItem} from '../../src/backends/types.js'
import {checkpointsReport, counterRecord} from '../../src/ops/checkpoints.js'
import {zkStateHandleInventory} from '../support/layouts.js'
import {pointer} from '../support/java-bytes.js'

// The pure side of `haadm checkpoints`: per-job checkpoint records, counters, and the cross-check
// with the execution-plan store.


const int32 = (v: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(v)
  return new Uint8Array(b)
}

const A = '0123456789abcdef0123456789abcdef' // plan + checkpoints + counter
const B = 'fedcba9876543210fedcba9876543210' // plan only
const C = '00000000000000000000000000000abc' // counter only, no plan
const D = '00000000000000000000000000000ddd' // checkpoints, plan marked for deletion
const T = '2026-01-01T00:00:00.000Z'

function node(key: string, opts: {data?: Uint8Array; owner?: string; children?: number} = {}): RawItem {
  const data = opts.data ?? new Uint8Array(0)
  return {key, locator: `/flink/default/${key}`, data, zk: {ephemeralOwner: opts.owner ?? '0', ctime: T, mtime: T, version: 3, numChildren: opts.children ?? 0, dataLength: data.length}}
}
const inv = (items: RawItem[]): Inventory => ({backend: 'zookeeper', clusterId: '/default', root: '/flink/default', scannedAt: 'now', items})
const name = (id: number) => String(id).padStart(19, '0')
const file = (n: number) => `/mnt/ha/default/completedCheckpoint${String(n).padStart(12, '0')}`

function checkpoint(job: string, id: number, how: 'locked' | 'unlocked' | 'marked', owner = '1000abc'): RawItem[] {
  const key = `jobs/${job}/checkpoints/${name(id)}`
  const data = pointer(file(id), 2000 + id)
  if (how === 'marked') return [node(key, {data})]
  if (how === 'unlocked') return [node(key, {data, children: 1}), node(`${key}/locks`)]
  return [node(key, {data, children: 1}), node(`${key}/locks`, {children: 1}), node(`${key}/locks/11111111-2222-3333-4444-555555555555`, {owner})]
}

const items: RawItem[] = [
  node('jobgraphs', {children: 3}),
  node(`jobgraphs/${A}`, {data: pointer('/mnt/ha/default/submittedJobGraphaaaaaaaaaaaa', 1), children: 1}),
  node(`jobgraphs/${A}/locks`),
  node(`jobgraphs/${B}`, {data: pointer('/mnt/ha/default/submittedJobGraphbbbbbbbbbbbb', 1), children: 1}),
  node(`jobgraphs/${B}/locks`),
  node(`jobgraphs/${D}`, {data: pointer('/mnt/ha/default/submittedJobGraphdddddddddddd', 1)}),
  node('jobs', {children: 3}),
  node(`jobs/${A}`, {children: 2}),
  node(`jobs/${A}/checkpoint_id_counter`, {data: int32(13)}),
  node(`jobs/${A}/checkpoints`, {children: 4}),
  ...checkpoint(A, 12, 'marked'),
  ...checkpoint(A, 10, 'unlocked'),
  ...checkpoint(A, 11, 'locked'),
  node(`jobs/${A}/checkpoints/garbage`, {data: Uint8Array.from([1, 2, 3]), children: 0}),
  node(`jobs/${C}`, {children: 1}),
  node(`jobs/${C}/checkpoint_id_counter`, {data: int32(1)}),
  node(`jobs/${D}`, {children: 2}),
  node(`jobs/${D}/checkpoint_id_counter`, {data: Uint8Array.from([0, 0, 9])}),
  node(`jobs/${D}/checkpoints`, {children: 1}),
  ...checkpoint(D, 9, 'locked'),
  // legacy 1.15 per-job leader nodes live beside the checkpoints: not checkpoint data
  node('jobs/not-a-job', {children: 0}),
]

describe('checkpointsReport', () => {
  const report = checkpointsReport(zkStateHandleInventory(inv(items), '/jobgraphs'))
  const job = (id: string) => report.jobs.find((j) => j.jobId === id)!

  it('lists every job with a plan or checkpoint data, sorted', () => {
    expect(report.jobs.map((j) => j.jobId)).toEqual([C, D, A, B])
  })

  it('orders checkpoints by id and restores from the highest one not marked for deletion', () => {
    const a = job(A)
    expect(a.checkpoints.map((c) => [c.checkpointId, c.state, c.pointer?.stateSize ?? null])).toEqual([
      [10, 'unlocked', 2010],
      [11, 'locked', 2011],
      [12, 'marked-for-deletion', 2012],
      [null, 'marked-for-deletion', null],
    ])
    expect(a.restoreFrom).toBe(11)
    expect(a.checkpoints[1]).toMatchObject({jobId: A, name: name(11), key: `jobs/${A}/checkpoints/${name(11)}`, locks: {count: 1, live: 1}, recoverable: true})
    expect(a.checkpoints[1]!.evidence).toMatch(/locked by 1 live session\(s\) \(0x1000abc\)/)
    expect(a.checkpoints[0]!.evidence).toMatch(/restores from the latest such checkpoint/)
    const garbage = a.checkpoints[3]!
    expect(garbage.status).toBe('undecodable')
    expect(garbage.problem).toMatch(/checkpoint entry name "garbage" is not a number; pointer undecodable/)
    expect(a.counter).toMatchObject({present: true, status: 'ok', nextCheckpointId: 13, key: `jobs/${A}/checkpoint_id_counter`, problem: null})
    expect(a.plan).toEqual({present: true, status: 'ok', markedForDeletion: false, key: `jobgraphs/${A}`})
    expect(a.notes).toEqual([])
  })

  it('shows an absent counter as next id 1, and an undecodable one with the reason', () => {
    expect(job(B).counter).toMatchObject({present: false, status: 'absent', nextCheckpointId: 1, key: null})
    expect(job(D).counter).toMatchObject({present: true, status: 'undecodable', nextCheckpointId: null})
    expect(job(D).counter.problem).toMatch(/3 byte\(s\), expected 4/)
    expect(counterRecord({jobId: A, key: 'k', locator: 'l', value: {ok: true, value: 17}, modified: null, version: '5'})).toMatchObject({
      status: 'ok',
      nextCheckpointId: 17,
    })
  })

  it('cross-checks jobs against the execution-plan store', () => {
    expect(report.notes.map((n) => [n.jobId, n.kind])).toEqual([
      [C, 'checkpoints-without-plan'],
      [D, 'checkpoints-without-plan'],
      [B, 'plan-without-checkpoints'],
    ])
    expect(job(C).notes[0]!.message).toMatch(/^a checkpoint id counter but no execution plan/)
    expect(job(D).notes[0]!.message).toMatch(/^1 checkpoint\(s\) and a checkpoint id counter but an execution plan marked for deletion/)
    expect(job(B).notes[0]!.message).toMatch(/^an execution plan but no checkpoint data at all/)
    expect(job(B).checkpoints).toEqual([])
    expect(job(B).restoreFrom).toBeNull()
  })

  it('notes a counter that is not ahead of the retained checkpoints', () => {
    const behind = items.map((i) => (i.key === `jobs/${A}/checkpoint_id_counter` ? {...i, data: int32(12)} : i))
    const r = checkpointsReport(zkStateHandleInventory(inv(behind), '/jobgraphs'), {jobs: [A]})
    expect(r.jobs.map((j) => j.jobId)).toEqual([A])
    expect(r.notes).toEqual([{jobId: A, kind: 'counter-not-ahead', message: "the counter's next id 12 is not above the highest retained checkpoint 12"}])
  })
})
