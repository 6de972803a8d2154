import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'

// Flink's Kubernetes layouts by version: the legacy one (<=1.14, 1.15 with use-old-ha-services), where a
// job's graph pointer lives in <cid>-dispatcher-leader, and 2.x's executionPlan- keys.

const J1 = '0123456789abcdef0123456789abcdef'
const J2 = 'fedcba9876543210fedcba9876543210'
const S1 = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'
const rpc = (n: string) => `akka.tcp://flink@jm-0:6123/user/rpc/${n}`

let env: K8sEnv
beforeAll(async () => {
  env = await startK8sEnv()
  await env.apply([
    'cluster old legacy',
    `leader dispatcher ${S1} ${rpc('dispatcher_1')}`,
    `leader ${J1} ${S1} ${rpc('jobmanager_2')}`,
    'lease * duration=15 renewed=3600 acquired=7200',
    `jobgraph ${J1}`,
    `jobgraph ${J2}`,
    `checkpoint ${J1} 5`,
    `counter ${J1} 6`,
    'cluster new 2.0',
    `leader dispatcher ${S1} ${rpc('dispatcher_1')}`,
    'lease cluster duration=15 renewed=3600 acquired=7200',
    `jobgraph ${J1}`,
    `jobgraph ${J2}`,
    `checkpoint ${J1} 7`,
    `counter ${J1} 8`,
  ])
})
afterAll(async () => {
  await env?.stop()
})

const getMap = async (name: string) => {
  const res = await env.kubectl(['get', 'cm', name, '-o', 'json'])
  return res.code === 0 ? JSON.parse(res.stdout) : null
}

describe('Kubernetes layouts by Flink version', () => {
  it('legacy: plans are read from the dispatcher leader map, and cleanup --job removes that key before the file, and the job map', async () => {
    const plans = await haadm(['plans', ...env.flags('old'), '--json'])
    expect(plans.code).toBe(0)
    expect(plans.json.result.store.key).toBe('old-dispatcher-leader')
    expect(plans.json.result.plans.map((p: any) => p.key).sort()).toEqual([`old-dispatcher-leader/jobGraph-${J1}`, `old-dispatcher-leader/jobGraph-${J2}`])

    const dry = await haadm(['cleanup', ...env.flags('old'), '--job', J1, '--dry-run', '--json'])
    const planned = dry.json.result.plan.metadata
    expect(planned.map((m: any) => m.locator).sort()).toEqual([`flink/old-${J1}-jobmanager-leader`, `flink/old-dispatcher-leader/jobGraph-${J1}`].sort())
    const key = planned.find((m: any) => m.locator.endsWith(`jobGraph-${J1}`))
    const before = await getMap('old-dispatcher-leader')
    expect(key.version).toBe(before.metadata.resourceVersion)

    const res = await haadm(['cleanup', ...env.flags('old'), '--job', J1, '--yes', '--json'])
    expect(res.code).toBe(0)
    const outcomes = res.json.result.outcomes.map((o: any) => o.target.locator)
    const keyAt = outcomes.indexOf(`flink/old-dispatcher-leader/jobGraph-${J1}`)
    const fileAt = outcomes.findIndex((l: string) => l.includes('submittedJobGraph'))
    expect(keyAt).toBeGreaterThanOrEqual(0)
    // The pointer goes before the file it names: a crash leaks a file, never leaves a dangling pointer.
    expect(fileAt).toBeGreaterThan(keyAt)
    const after = await getMap('old-dispatcher-leader')
    expect(Object.keys(after.data)).not.toContain(`jobGraph-${J1}`)
    expect(Object.keys(after.data)).toContain(`jobGraph-${J2}`)
    expect(after.data.address).toBe(rpc('dispatcher_1'))
    expect(await getMap(`old-${J1}-jobmanager-leader`)).toBeNull()
    expect(res.json.result.remaining).toEqual([])
    // Idempotent.
    const again = await haadm(['cleanup', ...env.flags('old'), '--job', J1, '--yes', '--json'])
    expect(again.code).toBe(0)
    expect(again.json.result.plan.metadata).toEqual([])
  })

  it('2.x: executionPlan- keys are the plans; cleanup --job takes the key and the job map; purge sees what is left', async () => {
    const plans = await haadm(['plans', ...env.flags('new'), '--json'])
    expect(plans.json.result.plans.map((p: any) => p.name).sort()).toEqual([`executionPlan-${J1}`, `executionPlan-${J2}`])
    expect(plans.json.result.stores[0]).toMatchObject({key: 'new-cluster-config-map', versions: '2.x', exists: true})
    // A dirty JobResultStore entry of J1: purge lists what the job still has in the HA maps (it used to say nothing).
    const jrs = mkdtempSync(join(tmpdir(), 'haadm-k8s-jrs-'))
    writeFileSync(join(jrs, `${J1}_DIRTY.json`), JSON.stringify({result: {id: J1, 'application-status': 'FAILED', 'accumulator-results': {}, 'net-runtime': 1}, version: 1}))
    const purge = await haadm(['jobs', 'purge', ...env.flags('new'), '--jrs-path', jrs, '--job', J1, '--include-dirty', '--dry-run', '--json'])
    expect(purge.json.result.ha.status).toBe('listed')
    const artifacts = purge.json.result.ha.artifacts
    expect(artifacts.map((a: any) => a.kind).sort()).toEqual(['checkpoint', 'job-graph', 'job-node'])
    expect(artifacts.find((a: any) => a.kind === 'job-graph')).toMatchObject({key: `new-cluster-config-map/executionPlan-${J1}`, pointer: expect.stringContaining(`/new/`)})
    expect(artifacts.find((a: any) => a.kind === 'job-node')).toMatchObject({key: `new-${J1}-config-map`, children: 2})
    const res = await haadm(['cleanup', ...env.flags('new'), '--job', J1, '--yes', '--json'])
    expect(res.code).toBe(0)
    const cm = await getMap('new-cluster-config-map')
    expect(Object.keys(cm.data)).not.toContain(`executionPlan-${J1}`)
    expect(Object.keys(cm.data)).toContain(`executionPlan-${J2}`)
    expect(await getMap(`new-${J1}-config-map`)).toBeNull()
    expect(res.json.result.remaining).toEqual([])
  })
})
