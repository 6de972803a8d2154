import {mkdirSync, readdirSync, unlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {tempDirs} from '../support/temp.js'
import {connectZk} from '../support/zk-client.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'
import {writeJrsFiles} from './job-result-java.js'

// haadm doctor, restore-point and plans remove against a real ZooKeeper holding Flink-shaped data
// written by the Curator fixture, with the files in a local storageDir: one cluster per situation.

let zk: ZkServer
beforeAll(async () => {
  zk = await startZooKeeper()
})
afterAll(async () => {
  await zk?.stop()
})

const tempDir = tempDirs('haadm-doctor-e2e-')
const T = {timeout: 180_000}
const ids = (res: any) => res.json.result.findings.map((f: any) => [f.id, f.jobId]).sort()
/** Writes `<chk dir>/_metadata` so a checkpoint is restorable. */
const writeMetadata = (externalPointer: string) => {
  const p = join(externalPointer.replace(/^file:/, ''), '_metadata')
  mkdirSync(dirname(p), {recursive: true})
  writeFileSync(p, 'metadata')
}

describe('haadm doctor on ZooKeeper', () => {
  it('a healthy cluster has no finding; storage that cannot be reached is named, not passed; bad input', T, async () => {
    const storage = tempDir()
    const jrs = tempDir()
    const [A, B] = [randomJobId(), randomJobId()]
    const fixture = await startFlinkFixture(zk.connectString, {clusterId: '/doc-ok', jobs: [A, B], contenders: 1, storageDir: storage, jobGraphs: [A, B], checkpoints: {[A]: 3, [B]: 2}})
    const q = ['--zk-quorum', zk.connectString, '--cluster-id', '/doc-ok']
    try {
      const ok = await haadm(['doctor', ...q, '--storage-dir', storage, '--jrs-path', jrs, '--json'])
      expect(ok.stderr).toBe('')
      expect(ok.code).toBe(0)
      expect(ok.json.result).toMatchObject({verdict: 'healthy', summary: 'healthy', findings: [], skipped: [], alive: true, failed: false, counts: {error: 0, warning: 0, info: 0}})
      expect(ok.json.result.checks).toEqual(expect.arrayContaining(['plan-files', 'checkpoint-files', 'orphan-files', 'dirty-job-results', 'counter-not-ahead']))
      const table = await haadm(['doctor', ...q, '--storage-dir', storage, '--jrs-path', jrs])
      expect(table.code).toBe(0)
      expect(table.stdout).toMatch(/^cluster \/doc-ok \(zookeeper \/flink\/doc-ok, alive\): healthy$/m)
      // --fail-on info: still nothing to fail on
      expect((await haadm(['doctor', ...q, '--storage-dir', storage, '--jrs-path', jrs, '--fail-on', 'info'])).code).toBe(0)

      // Storage that cannot be reached: the storage checks are skipped and named; exit 0 unless --fail-on info.
      const gone = join(storage, 'not-there')
      const skip = await haadm(['doctor', ...q, '--storage-dir', gone, '--jrs-path', jrs, '--json'])
      expect(skip.code).toBe(0)
      expect(skip.json.result.skipped.map((s: any) => s.check)).toEqual(['plan-files', 'checkpoint-files', 'orphan-files', 'job-storage-leftovers'])
      expect(skip.json.result.skipped[0].reason).toContain('does not exist')
      expect(ids(skip)).toEqual([['checks-skipped', null]])
      expect(skip.json.result.verdict).toBe('healthy')
      const skipInfo = await haadm(['doctor', ...q, '--storage-dir', gone, '--jrs-path', jrs, '--fail-on', 'info'])
      expect(skipInfo.code).toBe(6)
      expect(skipInfo.stdout).toContain('Skipped checks: plan-files, checkpoint-files, orphan-files, job-storage-leftovers')
      // No storage at all: the same, with the reason.
      const none = await haadm(['doctor', ...q, '--json'])
      expect(none.code).toBe(0)
      expect(none.json.result.skipped.map((s: any) => s.reason)).toContain('no storageDir given (--storage-dir, high-availability.storageDir)')

      // Bad input: unknown level (2), unknown cluster (3).
      const level = await haadm(['doctor', ...q, '--fail-on', 'fatal'])
      expect(level.code).toBe(2)
      expect(level.stderr).toMatch(/^error: --fail-on "fatal" is not a level\nhint: Use error, warning or info\.\n$/)
      const missing = await haadm(['doctor', '--zk-quorum', zk.connectString, '--cluster-id', '/no-such-cluster', '--json'])
      expect(missing.code).toBe(3)
      expect(missing.json.error.code).toBe('CLUSTER_NOT_FOUND')

      // restore-point on a live cluster: the highest retained checkpoint, with its directory.
      const cps = fixture.ready.store.checkpoints[A]!.checkpoints
      for (const cp of cps) writeMetadata(cp.externalPointer)
      const rp = await haadm(['restore-point', ...q, '--storage-dir', storage, '--job', A, '--json'])
      expect(rp.code).toBe(0)
      const job = rp.json.result.jobs[0]
      expect(rp.json.result.haMetadata).toBe('found')
      expect(job.chosen).toMatchObject({checkpointId: 3, source: 'ha-entry', externalPointer: cps[2]!.externalPointer, metadata: 'found', usable: true})
      expect(job.candidates.map((c: any) => c.checkpointId)).toEqual([3, 2, 1])
      const rpText = await haadm(['restore-point', ...q, '--storage-dir', storage, '--job', A])
      expect(rpText.stdout).toContain(`execution.savepoint.path: ${cps[2]!.externalPointer}`)
      expect((await haadm(['restore-point', ...q, '--job', 'nope'])).code).toBe(2)
    } finally {
      await fixture.close()
    }
  })

  it('one finding per fault: missing files, a low counter, marked entries, leaks, job results, orphans, an upgrade leftover', T, async () => {
    const storage = tempDir()
    const jrs = tempDir()
    const cid = '/doc-faults'
    // P: plan file deleted. C: newest checkpoint file deleted (2 is intact). N: counter lowered.
    // M: a checkpoint marked for deletion. L: checkpoints, leader and blobs but no plan (leaked).
    // D: no plan, a dirty entry. K: a clean entry while its plan exists.
    const [P, C, N, M, L, D, K] = Array.from({length: 7}, randomJobId)
    const fixture = await startFlinkFixture(zk.connectString, {
      clusterId: cid,
      jobs: [L],
      storageDir: storage,
      jobGraphs: [P, C, N, M, K],
      checkpoints: {[P]: 1, [C]: 3, [N]: 3, [M]: 2, [L]: 2, [D]: 1, [K]: 1},
      markDeleted: [`${M}/1`],
      orphans: ['completedCheckpoint', 'submittedJobGraph'],
    })
    const store = fixture.ready.store
    const root = `/flink${cid}`
    const q = ['--zk-quorum', zk.connectString, '--cluster-id', cid]
    const client = await connectZk(zk.connectString)
    try {
      await fixture.close() // a dead cluster: every ephemeral node is gone
      unlinkSync(store.plans[P]!.filePath)
      unlinkSync(store.checkpoints[C]!.checkpoints[2]!.filePath)
      const counter = Buffer.alloc(4)
      counter.writeInt32BE(2)
      await client.raw.set(`${root}/jobs/${N}/checkpoint_id_counter`, counter, -1)
      await client.create(`${root}/leader/${K}`)
      await client.create(`${root}/leader/job-${K}`)
      mkdirSync(join(storage, 'doc-faults', 'blob', `job_${L}`), {recursive: true})
      writeFileSync(join(storage, 'doc-faults', 'blob', `job_${L}`, 'blob_p-1'), 'x')
      writeJrsFiles(jrs, [
        {file: `${D}_DIRTY.json`, id: D, status: 'FAILED', netRuntime: 5},
        {file: `${K}.json`, id: K, status: 'SUCCEEDED', netRuntime: 5},
      ])

      const res = await haadm(['doctor', ...q, '--storage-dir', storage, '--jrs-path', jrs, '--json'])
      expect(res.code).toBe(6)
      expect(res.json.status).toBe(6)
      const r = res.json.result
      expect(r.alive).toBe(false)
      expect(ids(res)).toEqual(
        [
          ['plan-file-missing', P],
          ['checkpoint-file-missing', C],
          ['counter-not-ahead', N],
          ['marked-for-deletion', M],
          ['job-leftovers', L],
          ['dirty-job-result', D],
          ['clean-job-result-with-plan', K],
          ['upgrade-leftovers', K],
          ['orphan-files', null],
        ].sort(),
      )
      expect(r.verdict).toBe('will not recover')
      expect(r.summary).toBe('will not recover: 3 errors, 5 warnings')
      const by = (id: string) => r.findings.find((f: any) => f.id === id)
      expect(by('plan-file-missing')).toMatchObject({severity: 'error', items: [`${root}/jobgraphs/${P}`, store.plans[P]!.uri]})
      expect(by('plan-file-missing').fix).toBe(`haadm plans remove --zk-quorum ${zk.connectString} --cluster-id ${cid} --storage-dir ${storage} --jrs-path ${jrs} ${P}, then resubmit the job from the checkpoint haadm restore-point --zk-quorum ${zk.connectString} --cluster-id ${cid} --storage-dir ${storage} --jrs-path ${jrs} --job ${P} prints`)
      expect(by('checkpoint-file-missing').evidence).toMatch(/^checkpoint 3: no file .*; the older retained checkpoint 2 is intact$/)
      expect(by('counter-not-ahead').evidence).toBe("the counter's next id 2 is not above the highest retained checkpoint 3")
      expect(by('job-leftovers').items).toEqual(expect.arrayContaining([`${root}/jobs/${L}`, `${root}/leader/job-${L}`, join(storage, 'doc-faults', 'blob', `job_${L}`)]))
      expect(by('job-leftovers').fix).toContain(`cleanup --zk-quorum ${zk.connectString} --cluster-id ${cid}`)
      expect(by('dirty-job-result').items[0]).toBe(join(jrs, `${D}_DIRTY.json`))
      expect(by('dirty-job-result').evidence).toContain('1 checkpoint store')
      expect(by('upgrade-leftovers').items).toEqual([`${root}/leader/${K}`, `${root}/leader/job-${K}`])
      expect(by('orphan-files').evidence).toMatch(/^1 submittedJobGraph\* file\(s\), [\d.]+ K?i?B; 1 completedCheckpoint\* file\(s\), [\d.]+ K?i?B that no entry points to$/)
      expect(by('marked-for-deletion').items).toEqual([store.checkpoints[M]!.checkpoints[0]!.path])
      // --fail-on warning / info: the same exit; the human verdict first, grouped by severity.
      const text = await haadm(['doctor', ...q, '--storage-dir', storage, '--jrs-path', jrs])
      expect(text.code).toBe(6)
      expect(text.stdout.split('\n')[0]).toBe(`cluster ${cid} (zookeeper ${root}, no live JobManager): will not recover: 3 errors, 5 warnings`)
      expect(text.stdout.indexOf('ERRORS (3)')).toBeLessThan(text.stdout.indexOf('WARNINGS (5)'))
      expect(text.stdout.indexOf('WARNINGS (5)')).toBeLessThan(text.stdout.indexOf('NOTES (1)'))

      // restore-point: C's newest file is gone, so its HA candidate 3 is unusable and 2 wins.
      for (const cp of store.checkpoints[C]!.checkpoints) writeMetadata(cp.externalPointer)
      const rp = await haadm(['restore-point', ...q, '--storage-dir', storage, '--job', C, '--json'])
      expect(rp.json.result.jobs[0].chosen).toMatchObject({checkpointId: 2, source: 'ha-entry'})
      expect(rp.json.result.jobs[0].candidates[0]).toMatchObject({checkpointId: 3, usable: false})
    } finally {
      client.close()
      await fixture.close()
    }
  })
})

describe('haadm restore-point when the HA metadata is gone', () => {
  it('picks the newest decoded checkpoint id from the storageDir files and the checkpoint directory, never by file time', T, async () => {
    const storage = tempDir()
    const chk = tempDir()
    const A = randomJobId()
    const cid = '/doc-gone'
    const fixture = await startFlinkFixture(zk.connectString, {clusterId: cid, storageDir: storage, jobGraphs: [A], checkpoints: {[A]: 3}, checkpointsDir: chk})
    const cps = fixture.ready.store.checkpoints[A]!.checkpoints
    await fixture.close()
    const q = ['--zk-quorum', zk.connectString, '--cluster-id', cid]
    // Flink's cluster cleanup removed the metadata but left the files (the Operator's "HA metadata not available").
    // (haadm cleanup would remove the files the entries point at too.)
    const client = await connectZk(zk.connectString)
    try {
      await client.removeTree(`/flink${cid}`)
    } finally {
      client.close()
    }
    // Checkpoint 1's file is the newest on disk: the id decides, not the time.
    const dir = join(storage, 'doc-gone')
    const old = new Date(Date.now() - 3_600_000)
    for (const cp of cps) utimesSync(cp.filePath, old, old)
    utimesSync(cps[0]!.filePath, new Date(), new Date())
    for (const cp of cps) writeMetadata(cp.externalPointer)
    // chk-4 in the checkpoint directory has no _metadata (an incomplete checkpoint): not usable.
    mkdirSync(join(chk, A, 'chk-4'), {recursive: true})

    const none = await haadm(['restore-point', ...q, '--json'])
    expect(none.code).toBe(3)
    expect(none.json.error.hint).toContain('--storage-dir')

    const res = await haadm(['restore-point', ...q, '--storage-dir', storage, '--json'])
    expect(res.code).toBe(0)
    expect(res.json.result.haMetadata).toBe('not-found')
    const job = res.json.result.jobs[0]
    expect(job.jobId).toBe(A)
    expect(job.chosen).toMatchObject({checkpointId: 3, source: 'storage-file', externalPointer: cps[2]!.externalPointer, metadata: 'found'})
    expect(job.candidates.map((c: any) => [c.checkpointId, c.source])).toEqual([
      [3, 'storage-file'],
      [2, 'storage-file'],
      [1, 'storage-file'],
    ])
    expect(readdirSync(dir).filter((f) => f.startsWith('completedCheckpoint'))).toHaveLength(3)

    const both = await haadm(['restore-point', ...q, '--storage-dir', storage, '--checkpoint-dir', chk, '--job', A, '--json'])
    expect(both.code).toBe(0)
    const j = both.json.result.jobs[0]
    expect(j.candidates[0]).toMatchObject({checkpointId: 4, source: 'checkpoint-dir', metadata: 'missing', usable: false})
    expect(j.chosen).toMatchObject({checkpointId: 3})
    expect(j.why).toMatch(/^the highest decoded checkpoint id with its _metadata present: 3, found in (a completedCheckpoint file in the storageDir|the checkpoint directory) and /)
    const text = await haadm(['restore-point', ...q, '--checkpoint-dir', chk, '--job', A])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('HA metadata not available')
    expect(text.stdout).toContain(`execution.savepoint.path: ${join(chk, A, 'chk-3')}`)
  })
})

describe('haadm plans remove on ZooKeeper', () => {
  it('removes the plan, its locks and file; keeps the checkpoints and counter; refuses a live cluster; idempotent', T, async () => {
    const storage = tempDir()
    const [A, B] = [randomJobId(), randomJobId()]
    const cid = '/doc-plans'
    const fixture = await startFlinkFixture(zk.connectString, {clusterId: cid, storageDir: storage, jobGraphs: [A, B], checkpoints: {[A]: 2}, lockers: 1})
    const store = fixture.ready.store
    const q = ['--zk-quorum', zk.connectString, '--cluster-id', cid]
    try {
      const live = await haadm(['plans', 'remove', A, ...q, '--yes'])
      expect(live.code).toBe(4)
      expect(live.stderr).toMatch(/^error: refusing: cluster \/doc-plans is alive/)
      const dry = await haadm(['plans', 'remove', A, ...q, '--dry-run', '--json'])
      expect(dry.code).toBe(4)
      expect(dry.json.result.plan.scope).toBe('plan')
      expect(dry.json.result.plan.metadata.map((m: any) => m.what)).toEqual(['lock', 'lock holder list', 'execution plan (job graph) pointer'])
      await fixture.close()
      expect((await haadm(['plans', 'remove', A, ...q])).code).toBe(4) // no terminal, no --yes
      const backup = join(tempDir(), 'plan.haadm.json.gz')
      const res = await haadm(['plans', 'remove', A, ...q, '--yes', '--backup', backup, '--json'])
      expect(res.code).toBe(0)
      expect(res.json.result.summary).toEqual({removed: 3, absent: 0, kept: 0, failed: 0, unknown: 0})
      expect(res.json.result.remaining).toEqual([])
      // the lock nodes were ephemeral and went with the session; the locks node, the file and the entry go now.
      const plans = await haadm(['plans', ...q, '--json'])
      expect(plans.json.result.plans.map((p: any) => p.jobId)).toEqual([B])
      const cps = await haadm(['checkpoints', ...q, '--job', A, '--json'])
      expect(cps.json.result.jobs[0]).toMatchObject({restoreFrom: 2, counter: {nextCheckpointId: 3}})
      expect(cps.json.result.jobs[0].checkpoints).toHaveLength(2)
      expect(readdirSync(join(storage, 'doc-plans'))).not.toContain(store.plans[A]!.fileName)
      expect((await haadm(['leaders', '--snapshot', backup, '--json'])).code).toBe(0)
      // Idempotent.
      const again = await haadm(['plans', 'remove', A, ...q, '--yes'])
      expect(again.code).toBe(0)
      expect(again.stdout).toContain(`Nothing to do: no execution plan for job ${A}`)
      // Bad input.
      expect((await haadm(['plans', 'remove', 'xyz', ...q, '--yes'])).code).toBe(2)
      const snap = await haadm(['plans', 'remove', B, '--snapshot', backup, '--yes'])
      expect(snap.code).toBe(2)
      expect(snap.stderr).toContain('read-only')
      expect((await haadm(['plans', ...q, '--json'])).json.result.plans.map((p: any) => p.jobId)).toEqual([B])
      expect((await haadm(['plans', 'remove', A, '--zk-quorum', zk.connectString, '--cluster-id', '/no-such', '--yes'])).code).toBe(3)
    } finally {
      await fixture.close()
    }
  })
})


