// The bulk scan (ScanOptions.bulk: ZooKeeper multiRead, many nodes a request) returns exactly the items
// the node-by-node scan returns, for every read description, on a Flink-shaped tree with an ephemeral
// node, data, a chroot and a missing cluster; and a cleanup planned from it meets a JobManager that
// starts after the scan as before.

import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import ZooKeeper from 'zookeeper'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {openBackend, targetLayout} from '../../src/backends/index.js'
import {READ_ALL, type ReadSpec} from '../../src/backends/read-spec.js'
import type {Backend, Inventory} from '../../src/backends/types.js'
import {resolveTarget} from '../../src/config/resolve.js'
import {HaadmError} from '../../src/errors.js'
import {runCleanup} from '../../src/ops/cleanup-run.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

const run = promisify(execFile)
let zk: ZkServer
let client: InstanceType<typeof ZooKeeper>

const targetOf = (quorum: string, clusterId: string, root?: string) =>
  resolveTarget({flags: {'zk-quorum': quorum, 'cluster-id': clusterId, ...(root ? {'zk-root': root} : {})}, env: {}})

async function scanBoth(quorum: string, clusterId: string, read: ReadSpec | undefined, root?: string): Promise<[Inventory, Inventory]> {
  const out: Inventory[] = []
  for (const bulk of [false, true]) {
    const backend: Backend = await openBackend(targetOf(quorum, clusterId, root))
    try {
      out.push(await backend.scan({read, bulk}))
    } finally {
      await backend.close()
    }
  }
  return [out[0]!, out[1]!]
}

const comparable = (inv: Inventory) => inv.items.map((i) => ({...i, data: Buffer.from(i.data).toString('hex')}))

beforeAll(async () => {
  zk = await startZooKeeper()
  // 3 jobs x 4 checkpoints, as a stopped Flink 1.18 cluster leaves them (bench/lib/zk-flink-tree.mjs).
  await run('node', ['bench/lib/zk-flink-tree.mjs', zk.connectString, '/flink/bulk', '3', '4'])
  client = new ZooKeeper({connect: zk.connectString, timeout: 30_000, debug_level: 0, host_order_deterministic: false})
  await new Promise<void>((resolve) => (client.once('connect', () => resolve()), client.init({})))
  // A live leader record (ephemeral) with data, and a node whose name needs UTF-8.
  await client.create('/flink/bulk/leader/dispatcher/connection_info', Buffer.from('leader bytes'), ZooKeeper.constants.ZOO_EPHEMERAL)
  await client.create('/flink/bulk/jobs/gr\u00fc\u00dfe', Buffer.from([0, 1, 2, 255]), 0)
}, 120_000)

afterAll(async () => {
  client?.close()
  await zk?.stop()
})

describe('bulk scan (multiRead)', () => {
  test("the same items as the node-by-node scan, for cleanup's read, everything, and a read that skips subtrees", async () => {
    const target = targetOf(zk.connectString, '/bulk')
    const layout = targetLayout(target)
    const specs: Array<ReadSpec | undefined> = [
      layout.reads({command: 'cleanup', jobId: null, everyPointer: true}),
      layout.reads({command: 'cleanup', jobId: '00000000000000000000000000000002', everyPointer: false}),
      layout.reads({command: 'leaders'}),
      layout.reads({command: 'state-handles', jobs: []}),
      READ_ALL,
      undefined,
    ]
    for (const read of specs) {
      const [plain, bulk] = await scanBoth(zk.connectString, '/bulk', read)
      expect(bulk.items.length).toBeGreaterThan(0)
      expect(comparable(bulk)).toEqual(comparable(plain))
    }
    const [plain] = await scanBoth(zk.connectString, '/bulk', READ_ALL)
    const leader = plain.items.find((i) => i.key === 'leader/dispatcher/connection_info')
    expect(leader?.zk?.ephemeralOwner).not.toBe('0')
    expect(Buffer.from(leader!.data).toString()).toBe('leader bytes')
  }, 120_000)

  test('below a chroot, and a missing cluster fails the same way', async () => {
    const [plain, bulk] = await scanBoth(`${zk.connectString}/flink`, '/bulk', READ_ALL, '/')
    expect(plain.items.length).toBeGreaterThan(30)
    expect(comparable(bulk)).toEqual(comparable(plain))
    const errors: unknown[] = []
    for (const bulk of [false, true]) {
      const backend = await openBackend(targetOf(zk.connectString, '/nothing-here'))
      try {
        await backend.scan({bulk})
      } catch (err) {
        errors.push(err)
      } finally {
        await backend.close()
      }
    }
    expect(errors).toHaveLength(2)
    for (const err of errors) expect(err).toBeInstanceOf(HaadmError)
    const [a, b] = errors as HaadmError[]
    expect([b.code, b.message, b.hint]).toEqual([a.code, a.message, a.hint])
  }, 120_000)

  test('a latch contender that joins after the scan, before the removal: its latch and parents stay, named (exit 5)', async () => {
    await run('node', ['bench/lib/zk-flink-tree.mjs', zk.connectString, '/flink/joins', '2', '3'])
    const contender = '/flink/joins/leader/latch/_c_5f0e-latch-0000000000'
    const result = await runCleanup(targetOf(zk.connectString, '/joins'), {
      dryRun: false,
      force: false,
      strict: false,
      includeJobResults: false,
      includeOrphanFiles: false,
      haadmVersion: 'test',
      // Called between the plan and the removal: a JobManager starts and joins the latch.
      confirm: async () => void (await client.create(contender, '', ZooKeeper.constants.ZOO_EPHEMERAL)),
    })
    const failed = result.outcomes.filter((o) => o.status === 'failed')
    expect(failed.map((o) => o.target.locator)).toEqual(['/flink/joins/leader/latch', '/flink/joins/leader', '/flink/joins'])
    expect(failed[0]!.error).toMatch(/new children appeared \(_c_5f0e-latch-0000000000\).*JobManager still running/)
    expect(result.remaining).toEqual(['/flink/joins', '/flink/joins/leader', '/flink/joins/leader/latch', contender])
    expect(result.outcomes.filter((o) => o.status === 'removed').length).toBeGreaterThan(20)
  }, 120_000)
})
