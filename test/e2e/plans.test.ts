import {appendFileSync, renameSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture, type FixturePlan} from '../support/flink-fixture.js'
import {connectZk} from '../support/zk-client.js'
import {tempDirs} from '../support/temp.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'
import {pointer} from '../support/java-bytes.js'

// `haadm plans` against a real ZooKeeper holding execution plans written the way Flink's
// ZooKeeperStateHandleStore writes them (Curator transaction, ephemeral lock children), with the
// stand-in JobGraph / StreamGraph files in a local storageDir.

let zk: ZkServer
beforeAll(async () => {
  zk = await startZooKeeper()
})
afterAll(async () => {
  await zk?.stop()
})

const tempDir = tempDirs('haadm-plans-e2e-')

const sortedOwners = (p: FixturePlan) => p.locks.map((l) => l.ownerSession).sort()

describe('haadm plans on a Flink cluster', () => {
  it('reports exactly the plans, URIs, sizes and locks the JobManagers wrote; their locks go when their sessions end', async () => {
    const storage = tempDir()
    const clusterId = '/plans-main'
    const jobs = [randomJobId(), randomJobId(), randomJobId()]
    const fixture = await startFlinkFixture(zk.connectString, {
      clusterId,
      contenders: 2,
      lockers: 2,
      storageDir: storage,
      jobGraphs: jobs,
      markDeleted: [jobs[2]!],
      orphans: ['submittedJobGraph', 'completedCheckpoint'],
    })
    const q = ['--zk-quorum', zk.connectString, '--cluster-id', clusterId]
    const store = fixture.ready.store
    try {
      const res = await haadm(['plans', ...q, '--json'])
      expect(res.stderr).toBe('')
      expect(res.code).toBe(0)
      expect(res.json.status).toBe(0)
      const report = res.json.result
      expect(report).toMatchObject({backend: 'zookeeper', clusterId, root: '/flink/plans-main', storage: null})
      expect(report.store).toEqual({key: 'jobgraphs', locator: store.jobGraphsPath})
      expect(report.plans.map((p: any) => p.jobId).sort()).toEqual([...jobs].sort())
      for (const jobId of jobs) {
        const wrote = store.plans[jobId]!
        const rec = report.plans.find((p: any) => p.jobId === jobId)
        expect(rec, jobId).toMatchObject({
          name: jobId,
          key: `jobgraphs/${jobId}`,
          locator: wrote.path,
          status: 'ok',
          problem: null,
          pointer: {
            handleClass: 'org.apache.flink.runtime.state.RetrievableStreamStateHandle',
            uri: wrote.uri,
            path: wrote.uri,
            stateSize: wrote.stateSize,
          },
          fileName: wrote.fileName,
          markedForDeletion: wrote.markedForDeletion,
          content: null,
        })
        expect(rec.fileName).toMatch(/^submittedJobGraph[0-9a-f]{12}$/)
        expect(rec.locks.count).toBe(wrote.locks.length)
        expect(rec.locks.live).toBe(wrote.locks.length)
        expect(rec.locks.holders.map((h: any) => h.owner).sort()).toEqual(sortedOwners(wrote))
        expect(rec.locks.holders.map((h: any) => h.lockId).sort()).toEqual(wrote.locks.map((l) => l.lockId).sort())
        expect(rec.locks.holders.every((h: any) => h.alive)).toBe(true)
        expect(Date.parse(rec.created)).toBeGreaterThan(Date.now() - 120_000)
      }
      const live = report.plans.find((p: any) => p.jobId === jobs[0])
      expect(live).toMatchObject({state: 'locked', recoverable: true, locks: {count: 2, live: 2}})
      expect(sortedOwners(store.plans[jobs[0]!]!)).toEqual(fixture.ready.contenders.map((c) => c.sessionId).sort())
      const marked = report.plans.find((p: any) => p.jobId === jobs[2])
      expect(marked).toMatchObject({state: 'marked-for-deletion', markedForDeletion: true, recoverable: false, locks: {count: 0, live: 0}})

      // The files: all there with their sizes; the orphan execution plan is listed (not the checkpoint one).
      const verified = await haadm(['plans', ...q, '--storage-dir', storage, '--deep', '--json'])
      expect(verified.code).toBe(0)
      const v = verified.json.result
      expect(v.plans.every((p: any) => p.storage.status === 'ok' && p.storage.size === p.pointer.stateSize)).toBe(true)
      expect(v.storage).toMatchObject({
        storageDir: storage,
        clusterDir: store.clusterStoragePath,
        reachable: true,
        counts: {ok: 3, missing: 0},
        outsideClusterDir: 0,
        partial: false,
      })
      const orphan = store.orphans.find((o) => o.prefix === 'submittedJobGraph')!
      expect(v.storage.orphans).toEqual([
        {name: orphan.fileName, path: `${store.clusterStoragePath}/${orphan.fileName}`, kind: 'submittedJobGraph', size: orphan.stateSize, modified: expect.any(String)},
      ])
      for (const jobId of jobs) {
        const wrote = store.plans[jobId]!
        const rec = v.plans.find((p: any) => p.jobId === jobId)
        expect(rec.content).toEqual({
          status: 'decoded',
          problem: null,
          decoded: {className: wrote.className, kind: 'JobGraph', jobId, jobName: wrote.jobName, jobType: wrote.jobType, savepointPath: null, problems: []},
        })
      }
      expect(verified.json.warnings).toEqual([`1 orphan file(s) in ${store.clusterStoragePath}: no entry points to them`])

      // The table says the same in words.
      const table = await haadm(['plans', ...q, '--storage-dir', storage, '--verify-storage'])
      expect(table.code).toBe(0)
      expect(table.stderr).toBe('')
      for (const jobId of jobs) expect(table.stdout).toContain(jobId)
      expect(table.stdout).toContain('marked for deletion')
      expect(table.stdout).toContain(orphan.fileName)
      expect(table.stdout).toContain('2 of 3 execution plan(s) would be recovered')
    } finally {
      await fixture.close()
    }

    // The JobManagers are gone: their ephemeral lock children went with their sessions. The
    // entries are not marked for deletion (the persistent `locks` node stays), so the next leader
    // recovers them (zookeeper-layout.md §5).
    const after = await haadm(['plans', ...q, '--json'])
    expect(after.code).toBe(0)
    for (const rec of after.json.result.plans) {
      expect(rec.locks, rec.jobId).toEqual({count: 0, live: 0, holders: []})
      if (rec.jobId === jobs[2]) {
        expect(rec).toMatchObject({state: 'marked-for-deletion', recoverable: false})
      } else {
        expect(rec).toMatchObject({state: 'unlocked', markedForDeletion: false, recoverable: true})
        expect(rec.evidence).toMatch(/no live lock .*the next leader recovers the job from it/)
      }
    }
  })

  it('2.x: submittedExecutionPlan files holding a StreamGraph, on a file:// storageDir', async () => {
    const storage = tempDir()
    const storageDir = `file://${storage}`
    const clusterId = '/plans-two'
    const job = randomJobId()
    const fixture = await startFlinkFixture(zk.connectString, {
      clusterId,
      contenders: 1,
      storageDir,
      jobGraphs: [job],
      planPrefix: 'submittedExecutionPlan',
      planClass: 'StreamGraph',
      orphans: ['submittedExecutionPlan'],
    })
    try {
      const wrote = fixture.ready.store.plans[job]!
      // Flink's Path drops the empty authority: file:///x becomes file:/x.
      expect(wrote.uri).toBe(`file:${storage}/plans-two/${wrote.fileName}`)
      const res = await haadm(['plans', '--zk-quorum', zk.connectString, '--cluster-id', clusterId, '--storage-dir', storageDir, '--deep', '--job', job.toUpperCase(), '--json'])
      expect(res.code).toBe(0)
      const rec = res.json.result.plans[0]
      expect(rec).toMatchObject({
        jobId: job,
        pointer: {uri: wrote.uri, stateSize: wrote.stateSize},
        fileName: expect.stringMatching(/^submittedExecutionPlan[0-9a-f]{12}$/),
        storage: {status: 'ok', size: wrote.stateSize},
        content: {status: 'decoded', decoded: {kind: 'StreamGraph', jobId: job, jobName: wrote.jobName, jobType: 'STREAMING'}},
        locks: {count: 1, live: 1},
      })
      expect(rec.locks.holders[0].owner).toBe(fixture.ready.contenders[0]!.sessionId)
      expect(res.json.result.storage.orphans.map((o: any) => o.kind)).toEqual(['submittedExecutionPlan'])
    } finally {
      await fixture.close()
    }
  })
})

describe('bad input and broken stores', () => {
  it('a malformed job id is a usage error (exit 2); a job without a plan is exit 3, naming the jobs that have one', async () => {
    const storage = tempDir()
    const clusterId = '/plans-bad'
    const job = randomJobId()
    const other = randomJobId()
    const fixture = await startFlinkFixture(zk.connectString, {clusterId, contenders: 1, storageDir: storage, jobGraphs: [job], checkpoints: {[other]: 1}})
    const q = ['--zk-quorum', zk.connectString, '--cluster-id', clusterId]
    try {
      const bad = await haadm(['plans', ...q, '--job', 'not-a-job'])
      expect(bad.code).toBe(2)
      expect(bad.stdout).toBe('')
      expect(bad.stderr).toMatch(/^error: "not-a-job" is not a Flink job id\nhint: A job id is 32 hexadecimal characters/)
      const badJson = await haadm(['plans', ...q, '--job', `${job}0`, '--json'])
      expect(badJson.code).toBe(2)
      expect(badJson.json).toMatchObject({status: 2, error: {code: 'INVALID_JOB_ID'}})

      const missing = await haadm(['plans', ...q, '--job', `${job},${other}`])
      expect(missing.code).toBe(3)
      expect(missing.stdout).toBe('')
      expect(missing.stderr).toContain(`error: no execution plan for job ${other} in /flink/plans-bad/jobgraphs`)
      expect(missing.stderr).toContain(`Jobs with an execution plan: ${job}.`)
      expect(missing.stderr).toContain(`${other} has checkpoint data: see haadm checkpoints --job ${other}`)
      expect(missing.stderr).not.toMatch(/\n\s+at /)
      const missingJson = await haadm(['plans', ...q, '--job', other, '--json'])
      expect(missingJson.json).toMatchObject({status: 3, error: {code: 'JOB_NOT_FOUND', details: {missing: [other], jobs: [job]}}})

      const none = await haadm(['plans', '--zk-quorum', zk.connectString, '--cluster-id', '/no-such-cluster', '--json'])
      expect(none.code).toBe(3)
      expect(none.json.error.code).toBe('CLUSTER_NOT_FOUND')
    } finally {
      await fixture.close()
    }
  })

  it('corrupt entries, missing and changed files, other schemes: each reported, the rest still shown, exit 0', async () => {
    const storage = tempDir()
    const clusterId = '/plans-broken'
    const [ok, gone, grown, corrupt, hdfs] = [randomJobId(), randomJobId(), randomJobId(), randomJobId(), randomJobId()]
    const fixture = await startFlinkFixture(zk.connectString, {clusterId, contenders: 1, storageDir: storage, jobGraphs: [ok, gone, grown]})
    const client = (await connectZk(zk.connectString)).raw
    const q = ['--zk-quorum', zk.connectString, '--cluster-id', clusterId, '--storage-dir', storage]
    try {
      const store = fixture.ready.store
      unlinkSync(store.plans[gone]!.filePath)
      appendFileSync(store.plans[grown]!.filePath, 'x')
      await client.create(`${store.jobGraphsPath}/${corrupt}`, Buffer.from([0xac, 0xed, 0x00, 0x05, 0x73, 0x72, 0x00]), 0)
      await client.create(`${store.jobGraphsPath}/${corrupt}/locks`, Buffer.alloc(0), 0)
      await client.create(`${store.jobGraphsPath}/${hdfs}`, Buffer.from(pointer('hdfs://nn:8020/flink/ha/plans-broken/submittedJobGraph00000000000a', 10)), 0)
      await client.create(`${store.jobGraphsPath}/${hdfs}/locks`, Buffer.alloc(0), 0)

      const res = await haadm(['plans', ...q, '--verify-storage', '--json'])
      expect(res.code).toBe(0)
      expect(res.json.status).toBe(0)
      const by = (id: string) => res.json.result.plans.find((p: any) => p.jobId === id)
      expect(by(ok)).toMatchObject({status: 'ok', storage: {status: 'ok'}, recoverable: true})
      expect(by(gone)).toMatchObject({status: 'ok', storage: {status: 'missing'}, recoverable: false})
      expect(by(gone).evidence).toMatch(/missing: Flink's recovery fails on it/)
      expect(by(grown)).toMatchObject({storage: {status: 'size-mismatch', size: store.plans[grown]!.stateSize + 1}, recoverable: false})
      expect(by(corrupt)).toMatchObject({status: 'undecodable', pointer: null, state: 'unlocked', recoverable: false, storage: {status: 'not-checked'}})
      expect(by(corrupt).problem).toMatch(/^pointer undecodable: .*\(at byte \d+\)$/)
      expect(by(hdfs)).toMatchObject({
        status: 'ok',
        pointer: {uri: 'hdfs://nn:8020/flink/ha/plans-broken/submittedJobGraph00000000000a'},
        storage: {status: 'not-checked', reason: 'not checked: scheme hdfs: not supported yet'},
        recoverable: true,
      })
      expect(res.json.result.storage.counts).toMatchObject({ok: 1, missing: 1, 'size-mismatch': 1, 'not-checked': 2})
      const warnings = res.json.warnings.join('\n')
      expect(warnings).toContain(`jobgraphs/${corrupt}: pointer undecodable`)
      expect(warnings).toContain(`jobgraphs/${gone}: storage missing`)
      expect(warnings).toContain(`jobgraphs/${grown}: storage size-mismatch`)
      expect(warnings).toContain('1 pointed file(s) are not in')

      const table = await haadm(['plans', ...q, '--verify-storage'])
      expect(table.code).toBe(0)
      expect(table.stdout).toContain('undecodable')
      expect(table.stdout).toContain('missing')
      expect(table.stdout).toContain('not checked')
    } finally {
      client.close()
      await fixture.close()
    }
  })

  it('an unreachable storageDir: the metadata is still shown, entries are "unreachable", exit 5', async () => {
    const storage = tempDir()
    const clusterId = '/plans-unreachable'
    const job = randomJobId()
    const fixture = await startFlinkFixture(zk.connectString, {clusterId, contenders: 1, storageDir: join(storage, 'ha'), jobGraphs: [job]})
    try {
      renameSync(join(storage, 'ha'), join(storage, 'unmounted'))
      const q = ['--zk-quorum', zk.connectString, '--cluster-id', clusterId, '--storage-dir', join(storage, 'ha')]
      const res = await haadm(['plans', ...q, '--verify-storage', '--json'])
      expect(res.code).toBe(5)
      expect(res.json.status).toBe(5)
      const rec = res.json.result.plans[0]
      expect(rec).toMatchObject({jobId: job, pointer: {stateSize: fixture.ready.store.plans[job]!.stateSize}, storage: {status: 'unreachable'}})
      expect(res.json.result.storage).toMatchObject({reachable: false, partial: true, orphans: null, problem: `storageDir ${join(storage, 'ha')} does not exist`})
      expect(res.json.warnings).toContain(`storageDir ${join(storage, 'ha')} does not exist`)
      const text = await haadm(['plans', ...q, '--verify-storage'])
      expect(text.code).toBe(5)
      expect(text.stderr).toBe(`warning: storage verification incomplete: storageDir ${join(storage, 'ha')} does not exist\n`)
      expect(text.stdout).toContain(job)
      expect(text.stdout).toContain('unreachable')
      // Without --verify-storage nothing touches the storage: exit 0.
      expect((await haadm(['plans', ...q])).code).toBe(0)
    } finally {
      await fixture.close()
    }
  })

  it('a cluster without execution plans shows none', async () => {
    const fixture = await startFlinkFixture(zk.connectString, {clusterId: '/plans-empty', contenders: 1})
    try {
      const res = await haadm(['plans', '--zk-quorum', zk.connectString, '--cluster-id', '/plans-empty', '--json'])
      expect(res.code).toBe(0)
      expect(res.json.result.plans).toEqual([])
      const text = await haadm(['plans', '--zk-quorum', zk.connectString, '--cluster-id', '/plans-empty'])
      expect(text.stdout).toContain('no execution plans')
    } finally {
      await fixture.close()
    }
  })
})
