// Proves the Flink-shaped ZooKeeper fixture per Flink version: for each version, a real ZooKeeper,
// a cluster written with `flinkVersion`, then every znode listed with the plain test client and every
// file under the storageDir read back, compared with test/support/versions.ts (the expectations the
// contract tests use). haadm is not run here.

import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {parse as parseYaml} from 'yaml'
import {flinkConfFor, randomJobId, startFlinkFixture, type FlinkFixtureOptions, type FlinkFixtureReady} from '../support/flink-fixture.js'
import {tempDirs} from '../support/temp.js'
import {FLINK_VERSIONS, zkLayout, type FlinkVersion, type ZkExpectation} from '../support/versions.js'
import {connectZk, type TestZk} from '../support/zk-client.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

const tmp = tempDirs('haadm-fxv-')
const READY = 90_000 // the machine is shared; a JVM plus Curator can take a while

/** Every file below dir, relative, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(relative(dir, p))
    }
  }
  walk(dir)
  return out.sort()
}

/** Relative (to the cluster node) znode paths of a dump. */
function relTree(dump: Record<string, unknown>, ns: string): string[] {
  return Object.keys(dump)
    .filter((p) => p.startsWith(`${ns}/`))
    .map((p) => p.slice(ns.length + 1))
    .sort()
}

/** The UTF-8 bytes of s, as hex: to find a string inside Java-serialized data. */
const hexOf = (s: string) => Buffer.from(s, 'utf8').toString('hex')

describe('Flink-shaped ZooKeeper fixture, per Flink version', () => {
  let server: ZkServer
  // A fresh client per fixture, connected after READY: the first start compiles the Java sources
  // synchronously, which would starve an already open client's heartbeats.
  let zk: TestZk

  beforeAll(async () => {
    server = await startZooKeeper()
  })

  afterAll(async () => {
    await server?.stop()
  })

  async function withFixture(opts: FlinkFixtureOptions, check: (r: FlinkFixtureReady) => Promise<void>): Promise<void> {
    const fx = await startFlinkFixture(server.connectString, {readyTimeoutMs: READY, ...opts})
    try {
      zk = await connectZk(server.connectString)
      await check(fx.ready)
    } finally {
      zk?.close()
      await fx.close()
    }
  }

  for (const v of FLINK_VERSIONS) {
    test(`Flink ${v}: leaders, plans, checkpoints, counters and files where ${v} puts them`, async () => {
      const [a, b] = [randomJobId(), randomJobId()]
      const storageDir = tmp()
      const x: ZkExpectation = zkLayout(v)
      const events = x.files.jobEventsDir(a) !== null
      const clusterId = `v-${v}`
      await withFixture(
        {
          flinkVersion: v,
          clusterId,
          jobs: [a, b],
          contenders: 2,
          storageDir,
          jobGraphs: [a, b],
          checkpoints: {[a]: 2, [b]: 0},
          ...(events ? {jobEvents: {[a]: 2, [b]: 0}} : {}),
        },
        async (r) => {
          const ns = `/flink/${clusterId}`
          expect(r.namespace).toBe(ns)
          expect(r.flinkVersion).toBe(v)
          expect(r.addressScheme).toBe(x.addressScheme)

          // ---- the whole tree, as the test client sees it, and as READY reports it
          const dump = await zk.dump(ns)
          const tree = relTree(dump, ns)
          expect(r.tree).toEqual(Object.keys(dump).sort())

          // ---- leaders
          for (const c of ['dispatcher', 'resource_manager', 'rest_server'] as const) {
            expect(r.components[c].path).toBe(`${ns}/${x.componentConnectionInfo(c)}`)
            expect(r.components[c].latchPath).toBe(`${ns}/${x.componentLatch(c)}`)
            expect(tree).toContain(x.componentConnectionInfo(c))
          }
          expect(r.components.dispatcher.address!.startsWith(`${x.addressScheme}://`)).toBe(true)
          expect(dump[r.components.dispatcher.path]!.data).toContain(hexOf(`${x.addressScheme}://flink@`))
          for (const j of [a, b]) {
            expect(r.jobs[j]!.componentId).toBe(x.jobLeaderComponentId(j))
            expect(r.jobs[j]!.path).toBe(`${ns}/${x.jobConnectionInfo(j)}`)
            expect(r.jobs[j]!.latchPath).toBe(`${ns}/${x.jobLatch(j)}`)
            expect(tree).toContain(x.jobConnectionInfo(j))
            expect(r.jobs[j]!.address!.startsWith(`${x.addressScheme}://`)).toBe(true)
            // no node of the other naming
            const other = x.leftoverJobLeaderNode(j)
            if (other !== null) expect(tree.filter((p) => p === other || p.startsWith(`${other}/`))).toEqual([])
          }
          const leaderChildren = tree.filter((p) => /^leader\/[^/]+$/.test(p)).map((p) => p.slice('leader/'.length))
          if (x.legacy) {
            expect(leaderChildren).toEqual(['dispatcher', 'resource_manager', 'rest_server'])
          } else {
            expect(leaderChildren).toEqual(['dispatcher', 'latch', 'resource_manager', 'rest_server', x.jobLeaderComponentId(a), x.jobLeaderComponentId(b)].sort())
          }

          // ---- execution plans: the version's directory only
          const topLevel = tree.filter((p) => !p.includes('/'))
          expect(topLevel).toEqual([x.planDir, 'jobs', 'leader'].sort())
          expect(r.store.planDir).toBe(x.planDir)
          expect(r.store.planConfigKey).toBe(x.planConfigKey)
          expect(r.store.planStorePath).toBe(`${ns}/${x.planDir}`)
          expect(r.store.jobGraphsPath).toBe(r.store.planStorePath) // the old field keeps its meaning
          expect(r.store.planPrefix).toBe(x.files.planFilePrefix)
          for (const j of [a, b]) {
            const p = r.store.plans[j]!
            expect(p.path).toBe(`${ns}/${x.planEntry(j)}`)
            expect(p.fileName).toMatch(x.files.planFile)
            expect(p.className).toBe(x.files.planClass)
            expect(dump[p.path]!.data).toContain(hexOf(p.fileName)) // the handle points at the file
            expect(tree).toContain(`${x.locks(x.planEntry(j))}/${p.locks[0]!.lockId}`)
          }
          expect(tree.filter((p) => p.startsWith(`${x.planDir}/`) && p.split('/').length === 2)).toEqual([x.planEntry(a), x.planEntry(b)].sort())

          // ---- checkpoints and counters
          expect(tree).toContain(x.checkpointEntry(a, 1))
          expect(tree).toContain(x.checkpointEntry(a, 2))
          expect(tree.filter((p) => p.startsWith(`${x.checkpointsNode(a)}/`) && p.split('/').length === 4)).toEqual([x.checkpointEntry(a, 1), x.checkpointEntry(a, 2)])
          expect(r.store.checkpoints[a]!.counterPath).toBe(`${ns}/${x.counterNode(a)}`)
          expect(dump[`${ns}/${x.counterNode(a)}`]!.data).toBe('00000003') // next id after 1, 2
          expect(dump[`${ns}/${x.counterNode(b)}`]!.data).toBe('00000001') // counter only
          expect(tree).toContain(x.checkpointsNode(b))
          for (const cp of r.store.checkpoints[a]!.checkpoints) expect(cp.fileName).toMatch(x.files.checkpointFile)

          // ---- files in <storageDir>/<cluster-id>
          const clusterDir = join(storageDir, clusterId)
          const files = listFiles(clusterDir)
          expect(r.store.files).toEqual(files)
          const flat = files.filter((f) => !f.includes('/'))
          expect(flat.filter((f) => x.files.planFile.test(f))).toHaveLength(2)
          expect(flat.filter((f) => x.files.checkpointFile.test(f))).toHaveLength(2)
          expect(flat).toHaveLength(4)
          for (const j of [a, b]) {
            const file = readFileSync(r.store.plans[j]!.filePath)
            expect(file.subarray(0, 4).toString('hex')).toBe('aced0005')
            expect(file.toString('latin1')).toContain(x.files.planClass)
            expect(r.store.plans[j]!.stateSize).toBe(file.length)
          }
          if (events) {
            const dir = x.files.jobEventsDir(a)!
            expect(files.filter((f) => f.includes('/'))).toEqual([`${dir}/${x.files.jobEventFile(0)}`, `${dir}/${x.files.jobEventFile(1)}`])
            expect(r.store.jobEvents[a]!.dirPath).toBe(join(clusterDir, dir))
            expect(r.store.jobEvents[a]!.files.map((f) => f.name)).toEqual(['events.0', 'events.1'])
            // FileSystemJobEventStore records: int type, int length, payload (Java serialization)
            const ev = readFileSync(r.store.jobEvents[a]!.files[0]!.filePath)
            expect(ev.readInt32BE(0)).toBe(2)
            const len = ev.readInt32BE(4)
            expect(ev.subarray(8, 12).toString('hex')).toBe('aced0005')
            expect(ev.readInt32BE(8 + len)).toBe(2)
            // 0 files: the directory FileSystemJobEventStore.start() creates, empty
            expect(readdirSync(join(clusterDir, x.files.jobEventsDir(b)!))).toEqual([])
          } else {
            expect(files.filter((f) => f.includes('/'))).toEqual([])
          }
        },
      )
    })
  }

  test('2.x upgraded from 1.x: jobgraphs left behind next to execution-plans, and leader/<jobId> next to leader/job-<jobId>', async () => {
    const [a, b, c] = [randomJobId(), randomJobId(), randomJobId()]
    const storageDir = tmp()
    const x = zkLayout('2.x')
    await withFixture(
      {flinkVersion: '2.x', clusterId: 'upgraded', jobs: [a], storageDir, jobGraphs: [a], leftoverJobGraphs: [a, b], leftoverJobLeaders: [a, c]},
      async (r) => {
        const ns = '/flink/upgraded'
        const dump = await zk.dump(ns)
        const tree = relTree(dump, ns)
        expect(x.leftoverPlanDir).toBe('jobgraphs')
        expect(tree.filter((p) => !p.includes('/'))).toEqual(['execution-plans', 'jobgraphs', 'leader']) // no checkpoints: no jobs node
        expect(r.store.leftoverPlanStorePath).toBe(`${ns}/jobgraphs`)
        // the 2.x store
        expect(tree.filter((p) => /^execution-plans\/[^/]+$/.test(p))).toEqual([x.planEntry(a)])
        expect(r.store.plans[a]!.fileName).toMatch(/^submittedExecutionPlan[0-9a-f]{12}$/)
        // the 1.x leftovers: entry + empty locks (no live 1.x JobManager), submittedJobGraph files
        for (const j of [a, b]) {
          const p = r.store.leftoverPlans[j]!
          expect(p.path).toBe(`${ns}/jobgraphs/${j}`)
          expect(p.fileName).toMatch(/^submittedJobGraph[0-9a-f]{12}$/)
          expect(p.locks).toEqual([])
          expect(p.markedForDeletion).toBe(false)
          expect(tree.filter((q) => q.startsWith(`jobgraphs/${j}`))).toEqual([`jobgraphs/${j}`, `jobgraphs/${j}/locks`])
          expect(dump[p.path]!.data).toContain(hexOf(p.fileName))
        }
        expect(r.store.files.filter((f) => f.startsWith('submittedJobGraph'))).toHaveLength(2)
        expect(r.store.files.filter((f) => f.startsWith('submittedExecutionPlan'))).toHaveLength(1)
        // leader nodes of both namings; the leftover is PERSISTENT, empty, childless
        expect(tree).toContain(`leader/job-${a}/connection_info`)
        for (const j of [a, c]) {
          expect(x.leftoverJobLeaderNode(j)).toBe(`leader/${j}`)
          expect(r.leftoverJobLeaders[j]).toEqual({componentId: j, path: `${ns}/leader/${j}`})
          expect(dump[`${ns}/leader/${j}`]).toEqual({data: '', version: 0})
          expect(tree.filter((q) => q.startsWith(`leader/${j}/`))).toEqual([])
        }
        expect(tree).not.toContain(`leader/job-${c}`)
      },
    )
  })

  test('plan directory from the configuration, as Flink reads it', async () => {
    const a = randomJobId()
    // 2.x: execution-plans key wins
    const storageDir = tmp()
    await withFixture({flinkVersion: '2.x', clusterId: 'cfg1', storageDir, jobGraphs: [a], executionPlansPath: '/plans', jobGraphsPath: '/old'}, async (r) => {
      const x = zkLayout('2.x', {executionPlansPath: '/plans', jobGraphsPath: '/old'})
      expect(x.planDir).toBe('plans')
      expect(r.store.planDir).toBe('plans')
      expect(r.store.planConfigKey).toBe('high-availability.zookeeper.path.execution-plans')
      expect(await zk.exists(`/flink/cfg1/plans/${a}`)).toBe(true)
      expect(await zk.exists('/flink/cfg1/old')).toBe(false)
    })
    // 2.x: only the deprecated jobgraphs key is set → it is the plan store
    await withFixture({flinkVersion: '2.x', clusterId: 'cfg2', storageDir, jobGraphs: [a], jobGraphsPath: '/jobgraphs'}, async (r) => {
      const x = zkLayout('2.x', {jobGraphsPath: '/jobgraphs'})
      expect([x.planDir, x.planConfigKey, x.leftoverPlanDir]).toEqual(['jobgraphs', 'high-availability.zookeeper.path.jobgraphs', null])
      expect([r.store.planDir, r.store.planConfigKey, r.store.planPrefix]).toEqual([x.planDir, x.planConfigKey, 'submittedExecutionPlan'])
      expect(await zk.exists(`/flink/cfg2/jobgraphs/${a}`)).toBe(true)
      expect(await zk.exists('/flink/cfg2/execution-plans')).toBe(false)
    })
    // 1.19 with a custom jobgraphs path
    await withFixture({flinkVersion: '1.19', clusterId: 'cfg3', storageDir, jobGraphs: [a], jobGraphsPath: '/graphs'}, async (r) => {
      expect([r.store.planDir, r.store.planConfigKey, r.store.planPrefix]).toEqual(['graphs', 'high-availability.zookeeper.path.jobgraphs', 'submittedJobGraph'])
      expect(await zk.exists(`/flink/cfg3/graphs/${a}/locks`)).toBe(true)
    })
  })

  test('the old layout option writes what it always did (1.18 = job- leader nodes, pekko, jobgraphs)', async () => {
    const a = randomJobId()
    await withFixture({layout: '1.18', clusterId: 'old118', jobs: [a], storageDir: tmp(), jobGraphs: [a]}, async (r) => {
      expect([r.layout, r.flinkVersion, r.addressScheme]).toEqual(['1.18', null, 'pekko.tcp'])
      expect(r.jobs[a]!.path).toBe(`/flink/old118/leader/job-${a}/connection_info`)
      expect(r.store.planDir).toBe('jobgraphs')
      expect(r.store.plans[a]!.fileName).toMatch(/^submittedJobGraph/)
    })
    // and flinkVersion 1.18 is Flink 1.18: the bare job id
    await withFixture({flinkVersion: '1.18', clusterId: 'new118', jobs: [a]}, async (r) => {
      expect([r.layout, r.flinkVersion, r.addressScheme]).toEqual(['1.15', '1.18', 'pekko.tcp'])
      expect(r.jobs[a]!.path).toBe(`/flink/new118/leader/${a}/connection_info`)
    })
  })

  const bad: Array<[string, FlinkFixtureOptions, RegExp]> = [
    ['layout and flinkVersion together', {layout: '1.18', flinkVersion: '1.19'}, /exclusive/],
    ['an unknown version', {flinkVersion: '1.17' as FlinkVersion}, /must be 1\.15, 1\.18, 1\.19, 2\.x or legacy-1\.15/],
    ['execution-plans path on 1.x', {flinkVersion: '1.18', storageDir: '/tmp/x', executionPlansPath: '/p'}, /Flink 2\.x option/],
    ['leftover job graphs where the plan store is', {flinkVersion: '1.19', storageDir: '/tmp/x', leftoverJobGraphs: ['0'.repeat(32)]}, /leftovers need the other directory/],
    ['job events before 1.20', {flinkVersion: '1.18', storageDir: '/tmp/x', jobEvents: {['0'.repeat(32)]: 1}}, /writes no job events/],
    ['leftover leaders on legacy', {flinkVersion: 'legacy-1.15', leftoverJobLeaders: ['0'.repeat(32)]}, /legacy layout/],
  ]
  for (const [what, opts, message] of bad) {
    test(`refuses ${what}`, async () => {
      await expect(startFlinkFixture(server.connectString, {readyTimeoutMs: READY, clusterId: 'bad', ...opts})).rejects.toThrow(message)
    })
  }

  test("flinkConfFor: the cluster's own configuration file says what the fixture was told", () => {
    const flatten = (node: unknown, prefix = '', out: Record<string, string> = {}) => {
      for (const [k, val] of Object.entries(node as Record<string, unknown>)) {
        if (val !== null && typeof val === 'object') flatten(val, `${prefix}${k}.`, out)
        else out[`${prefix}${k}`] = String(val)
      }
      return out
    }
    for (const v of FLINK_VERSIONS) {
      const opts: FlinkFixtureOptions = {flinkVersion: v, clusterId: '/c1', storageDir: 'file:///ha', ...(v === '2.x' ? {executionPlansPath: '/plans'} : {jobGraphsPath: '/graphs'})}
      const conf = flinkConfFor('127.0.0.1:2181', opts)
      const parsed =
        conf.fileName === 'config.yaml'
          ? flatten(parseYaml(conf.text))
          : Object.fromEntries(conf.text.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]))
      expect(parsed).toEqual(conf.entries)
      expect(conf.fileName).toBe(v === '1.19' || v === '2.x' ? 'config.yaml' : 'flink-conf.yaml')
      expect(conf.entries).toMatchObject({
        'high-availability.zookeeper.quorum': '127.0.0.1:2181',
        'high-availability.zookeeper.path.root': '/flink',
        'high-availability.cluster-id': '/c1',
        'high-availability.storageDir': 'file:///ha',
      })
      expect(conf.entries[v === '1.15' || v === 'legacy-1.15' ? 'high-availability' : 'high-availability.type']).toBe('zookeeper')
      expect(conf.entries['high-availability.use-old-ha-services']).toBe(v === 'legacy-1.15' ? 'true' : undefined)
      if (v === '2.x') expect(conf.entries['high-availability.zookeeper.path.execution-plans']).toBe('/plans')
      else expect(conf.entries['high-availability.zookeeper.path.jobgraphs']).toBe('/graphs')
    }
  })
})
