import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture, type FlinkFixture} from '../support/flink-fixture.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'
import {tempDirs} from '../support/temp.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

// `plans` and `checkpoints` on Kubernetes (ConfigMaps written as Flink's Kubernetes HA services
// write them, loaded with kubectl apply into the test API server), and the contract: the same
// cluster on ZooKeeper and on Kubernetes gives the same records.

let zk: ZkServer
let env: K8sEnv
const live: FlinkFixture[] = []
beforeAll(async () => {
  ;[zk, env] = await Promise.all([startZooKeeper(), startK8sEnv()])
})
afterAll(async () => {
  await Promise.all(live.map((f) => f.close().catch(() => f.kill())))
  await Promise.all([zk?.stop(), env?.stop()])
})

const tempDir = tempDirs('haadm-cpk8s-')

const clusterName = (p: string) => `${p}-${Math.random().toString(36).slice(2, 8)}`

describe('on Kubernetes', () => {
  it('plans and checkpoints from ConfigMap keys: no locks, the delete marker, bare ≤1.14 handles, corrupt values, files on disk', async () => {
    const storage = tempDir()
    const cid = clusterName('k8s-cp')
    const [A, B, C, D, E, F] = Array.from({length: 6}, randomJobId)
    await env.apply([
      `storage-dir file://${storage}`,
      `cluster ${cid} 1.18`,
      `jobgraph ${A}`,
      `jobgraph ${B} marked`,
      `jobgraph ${D} bare`,
      `checkpoint ${A} 1`,
      `checkpoint ${A} 2 marked`,
      `checkpoint ${A} 3`,
      `counter ${A} 4`,
      `checkpoint ${C} 7`,
      `counter ${C} 8`,
      `jobmap ${E}`,
      `raw ${cid}-cluster-config-map jobGraph-${F} %%% not base64`,
      `raw ${cid}-${A}-config-map checkpointID-latest rO0ABQ==`,
    ])
    const q = env.flags(cid)

    const plans = await haadm(['plans', ...q, '--json'])
    expect(plans.stderr).toBe('')
    expect(plans.code).toBe(0)
    const p = plans.json.result
    expect(p).toMatchObject({backend: 'kubernetes', clusterId: cid, store: {key: `${cid}-cluster-config-map`, locator: `flink/${cid}-cluster-config-map`}})
    const plan = (id: string) => p.plans.find((r: any) => r.jobId === id)
    expect(p.plans.map((r: any) => r.name).sort()).toEqual([A, B, D, F].map((j) => `jobGraph-${j}`).sort())
    expect(plan(A)).toMatchObject({
      key: `${cid}-cluster-config-map/jobGraph-${A}`,
      locator: `flink/${cid}-cluster-config-map/jobGraph-${A}`,
      status: 'ok',
      pointer: {stateSize: 4096},
      fileName: expect.stringMatching(/^submittedJobGraph[0-9a-f]{12}$/),
      locks: null,
      markedForDeletion: false,
      state: 'stored',
      recoverable: true,
      created: null,
      version: expect.stringMatching(/^\d+$/),
      kubernetes: {configMap: `${cid}-cluster-config-map`, dataKey: `jobGraph-${A}`, wrapped: true},
    })
    // The generator keeps the storageDir's spelling (file:///...); Flink's Path would print file:/...: both name the same file.
    expect(plan(A).pointer.path).toMatch(new RegExp(`^file:(//)?${storage}/${cid}/${plan(A).fileName}$`))
    expect(plan(B)).toMatchObject({markedForDeletion: true, state: 'marked-for-deletion', recoverable: false})
    expect(plan(B).evidence).toMatch(/delete marker set/)
    expect(plan(D)).toMatchObject({status: 'ok', state: 'stored', kubernetes: {wrapped: false}})
    expect(plan(F)).toMatchObject({status: 'undecodable', pointer: null, recoverable: false, kubernetes: {wrapped: null}})
    expect(plan(F).problem).toMatch(/not Base64/)
    expect(plans.json.warnings.join('\n')).toContain(`jobGraph-${F}: pointer undecodable`)

    // The files: A's plan and checkpoints 1 and 3 exist; 2 (marked) and C's do not; one orphan.
    const cluster = join(storage, cid)
    mkdirSync(cluster, {recursive: true})
    writeFileSync(join(cluster, plan(A).fileName), Buffer.alloc(4096))
    const cps = await haadm(['checkpoints', ...q, '--json'])
    expect(cps.code).toBe(0)
    const job = (id: string) => cps.json.result.jobs.find((j: any) => j.jobId === id)
    const a = job(A)
    for (const c of a.checkpoints.filter((c: any) => c.checkpointId === 1 || c.checkpointId === 3)) writeFileSync(join(cluster, c.fileName), Buffer.alloc(c.pointer.stateSize))
    writeFileSync(join(cluster, 'completedCheckpointfedcba987654'), Buffer.alloc(5))

    // F has an (undecodable) plan entry: it is a job of the cluster too.
    expect(cps.json.result.jobs.map((j: any) => j.jobId)).toEqual([A, B, C, D, E, F].sort())
    expect(a.checkpoints.map((c: any) => [c.checkpointId, c.state, c.pointer?.stateSize ?? null, c.status])).toEqual([
      [1, 'stored', 1001, 'ok'],
      [2, 'marked-for-deletion', 1002, 'ok'],
      [3, 'stored', 1003, 'ok'],
      [null, 'stored', null, 'undecodable'],
    ])
    expect(a.checkpoints[3].problem).toMatch(/^key "checkpointID-latest" holds no checkpoint id; pointer undecodable/)
    expect(a).toMatchObject({restoreFrom: 3, counter: {present: true, status: 'ok', nextCheckpointId: 4, key: `${cid}-${A}-config-map/counter`}, plan: {present: true}})
    expect(job(C)).toMatchObject({plan: {present: false}, counter: {nextCheckpointId: 8}, restoreFrom: 7})
    expect(job(E)).toMatchObject({plan: {present: false}, counter: {present: false, nextCheckpointId: 1}, checkpoints: [], notes: []})
    // F's plan does not decode: not a plan Flink recovers from, and no note that claims it is.
    expect(job(F)).toMatchObject({plan: {present: true, status: 'undecodable'}, notes: []})
    expect(cps.json.result.notes.map((n: any) => [n.jobId, n.kind])).toEqual(
      [
        [C, 'checkpoints-without-plan'],
        [D, 'plan-without-checkpoints'],
      ].sort((x, y) => x[0]!.localeCompare(y[0]!)),
    )

    const verified = await haadm(['checkpoints', ...q, '--storage-dir', `file://${storage}`, '--deep', '--json'])
    expect(verified.code).toBe(0)
    const va = verified.json.result.jobs.find((j: any) => j.jobId === A)
    expect(va.checkpoints.map((c: any) => c.storage.status)).toEqual(['ok', 'missing', 'ok', 'not-checked'])
    // Zero bytes are no Java stream: --deep says so, per file.
    expect(va.checkpoints[0].content).toMatchObject({status: 'undecodable', problem: expect.stringMatching(/at byte 0/)})
    expect(verified.json.result.storage.orphans.map((o: any) => o.name)).toEqual(['completedCheckpointfedcba987654'])
    const planCheck = await haadm(['plans', ...q, '--storage-dir', `file://${storage}`, '--verify-storage', '--job', A, '--json'])
    expect(planCheck.json.result.plans[0].storage).toEqual({status: 'ok', size: 4096, reason: null})
  })
})

describe('the same cluster on ZooKeeper and Kubernetes', () => {
  it('gives the same plan and checkpoint records on both backends', async () => {
    const storage = tempDir()
    const cid = clusterName('ct-cp')
    const [A, B, C, D, E] = Array.from({length: 5}, randomJobId)
    const fixture = await startFlinkFixture(zk.connectString, {
      clusterId: `/${cid}`,
      contenders: 1,
      storageDir: storage,
      jobGraphs: [A, B, D],
      checkpoints: {[A]: 3, [C]: 1, [E]: 0},
      markDeleted: [B, `${A}/2`],
    })
    live.push(fixture)
    await env.apply([
      `storage-dir file://${storage}`,
      `cluster ${cid} 1.18`,
      `jobgraph ${A}`,
      `jobgraph ${B} marked`,
      `jobgraph ${D}`,
      `checkpoint ${A} 1`,
      `checkpoint ${A} 2 marked`,
      `checkpoint ${A} 3`,
      `counter ${A} ${fixture.ready.store.checkpoints[A]!.counter}`,
      `checkpoint ${C} 1`,
      `counter ${C} ${fixture.ready.store.checkpoints[C]!.counter}`,
      `counter ${E} ${fixture.ready.store.checkpoints[E]!.counter}`,
    ])
    const backends = [
      {name: 'zookeeper', args: ['--zk-quorum', zk.connectString, '--cluster-id', `/${cid}`]},
      {name: 'kubernetes', args: env.flags(cid)},
    ]
    const neutralPlan = (r: any) => ({jobId: r.jobId, status: r.status, markedForDeletion: r.markedForDeletion, recoverable: r.recoverable, storage: r.storage, content: r.content})
    const neutralJob = (j: any) => ({
      jobId: j.jobId,
      plan: {present: j.plan.present, status: j.plan.status, markedForDeletion: j.plan.markedForDeletion},
      counter: {present: j.counter.present, status: j.counter.status, nextCheckpointId: j.counter.nextCheckpointId},
      checkpoints: j.checkpoints.map((c: any) => ({checkpointId: c.checkpointId, status: c.status, markedForDeletion: c.markedForDeletion, recoverable: c.recoverable})),
      restoreFrom: j.restoreFrom,
      notes: j.notes.map((n: any) => n.kind),
    })
    const plans = await Promise.all(backends.map((b) => haadm(['plans', ...b.args, '--json'])))
    const cps = await Promise.all(backends.map((b) => haadm(['checkpoints', ...b.args, '--json'])))
    for (const [i, r] of [...plans, ...cps].entries()) {
      expect(r.stderr, `${i}`).toBe('')
      expect(r.code, `${i}`).toBe(0)
    }
    expect(plans.map((r) => r.json.result.backend)).toEqual(['zookeeper', 'kubernetes'])
    const [zkPlans, k8sPlans] = plans.map((r) => r.json.result.plans.map(neutralPlan).sort((x: any, y: any) => x.jobId.localeCompare(y.jobId)))
    expect(zkPlans.length).toBe(3)
    expect(k8sPlans).toEqual(zkPlans)
    const [zkJobs, k8sJobs] = cps.map((r) => r.json.result.jobs.map(neutralJob))
    expect(zkJobs.map((j: any) => j.jobId)).toEqual([A, B, C, D, E].sort())
    expect(k8sJobs).toEqual(zkJobs)
    expect(cps[1]!.json.result.notes.map((n: any) => n.kind).sort()).toEqual(cps[0]!.json.result.notes.map((n: any) => n.kind).sort())

    // The same JSON fields on both; the Kubernetes-only `kubernetes` field is the one extra.
    const keys = (o: any) => Object.keys(o).filter((k) => k !== 'kubernetes').sort()
    expect(keys(plans[1]!.json.result)).toEqual(keys(plans[0]!.json.result))
    expect(keys(plans[1]!.json.result.plans[0])).toEqual(keys(plans[0]!.json.result.plans[0]))
    expect(keys(cps[1]!.json.result)).toEqual(keys(cps[0]!.json.result))
    const firstCheckpoint = (r: any) => r.json.result.jobs.find((j: any) => j.jobId === A).checkpoints[0]
    expect(keys(firstCheckpoint(cps[1]))).toEqual(keys(firstCheckpoint(cps[0])))
    expect(keys(cps[1]!.json.result.jobs[0].counter)).toEqual(keys(cps[0]!.json.result.jobs[0].counter))
  })
})
