import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {startS3Server, type S3Server} from '../support/s3-server.js'
import {connectZk} from '../support/zk-client.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'
import {pointer} from '../support/java-bytes.js'

// --verify-storage and --deep with high-availability.storageDir on S3 (a real S3-compatible server
// on loopback): the entries point at s3:// objects holding the files a JVM serialized.

let zk: ZkServer
let s3: S3Server
const dirs: string[] = []
beforeAll(async () => {
  ;[zk, s3] = await Promise.all([startZooKeeper(), startS3Server({buckets: ['flink']})])
})
afterAll(async () => {
  await Promise.all([zk?.stop(), s3?.stop()])
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

describe('a storageDir on S3', () => {
  it('checks and decodes s3:// files, finds missing ones and orphans; a missing bucket is exit 5', async () => {
    // Real JobGraph and CompletedCheckpoint bytes: let the Java fixture write them locally first.
    const local = mkdtempSync(join(tmpdir(), 'haadm-s3src-'))
    dirs.push(local)
    const [job, gone] = [randomJobId(), randomJobId()]
    const source = await startFlinkFixture(zk.connectString, {clusterId: '/s3-source', contenders: 1, storageDir: local, jobGraphs: [job], checkpoints: {[job]: 1}})
    await source.close()
    const plan = source.ready.store.plans[job]!
    const cp = source.ready.store.checkpoints[job]!.checkpoints[0]!

    // The same entries as Flink writes them with high-availability.storageDir: s3://flink/ha.
    const client = (await connectZk(zk.connectString)).raw
    try {
      const root = '/flink/s3c'
      const planUri = `s3://flink/ha/s3c/${plan.fileName}`
      const cpUri = `s3a://flink/ha/s3c/${cp.fileName}` // flink-s3-fs-hadoop's scheme: the same object
      await mkdirs(client, `${root}/jobgraphs`)
      await mkdirs(client, `${root}/jobs/${job}/checkpoints`)
      await entry(client, `${root}/jobgraphs/${job}`, pointer(planUri, plan.stateSize))
      await entry(client, `${root}/jobgraphs/${gone}`, pointer('s3://flink/ha/s3c/submittedJobGraph00000000dead', 10))
      await entry(client, `${root}/jobs/${job}/checkpoints/${cp.name}`, pointer(cpUri, cp.stateSize))
      await s3.put('flink', `ha/s3c/${plan.fileName}`, readFileSync(plan.filePath))
      await s3.put('flink', `ha/s3c/${cp.fileName}`, readFileSync(cp.filePath))
      await s3.put('flink', 'ha/s3c/completedCheckpointabcdefabcdef', 'orphan')
      await s3.put('flink', 'ha/s3c/submittedJobGraphabcdefabcdef', 'orphan')
      await s3.put('flink', 'ha/s3c/blob/job_x/blob_p-1', 'not a state file')

      const q = ['--zk-quorum', zk.connectString, '--cluster-id', '/s3c', '--storage-dir', 's3://flink/ha']
      const plans = await haadm(['plans', ...q, '--deep', '--json'], {env: s3.env})
      expect(plans.stderr).toBe('')
      expect(plans.code).toBe(0)
      const by = (id: string) => plans.json.result.plans.find((p: any) => p.jobId === id)
      expect(by(job)).toMatchObject({
        pointer: {uri: planUri, stateSize: plan.stateSize},
        storage: {status: 'ok', size: plan.stateSize},
        content: {status: 'decoded', decoded: {kind: 'JobGraph', jobId: job, jobName: plan.jobName, jobType: 'STREAMING'}},
      })
      expect(by(gone)).toMatchObject({storage: {status: 'missing'}, content: {status: 'not-read'}, recoverable: false})
      expect(plans.json.result.storage).toMatchObject({reachable: true, clusterDir: 's3://flink/ha/s3c', partial: false, outsideClusterDir: 0})
      expect(plans.json.result.storage.orphans.map((o: any) => [o.path, o.kind])).toEqual([['s3://flink/ha/s3c/submittedJobGraphabcdefabcdef', 'submittedJobGraph']])

      const cps = await haadm(['checkpoints', ...q, '--deep', '--json'], {env: s3.env})
      expect(cps.code).toBe(0)
      const rec = cps.json.result.jobs.find((j: any) => j.jobId === job).checkpoints[0]
      expect(rec).toMatchObject({
        checkpointId: cp.checkpointId,
        storage: {status: 'ok', size: cp.stateSize},
        content: {status: 'decoded', decoded: {checkpointId: cp.checkpointId, jobId: job, externalPointer: cp.externalPointer}},
      })
      // The s3a:// pointer and the s3:// listing name the same object: not an orphan.
      expect(cps.json.result.storage.orphans.map((o: any) => o.name)).toEqual(['completedCheckpointabcdefabcdef'])

      // An existing bucket with nothing under the prefix: an empty directory, not an unreachable one.
      const empty = await haadm(['plans', ...q.slice(0, 4), '--storage-dir', 's3://flink/nothing-here', '--verify-storage', '--json'], {env: s3.env})
      expect(empty.code).toBe(0)
      expect(empty.json.result.storage).toMatchObject({reachable: true, partial: false, orphans: [], outsideClusterDir: 2})
      expect(empty.json.warnings).toContain('2 pointed file(s) are not in s3://flink/nothing-here/s3c: is the storageDir (or cluster id) the one Flink uses?')

      // A bucket that does not exist: the metadata is still shown, exit 5.
      const nobucket = await haadm(['plans', ...q.slice(0, 4), '--storage-dir', 's3://no-such-bucket/ha', '--verify-storage', '--json'], {env: s3.env})
      expect(nobucket.code).toBe(5)
      expect(nobucket.json.result.storage).toMatchObject({reachable: false, partial: true})
      expect(nobucket.json.result.plans).toHaveLength(2)
      // Pointers name s3://flink/..., which is reachable: still checked one by one.
      expect(nobucket.json.result.plans.map((p: any) => p.storage.status).sort()).toEqual(['missing', 'ok'])
    } finally {
      client.close()
    }
  })
})


async function mkdirs(client: any, path: string): Promise<void> {
  let at = ''
  for (const part of path.split('/').filter(Boolean)) {
    at += `/${part}`
    await client.create(at, Buffer.alloc(0), 0).catch(() => undefined)
  }
}

/** An entry as addAndLock leaves it after its JobManager stopped: the entry and its (empty) locks node. */
async function entry(client: any, path: string, data: Uint8Array): Promise<void> {
  await client.create(path, Buffer.from(data), 0)
  await client.create(`${path}/locks`, Buffer.alloc(0), 0)
}
