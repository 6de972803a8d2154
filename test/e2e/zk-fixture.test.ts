// Checks the test harness itself: a real ZooKeeper server, and the Java fixture that writes
// Flink's leader-election znodes, read back with the native `zookeeper` npm client and zkCli.sh.

import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {createServer} from 'node:net'
import {promisify} from 'node:util'
import ZooKeeper from 'zookeeper'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {
  randomJobId,
  startFlinkFixture,
  type FixtureLeaderRecord,
  type FlinkFixture,
  type FlinkFixtureReady,
  type FlinkHaLayout,
} from '../support/flink-fixture.js'
import {fourLetterWord, startZooKeeper, zkCliPath, type ZkServer} from '../support/zk-server.js'

const run = promisify(execFile)

/** The parts of the npm client's stat object used here (czxid etc. are JS numbers). */
interface ZkStat {
  ephemeralOwner: string // lowercase hex without 0x, "0" when not ephemeral
  dataLength: number
  numChildren: number
}
type Client = InstanceType<typeof ZooKeeper>

async function connect(connectString: string, digest?: string): Promise<Client> {
  const zk = new ZooKeeper({
    connect: connectString,
    // Generous: on a busy machine a short session expires under the test (ZINVALIDSTATE -9).
    timeout: 30_000,
    debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR,
    host_order_deterministic: false,
  })
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no connection to ${connectString}`)), 60_000)
    zk.once('connect', () => {
      clearTimeout(t)
      resolve()
    })
    zk.init({})
  })
  if (digest !== undefined) {
    // add_auth is not promisified by the package
    await new Promise<void>((resolve, reject) =>
      zk.add_auth('digest', digest, (rc: number, err: unknown) => (rc === 0 ? resolve() : reject(new Error(`add_auth: ${rc} ${String(err)}`)))),
    )
  }
  return zk
}

async function getNode(zk: Client, path: string): Promise<{stat: ZkStat; data: Buffer}> {
  const [stat, data] = (await zk.get(path, false)) as [ZkStat, Buffer | null | undefined]
  return {stat, data: data ?? Buffer.alloc(0)}
}

async function children(zk: Client, path: string): Promise<{names: string[]; stat: ZkStat}> {
  const [names, stat] = (await zk.get_children2(path, false)) as [string[], ZkStat]
  return {names: [...names].sort(), stat}
}

/** Error code of a rejected call: the promise API rejects with Error("<rc> <text>"). */
async function rcOf(p: Promise<unknown>): Promise<number> {
  try {
    await p
  } catch (e) {
    return Number.parseInt(String((e as Error).message), 10)
  }
  return 0
}

/** Just enough of Flink's connection_info format (spec §3) to check the fixture's bytes. */
function decodeLeaderInformation(b: Buffer): {address: string; sessionId: string} {
  expect(b.subarray(0, 4).toString('hex')).toBe('aced0005')
  expect(b[4]).toBe(0x77) // TC_BLOCKDATA (addresses here are < 256 bytes)
  const blockLen = b[5]!
  const utfLen = b.readUInt16BE(6)
  expect(utfLen).toBe(blockLen - 2)
  const address = b.subarray(8, 8 + utfLen).toString('utf8')
  const rest = b.subarray(6 + blockLen)
  expect(rest.subarray(0, 4).toString('hex')).toBe('7372000e')
  expect(rest.subarray(4, 18).toString('latin1')).toBe('java.util.UUID')
  expect(rest.subarray(18, 26).toString('hex')).toBe('bc9903f7986d852f')
  const least = b.subarray(b.length - 16, b.length - 8).toString('hex')
  const most = b.subarray(b.length - 8).toString('hex')
  const hex = most + least
  const sessionId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  return {address, sessionId}
}

function records(r: FlinkFixtureReady): FixtureLeaderRecord[] {
  return [...Object.values(r.components), ...Object.values(r.jobs)]
}

const LATCH_NAME = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-latch-\d{10}$/
const seq = (name: string) => Number(name.slice(-10))

describe('real ZooKeeper and the Flink-shaped fixture', () => {
  let server: ZkServer
  let zk: Client
  const SUPER = 'super:s3cret'

  beforeAll(async () => {
    server = await startZooKeeper({superDigest: SUPER})
    zk = await connect(server.connectString)
  })

  afterAll(async () => {
    zk?.close()
    await server?.stop()
  })

  /** Everything a live fixture must have written, checked against the READY description. */
  async function checkLive(fx: FlinkFixture, contenders: number): Promise<void> {
    const r = fx.ready
    expect(r.leader).not.toBeNull()
    const leader = r.contenders[r.leader!]!
    expect(leader.leader).toBe(true)
    expect(r.contenders).toHaveLength(contenders)
    expect(new Set(r.contenders.map((c) => c.sessionId)).size).toBe(contenders)

    for (const rec of records(r)) {
      expect(rec.published).toBe(true)
      const {stat, data} = await getNode(zk, rec.path)
      // EPHEMERAL, owned by the leader's session; the npm client formats ids like Long.toHexString
      expect(stat.ephemeralOwner).toBe(leader.sessionId)
      expect(rec.ownerSession).toBe(leader.sessionId)
      expect(decodeLeaderInformation(data)).toEqual({address: rec.address, sessionId: rec.sessionId})
      // its parent (leader/<component>) is not ephemeral
      const parent = rec.path.slice(0, rec.path.lastIndexOf('/'))
      expect((await getNode(zk, parent)).stat.ephemeralOwner).toBe('0')

      // one latch child per contender, the lowest sequence number is the leader's
      const latch = await children(zk, rec.latchPath)
      expect(latch.names).toHaveLength(contenders)
      for (const n of latch.names) expect(n).toMatch(LATCH_NAME)
      const expected = r.contenders.flatMap((c) => c.latchNodes.filter((l) => l.latchPath === rec.latchPath).map((l) => l.name))
      expect(latch.names).toEqual([...expected].sort())
      const lowest = [...latch.names].sort((a, b) => seq(a) - seq(b))[0]!
      const lowestNode = await getNode(zk, `${rec.latchPath}/${lowest}`)
      expect(lowestNode.stat.ephemeralOwner).toBe(leader.sessionId)
      expect(lowestNode.data.length).toBe(0) // LeaderLatch id "" → empty data
    }
  }

  async function checkGone(r: FlinkFixtureReady): Promise<void> {
    for (const rec of records(r)) {
      expect(await zk.pathExists(rec.path, false)).toBe(false)
      if (await zk.pathExists(rec.latchPath, false)) {
        expect((await children(zk, rec.latchPath)).names).toEqual([])
      }
    }
  }

  const layouts: {layout: FlinkHaLayout; jobNode: (id: string) => string; scheme: string}[] = [
    {layout: '1.18', jobNode: (id) => `leader/job-${id}/connection_info`, scheme: 'pekko.tcp'},
    {layout: '1.15', jobNode: (id) => `leader/${id}/connection_info`, scheme: 'akka.tcp'},
    {layout: 'legacy-1.15', jobNode: (id) => `jobs/${id}/leader/connection_info`, scheme: 'akka.tcp'},
  ]

  for (const {layout, jobNode, scheme} of layouts) {
    test(`layout ${layout}: leader records, latches, and nothing ephemeral left after close`, async () => {
      const jobs = [randomJobId(), randomJobId()]
      const clusterId = `//cl-${layout}/` // slashes are trimmed like Flink's generateZookeeperPath
      const fx = await startFlinkFixture(server.connectString, {layout, jobs, clusterId, contenders: 2, host: 'jm-a'})
      try {
        const r = fx.ready
        const ns = `/flink/cl-${layout}`
        expect(r.namespace).toBe(ns)
        expect(r.layout).toBe(layout)
        expect(r.acl).toBe('open')
        expect(r.leader).toBe(0)
        for (const c of ['dispatcher', 'resource_manager', 'rest_server'] as const) {
          expect(r.components[c].path).toBe(`${ns}/leader/${c}/connection_info`)
          expect(r.components[c].componentId).toBe(c)
        }
        expect(r.components.dispatcher.address).toBe(`${scheme}://flink@jm-a:6123/user/rpc/dispatcher_1`)
        expect(r.components.resource_manager.address).toBe(`${scheme}://flink@jm-a:6123/user/rpc/resourcemanager_0`)
        expect(r.components.rest_server.address).toBe('http://jm-a:8081')
        expect(Object.keys(r.jobs).sort()).toEqual([...jobs].sort())
        for (const id of jobs) {
          expect(r.jobs[id]!.path).toBe(`${ns}/${jobNode(id)}`)
          expect(r.jobs[id]!.address).toMatch(new RegExp(`^${scheme}://flink@jm-a:6123/user/rpc/jobmanager_\\d+$`))
        }
        const sessions = new Set(records(r).map((x) => x.sessionId))
        if (layout === 'legacy-1.15') {
          expect(sessions.size).toBe(records(r).length) // one election, one session id per component
          expect(r.contenders[0]!.latchNodes).toHaveLength(3 + jobs.length)
          expect(r.components.dispatcher.latchPath).toBe(`${ns}/leader/dispatcher/latch`)
          expect(r.jobs[jobs[0]!]!.latchPath).toBe(`${ns}/jobs/${jobs[0]}/leader/latch`)
        } else {
          expect(sessions.size).toBe(1) // one grant, one session id for every component
          expect(r.contenders[0]!.latchNodes).toHaveLength(1)
          for (const rec of records(r)) expect(rec.latchPath).toBe(`${ns}/leader/latch`)
        }

        await checkLive(fx, 2)
        const {names} = await children(zk, `${ns}/leader`)
        if (layout === '1.18') expect(names).toEqual(['dispatcher', ...jobs.map((j) => `job-${j}`), 'latch', 'resource_manager', 'rest_server'].sort())
        if (layout === '1.15') expect(names).toEqual(['dispatcher', ...jobs, 'latch', 'resource_manager', 'rest_server'].sort())
        if (layout === 'legacy-1.15') expect(names).toEqual(['dispatcher', 'resource_manager', 'rest_server'])

        await fx.close()
        await checkGone(r)
        // the persistent (or not yet reaped container) parents stay behind
        expect(await zk.pathExists(`${ns}/leader/dispatcher`, false)).toBe(true)
      } finally {
        await fx.close()
      }
    })
  }

  test('failover: closeLeader drops the leader session, takeOver lets the next contender publish', async () => {
    const jobs = [randomJobId()]
    const fx = await startFlinkFixture(server.connectString, {clusterId: 'failover', jobs, contenders: 3, leader: 1})
    try {
      const before = fx.ready
      expect(before.leader).toBe(1)
      await checkLive(fx, 3)
      await fx.closeLeader()
      for (const rec of records(before)) expect(await zk.pathExists(rec.path, false)).toBe(false)
      expect((await children(zk, '/flink/failover/leader/latch')).names).toHaveLength(2)

      const after = await fx.takeOver()
      expect(after.leader).toBe(0) // started right after contender 1, so next in line
      expect(after.contenders[1]!.closed).toBe(true)
      const owner = after.contenders[0]!.sessionId
      for (const rec of records(after)) {
        const {stat, data} = await getNode(zk, rec.path)
        expect(stat.ephemeralOwner).toBe(owner)
        const info = decodeLeaderInformation(data)
        expect(info.sessionId).toBe(rec.sessionId)
        expect(info.sessionId).not.toBe(before.components.dispatcher.sessionId)
      }
    } finally {
      await fx.close()
    }
  })

  test('empty leader information and an unpublished rest_server', async () => {
    const job = randomJobId()
    const fx = await startFlinkFixture(server.connectString, {
      clusterId: 'partial',
      layout: '1.15',
      jobs: [job],
      contenders: 1,
      noRest: true,
      emptyLeader: ['dispatcher', job],
    })
    try {
      const r = fx.ready
      expect(r.components.rest_server).toMatchObject({published: false, address: null, ownerSession: null})
      expect(await zk.pathExists(r.components.rest_server.path, false)).toBe(false)
      for (const rec of [r.components.dispatcher, r.jobs[job]!]) {
        expect(rec).toMatchObject({published: true, empty: true, address: null, sessionId: null})
        const {stat, data} = await getNode(zk, rec.path)
        expect(stat.dataLength).toBe(0)
        expect(data.length).toBe(0)
        expect(stat.ephemeralOwner).toBe(r.contenders[0]!.sessionId)
      }
      const rm = await getNode(zk, r.components.resource_manager.path)
      expect(decodeLeaderInformation(rm.data).address).toBe(r.components.resource_manager.address)
    } finally {
      await fx.close()
    }
  })

  test('creator ACL with digest auth: NoAuth for anonymous clients, readable by the creator and the super user', async () => {
    const digest = 'flink:flink-pw'
    const fx = await startFlinkFixture(server.connectString, {root: '/secure', clusterId: 'acl', digest, contenders: 2})
    const owner = await connect(server.connectString, digest)
    const admin = await connect(server.connectString, SUPER)
    const stranger = await connect(server.connectString, 'other:pw')
    try {
      const r = fx.ready
      expect(r.acl).toBe('creator')
      const path = r.components.dispatcher.path
      const ZNOAUTH = ZooKeeper.constants.ZNOAUTH
      // CREATOR_ALL_ACL reaches up to the namespace containers: even /secure is closed
      expect(await rcOf(zk.get_children2('/secure', false))).toBe(ZNOAUTH)
      expect(await rcOf(zk.get(path, false))).toBe(ZNOAUTH)
      expect(await rcOf(zk.get_children2(r.components.dispatcher.latchPath, false))).toBe(ZNOAUTH)
      expect(await rcOf(stranger.get(path, false))).toBe(ZNOAUTH)
      // exists() needs no permission: liveness (ephemeralOwner) is visible without auth
      const stat = (await zk.exists(path, false)) as ZkStat
      expect(stat.ephemeralOwner).toBe(r.components.dispatcher.ownerSession)

      for (const c of [owner, admin]) {
        const {data} = await getNode(c, path)
        expect(decodeLeaderInformation(data).address).toBe(r.components.dispatcher.address)
        expect((await children(c, r.components.dispatcher.latchPath)).names).toHaveLength(2)
      }
      // resolves to [acl, stat]
      const [acl] = (await admin.get_acl('/secure')) as unknown as [{perms: number; scheme: string; auth: string}[], ZkStat]
      expect(acl).toHaveLength(1)
      expect(acl[0]).toMatchObject({scheme: 'digest', perms: 31})
      expect(acl[0]!.auth.startsWith('flink:')).toBe(true)
    } finally {
      owner.close()
      admin.close()
      stranger.close()
      await fx.close()
    }
  })

  test("kill(): the JVM dies but its sessions live until they expire", async () => {
    const fx = await startFlinkFixture(server.connectString, {clusterId: 'killed', contenders: 1, sessionTimeoutMs: 1000})
    const path = fx.ready.components.dispatcher.path
    await fx.kill()
    expect(await zk.pathExists(path, false)).toBe(true)
    // A hang guard, not a speed target: the server expires the 1 s session when its ticks come round.
    const deadline = Date.now() + 60_000
    while ((await zk.pathExists(path, false)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(await zk.pathExists(path, false)).toBe(false)
    await fx.close() // no-op once dead
  })

  test("Debian's zkCli.sh reads the tree the fixture wrote", async () => {
    const job = randomJobId()
    const fx = await startFlinkFixture(server.connectString, {clusterId: 'cli', jobs: [job], contenders: 2})
    try {
      const {stdout} = await run(zkCliPath(), ['-server', server.connectString, 'ls', '-R', '/flink/cli'], {timeout: 30_000})
      const lines = stdout.split('\n').map((l) => l.trim())
      expect(lines).toContain('/flink/cli/leader/dispatcher/connection_info')
      expect(lines).toContain(`/flink/cli/leader/job-${job}/connection_info`)
      for (const n of fx.ready.contenders.map((c) => c.latchNodes[0]!.path)) expect(lines).toContain(n)
    } finally {
      await fx.close()
    }
  })

  test('stop() kills the server, frees its port and removes its data dir', async () => {
    const other = await startZooKeeper()
    expect(other.port).not.toBe(server.port)
    expect(await fourLetterWord(other.port, 'ruok')).toBe('imok')
    expect(existsSync(other.dataDir)).toBe(true)
    await other.stop()
    await other.stop() // idempotent
    expect(existsSync(other.dataDir)).toBe(false)
    await expect(fourLetterWord(other.port, 'ruok')).rejects.toThrow(/ECONNREFUSED/)
    await new Promise<void>((resolve, reject) => {
      const srv = createServer()
      srv.once('error', reject)
      srv.listen(other.port, '127.0.0.1', () => srv.close(() => resolve()))
    })
  })
})
