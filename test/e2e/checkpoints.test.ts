import {renameSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {connectZk} from '../support/zk-client.js'
import {tempDirs} from '../support/temp.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

// `haadm checkpoints` against a real ZooKeeper holding completed checkpoints and checkpoint id
// counters written the way Flink does (ZooKeeperStateHandleStore.addAndLock, Curator SharedCount),
// with the stand-in CompletedCheckpoint files in a local storageDir.

let zk: ZkServer
beforeAll(async () => {
  zk = await startZooKeeper()
})
afterAll(async () => {
  await zk?.stop()
})

const tempDir = tempDirs('haadm-cp-e2e-')

describe('haadm checkpoints on a Flink cluster', () => {
  it('reports exactly the checkpoints, sizes, locks and counters written; locks go when the sessions end', async () => {
    const storage = tempDir()
    const clusterId = '/cp-main'
    // A: plan + 3 checkpoints (2 left marked for deletion); B: plan + counter only;
    // C: checkpoints without a plan; D: a plan without checkpoint data.
    const [A, B, C, D] = [randomJobId(), randomJobId(), randomJobId(), randomJobId()]
    const fixture = await startFlinkFixture(zk.connectString, {
      clusterId,
      contenders: 2,
      lockers: 2,
      storageDir: storage,
      jobGraphs: [A, B, D],
      checkpoints: {[A]: 3, [B]: 0, [C]: 2},
      markDeleted: [`${A}/2`],
      orphans: ['completedCheckpoint', 'submittedJobGraph'],
    })
    const q = ['--zk-quorum', zk.connectString, '--cluster-id', clusterId]
    const store = fixture.ready.store
    try {
      const res = await haadm(['checkpoints', ...q, '--json'])
      expect(res.stderr).toBe('')
      expect(res.code).toBe(0)
      const report = res.json.result
      expect(report.jobs.map((j: any) => j.jobId)).toEqual([A, B, C, D].sort())

      for (const jobId of [A, B, C]) {
        const wrote = store.checkpoints[jobId]!
        const job = report.jobs.find((j: any) => j.jobId === jobId)
        expect(job.counter, jobId).toMatchObject({present: true, status: 'ok', nextCheckpointId: wrote.counter, locator: wrote.counterPath, problem: null})
        expect(job.checkpoints.map((c: any) => c.checkpointId)).toEqual(wrote.checkpoints.map((c) => c.checkpointId))
        for (const cp of wrote.checkpoints) {
          const rec = job.checkpoints.find((c: any) => c.checkpointId === cp.checkpointId)
          expect(rec).toMatchObject({
            jobId,
            name: cp.name,
            key: `jobs/${jobId}/checkpoints/${cp.name}`,
            locator: cp.path,
            status: 'ok',
            pointer: {uri: cp.uri, path: cp.uri, stateSize: cp.stateSize},
            fileName: cp.fileName,
            markedForDeletion: cp.markedForDeletion,
          })
          expect(rec.fileName).toMatch(/^completedCheckpoint[0-9a-f]{12}$/)
          expect(rec.locks.count).toBe(cp.locks.length)
          expect(rec.locks.live).toBe(cp.locks.length)
          expect(rec.locks.holders.map((h: any) => h.owner).sort()).toEqual(cp.locks.map((l) => l.ownerSession).sort())
        }
      }
      const a = report.jobs.find((j: any) => j.jobId === A)
      expect(store.checkpoints[A]!.counter).toBe(4) // seeded 1, advanced once per checkpoint
      expect(a.checkpoints.map((c: any) => c.state)).toEqual(['locked', 'marked-for-deletion', 'locked'])
      expect(a.checkpoints[0].locks.count).toBe(2)
      expect(a.restoreFrom).toBe(3)
      expect(a.plan).toEqual({present: true, status: 'ok', markedForDeletion: false, key: `jobgraphs/${A}`})
      const b = report.jobs.find((j: any) => j.jobId === B)
      expect(b).toMatchObject({checkpoints: [], restoreFrom: null, counter: {nextCheckpointId: 1, present: true}, notes: []})
      const d = report.jobs.find((j: any) => j.jobId === D)
      expect(d.counter).toEqual({present: false, status: 'absent', nextCheckpointId: 1, key: null, locator: null, modified: null, problem: null})
      expect(report.notes.map((n: any) => [n.jobId, n.kind])).toEqual(
        [
          [C, 'checkpoints-without-plan'],
          [D, 'plan-without-checkpoints'],
        ].sort((x, y) => x[0]!.localeCompare(y[0]!)),
      )
      expect(res.json.warnings).toEqual([expect.stringMatching(new RegExp(`^job ${C}: 2 checkpoint\\(s\\) and a checkpoint id counter but no execution plan`))])

      // One job; its files checked and decoded.
      const deep = await haadm(['checkpoints', ...q, '--job', A, '--storage-dir', storage, '--deep', '--json'])
      expect(deep.code).toBe(0)
      const dj = deep.json.result
      expect(dj.jobs.map((j: any) => j.jobId)).toEqual([A])
      for (const cp of store.checkpoints[A]!.checkpoints) {
        const rec = dj.jobs[0].checkpoints.find((c: any) => c.checkpointId === cp.checkpointId)
        expect(rec.storage).toEqual({status: 'ok', size: cp.stateSize, reason: null})
        expect(rec.content).toEqual({
          status: 'decoded',
          problem: null,
          decoded: {
            className: 'org.apache.flink.runtime.checkpoint.CompletedCheckpoint',
            jobId: A,
            checkpointId: cp.checkpointId,
            triggerTimestamp: cp.timestamp,
            completionTimestamp: cp.completionTimestamp,
            externalPointer: cp.externalPointer,
            checkpointType: 'Checkpoint',
            metadataPath: `${cp.externalPointer}/_metadata`,
            problems: [],
          },
        })
      }
      const orphan = store.orphans.find((o) => o.prefix === 'completedCheckpoint')!
      expect(dj.storage.orphans.map((o: any) => [o.name, o.kind, o.size])).toEqual([[orphan.fileName, 'completedCheckpoint', orphan.stateSize]])
      expect(dj.storage).toMatchObject({reachable: true, partial: false, counts: {ok: 3}})

      const table = await haadm(['checkpoints', ...q, '--storage-dir', storage, '--deep'])
      expect(table.code).toBe(0)
      expect(table.stdout).toContain(`job ${A}: plan present; next checkpoint id 4; restores from checkpoint 3`)
      expect(table.stdout).toContain(`job ${C}: no plan`)
      expect(table.stdout).toContain(`note: job ${C}:`)
      expect(table.stdout).toContain(store.checkpoints[A]!.checkpoints[2]!.externalPointer)
      expect(table.stdout).toContain(orphan.fileName)
    } finally {
      await fixture.close()
    }

    // After the sessions end: no live lock anywhere, nothing marked that was not marked before;
    // Flink's next leader recovers these checkpoints (zookeeper-layout.md §5).
    const after = await haadm(['checkpoints', ...q, '--json'])
    expect(after.code).toBe(0)
    for (const job of after.json.result.jobs) {
      for (const rec of job.checkpoints) {
        expect(rec.locks).toEqual({count: 0, live: 0, holders: []})
        expect(rec.state).toBe(rec.checkpointId === 2 && job.jobId === A ? 'marked-for-deletion' : 'unlocked')
      }
    }
    expect(after.json.result.jobs.find((j: any) => j.jobId === A).restoreFrom).toBe(3)
  })
})

describe('bad input and broken stores', () => {
  it('malformed and unknown job ids; a corrupt counter; a missing file; an unreachable storageDir', async () => {
    const storage = tempDir()
    const clusterId = '/cp-bad'
    const [A, B] = [randomJobId(), randomJobId()]
    const fixture = await startFlinkFixture(zk.connectString, {
      clusterId,
      contenders: 1,
      storageDir: join(storage, 'ha'),
      jobGraphs: [A, B],
      checkpoints: {[A]: 2, [B]: 1},
    })
    const client = (await connectZk(zk.connectString)).raw
    const q = ['--zk-quorum', zk.connectString, '--cluster-id', clusterId]
    try {
      const bad = await haadm(['checkpoints', ...q, '--job', 'xyz', '--json'])
      expect(bad.code).toBe(2)
      expect(bad.json).toMatchObject({status: 2, error: {code: 'INVALID_JOB_ID', message: '"xyz" is not a Flink job id'}})

      const unknown = randomJobId()
      const missing = await haadm(['checkpoints', ...q, '--job', A, '--job', unknown])
      expect(missing.code).toBe(3)
      expect(missing.stdout).toBe('')
      expect(missing.stderr).toContain(`error: no job ${unknown} in cluster ${clusterId}`)
      expect(missing.stderr).toContain(`Jobs in this cluster: ${[A, B].sort().join(', ')}.`)

      // A counter that is not 4 bytes: reported, the checkpoints still shown.
      await client.set(fixture.ready.store.checkpoints[B]!.counterPath, Buffer.from([0, 0, 7]), -1)
      // A checkpoint file deleted behind Flink's back.
      const lost = fixture.ready.store.checkpoints[A]!.checkpoints[0]!
      unlinkSync(lost.filePath)
      const res = await haadm(['checkpoints', ...q, '--storage-dir', join(storage, 'ha'), '--verify-storage', '--json'])
      expect(res.code).toBe(0)
      const b = res.json.result.jobs.find((j: any) => j.jobId === B)
      expect(b.counter).toMatchObject({present: true, status: 'undecodable', nextCheckpointId: null})
      expect(b.counter.problem).toMatch(/3 byte\(s\), expected 4/)
      expect(b.checkpoints).toHaveLength(1)
      const a = res.json.result.jobs.find((j: any) => j.jobId === A)
      expect(a.checkpoints[0]).toMatchObject({checkpointId: lost.checkpointId, storage: {status: 'missing'}, recoverable: false})
      expect(a.checkpoints[1]).toMatchObject({storage: {status: 'ok'}, recoverable: true})
      const warnings = res.json.warnings.join('\n')
      expect(warnings).toContain(`jobs/${B}/checkpoint_id_counter: checkpoint id counter holds 3 byte(s)`)
      expect(warnings).toContain(`jobs/${A}/checkpoints/${lost.name}: storage missing: no file`)

      // The storage moves away: metadata still shown, exit 5.
      renameSync(join(storage, 'ha'), join(storage, 'elsewhere'))
      const unreachable = await haadm(['checkpoints', ...q, '--storage-dir', join(storage, 'ha'), '--verify-storage', '--json'])
      expect(unreachable.code).toBe(5)
      expect(unreachable.json.status).toBe(5)
      expect(unreachable.json.result.jobs.flatMap((j: any) => j.checkpoints.map((c: any) => c.storage.status))).toEqual(['unreachable', 'unreachable', 'unreachable'])
      expect(unreachable.json.result.storage).toMatchObject({reachable: false, partial: true})
    } finally {
      client.close()
      await fixture.close()
    }
  })
})
