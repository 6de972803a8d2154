import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {tempDirs} from '../support/temp.js'
import {zooKeeperForFile} from '../support/zk-server.js'

// Flink 2.x with default settings keeps execution plans under <cluster>/execution-plans in
// submittedExecutionPlan files (FLINK-36158), per-job leaders at leader/job-<jobId>. haadm must find
// them from what the store holds, without being told, through every command that reads or removes.

const env = zooKeeperForFile()

const tempDir = tempDirs('haadm-flink2-')

/** A dead Flink 2.x cluster written by the Curator fixture: two jobs with plans and checkpoints. */
async function flink2Cluster(clusterId: string, opts: {executionPlansPath?: string} = {}) {
  const ha = tempDir()
  const [a, b] = [randomJobId(), randomJobId()]
  const f = await startFlinkFixture(env.zk.connectString, {
    clusterId,
    layout: '1.18',
    jobs: [a, b],
    storageDir: ha,
    jobGraphsPath: opts.executionPlansPath ?? '/execution-plans',
    planPrefix: 'submittedExecutionPlan',
    planClass: 'StreamGraph',
    jobGraphs: [a, b],
    checkpoints: {[a]: 2, [b]: 1},
  })
  const store = f.ready.store
  await f.close()
  return {ha, a, b, store, ns: f.ready.namespace}
}

const q = () => ['--zk-quorum', env.zk.connectString]

describe('Flink 2.x on ZooKeeper (execution-plans, submittedExecutionPlan, job- leaders)', () => {
  it('plans, checkpoints and leaders find the execution plans without any configuration', async () => {
    const {ha, a, b, store, ns} = await flink2Cluster('/v2-read')
    const plans = await haadm(['plans', ...q(), '--cluster-id', '/v2-read', '--storage-dir', ha, '--verify-storage', '--json'])
    expect(plans.code).toBe(0)
    const r = plans.json.result
    expect(r.store).toEqual({key: 'execution-plans', locator: `${ns}/execution-plans`})
    expect(r.stores).toEqual([{key: 'execution-plans', locator: `${ns}/execution-plans`, versions: '2.x', source: 'default, found in the store', exists: true}])
    expect(r.plans.map((p: any) => p.jobId).sort()).toEqual([a, b].sort())
    for (const p of r.plans) {
      expect(p.fileName).toMatch(/^submittedExecutionPlan[0-9a-f]{12}$/)
      expect(p.fileName).toBe(store.plans[p.jobId]!.fileName)
      expect(p).toMatchObject({recoverable: true, storage: {status: 'ok'}})
    }
    const text = await haadm(['plans', ...q(), '--cluster-id', '/v2-read'])
    expect(text.stdout).toContain(`execution plans in ${ns}/execution-plans`)
    expect(text.stdout).toContain('2 of 2 execution plan(s) would be recovered')
    expect(text.stdout).not.toContain('no execution plans')

    const cps = await haadm(['checkpoints', ...q(), '--cluster-id', '/v2-read', '--json'])
    expect(cps.code).toBe(0)
    const jobs = cps.json.result.jobs
    expect(jobs.find((j: any) => j.jobId === a)).toMatchObject({restoreFrom: 2})
    // A job with a plan is recovered: no "checkpoints without an execution plan" note.
    expect(cps.json.result.notes.filter((n: any) => n.kind !== 'plan-without-checkpoints')).toEqual([])

    const leaders = await haadm(['leaders', ...q(), '--cluster-id', '/v2-read', '--json'])
    const jm = leaders.json.result.leaders.filter((l: any) => l.component === 'job_master')
    expect(jm.map((l: any) => [l.jobId, l.layout, l.key])).toEqual(
      [a, b].sort().map((j) => [j, '1.19+', `leader/job-${j}/connection_info`]),
    )
  })

  it("cleanup --job removes the job's execution plan and its file, not only its checkpoints; jobs purge then finds nothing left", async () => {
    const {ha, a, b, store, ns} = await flink2Cluster('/v2-job')
    const dry = await haadm(['cleanup', ...q(), '--cluster-id', '/v2-job', '--storage-dir', ha, '--job', a, '--dry-run', '--json'])
    expect(dry.json.result.plan.metadata.map((m: any) => m.key)).toContain(`execution-plans/${a}`)
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/v2-job', '--storage-dir', ha, '--job', a, '--yes', '--json'])
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    expect(await env.client.exists(`${ns}/execution-plans/${a}`)).toBe(false)
    expect(await env.client.exists(`${ns}/jobs/${a}`)).toBe(false)
    expect(await env.client.exists(`${ns}/leader/job-${a}`)).toBe(false)
    expect(await env.client.exists(`${ns}/execution-plans/${b}`)).toBe(true)
    const files = readdirSync(join(ha, 'v2-job'))
    expect(files).not.toContain(store.plans[a]!.fileName)
    expect(files).toContain(store.plans[b]!.fileName)
    expect(res.json.result.remaining).toEqual([])
    // The next leader recovers only b.
    const plans = await haadm(['plans', ...q(), '--cluster-id', '/v2-job', '--json'])
    expect(plans.json.result.plans.map((p: any) => p.jobId)).toEqual([b])

    // JobResultStore: a dirty entry of a, purged: nothing of a is left in the store.
    const jrs = join(ha, 'job-result-store', 'v2-job')
    mkdirSync(jrs, {recursive: true})
    writeFileSync(join(jrs, `${b}_DIRTY.json`), JSON.stringify({result: {id: b, 'application-status': 'SUCCEEDED', 'accumulator-results': {}, 'net-runtime': 1}, version: 1}))
    const purge = await haadm(['jobs', 'purge', ...q(), '--cluster-id', '/v2-job', '--storage-dir', ha, '--job', b, '--include-dirty', '--dry-run', '--json'])
    const artifacts = purge.json.result.ha.artifacts
    expect(artifacts.map((x: any) => [x.kind, x.key])).toContainEqual(['job-graph', `execution-plans/${b}`])
    expect(artifacts.find((x: any) => x.kind === 'job-graph').pointer).toContain('submittedExecutionPlan')
  })

  it('the cluster configuration (2.x config.yaml) names another directory: haadm reads it and target says where it came from', async () => {
    const {ha, a} = await flink2Cluster('/v2-conf', {executionPlansPath: '/my-plans'})
    const conf = join(tempDir(), 'config.yaml')
    writeFileSync(
      conf,
      [
        'high-availability:',
        '  type: zookeeper',
        '  storageDir: ' + ha,
        '  cluster-id: /v2-conf',
        '  zookeeper:',
        `    quorum: ${env.zk.connectString}`,
        '    path:',
        '      execution-plans: /my-plans',
        '',
      ].join('\n'),
    )
    const plans = await haadm(['plans', '--flink-conf', conf, '--json'])
    expect(plans.code).toBe(0)
    expect(plans.json.result.store.key).toBe('my-plans')
    expect(plans.json.result.plans.map((p: any) => p.jobId)).toContain(a)
    const target = await haadm(['target', '--flink-conf', conf, '--json'])
    const row = target.json.result.settings.find((s: any) => s.setting === 'zookeeper.execution-plans-path')
    expect(row).toMatchObject({value: '/my-plans', from: `${conf}:8 (high-availability.zookeeper.path.execution-plans)`})
    // Cleanup of the whole cluster from that configuration takes everything, files of both stores included.
    const res = await haadm(['cleanup', '--flink-conf', conf, '--yes', '--json'])
    expect(res.code).toBe(0)
    expect(await env.client.exists('/flink/v2-conf')).toBe(false)
  })

  it('an upgraded cluster with both jobgraphs and execution-plans: both are read and reported, never "no execution plans"', async () => {
    const {a} = await flink2Cluster('/v2-both')
    const old = randomJobId()
    // What a 1.x JobManager left behind before the upgrade (same shapes, other directory).
    const f1 = await startFlinkFixture(env.zk.connectString, {clusterId: '/v2-both', layout: '1.15', jobs: [], storageDir: tempDir(), jobGraphs: [old]})
    await f1.close()
    const plans = await haadm(['plans', ...q(), '--cluster-id', '/v2-both', '--json'])
    expect(plans.code).toBe(0)
    const keys = plans.json.result.plans.map((p: any) => p.key)
    expect(keys).toHaveLength(3)
    expect(keys).toContain(`execution-plans/${a}`)
    expect(keys).toContain(`jobgraphs/${old}`)
    expect(plans.json.result.stores.map((s: any) => s.key).sort()).toEqual(['execution-plans', 'jobgraphs'])
    expect(plans.json.warnings.join('\n')).toMatch(/an upgrade left the old directory behind/)
    const text = await haadm(['plans', ...q(), '--cluster-id', '/v2-both'])
    expect(text.stdout).toMatch(/execution plans in .*jobgraphs \(Flink 1\.x\) and .*execution-plans \(Flink 2\.x\)/)
    const empty = await haadm(['plans', ...q(), '--cluster-id', '/nothing-here'])
    expect(empty.code).toBe(3)
  })

  it('1.20 batch job recovery: job-events is reported by checkpoints --verify-storage and removed by cleanup --job', async () => {
    const {ha, a, b} = await flink2Cluster('/v2-events')
    for (const j of [a, b]) {
      mkdirSync(join(ha, 'v2-events', j, 'job-events'), {recursive: true})
      writeFileSync(join(ha, 'v2-events', j, 'job-events', 'events.0'), 'e')
    }
    const cps = await haadm(['checkpoints', ...q(), '--cluster-id', '/v2-events', '--storage-dir', ha, '--verify-storage', '--json'])
    expect(cps.code).toBe(0)
    expect(cps.json.result.storage.jobEvents.map((e: any) => e.jobId).sort()).toEqual([a, b].sort())
    const text = await haadm(['checkpoints', ...q(), '--cluster-id', '/v2-events', '--storage-dir', ha, '--verify-storage'])
    expect(text.stdout).toContain(`job events: job ${a}`)
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/v2-events', '--storage-dir', ha, '--job', a, '--yes', '--json'])
    expect(res.code).toBe(0)
    expect(existsSync(join(ha, 'v2-events', a))).toBe(false)
    expect(existsSync(join(ha, 'v2-events', b, 'job-events', 'events.0'))).toBe(true)
    const all = await haadm(['cleanup', ...q(), '--cluster-id', '/v2-events', '--storage-dir', ha, '--yes', '--json'])
    expect(all.code).toBe(0)
    expect(existsSync(join(ha, 'v2-events', b))).toBe(false)
  })
})
