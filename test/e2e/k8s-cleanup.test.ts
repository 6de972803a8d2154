import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'

const J1 = '0123456789abcdef0123456789abcdef'
const J2 = 'fedcba9876543210fedcba9876543210'
const S1 = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'
const rpc = (n: string) => `pekko.tcp://flink@jm-0:6123/user/rpc/${n}`

let env: K8sEnv
beforeAll(async () => {
  env = await startK8sEnv({
    tokens: {'test-token': {}, 'no-collection-token': {forbid: ['deletecollection']}, 'read-only-token': {forbid: ['delete', 'deletecollection', 'update', 'patch']}},
  })
  await env.apply([
    '# a dead 1.18 cluster (lease expired), with its Deployment-owned config and the autoscaler map',
    'cluster dead 1.18',
    `leader dispatcher ${S1} ${rpc('dispatcher_1')}`,
    `leader ${J1} ${S1} ${rpc('jobmanager_2')}`,
    'lease cluster duration=15 renewed=3600 acquired=7200',
    `jobgraph ${J1}`,
    `jobgraph ${J2}`,
    `checkpoint ${J1} 41`,
    `counter ${J1} 42`,
    `jobmap ${J2}`,
    'flink-config',
    'autoscaler',
    '# a live cluster next to it',
    'cluster live 1.18',
    `leader dispatcher ${S1} ${rpc('dispatcher_1')}`,
    'lease cluster duration=60',
    `jobgraph ${J1}`,
  ])
})
afterAll(async () => {
  await env?.stop()
})

const names = async (selector: string) => {
  const res = await env.kubectl(['get', 'cm', '-l', selector, '-o', 'json'])
  expect(res.code, res.stderr).toBe(0)
  return JSON.parse(res.stdout).items.map((i: any) => i.metadata.name).sort()
}

describe('haadm cleanup on Kubernetes', () => {
  it('refuses a live cluster with the lease as evidence', async () => {
    const before = await names('app=live')
    const res = await haadm(['cleanup', ...env.flags('live'), '--yes', '--json'])
    expect(res.code).toBe(4)
    expect(res.json.error.details.evidence.join('\n')).toMatch(/lease on live-cluster-config-map is held by .*valid until/)
    expect(await names('app=live')).toEqual(before)
  })

  it('one job: its map whole, its keys in the cluster map, nothing else', async () => {
    const res = await haadm(['cleanup', ...env.flags('dead'), '--job', J2, '--yes', '--json'])
    expect(res.code).toBe(0)
    expect(res.json.result.plan.metadata.map((m: any) => m.locator).sort()).toEqual([`flink/dead-${J2}-config-map`, `flink/dead-cluster-config-map/jobGraph-${J2}`].sort())
    const cm = JSON.parse((await env.kubectl(['get', 'cm', 'dead-cluster-config-map', '-o', 'json'])).stdout)
    expect(Object.keys(cm.data)).toContain(`jobGraph-${J1}`)
    expect(Object.keys(cm.data)).not.toContain(`jobGraph-${J2}`)
    expect(await names('app=dead')).not.toContain(`dead-${J2}-config-map`)
  })

  it('a dead cluster: every HA map, never the autoscaler or Deployment-owned maps, never the neighbour', async () => {
    const backup = join(env.dir, 'dead-backup.json')
    const dry = await haadm(['cleanup', ...env.flags('dead'), '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    const planned = dry.json.result.plan.metadata.map((m: any) => m.locator).sort()
    expect(planned).toEqual(['flink/dead-cluster-config-map', `flink/dead-${J1}-config-map`].sort())
    const seen = env.server.requests.length
    const res = await haadm(['cleanup', ...env.flags('dead'), '--yes', '--backup', backup, '--json'])
    expect(res.code).toBe(0)
    expect(res.json.result.summary).toMatchObject({removed: 2, failed: 0})
    // Both maps in one collection delete with Flink's HA labels, at the scan's revision.
    const writes = env.server.requests.slice(seen).filter((r) => r.method !== 'GET')
    expect(writes.map((r) => [r.verb, r.status])).toEqual([['deletecollection', 200]])
    expect(writes[0].query).toMatchObject({labelSelector: 'app=dead,type=flink-native-kubernetes,configmap-type=high-availability', resourceVersionMatch: 'Exact', limit: '2'})
    expect(await names('app=dead')).toEqual(['autoscaler-dead', 'flink-config-dead'])
    expect(await names('app=live')).toEqual(['live-cluster-config-map'])
    // The backup holds the maps with their keys, and reads back.
    const fromBackup = await haadm(['leaders', '--snapshot', backup, '--json'])
    expect(fromBackup.stderr).toBe('')
    expect(fromBackup.code).toBe(0)
    expect(fromBackup.json.result.leaders.find((l: any) => l.component === 'dispatcher').address).toBe(rpc('dispatcher_1'))
    const again = await haadm(['cleanup', ...env.flags('dead'), '--yes'])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('Nothing to do')
  })
})

describe('haadm cleanup on Kubernetes: one collection delete, and when it is not used', () => {
  const deadCluster = (cid: string, jobs: number) => [
    `cluster ${cid} 1.18`,
    `leader dispatcher ${S1} ${rpc('dispatcher_1')}`,
    'lease cluster duration=15 renewed=3600 acquired=7200',
    ...Array.from({length: jobs}, (_, j) => `checkpoint ${j.toString(16).padStart(32, '0')} 7`),
  ]
  const ha = (cid: string) => ({app: cid, type: 'flink-native-kubernetes', 'configmap-type': 'high-availability'})
  const writesDuring = async (fn: () => Promise<unknown>) => {
    const seen = env.server.requests.length
    await fn()
    return env.server.requests.slice(seen).filter((r) => r.method !== 'GET').map((r) => `${r.verb} ${r.status}`)
  }

  it('a map created after the scan is not deleted: the collection delete lists at the scan revision', async () => {
    await env.apply(deadCluster('late', 3))
    env.server.beforeRequest = (verb) => {
      if (verb !== 'deletecollection') return
      env.server.beforeRequest = undefined
      env.server.putConfigMap('flink', {metadata: {name: `late-${J1}-config-map`, labels: ha('late')}, data: {counter: '1'}})
    }
    let res: Awaited<ReturnType<typeof haadm>> | undefined
    const writes = await writesDuring(async () => (res = await haadm(['cleanup', ...env.flags('late'), '--yes', '--json'])))
    expect(writes).toEqual(['deletecollection 200'])
    expect(res!.json.result.summary).toMatchObject({removed: 4, failed: 0})
    // The newcomer is still there, and the run says so (exit 5: something remains).
    expect(await names('app=late')).toEqual([`late-${J1}-config-map`])
    expect(res!.json.result.remaining).toContain(`flink/late-${J1}-config-map`)
    expect(res!.code).toBe(5)
  })

  it('falls back to one delete per map when the account may not deletecollection, or the revision is compacted', async () => {
    await env.apply(deadCluster('rbac', 2))
    const restricted = env.server.writeKubeconfig(env.dir, {token: 'no-collection-token', namespace: 'flink', file: 'no-collection'})
    const flags = env.flags('rbac').map((f) => (f === env.kubeconfig ? restricted : f))
    let res: Awaited<ReturnType<typeof haadm>> | undefined
    expect(await writesDuring(async () => (res = await haadm(['cleanup', ...flags, '--yes', '--json'])))).toEqual(['deletecollection 403', 'delete 200', 'delete 200', 'delete 200'])
    expect(res!.code).toBe(0)
    expect(res!.json.result.summary).toMatchObject({removed: 3, failed: 0})
    expect(await names('app=rbac')).toEqual([])

    await env.apply(deadCluster('compacted', 1))
    env.server.beforeRequest = (verb) => {
      if (verb !== 'deletecollection') return
      env.server.beforeRequest = undefined
      // Another write, then etcd compacts: the scan's revision is gone.
      env.server.putConfigMap('default', {metadata: {name: 'elsewhere'}, data: {k: 'v'}})
      env.server.compact()
    }
    expect(await writesDuring(async () => (res = await haadm(['cleanup', ...env.flags('compacted'), '--yes', '--json'])))).toEqual(['deletecollection 410', 'delete 200', 'delete 200'])
    expect(res!.code).toBe(0)
    expect(await names('app=compacted')).toEqual([])
  })

  it('an account that may not delete: exit 5 naming what remains and why; a second run with rights finishes', async () => {
    await env.apply(deadCluster('rights', 2))
    const readOnly = env.server.writeKubeconfig(env.dir, {token: 'read-only-token', namespace: 'flink', file: 'read-only'})
    const flags = env.flags('rights').map((f) => (f === env.kubeconfig ? readOnly : f))
    const first = await haadm(['cleanup', ...flags, '--yes', '--json'])
    expect(first.code).toBe(5)
    expect(first.json.result.summary).toMatchObject({removed: 0, failed: 3})
    expect(first.json.result.outcomes[0].error).toMatch(/^not allowed to delete configmaps "rights-.*" in namespace flink: .*cannot delete resource "configmaps"/)
    expect(first.json.result.remaining).toEqual(expect.arrayContaining(['flink/rights-cluster-config-map']))
    const text = await haadm(['cleanup', ...flags, '--yes'])
    expect(text.code).toBe(5)
    expect(text.stdout).toMatch(/failed: flink\/rights-/)
    expect(text.stdout).toMatch(/Still there \(\d+\):/)
    const second = await haadm(['cleanup', ...env.flags('rights'), '--yes', '--json'])
    expect(second.code).toBe(0)
    expect(second.json.result.summary).toMatchObject({removed: 3, failed: 0})
    expect(await names('app=rights')).toEqual([])
  })

  it('not used when a map with the HA labels is not in the plan: the selector would take it too', async () => {
    await env.apply(deadCluster('odd', 2))
    // HA labels, but its name does not carry the cluster id: the planner leaves it alone.
    env.server.putConfigMap('flink', {metadata: {name: 'unrelated-config-map', labels: ha('odd')}, data: {k: 'v'}})
    let res: Awaited<ReturnType<typeof haadm>> | undefined
    expect(await writesDuring(async () => (res = await haadm(['cleanup', ...env.flags('odd'), '--yes', '--json'])))).toEqual(['delete 200', 'delete 200', 'delete 200'])
    // Left alone on purpose, so not "still there": exit 0.
    expect(res!.json.result.plan.untouched.map((u: any) => u.key)).toEqual(['unrelated-config-map'])
    expect(res!.json.result.remaining).toEqual([])
    expect(res!.code).toBe(0)
    expect(await names('app=odd')).toEqual(['unrelated-config-map'])
  })
})
