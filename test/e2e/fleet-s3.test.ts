import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {randomJobId} from '../support/flink-fixture.js'
import {pointer} from '../support/java-bytes.js'
import {startS3Server, type S3Server} from '../support/s3-server.js'
import {connectZk, type TestZk} from '../support/zk-client.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

// No storage left behind with high-availability.storageDir on S3 (s3rver on loopback): the storage
// directory is inferred from the pointers; storage that refuses access is exit 5 with the files listed.

let zk: ZkServer
let s3: S3Server
let client: TestZk
beforeAll(async () => {
  ;[zk, s3] = await Promise.all([startZooKeeper(), startS3Server({buckets: ['flink']})])
  client = await connectZk(zk.connectString)
})
afterAll(async () => {
  client?.close()
  await Promise.all([zk?.stop(), s3?.stop()])
})

/** A dead cluster whose two entries point at objects under s3://flink/ha/<id>, plus its HA blobs. */
async function s3Cluster(id: string, scheme = 's3a'): Promise<string[]> {
  const job = randomJobId()
  const keys = [`ha/${id}/submittedJobGraph${job.slice(0, 12)}`, `ha/${id}/completedCheckpoint${job.slice(20)}`]
  await client.create(`/flink/${id}/leader/dispatcher/connection_info`, '')
  await client.create(`/flink/${id}/jobgraphs/${job}`, Buffer.from(pointer(`s3://flink/${keys[0]}`, 5)))
  await client.create(`/flink/${id}/jobs/${job}/checkpoints/${'7'.padStart(19, '0')}`, Buffer.from(pointer(`${scheme}://flink/${keys[1]}`, 5)))
  for (const k of keys) await s3.put('flink', k, 'state')
  await s3.put('flink', `ha/${id}/blob/job_${job}/blob_p-1`, 'jar')
  return keys
}

describe('no storage left behind on S3', () => {
  it('infers s3://flink/ha from the pointers (s3:// and s3a:// name the same place) and removes files and blobs', async () => {
    await s3Cluster('s3ok')
    await s3.put('flink', 'ha/s3ok-neighbour/submittedJobGraphabcdefabcdef', 'keep')
    const res = await haadm(['cleanup', '--zk-quorum', zk.connectString, '--cluster-id', '/s3ok', '--yes', '--json'], {env: s3.env})
    expect(res.code, res.stdout).toBe(0)
    expect(res.json.result.plan.storageDir).toEqual({uri: 's3://flink/ha', source: 'derived: inferred from 2 state-handle pointer(s)'})
    expect(await s3.keys('flink', 'ha/s3ok/')).toEqual([])
    expect(await s3.keys('flink', 'ha/s3ok-neighbour/')).toEqual(['ha/s3ok-neighbour/submittedJobGraphabcdefabcdef'])
  })

  it('storage that refuses access: the metadata goes, the run exits 5 and lists every file left', async () => {
    const keys = await s3Cluster('s3deny')
    const env = {...s3.env, HAADM_S3_ACCESS_KEY: 'NOT-AN-ACCOUNT'}
    const dry = await haadm(['cleanup', '--zk-quorum', zk.connectString, '--cluster-id', '/s3deny', '--dry-run'], {env})
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('left in storage (3), a real run exits 5:')
    const res = await haadm(['cleanup', '--zk-quorum', zk.connectString, '--cluster-id', '/s3deny', '--yes', '--json'], {env})
    expect(res.code).toBe(5)
    expect(res.json.result.remaining).toEqual([`s3://flink/${keys[0]}`, `s3a://flink/${keys[1]}`, 's3://flink/ha/s3deny'])
    expect(res.json.result.plan.storageLeft[0].why).toMatch(/S3 refused to stat/)
    expect(await client.exists('/flink/s3deny')).toBe(false)
    expect((await s3.keys('flink', 'ha/s3deny/')).length).toBe(3)
    // With the right credentials, --storage-dir finishes what the pointers no longer name.
    const rest = await haadm(['cleanup', '--zk-quorum', zk.connectString, '--cluster-id', '/s3deny', '--storage-dir', 's3://flink/ha', '--include-orphan-files', '--yes', '--json'], {env: s3.env})
    expect(rest.code, rest.stderr).toBe(0)
    expect(rest.json.result.plan.storageDir.source).toBe('flag --storage-dir')
    expect(await s3.keys('flink', 'ha/s3deny/')).toEqual([])
  })

  it('pointers that do not end in the cluster id are not guessed from: exit 5', async () => {
    const job = randomJobId()
    await client.create(`/flink/renamed/jobgraphs/${job}`, Buffer.from(pointer('s3://flink/ha/old-name/submittedJobGraph0123456789ab', 5)))
    await s3.put('flink', 'ha/old-name/submittedJobGraph0123456789ab', 'x')
    const res = await haadm(['cleanup', '--zk-quorum', zk.connectString, '--cluster-id', '/renamed', '--yes', '--json'], {env: s3.env})
    expect(res.code).toBe(5)
    expect(res.json.warnings.join('\n')).toContain('the state-handle pointers name s3://flink/ha/old-name, which does not end in the cluster id renamed')
    expect(res.json.result.remaining).toEqual(['s3://flink/ha/old-name/submittedJobGraph0123456789ab'])
    expect(await s3.keys('flink', 'ha/old-name/')).toEqual(['ha/old-name/submittedJobGraph0123456789ab'])
  })
})
