// What a layout says a command reads (HaLayout.reads) must give the same answer as reading everything:
// each check runs the layout on a full inventory and on what a scan following the spec returns
// (applyReadSpec: skipped subtrees dropped, stat-only items without data), and compares.
import {describe, expect, it} from 'vitest'
import {KubernetesLayout} from '../../src/backends/kubernetes/ha-layout.js'
import type {HaLayout} from '../../src/backends/layout.js'
import {applyReadSpec, readDepthOf, type ReadNeed} from '../../src/backends/read-spec.js'
import type {Inventory, K8sMapMeta, RawItem} from '../../src/backends/types.js'
import {checkpointsReport} from '../../src/ops/checkpoints.js'
import {planCleanup} from '../../src/ops/cleanup.js'
import {planRecords} from '../../src/ops/plans.js'
import {pointer} from '../support/java-bytes.js'
import {zkLayout} from '../support/layouts.js'

const A = 'a'.repeat(32)
const B = 'b'.repeat(32)
const C = 'c'.repeat(32)
const CP = (n: number) => String(n).padStart(19, '0')

describe('read-spec patterns', () => {
  it('matches segments, globs within a segment, a subtree, and the root', () => {
    const d = readDepthOf({rules: [['', 'stat'], ['leader/**', 'data'], ['jobs/*', 'stat'], ['*/checkpointID-*', 'skip'], ['**', 'skip']]})
    expect(['', 'leader', 'leader/x/y', 'leaderx', 'jobs', 'jobs/a', 'jobs/a/b', 'm/checkpointID-1', 'm/counter'].map(d)).toEqual([
      'stat', 'data', 'data', 'skip', 'skip', 'stat', 'skip', 'skip', 'skip',
    ])
    expect(readDepthOf(undefined)('anything')).toBe('data')
  })

  it('drops what is below a skipped item even when a later rule would read it', () => {
    const item = (key: string): RawItem => ({key, locator: key, data: Uint8Array.of(1)})
    const got = applyReadSpec([item(''), item('a'), item('a/b'), item('c'), item('c/d')], {rules: [['a', 'skip'], ['c', 'stat']]})
    expect(got.map((i) => [i.key, i.data.length])).toEqual([['', 1], ['c', 0], ['c/d', 1]])
  })
})

/** A ZooKeeper tree as keys (parents implied), every node with data that no decoder accepts unless given. */
function zkInventory(nodes: Array<[key: string, owner?: string, data?: Uint8Array]>, root = '/flink/c'): Inventory {
  const keys = new Map<string, {owner: string; data: Uint8Array}>()
  const add = (key: string, owner = '0', data?: Uint8Array) => {
    const parts = key === '' ? [] : key.split('/')
    for (let i = 0; i < parts.length; i++) {
      const k = parts.slice(0, i).join('/')
      if (!keys.has(k)) keys.set(k, {owner: '0', data: Uint8Array.of(0x42, i)})
    }
    keys.set(key, {owner, data: data ?? Uint8Array.of(0x17, key.length & 0xff, 0x99)})
  }
  for (const [k, o, d] of nodes) add(k, o, d)
  const children = (k: string) => [...keys.keys()].filter((c) => c !== k && (k === '' ? !c.includes('/') : c.startsWith(`${k}/`) && !c.slice(k.length + 1).includes('/'))).length
  const items: RawItem[] = [...keys.entries()]
    .map(([key, v], i) => ({
      key,
      locator: key === '' ? root : `${root}/${key}`,
      data: v.data,
      zk: {ephemeralOwner: v.owner, ctime: new Date(1_700_000_000_000 + i * 1000).toISOString(), mtime: new Date(1_700_000_500_000 + i).toISOString(), version: i % 3, numChildren: children(key), dataLength: v.data.length},
    }))
    .sort((a, b) => (a.key < b.key ? -1 : 1))
  return {backend: 'zookeeper', clusterId: '/c', root, scannedAt: '2026-01-01T00:00:00.000Z', items}
}

const zkTree = (planDir = 'jobgraphs') =>
  zkInventory([
    ['leader/latch/_c_1-latch-0000000001', '1a'],
    ['leader/latch/_c_2-latch-0000000002', '2b'],
    ['leader/dispatcher/connection_info', '1a', new Uint8Array(0)],
    ['leader/resource_manager/connection_info', '1a'],
    [`leader/${A}/connection_info`, '1a'],
    [`leader/job-${B}/connection_info`, '0'],
    [`${planDir}/${A}/locks/u1`, '1a'],
    [`${planDir}/${B}`, '0', ptr('submittedJobGraphb')],
    [`${planDir}/${C}/u2`, '2b'], // a lock as the entry's own child (before 1.15)
    [`${planDir}/not-a-job`],
    ['execution-plans/' + B + '/locks/u3', '2b'],
    [`jobs/${A}/checkpoints/${CP(1)}/locks/u4`, '1a'],
    [`jobs/${A}/checkpoints/${CP(2)}`, '0', ptr('completedCheckpoint2')],
    [`jobs/${A}/checkpoints/bad-name`],
    [`jobs/${A}/checkpoint_id_counter`, '0', Uint8Array.of(0, 0, 0, 3)],
    [`jobs/${B}/checkpoint_id_counter`, '0', Uint8Array.of(0, 0, 0)],
    [`jobs/${C}/leader/latch/_c_3-latch-0000000007`, '3c'],
    [`jobs/${C}/leader/connection_info`, '3c'],
    [`jobs/${C}/checkpoints/${CP(5)}`, '0', ptr('completedCheckpoint5')],
    ['running_job_registry/x'],
  ])

/** Every answer a command takes from the layout, from everything and from what its spec reads. */
function expectSameAnswers(layout: (inv: Inventory) => HaLayout, inv: Inventory, jobs: string[]) {
  const full = layout(inv)
  const read = (need: ReadNeed) => {
    const items = applyReadSpec(inv.items, full.reads(need))
    return {...inv, items}
  }
  const leadersInv = read({command: 'leaders'})
  expect(leadersInv.items.length).toBeLessThan(inv.items.length)
  expect(layout(leadersInv).leaders(leadersInv)).toEqual(full.leaders(inv))

  const all = read({command: 'state-handles', jobs: []})
  expect(layout(all).stateHandles(all)).toEqual(full.stateHandles(inv))
  for (const job of jobs) {
    const one = read({command: 'state-handles', jobs: [job]})
    const sh = layout(one).stateHandles(one)
    const fullSh = full.stateHandles(inv)
    expect(checkpointsReport(sh, {jobs: [job]})).toEqual(checkpointsReport(fullSh, {jobs: [job]}))
    expect(planRecords(sh, {jobs: [job]})).toEqual(planRecords(fullSh, {jobs: [job]}))
    // What a missing job's message lists: every job id.
    const ids = (s: typeof sh) => [...new Set([...s.plans.map((p) => p.jobId), ...s.checkpointJobs])].sort()
    expect(ids(sh)).toEqual(ids(fullSh))
  }

  // A cleanup (runCleanup): the plan, the liveness evidence, the pointers of the files it removes and,
  // when the storage directory is inferred (everyPointer), every entry's pointer.
  const fullSh = full.stateHandles(inv)
  const pointers = (s: ReturnType<HaLayout['stateHandles']>, jobId: string | null, plansOnly = false) =>
    [...s.plans, ...(plansOnly ? [] : s.checkpoints)].filter((e) => jobId === null || e.jobId === jobId).map((e) => [e.key, e.pointer])
  for (const jobId of [null, ...jobs]) {
    for (const everyPointer of [true, false]) {
      const c = read({command: 'cleanup', jobId, everyPointer})
      const l = layout(c)
      expect(l.cleanup(c, jobId)).toEqual(full.cleanup(inv, jobId))
      expect(planCleanup(c, {jobId: jobId ?? undefined}, l)).toEqual(planCleanup(inv, {jobId: jobId ?? undefined}, full))
      const sh = l.stateHandles(c)
      expect(pointers(sh, jobId)).toEqual(pointers(fullSh, jobId))
      if (everyPointer || jobId === null) expect(pointers(sh, null)).toEqual(pointers(fullSh, null))
      if (jobId) {
        // haadm plans remove: the job's plan, the evidence from every node, the plan's pointer.
        expect(planCleanup(c, {jobId, planOnly: true}, l)).toEqual(planCleanup(inv, {jobId, planOnly: true}, full))
        expect(pointers(sh, jobId, true)).toEqual(pointers(fullSh, jobId, true))
      }
    }
  }
}

/** A state-handle pointer to a file in the cluster's HA directory (storage inference reads them). */
const ptr = (name: string) => pointer(`file:/ha/c/${name}`, 100)

describe('ZooKeeper: a command reads only what it needs, with the same answer', () => {
  it('1.15+ and legacy leaders, plans in jobgraphs and execution-plans, pre-1.15 locks, counters', () => {
    expectSameAnswers((inv) => zkLayout(inv), zkTree(), [A, B, C])
  })

  it('configured plan directories, one of them nested', () => {
    const inv = zkTree('ha/plans')
    expectSameAnswers((i) => zkLayout(i, '/ha/plans'), inv, [A, B])
    expectSameAnswers((i) => zkLayout(i, undefined, '/ha/plans'), inv, [A])
  })

  it('leaders read neither checkpoints nor plans', () => {
    const inv = zkTree()
    const read = applyReadSpec(inv.items, zkLayout(inv).reads({command: 'leaders'}))
    expect(read.filter((i) => i.key.includes('checkpoint') || i.key.startsWith('jobgraphs') || i.key.startsWith('execution-plans'))).toEqual([])
  })
})

describe('Kubernetes: a command reads only the keys it decodes, with the same answer', () => {
  const meta = (name: string, annotations: Record<string, string> = {}): K8sMapMeta => ({
    namespace: 'ns', configMap: name, labels: {app: 'c1'}, annotations, resourceVersion: '7', uid: `u-${name}`, creationTimestamp: '', deletionTimestamp: null, ownerReferences: [],
  })
  const map = (name: string, data: Record<string, string>, annotations?: Record<string, string>): RawItem[] => {
    const m = meta(name, annotations)
    return [
      {key: name, locator: `ns/${name}`, data: new Uint8Array(0), k8s: {...m, key: null}},
      ...Object.entries(data).map(([k, v]) => ({key: `${name}/${k}`, locator: `ns/${name}/${k}`, data: new TextEncoder().encode(v), k8s: {...m, key: k}})),
    ]
  }
  const lease = {'control-plane.alpha.kubernetes.io/leader': JSON.stringify({holderIdentity: 'h', leaseDuration: 15, acquireTime: '2026-01-01T00:00:00.000000Z', renewTime: '2026-01-01T00:00:50.000000Z', leaderTransitions: 1})}
  const items = [
    ...map(
      'c1-cluster-config-map',
      {
        'org.apache.flink.k8s.leader.dispatcher': 'garbage',
        [`org.apache.flink.k8s.leader.job-${A}`]: 'x',
        [`jobGraph-${A}`]: 'rO0ABXQAA2FiYw==',
        [`executionPlan-${B}`]: 'not base64 $',
        'jobGraph-short': 'x',
      },
      lease,
    ),
    ...map(`c1-${A}-config-map`, {[`checkpointID-${CP(1)}`]: 'rO0ABXQAA2FiYw==', counter: '4'}, lease),
    ...map(`c1-${B}-config-map`, {[`checkpointID-${CP(2)}`]: 'x', counter: 'nan'}),
    ...map(`c1-${C}-jobmanager-leader`, {address: 'akka://x', sessionId: 'y', [`checkpointID-${CP(3)}`]: 'z', counter: '2'}),
    ...map('c1-dispatcher-leader', {address: 'a', sessionId: 's', [`jobGraph-${C}`]: 'q'}),
  ].sort((a, b) => (a.key < b.key ? -1 : 1))
  const inv: Inventory = {backend: 'kubernetes', clusterId: 'c1', root: 'ns', scannedAt: '2026-01-01T00:01:00.000Z', items, k8s: {namespace: 'ns', context: 'x', server: 's', skipped: []}}

  it('leaders, one job, everything', () => {
    expectSameAnswers(() => new KubernetesLayout({namespace: 'ns'}), inv, [A, B, C])
  })
})
