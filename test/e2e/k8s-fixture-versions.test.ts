// Proves the Flink-shaped Kubernetes manifests per Flink version: each version's cluster is loaded
// into the test API server with kubectl apply, read back with kubectl, and compared with
// test/support/versions.ts (map names, labels, keys, value encodings); and a ZooKeeper fixture's
// cluster mirrored onto Kubernetes with k8sSpecFromFixture. haadm is not run here.

import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {type K8sEnv, k8sClusterSpec, k8sSpecFromFixture, startK8sEnv} from '../support/k8s-fixture.js'
import {tempDirs} from '../support/temp.js'
import {K8S_FLINK_VERSIONS, k8sLayout, type K8sFlinkVersion} from '../support/versions.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

const A = '0123456789abcdef0123456789abcdef'
const B = 'fedcba9876543210fedcba9876543210'
const UUID = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'

interface Cm {
  metadata: {name: string; labels?: Record<string, string>; annotations?: Record<string, string>}
  data?: Record<string, string>
}

let env: K8sEnv
beforeAll(async () => {
  env = await startK8sEnv()
})
afterAll(async () => {
  await env?.stop()
})

async function getMaps(selector: string): Promise<Cm[]> {
  const r = await env.kubectl(['get', 'configmaps', '-l', selector, '-o', 'json'])
  expect(r.code, r.stderr).toBe(0)
  return (JSON.parse(r.stdout) as {items: Cm[]}).items.sort((x, y) => x.metadata.name.localeCompare(y.metadata.name))
}

/** The serialized handle's file URI: base64 → Java serialization, where the URI is a plain string. */
const decoded = (v: string) => Buffer.from(v, 'base64').toString('latin1')

const cid = (v: K8sFlinkVersion) => `v${v.replace(/\./g, '')}`

describe('Flink-shaped Kubernetes manifests, per Flink version', () => {
  for (const v of K8S_FLINK_VERSIONS) {
    test(`Flink ${v}: map names, labels, leader keys, plan and checkpoint keys`, async () => {
      const c = cid(v)
      const x = k8sLayout(v, c)
      await env.apply(['storage-dir s3://ha/flink', ...k8sClusterSpec({version: v, clusterId: c, jobLeaders: [A], jobGraphs: [A, B], checkpoints: {[A]: [1, 2], [B]: []}})])
      const maps = await getMaps(`app=${c}`)
      expect(maps.map((m) => m.metadata.name)).toEqual(x.haMaps([A, B]).sort())
      for (const m of maps) expect(m.metadata.labels).toEqual(x.labels)
      // the configmap-type selector finds the maps up to 1.20 and nothing on 2.x
      const typed = await getMaps(`app=${c},configmap-type=high-availability`)
      expect(typed.map((m) => m.metadata.name)).toEqual(v === '2.x' ? [] : x.haMaps([A, B]).sort())
      const byName = new Map(maps.map((m) => [m.metadata.name, m]))

      // leaders
      for (const comp of ['dispatcher', 'resourcemanager', 'restserver'] as const) {
        const place = x.componentLeader(comp)
        const m = byName.get(place.map)!
        for (const k of place.keys) expect(m.data).toHaveProperty([k])
        const value = x.legacy ? m.data!.address! : m.data![place.keys[0]!]!.split(',').slice(1).join(',')
        expect(value).toMatch(comp === 'restserver' ? /^http:\/\// : new RegExp(`^${x.addressScheme.replace('.', '\\.')}://`))
        if (!x.legacy) expect(m.data![place.keys[0]!]!.startsWith(`${UUID},`)).toBe(true)
        else expect(m.data!.sessionId).toBe(UUID)
        expect(m.metadata.annotations).toHaveProperty([x.leaderAnnotation])
      }
      const jl = x.jobLeader(A)
      for (const k of jl.keys) expect(byName.get(jl.map)!.data).toHaveProperty([k])
      if (!x.legacy) {
        // exactly one leader key per job, of this version's naming
        const leaderKeys = Object.keys(byName.get(x.clusterMap!)!.data!).filter((k) => k.startsWith('org.apache.flink.k8s.leader.'))
        expect(leaderKeys.sort()).toEqual(['dispatcher', 'resourcemanager', 'restserver', x.jobLeaderComponentId(A)].map((id) => `org.apache.flink.k8s.leader.${id}`).sort())
        expect(x.jobLeaderComponentId(A)).toBe(v === '1.19' || v === '2.x' ? `job-${A}` : A)
      }

      // plans: the version's key in the version's map, pointing to the version's file prefix
      const planMap = byName.get(x.planMap)!
      for (const j of [A, B]) {
        const value = planMap.data![x.planKey(j)]
        expect(value, x.planKey(j)).toBeDefined()
        expect(value!.startsWith('rO0AB')).toBe(true)
        expect(decoded(value!)).toMatch(new RegExp(`s3://ha/flink/${c}/${x.files.planFilePrefix}[0-9a-f]{12}`))
      }
      const otherPlanPrefix = v === '2.x' ? 'jobGraph-' : 'executionPlan-'
      for (const m of maps) expect(Object.keys(m.data ?? {}).filter((k) => k.startsWith(otherPlanPrefix))).toEqual([])

      // checkpoints and counters in the per-job maps
      const jobMapA = byName.get(x.jobMap(A))!
      expect(Object.keys(jobMapA.data!).sort()).toEqual(
        x.legacy ? ['address', 'sessionId', x.checkpointKey(1), x.checkpointKey(2), x.counterKey].sort() : [x.checkpointKey(1), x.checkpointKey(2), x.counterKey].sort(),
      )
      expect(jobMapA.data![x.counterKey]).toBe('3')
      expect(decoded(jobMapA.data![x.checkpointKey(2)]!)).toMatch(/completedCheckpoint[0-9a-f]{12}/)
      expect(byName.get(x.jobMap(B))!.data).toEqual({counter: '1'})
    })
  }

  test('upgrade leftovers: a 2.x cluster map with a 1.18 leader key and a 1.x jobGraph- key', async () => {
    const x = k8sLayout('2.x', 'up')
    await env.apply(k8sClusterSpec({version: '2.x', clusterId: 'up', jobLeaders: [A], staleLeaders: [A, B], jobGraphs: [A], leftoverJobGraphs: [B]}))
    const [m] = await getMaps('app=up')
    expect(m!.metadata.name).toBe(x.clusterMap)
    expect(m!.metadata.labels).toEqual({app: 'up', type: 'flink-native-kubernetes'})
    const keys = Object.keys(m!.data!)
    expect(keys).toContain(`org.apache.flink.k8s.leader.job-${A}`)
    expect(keys).toContain(x.staleJobLeaderKey(A))
    expect(keys).toContain(x.staleJobLeaderKey(B))
    expect(x.staleJobLeaderKey(B)).toBe(`org.apache.flink.k8s.leader.${B}`)
    expect(keys).not.toContain(`org.apache.flink.k8s.leader.job-${B}`)
    expect(decoded(m!.data![`executionPlan-${A}`]!)).toMatch(/\/up\/submittedExecutionPlan[0-9a-f]{12}/)
    expect(decoded(m!.data![`jobGraph-${B}`]!)).toMatch(/\/up\/submittedJobGraph[0-9a-f]{12}/)
  })

  test('legacy: the job graph pointer lives in <cid>-dispatcher-leader, per-job data in <cid>-<jobId>-jobmanager-leader', async () => {
    await env.apply(k8sClusterSpec({version: 'legacy', clusterId: 'leg', jobLeaders: [A], jobGraphs: [A], checkpoints: {[A]: [4]}}))
    const maps = await getMaps('app=leg')
    const d = maps.find((m) => m.metadata.name === 'leg-dispatcher-leader')!
    expect(Object.keys(d.data!).sort()).toEqual(['address', 'sessionId', `jobGraph-${A}`].sort())
    expect(d.data!.address).toBe('akka.tcp://flink@jm-0:6123/user/rpc/dispatcher_1')
    const j = maps.find((m) => m.metadata.name === `leg-${A}-jobmanager-leader`)!
    expect(Object.keys(j.data!).sort()).toEqual(['address', 'checkpointID-0000000000000000004', 'counter', 'sessionId'])
    expect(maps.some((m) => m.metadata.name.endsWith('-config-map'))).toBe(false)
  })

  test('the older cluster directive keeps its meaning (1.18 = job- leader keys, 2.0 = executionPlan- keys with submittedJobGraph files)', async () => {
    await env.apply(['cluster old118 1.18', `leader ${A} ${UUID} pekko.tcp://x`, 'cluster old20 2.0', `jobgraph ${A}`])
    const [m118] = await getMaps('app=old118')
    expect(Object.keys(m118!.data!)).toEqual([`org.apache.flink.k8s.leader.job-${A}`])
    const [m20] = await getMaps('app=old20')
    expect(m20!.metadata.labels).toHaveProperty(['configmap-type'], 'high-availability')
    expect(decoded(m20!.data![`executionPlan-${A}`]!)).toMatch(/submittedJobGraph[0-9a-f]{12}/)
  })

  test('bad directives are refused with the line number', async () => {
    await expect(env.apply(['flink x 1.17'])).rejects.toThrow(/line 1: version must be 1\.15, 1\.18, 1\.19, 2\.x or legacy/)
    await expect(env.apply(['flink x legacy', `stale-leader ${A} ${UUID}`])).rejects.toThrow(/line 2: stale-leader: the legacy layout/)
    await expect(env.apply(['flink x 2.x', `jobgraph ${A} key=plan`])).rejects.toThrow(/key must be jobGraph or executionPlan/)
  })
})

describe('the same cluster on both backends: k8sSpecFromFixture', () => {
  let server: ZkServer
  const tmp = tempDirs('haadm-k8sfx-')
  beforeAll(async () => {
    server = await startZooKeeper()
  })
  afterAll(async () => {
    await server?.stop()
  })

  for (const v of ['1.18', '2.x', 'legacy-1.15'] as const) {
    test(`Flink ${v}: the Kubernetes maps point at the files the ZooKeeper fixture wrote`, async () => {
      const [a, b] = [randomJobId(), randomJobId()]
      const fx = await startFlinkFixture(server.connectString, {
        readyTimeoutMs: 90_000,
        flinkVersion: v,
        clusterId: `/same-${cid(v === 'legacy-1.15' ? 'legacy' : v)}`,
        jobs: [a],
        storageDir: tmp(),
        jobGraphs: [a, b],
        checkpoints: {[a]: 2},
        markDeleted: [`${a}/1`],
        ...(v === '2.x' ? {leftoverJobGraphs: [b]} : {}),
      })
      try {
        const r = fx.ready
        const kv: K8sFlinkVersion = v === 'legacy-1.15' ? 'legacy' : v
        const c = `same-${cid(kv)}`
        const x = k8sLayout(kv, c)
        await env.apply(k8sSpecFromFixture(r, c))
        const maps = new Map((await getMaps(`app=${c}`)).map((m) => [m.metadata.name, m]))
        // leaders: same session id and address
        const d = maps.get(x.componentLeader('dispatcher').map)!
        if (x.legacy) expect([d.data!.sessionId, d.data!.address]).toEqual([r.components.dispatcher.sessionId, r.components.dispatcher.address])
        else expect(d.data![x.componentLeader('dispatcher').keys[0]!]).toBe(`${r.components.dispatcher.sessionId},${r.components.dispatcher.address}`)
        const jl = x.jobLeader(a)
        if (!x.legacy) expect(maps.get(jl.map)!.data![jl.keys[0]!]).toBe(`${r.jobs[a]!.sessionId},${r.jobs[a]!.address}`)
        // plans and checkpoints: same URIs; the marked checkpoint carries markedForDeletion=true
        for (const j of [a, b]) expect(decoded(maps.get(x.planMap)!.data![x.planKey(j)]!)).toContain(r.store.plans[j]!.uri)
        if (v === '2.x') expect(decoded(maps.get(x.planMap)!.data![`jobGraph-${b}`]!)).toContain(r.store.leftoverPlans[b]!.uri)
        const jm = maps.get(x.jobMap(a))!
        for (const cp of r.store.checkpoints[a]!.checkpoints) expect(decoded(jm.data![x.checkpointKey(cp.checkpointId)]!)).toContain(cp.uri)
        expect(jm.data![x.counterKey]).toBe(String(r.store.checkpoints[a]!.counter))
        const marked = (key: string) => {
          // StateHandleWithDeleteMarker: the boolean comes right after the class descriptor (…78 70 <byte>)
          const bytes = Buffer.from(jm.data![key]!, 'base64')
          const i = bytes.indexOf(Buffer.from('7870', 'hex'))
          return bytes[i + 2]
        }
        expect(marked(x.checkpointKey(1))).toBe(1)
        expect(marked(x.checkpointKey(2))).toBe(0)
      } finally {
        await fx.close()
      }
    })
  }
})
