import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {pointer} from '../support/java-bytes.js'
import {startS3Server, type S3Server} from '../support/s3-server.js'
import {connectZk} from '../support/zk-client.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

// haadm restore-point with high-availability.storageDir and state.checkpoints.dir on S3 (s3rver on
// loopback): the CompletedCheckpoint bytes come from the Java fixture, their chk-<n> directories are
// s3:// prefixes; before the HA metadata is removed (entries pointing at s3:// files) and after.

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

async function mkdirs(client: any, path: string): Promise<void> {
  let at = ''
  for (const part of path.split('/').filter(Boolean)) {
    at += `/${part}`
    await client.create(at, Buffer.alloc(0), 0).catch(() => undefined)
  }
}

describe('restore-point on S3', () => {
  it('chooses by decoded checkpoint id with _metadata present, before and after the HA metadata is gone', {timeout: 180_000}, async () => {
    const local = mkdtempSync(join(tmpdir(), 'haadm-rp-s3-'))
    dirs.push(local)
    const job = randomJobId()
    const source = await startFlinkFixture(zk.connectString, {clusterId: '/rp-src', contenders: 1, storageDir: local, checkpoints: {[job]: 3}, checkpointsDir: 's3://flink/chk'})
    await source.close()
    const cps = source.ready.store.checkpoints[job]!.checkpoints
    for (const cp of cps) {
      expect(cp.externalPointer).toBe(`s3://flink/chk/${job}/chk-${cp.checkpointId}`)
      await s3.put('flink', `ha/rps3/${cp.fileName}`, readFileSync(cp.filePath))
    }
    // chk-3 lost its _metadata; chk-1's file is the newest object; chk-4 never completed. (s3rver lists
    // a common prefix only when an object lies directly below it, so chk/ itself does not list the
    // job's prefix; haadm also lists the directories of the jobs it already knows.)
    await s3.put('flink', `chk/${job}/chk-1/_metadata`, 'm')
    await s3.put('flink', `chk/${job}/chk-2/_metadata`, 'm')
    await s3.put('flink', `chk/${job}/chk-3/a-state-file`, 's')
    await s3.put('flink', `chk/${job}/chk-4/a-state-file`, 's')
    const old = new Date(Date.now() - 3_600_000)
    for (const cp of cps) s3.setMtime('flink', `ha/rps3/${cp.fileName}`, cp.checkpointId === 1 ? new Date() : old)
    const q = ['--zk-quorum', zk.connectString, '--cluster-id', '/rps3', '--storage-dir', 's3://flink/ha']

    // Before: the HA store's entries point at the s3:// files.
    const client = (await connectZk(zk.connectString)).raw
    try {
      await mkdirs(client, `/flink/rps3/jobs/${job}/checkpoints`)
      for (const cp of cps) {
        await client.create(`/flink/rps3/jobs/${job}/checkpoints/${cp.name}`, Buffer.from(pointer(`s3://flink/ha/rps3/${cp.fileName}`, cp.stateSize)), 0)
        await client.create(`/flink/rps3/jobs/${job}/checkpoints/${cp.name}/locks`, Buffer.alloc(0), 0)
      }
      const before = await haadm(['restore-point', ...q, '--json'], {env: s3.env})
      expect(before.code).toBe(0)
      const b = before.json.result.jobs[0]
      expect(before.json.result.haMetadata).toBe('found')
      expect(b.candidates.map((c: any) => [c.checkpointId, c.source, c.metadata, c.usable])).toEqual([
        [3, 'ha-entry', 'missing', false],
        [2, 'ha-entry', 'found', true],
        [1, 'ha-entry', 'found', true],
      ])
      expect(b.chosen).toMatchObject({checkpointId: 2, externalPointer: `s3://flink/chk/${job}/chk-2`})

      // After: the HA metadata is gone ("HA metadata not available").
      // (As Flink's cleanup: the files stay; haadm cleanup would remove the files the entries point at too.)
      const remover = await connectZk(zk.connectString)
      await remover.removeTree('/flink/rps3')
      remover.close()
      const after = await haadm(['restore-point', ...q, '--checkpoint-dir', 's3://flink/chk', '--json'], {env: s3.env})
      expect(after.code).toBe(0)
      const a = after.json.result.jobs[0]
      expect(after.json.result.haMetadata).toBe('not-found')
      expect(a.candidates.map((c: any) => [c.checkpointId, c.source, c.usable])).toEqual([
        [4, 'checkpoint-dir', false],
        [3, 'checkpoint-dir', false],
        [3, 'storage-file', false],
        [2, 'checkpoint-dir', true],
        [2, 'storage-file', true],
        [1, 'checkpoint-dir', true],
        [1, 'storage-file', true],
      ])
      expect(a.chosen).toMatchObject({checkpointId: 2, externalPointer: `s3://flink/chk/${job}/chk-2`, metadata: 'found'})
      const text = await haadm(['restore-point', ...q], {env: s3.env})
      expect(text.stdout).toContain(`execution.savepoint.path: s3://flink/chk/${job}/chk-2`)
    } finally {
      client.close()
    }
  })
})
