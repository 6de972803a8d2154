// Every Flink version's layout, read and removed through the built CLI on ZooKeeper, on the Kubernetes
// test server and on a snapshot of each, from one fixture cluster: the Curator fixture writes it as that
// Flink version writes it, k8sSpecFromFixture mirrors it onto Kubernetes (same sessions, addresses,
// file URIs and sizes). The records must agree with each other and with what test/support/versions.ts
// says the version writes (independently of src/).

import {mkdtempSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture, writeFlinkConf, type FlinkFixtureOptions} from '../support/flink-fixture.js'
import {type K8sEnv, k8sSpecFromFixture, startK8sEnv} from '../support/k8s-fixture.js'
import {type FlinkVersion, k8sLayout, zkLayout} from '../support/versions.js'
import {connectZk, type TestZk} from '../support/zk-client.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

let zk: ZkServer
let env: K8sEnv
beforeAll(async () => {
  ;[zk, env] = await Promise.all([startZooKeeper(), startK8sEnv()])
}, 120_000)
afterAll(async () => {
  await Promise.all([zk?.stop(), env?.stop()])
})

/** A fresh test session per check: a session kept across a long test may expire on a busy machine. */
async function znodeExists(path: string): Promise<boolean> {
  const client: TestZk = await connectZk(zk.connectString)
  try {
    return await client.exists(path)
  } finally {
    client.close()
  }
}

const VERSIONS: FlinkVersion[] = ['1.15', '1.18', '1.19', '2.x', 'legacy-1.15']
const K8S_VERSION = {'1.15': '1.15', '1.18': '1.18', '1.19': '1.19', '2.x': '2.x', 'legacy-1.15': 'legacy'} as const

const run = async (args: string[]) => {
  const res = await haadm([...args, '--json'])
  expect(res.json, `${args.join(' ')}: ${res.stderr}`).toBeTruthy()
  return res
}

/** The backend-neutral parts of each read command's records. */
const neutral = {
  leaders: (r: any) =>
    r.leaders.map((l: any) => ({component: l.component, jobId: l.jobId, layout: l.layout, status: l.status, address: l.address, sessionId: l.sessionId, alive: l.alive})),
  plans: (r: any) =>
    r.plans
      .map((p: any) => ({jobId: p.jobId, status: p.status, uri: p.pointer?.uri, stateSize: p.pointer?.stateSize, fileName: p.fileName, markedForDeletion: p.markedForDeletion, recoverable: p.recoverable}))
      .sort((a: any, b: any) => a.jobId.localeCompare(b.jobId)),
  checkpoints: (r: any) =>
    r.jobs.map((j: any) => ({
      jobId: j.jobId,
      plan: j.plan.present,
      next: j.counter.nextCheckpointId,
      restoreFrom: j.restoreFrom,
      checkpoints: j.checkpoints.map((c: any) => ({id: c.checkpointId, uri: c.pointer?.uri, stateSize: c.pointer?.stateSize, recoverable: c.recoverable})),
    })),
}

describe.each(VERSIONS)('Flink %s', (version) => {
  it('every read command gives the same records on ZooKeeper, Kubernetes and their snapshots; cleanup --job and cleanup remove exactly what the version wrote', async () => {
    const tag = `cv${version.replace(/[^0-9a-z]/g, '')}${Math.random().toString(36).slice(2, 6)}`
    const [a, b] = [randomJobId(), randomJobId()].sort()
    const ha = mkdtempSync(join(tmpdir(), 'haadm-contract-'))
    const jobEvents = version === '1.19' || version === '2.x' ? {[a]: 2, [b]: 1} : undefined
    const opts: FlinkFixtureOptions = {flinkVersion: version, clusterId: `/${tag}`, jobs: [a, b], contenders: 2, storageDir: ha, jobGraphs: [a, b], checkpoints: {[a]: 2, [b]: 1}, jobEvents}
    const fixture = await startFlinkFixture(zk.connectString, opts)
    const ready = fixture.ready
    // A live cluster on both backends first (ZooKeeper sessions, a lease held for 600 s).
    await env.apply(k8sSpecFromFixture(ready, tag))

    const zkExp = zkLayout(version)
    const k8sExp = k8sLayout(K8S_VERSION[version], tag)
    const zkArgs = ['--zk-quorum', zk.connectString, '--cluster-id', `/${tag}`, '--storage-dir', ha]
    const k8sArgs = [...env.flags(tag), '--storage-dir', ha]
    // The cluster's own Flink configuration (flat flink-conf.yaml or 2.x config.yaml), as the JobManagers ran with it.
    const confDir = mkdtempSync(join(tmpdir(), 'haadm-contract-conf-'))
    const conf = writeFlinkConf(confDir, zk.connectString, opts, {format: version === '2.x' ? 'yaml' : 'legacy'})

    const snapZk = join(ha, '..', `${tag}-zk.json`)
    const snapK8s = join(ha, '..', `${tag}-k8s.json`)
    expect((await run(['export', ...zkArgs, '-o', snapZk])).code).toBe(0)
    expect((await run(['export', ...k8sArgs, '-o', snapK8s])).code).toBe(0)
    const sources: Record<string, string[]> = {
      zookeeper: zkArgs,
      'zookeeper (flink conf)': ['--flink-conf', conf],
      kubernetes: k8sArgs,
      'zookeeper snapshot': ['--snapshot', snapZk],
      'kubernetes snapshot': ['--snapshot', snapK8s],
    }

    for (const command of ['leaders', 'plans', 'checkpoints'] as const) {
      const results: Record<string, unknown> = {}
      for (const [name, args] of Object.entries(sources)) {
        const res = await run([command, ...args])
        expect(res.code, `${command} on ${name}: ${res.stderr}`).toBe(0)
        results[name] = neutral[command](res.json.result)
      }
      for (const name of Object.keys(sources)) expect(results[name], `${command}: ${name} vs zookeeper`).toEqual(results.zookeeper)
    }

    // Now the JobManagers stop: ZooKeeper sessions close, the leases expire.
    await fixture.close()
    await env.apply([...k8sSpecFromFixture(ready, tag).filter((l) => !l.startsWith('lease')), 'lease * duration=15 renewed=3600 acquired=7200'])

    // What the version wrote, as versions.ts says (not as haadm's layout says).
    const plans = (await run(['plans', ...zkArgs])).json.result
    expect(plans.plans.map((p: any) => p.key).sort()).toEqual([zkExp.planEntry(a), zkExp.planEntry(b)].sort())
    for (const p of plans.plans) expect(p.fileName).toMatch(zkExp.files.planFile)
    const k8sPlans = (await run(['plans', ...k8sArgs])).json.result
    expect(k8sPlans.plans.map((p: any) => p.key).sort()).toEqual([`${k8sExp.planMap}/${k8sExp.planKey(a)}`, `${k8sExp.planMap}/${k8sExp.planKey(b)}`].sort())
    const leaders = (await run(['leaders', ...zkArgs])).json.result.leaders
    expect(leaders.filter((l: any) => l.jobId).map((l: any) => l.key).sort()).toEqual([zkExp.jobConnectionInfo(a), zkExp.jobConnectionInfo(b)].sort())
    const expectedLayout = version === 'legacy-1.15' ? 'legacy-1.15' : version === '1.19' || version === '2.x' ? '1.19+' : '1.15-1.18'
    expect(leaders.filter((l: any) => l.jobId).every((l: any) => l.layout === expectedLayout)).toBe(true)
    if (jobEvents) {
      const cps = (await run(['checkpoints', ...zkArgs, '--verify-storage'])).json.result
      expect(cps.storage.jobEvents.map((e: any) => e.jobId)).toEqual([a, b])
    }

    // One job's global cleanup on each backend: exactly the job's items, nothing of job b.
    const zkJob = await run(['cleanup', ...zkArgs, '--job', a, '--yes'])
    expect(zkJob.code, zkJob.stderr).toBe(0)
    const tops = [zkExp.planEntry(a), zkExp.jobNode(a), zkExp.jobLeaderNode(a)]
    const under = (k: string) => tops.some((t) => k === t || k.startsWith(`${t}/`))
    const zkBefore = ready.tree.map((p) => p.slice(ready.namespace.length + 1)).filter((k) => k !== '' && under(k))
    const zkRemoved = zkJob.json.result.plan.metadata.map((m: any) => m.key)
    for (const k of zkRemoved) expect(under(k), k).toBe(true)
    // Ephemeral nodes (locks, latch children) went with the closed sessions, and an empty latch is a container node
    // the server may remove on its own (Curator creates it so); everything else of job a is planned.
    for (const k of zkBefore.filter((x) => !/\/locks\/|\/latch\/|\/latch$|connection_info$/.test(x))) expect(zkRemoved, k).toContain(k)
    expect(zkJob.json.result.remaining).toEqual([])
    expect(await znodeExists(`${ready.namespace}/${zkExp.planEntry(b)}`)).toBe(true)
    expect(readdirSync(join(ha, tag)).filter((f) => zkExp.files.planFile.test(f))).toEqual([ready.store.plans[b]!.fileName])
    if (jobEvents) expect(readdirSync(join(ha, tag)).filter((f) => f === a)).toEqual([])

    const k8sJob = await run(['cleanup', ...k8sArgs, '--job', a, '--yes'])
    expect(k8sJob.code, k8sJob.stderr).toBe(0)
    const k8sRemoved = k8sJob.json.result.plan.metadata.map((m: any) => m.key).sort()
    const expectedK8s = [k8sExp.jobMap(a), `${k8sExp.planMap}/${k8sExp.planKey(a)}`, ...(k8sExp.legacy ? [] : [`${k8sExp.jobLeader(a).map}/${k8sExp.jobLeader(a).keys[0]}`])].sort()
    expect(k8sRemoved).toEqual(expectedK8s)
    expect(k8sJob.json.result.remaining).toEqual([])
    const planMap = JSON.parse((await env.kubectl(['get', 'cm', k8sExp.planMap, '-o', 'json'])).stdout)
    expect(Object.keys(planMap.data)).toContain(k8sExp.planKey(b))
    expect(Object.keys(planMap.data)).not.toContain(k8sExp.planKey(a))

    // The whole cluster, on each backend: nothing left, the JobManagers' storage directory files included.
    const zkAll = await run(['cleanup', ...zkArgs, '--yes'])
    expect(zkAll.code, zkAll.stderr).toBe(0)
    expect(await znodeExists(ready.namespace)).toBe(false)
    const k8sAll = await run(['cleanup', ...k8sArgs, '--yes'])
    expect(k8sAll.code, k8sAll.stderr).toBe(0)
    const left = JSON.parse((await env.kubectl(['get', 'cm', '-l', `app=${tag}`, '-o', 'json'])).stdout).items.map((i: any) => i.metadata.name)
    expect(left).toEqual([])
    // Idempotent on both.
    expect((await run(['cleanup', ...zkArgs, '--yes'])).code).toBe(0)
    expect((await run(['cleanup', ...k8sArgs, '--yes'])).code).toBe(0)
  }, 300_000)
})
