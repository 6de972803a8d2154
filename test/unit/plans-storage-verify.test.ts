import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {Inventory, RawItem} from '../../src/backends/types.js'
import {fail, ok} from '../../src/codec/result.js'
import type {ExecutionPlanInfo} from '../../src/codec/execution-plan.js'
import {type PlanRecord, planRecords} from '../../src/ops/plans.js'
import {zkStateHandleInventory} from '../support/layouts.js'
import {clusterStoragePath, localFsPath, localStorageProbe, pathScheme} from '../../src/ops/storage-probe.js'
import {verifyStorage} from '../../src/ops/storage-verify.js'
import {pointer} from '../support/java-bytes.js'

// --verify-storage and --deep against real local files: the probe, the per-entry checks and the
// orphan listing.


let base: string
let ha: string
let cluster: string
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'haadm-verify-'))
  ha = join(base, 'my ha') // a space: Flink escapes it in the URI, the file has it verbatim
  cluster = join(ha, 'default')
  mkdirSync(cluster, {recursive: true})
  writeFileSync(join(cluster, 'submittedJobGraph000000000001'), Buffer.alloc(100, 1))
  writeFileSync(join(cluster, 'submittedJobGraph000000000002'), Buffer.alloc(50, 2))
  writeFileSync(join(cluster, 'submittedJobGraphabcdefabcdef'), Buffer.alloc(10)) // orphan
  writeFileSync(join(cluster, 'submittedExecutionPlan0123456789ab'), Buffer.alloc(11)) // orphan
  writeFileSync(join(cluster, 'completedCheckpoint0123456789ab'), Buffer.alloc(12)) // orphan of the other store
  writeFileSync(join(cluster, 'submittedJobGraphXYZ'), Buffer.alloc(1)) // not Flink's name
  writeFileSync(join(cluster, 'completedCheckpoint111111111111'), Buffer.alloc(13)) // referenced by a checkpoint
  mkdirSync(join(base, 'elsewhere'))
  writeFileSync(join(base, 'elsewhere', 'submittedJobGraph000000000004'), Buffer.alloc(4))
})
afterAll(() => rmSync(base, {recursive: true, force: true}))

const JOBS = ['00000000000000000000000000000001', '00000000000000000000000000000002', '00000000000000000000000000000003', '00000000000000000000000000000004', '00000000000000000000000000000005']
const T = '2026-01-01T00:00:00.000Z'
function node(key: string, data = new Uint8Array(0), children = 1): RawItem {
  return {key, locator: `/flink/default/${key}`, data, zk: {ephemeralOwner: '0', ctime: T, mtime: T, version: 0, numChildren: children, dataLength: data.length}}
}
const esc = (p: string) => p.replace(/ /g, '%20')

function inventory(): Inventory {
  const items = [
    node('jobgraphs', new Uint8Array(0), 5),
    node(`jobgraphs/${JOBS[0]}`, pointer(esc(`${cluster}/submittedJobGraph000000000001`), 100)), // ok, plain path
    node(`jobgraphs/${JOBS[1]}`, pointer(`file:${esc(cluster)}/submittedJobGraph000000000002`, 51)), // size mismatch, file: URI
    node(`jobgraphs/${JOBS[2]}`, pointer(esc(`${cluster}/submittedJobGraph000000000003`), 30)), // missing
    node(`jobgraphs/${JOBS[3]}`, pointer(`${base}/elsewhere/submittedJobGraph000000000004`, -1)), // outside, unknown size
    node(`jobgraphs/${JOBS[4]}`, pointer('hdfs://nn:8020/ha/default/submittedJobGraph000000000005', 5)), // scheme not supported
    node('jobs/00000000000000000000000000000009/checkpoints/0000000000000000001', pointer(esc(`${cluster}/completedCheckpoint111111111111`), 13)),
  ]
  return {backend: 'zookeeper', clusterId: '/default', root: '/flink/default', scannedAt: 'now', items}
}

const referenced = () => {
  const inv = zkStateHandleInventory(inventory(), '/jobgraphs')
  return planRecords(inv).plans.map((p) => p.pointer!.path).concat(`${cluster}/completedCheckpoint111111111111`)
}

describe('local storage probe', () => {
  const probe = localStorageProbe()

  it('reads plain paths and every local file: spelling; reports other schemes as not supported', async () => {
    const f = `${cluster}/submittedJobGraph000000000001`
    for (const p of [f, `file:${f}`, `file://${f}`, `file://localhost${f}`]) {
      expect(await probe.stat(p)).toMatchObject({status: 'found', kind: 'file', size: 100})
      expect(probe.locationKey(p)).toBe(probe.locationKey(f))
    }
    expect(await probe.stat(`${cluster}/nope`)).toEqual({status: 'missing'})
    expect(await probe.stat(`${f}/below-a-file`)).toEqual({status: 'missing'})
    expect(await probe.stat(ha)).toMatchObject({status: 'found', kind: 'directory'})
    expect(await probe.stat('s3://bucket/x')).toEqual({status: 'unsupported', reason: 'not checked: scheme s3: not supported yet'})
    expect(await probe.stat('file://otherhost/x')).toMatchObject({status: 'unsupported'})
    expect(await probe.read(f, {maxBytes: 1000})).toMatchObject({status: 'read', bytes: new Uint8Array(100).fill(1)})
    expect(await probe.read(f, {maxBytes: 99})).toEqual({status: 'too-large', size: 100})
    expect(await probe.read(`${f}x`, {maxBytes: 99})).toEqual({status: 'missing'})
    const listed = await probe.list(`file://${cluster}`)
    expect(listed.status).toBe('listed')
    if (listed.status === 'listed') expect(listed.files.map((x) => x.path)).toContain(`file://${cluster}/submittedJobGraph000000000001`)
    expect(await probe.list(`${cluster}/nope`)).toEqual({status: 'missing'})
    expect(await probe.list('hdfs://nn/x')).toMatchObject({status: 'unsupported'})
  })

  it("builds <storageDir>/<cluster-id> as Flink's Path does", () => {
    expect(clusterStoragePath('/mnt/ha', '/default')).toBe('/mnt/ha/default')
    expect(clusterStoragePath('/mnt/ha/', 'default/')).toBe('/mnt/ha/default')
    expect(clusterStoragePath('file:///mnt/ha', '/a/b')).toBe('file:///mnt/ha/a/b')
    expect(clusterStoragePath('s3://bucket', '/default')).toBe('s3://bucket/default')
    expect(clusterStoragePath('hdfs://nn:8020/flink//ha', '/x')).toBe('hdfs://nn:8020/flink/ha/x')
    expect(pathScheme('/a:b')).toBeNull()
    expect(pathScheme('S3://x')).toBe('s3')
    expect(localFsPath('file:/a/../b')).toBe('/b')
    expect(localFsPath('relative/x')).toBeNull()
  })
})

describe('verifyStorage', () => {
  it('checks each file, counts, finds orphans of the asked kinds, and keeps going past a bad one', async () => {
    const report = planRecords(zkStateHandleInventory(inventory(), '/jobgraphs'))
    const summary = await verifyStorage(report.plans, {
      probe: localStorageProbe(),
      storageDir: ha,
      clusterId: '/default',
      store: 'execution-plans',
      referencedPaths: referenced(),
      orphanPrefixes: ['submittedJobGraph', 'submittedExecutionPlan'],
      decode: null,
    })
    const storage = Object.fromEntries(report.plans.map((p) => [p.jobId, p.storage]))
    expect(storage[JOBS[0]!]).toEqual({status: 'ok', size: 100, reason: null})
    expect(storage[JOBS[1]!]).toEqual({status: 'size-mismatch', size: 50, reason: 'file has 50 bytes, the pointer records 51'})
    expect(storage[JOBS[2]!]).toMatchObject({status: 'missing', size: null})
    expect(storage[JOBS[3]!]).toEqual({status: 'ok', size: 4, reason: null})
    expect(storage[JOBS[4]!]).toEqual({status: 'not-checked', size: null, reason: 'not checked: scheme hdfs: not supported yet'})
    expect(summary).toMatchObject({
      storageDir: ha,
      clusterDir: cluster,
      reachable: true,
      problem: null,
      counts: {ok: 2, missing: 1, 'size-mismatch': 1, unreachable: 0, error: 0, 'not-checked': 1},
      outsideClusterDir: 2,
      partial: false,
    })
    expect(summary.orphans!.map((o) => [o.name, o.kind, o.size])).toEqual([
      ['submittedExecutionPlan0123456789ab', 'submittedExecutionPlan', 11],
      ['submittedJobGraphabcdefabcdef', 'submittedJobGraph', 10],
    ])
    const missing = report.plans.find((p) => p.jobId === JOBS[2])!
    expect(missing.recoverable).toBe(false)
    expect(missing.evidence).toMatch(/the file it points to is missing: Flink's recovery fails on it/)
    expect(report.plans.find((p) => p.jobId === JOBS[0])!.recoverable).toBe(true)
  })

  it('an unreachable storageDir: entries under it are unreachable, the rest checked, partial', async () => {
    const report = planRecords(zkStateHandleInventory(inventory(), '/jobgraphs'))
    // Pretend the storage is mounted elsewhere: entries under `ha` cannot be reached.
    const summary = await verifyStorage(report.plans, {
      probe: {...localStorageProbe(), stat: async (p) => (p === ha ? {status: 'error', reason: 'EACCES: permission denied'} : localStorageProbe().stat(p))},
      storageDir: ha,
      clusterId: '/default',
      store: 'execution-plans',
      referencedPaths: referenced(),
      orphanPrefixes: ['submittedJobGraph'],
      decode: null,
    })
    expect(summary).toMatchObject({reachable: false, partial: true, orphans: null, problem: `storageDir ${ha}: EACCES: permission denied`})
    expect(summary.counts).toMatchObject({unreachable: 3, ok: 1, 'not-checked': 1})
    expect(report.plans.find((p) => p.jobId === JOBS[0])!.storage!.status).toBe('unreachable')
    // A storageDir that does not exist at all.
    const again = planRecords(zkStateHandleInventory(inventory(), '/jobgraphs'))
    const gone = await verifyStorage(again.plans, {
      probe: localStorageProbe(),
      storageDir: join(base, 'not-mounted'),
      clusterId: '/default',
      store: 'execution-plans',
      referencedPaths: [],
      orphanPrefixes: ['submittedJobGraph'],
      decode: null,
    })
    expect(gone).toMatchObject({reachable: false, partial: true, problem: `storageDir ${join(base, 'not-mounted')} does not exist`})
    // Pointers name files outside it, so they are still checked one by one.
    expect(gone.counts.ok).toBe(2)
  })

  it('without a storageDir checks the pointed files but lists no orphans', async () => {
    const report = planRecords(zkStateHandleInventory(inventory(), '/jobgraphs'))
    const summary = await verifyStorage(report.plans, {
      probe: localStorageProbe(),
      storageDir: null,
      clusterId: '/default',
      store: 'execution-plans',
      referencedPaths: [],
      orphanPrefixes: ['submittedJobGraph'],
      decode: null,
    })
    expect(summary).toMatchObject({reachable: null, orphans: null, partial: false, outsideClusterDir: 0})
    expect(summary.orphansNote).toMatch(/no storageDir given/)
    expect(summary.counts).toMatchObject({ok: 2, missing: 1, 'size-mismatch': 1})
  })

  it('--deep decodes files that passed the check, reports the others as not read', async () => {
    const report = planRecords(zkStateHandleInventory(inventory(), '/jobgraphs'))
    await verifyStorage<ExecutionPlanInfo, PlanRecord>(report.plans, {
      probe: localStorageProbe(),
      storageDir: ha,
      clusterId: '/default',
      store: 'execution-plans',
      referencedPaths: referenced(),
      orphanPrefixes: [],
      decode: (bytes) =>
        bytes[0] === 1
          ? ok({className: 'x', kind: 'JobGraph', jobId: '0'.repeat(32), jobName: 'n', jobType: null, savepointPath: null, problems: []})
          : fail('not a stream', 0, 'MALFORMED'),
      crossCheck: (r, d) => (d.jobId !== r.jobId ? [`the file holds job ${d.jobId}`] : []),
    })
    const content = Object.fromEntries(report.plans.map((p) => [p.jobId, p.content]))
    expect(content[JOBS[0]!]).toMatchObject({status: 'decoded', problem: `the file holds job ${'0'.repeat(32)}`, decoded: {jobName: 'n'}})
    expect(content[JOBS[3]!]).toEqual({status: 'undecodable', problem: 'not a stream (at byte 0)', decoded: null})
    expect(content[JOBS[2]!]).toMatchObject({status: 'not-read', decoded: null})
    expect(content[JOBS[4]!]).toEqual({status: 'not-read', problem: 'not checked: scheme hdfs: not supported yet', decoded: null})
  })
})
