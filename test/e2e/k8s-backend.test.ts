// The Kubernetes backend in-process against the test API server: what a scan keeps and drops,
// the inventory-level decoding of jobGraph-/executionPlan-/checkpointID-/counter keys (values
// serialized by a real JVM), pagination, and removal (preconditions, 409 retries, 403, absent).

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {KubernetesBackend} from '../../src/backends/kubernetes.js'
import {k8sCheckpointCounters, k8sCheckpointEntries, k8sExecutionPlanEntries, k8sHaMaps} from '../../src/backends/kubernetes/inventory.js'
import type {RemovalOutcome, RemovalTarget} from '../../src/backends/types.js'
import {resolveTarget} from '../../src/config/resolve.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'

const J1 = '0123456789abcdef0123456789abcdef'
const J2 = 'fedcba9876543210fedcba9876543210'
const S1 = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'

let env: K8sEnv
beforeAll(async () => {
  env = await startK8sEnv({tokens: {'test-token': {}, reader: {forbid: ['delete', 'update', 'patch']}}})
  await env.apply([
    'storage-dir s3://ha-bucket/flink/ha',
    'cluster f118 1.18',
    `leader dispatcher ${S1} pekko.tcp://flink@jm-0:6123/user/rpc/dispatcher_1`,
    'lease cluster duration=15',
    `jobgraph ${J1}`,
    `jobgraph ${J2} marked`,
    `checkpoint ${J1} 7`,
    `checkpoint ${J1} 8 marked`,
    `checkpoint ${J1} 10`,
    `counter ${J1} 11`,
    `jobmap ${J2}`,
    'flink-config',
    'autoscaler',
    'cluster f20 2.0',
    `jobgraph ${J1}`,
    'cluster old legacy',
    `leader dispatcher ${S1} akka.tcp://flink@jm-0:6123/user/rpc/dispatcher_1`,
    `jobgraph ${J1} bare`,
    `checkpoint ${J1} 3 bare`,
    `counter ${J1} 4`,
    'cluster corrupt 1.18',
    'raw corrupt-cluster-config-map jobGraph-0123456789abcdef0123456789abcdef rO0ABXNyAA==',
    'raw corrupt-cluster-config-map executionPlan-0123456789abcdef0123456789abcdef not*base64',
    `raw corrupt-${J1}-config-map counter twelve`,
    `raw corrupt-${J1}-config-map checkpointID-00x1 rO0ABQ==`,
  ])
})
afterAll(async () => {
  await env?.stop()
})

function target(clusterId: string, kubeconfig = env.kubeconfig) {
  return resolveTarget({flags: {backend: 'kubernetes', 'cluster-id': clusterId, kubeconfig, namespace: 'flink'}, env: {}})
}

async function scan(clusterId: string, kubeconfig?: string) {
  const b = await KubernetesBackend.connect(target(clusterId, kubeconfig))
  try {
    return await b.scan()
  } finally {
    await b.close()
  }
}

async function remove(clusterId: string, targets: RemovalTarget[], kubeconfig?: string, concurrency?: number): Promise<RemovalOutcome[]> {
  const b = await KubernetesBackend.connect(target(clusterId, kubeconfig))
  const out: RemovalOutcome[] = []
  try {
    for await (const o of b.remove(targets, {concurrency})) out.push(o)
  } finally {
    await b.close()
  }
  return out
}

describe('scan', () => {
  it('keeps the HA maps, one item per map and per key, and skips autoscaler and Deployment-owned maps', async () => {
    const inv = await scan('f118')
    expect(inv.k8s).toMatchObject({namespace: 'flink', context: 'test'})
    expect(inv.k8s!.skipped.map((s) => s.configMap).sort()).toEqual(['autoscaler-f118', 'flink-config-f118'])
    const maps = [...k8sHaMaps(inv).keys()].sort()
    expect(maps).toEqual([`f118-${J1}-config-map`, `f118-${J2}-config-map`, "f118-cluster-config-map"].sort())
    const mapItem = inv.items.find((i) => i.key === 'f118-cluster-config-map')!
    expect(mapItem).toMatchObject({locator: 'flink/f118-cluster-config-map', k8s: {key: null, labels: {app: 'f118', 'configmap-type': 'high-availability'}}})
    expect(mapItem.k8s!.uid).toMatch(/^[0-9a-f-]{36}$/)
    expect(mapItem.k8s!.annotations['control-plane.alpha.kubernetes.io/leader']).toContain('holderIdentity')
    const counter = inv.items.find((i) => i.key === `f118-${J1}-config-map/counter`)!
    expect(new TextDecoder().decode(counter.data)).toBe('11')
    expect(counter.locator).toBe(`flink/f118-${J1}-config-map/counter`)
    expect(inv.items.every((i) => !i.key.startsWith('autoscaler') && !i.key.startsWith('flink-config'))).toBe(true)
  })

  it('pages through the list with limit and continue', async () => {
    for (let i = 0; i < 1203; i++)
      env.server.putConfigMap('flink', {metadata: {name: `many-${String(i).padStart(4, '0')}-config-map`, labels: {app: 'many', 'configmap-type': 'high-availability'}}, data: {counter: String(i)}})
    const before = env.server.requests.length
    const inv = await scan('many')
    expect(k8sHaMaps(inv).size).toBe(1203)
    const lists = env.server.requests.slice(before).filter((r) => r.verb === 'list')
    expect(lists.map((r) => r.query.limit)).toEqual(['500', '500', '500'])
    expect(lists.map((r) => Boolean(r.query.continue))).toEqual([false, true, true])
  })
})

describe('inventory helpers decode what Flink wrote', () => {
  it('1.18: job graphs and checkpoints with the delete-marker wrapper, counters', async () => {
    const inv = await scan('f118')
    const plans = k8sExecutionPlanEntries(inv)
    expect(plans.map((p) => [p.kind, p.jobId, p.configMap])).toEqual([
      ['jobGraph', J1, 'f118-cluster-config-map'],
      ['jobGraph', J2, 'f118-cluster-config-map'],
    ])
    const [live, marked] = plans.map((p) => (p.decoded.ok ? p.decoded.value : undefined)!)
    expect(live).toMatchObject({wrapped: true, markedForDeletion: false, pointer: {handleClass: 'org.apache.flink.runtime.state.RetrievableStreamStateHandle', stateSize: 4096}})
    expect(live.pointer.path).toMatch(/^s3:\/\/ha-bucket\/flink\/ha\/f118\/submittedJobGraph[0-9a-f]{12}$/)
    expect(marked.markedForDeletion).toBe(true)

    const cps = k8sCheckpointEntries(inv)
    expect(cps.map((c) => [c.jobId, c.checkpointId, c.decoded.ok && c.decoded.value.markedForDeletion])).toEqual([
      [J1, 7n, false],
      [J1, 8n, true],
      [J1, 10n, false],
    ])
    expect(cps[0].key).toBe(`f118-${J1}-config-map/checkpointID-0000000000000000007`)
    expect(cps[2].decoded.ok && cps[2].decoded.value.pointer).toMatchObject({stateSize: 1010})
    expect(cps[2].decoded.ok && cps[2].decoded.value.pointer.path).toMatch(/\/f118\/completedCheckpoint[0-9a-f]{12}$/)
    expect(k8sCheckpointEntries(inv, J2)).toEqual([])
    expect(k8sCheckpointCounters(inv).map((c) => [c.jobId, c.present, c.next])).toEqual([
      [J1, true, 11n],
      [J2, false, 1n],
    ])
  })

  it('2.0: executionPlan- keys; legacy: bare handles in the dispatcher and jobmanager maps', async () => {
    const f20 = k8sExecutionPlanEntries(await scan('f20'))
    expect(f20.map((p) => [p.kind, p.jobId, p.decoded.ok])).toEqual([['executionPlan', J1, true]])
    const old = await scan('old')
    const plans = k8sExecutionPlanEntries(old)
    expect(plans.map((p) => [p.configMap, p.decoded.ok && p.decoded.value.wrapped])).toEqual([['old-dispatcher-leader', false]])
    const cps = k8sCheckpointEntries(old)
    expect(cps.map((c) => [c.configMap, c.checkpointId, c.decoded.ok && c.decoded.value.wrapped])).toEqual([[`old-${J1}-jobmanager-leader`, 3n, false]])
    expect(k8sCheckpointCounters(old)).toMatchObject([{jobId: J1, next: 4n}])
  })

  it('corrupt values are reported, not thrown', async () => {
    const inv = await scan('corrupt')
    const plans = k8sExecutionPlanEntries(inv)
    expect(plans.map((p) => p.decoded.ok)).toEqual([false, false])
    const reasons = plans.map((p) => (!p.decoded.ok ? p.decoded.error.reason : ''))
    expect(reasons.some((r) => r.includes('not Base64'))).toBe(true)
    const [cp] = k8sCheckpointEntries(inv)
    expect(cp.checkpointId).toBeNull()
    expect(cp.decoded.ok).toBe(false)
    expect(k8sCheckpointCounters(inv)[0]).toMatchObject({present: true, next: null})
    expect(k8sCheckpointCounters(inv)[0].problem).toContain('not a decimal number')
  })
})

describe('remove', () => {
  const mapTarget = (inv: Awaited<ReturnType<typeof scan>>, name: string): RemovalTarget => {
    const item = inv.items.find((i) => i.key === name)!
    return {key: item.key, locator: item.locator, version: item.k8s!.resourceVersion, uid: item.k8s!.uid}
  }

  it('deletes a whole map only if uid and resourceVersion still match; a second run finds it absent', async () => {
    await env.apply([`cluster rm1 1.18`, `checkpoint ${J1} 1`, `counter ${J1} 2`, `checkpoint ${J2} 1`])
    const inv = await scan('rm1')
    const t1 = mapTarget(inv, `rm1-${J1}-config-map`)
    const t2 = mapTarget(inv, `rm1-${J2}-config-map`)
    // Someone writes to the J2 map after the scan: its delete must not go through.
    await env.kubectl(['patch', 'cm', `rm1-${J2}-config-map`, '--type=merge', '-p', '{"data":{"counter":"5"}}'])
    const out = await remove('rm1', [t1, t2])
    expect(out.find((o) => o.target === t1)!.status).toBe('removed')
    const failed = out.find((o) => o.target === t2)!
    expect(failed.status).toBe('failed')
    expect(failed.error).toContain('changed since the scan')
    expect(env.server.getConfigMap('flink', `rm1-${J1}-config-map`)).toBeUndefined()
    expect(env.server.getConfigMap('flink', `rm1-${J2}-config-map`)).toBeDefined()
    expect((await remove('rm1', [t1])).map((o) => o.status)).toEqual(['absent'])
  })

  it('a re-created map with the same name is not deleted (uid precondition)', async () => {
    await env.apply([`cluster rm2 1.18`, `checkpoint ${J1} 1`])
    const t = mapTarget(await scan('rm2'), `rm2-${J1}-config-map`)
    await env.kubectl(['delete', 'cm', `rm2-${J1}-config-map`])
    await env.apply([`cluster rm2 1.18`, `checkpoint ${J1} 1`])
    const [o] = await remove('rm2', [{...t, version: undefined}])
    expect(o.status).toBe('failed')
    expect(env.server.getConfigMap('flink', `rm2-${J1}-config-map`)).toBeDefined()
  })

  it('removes single keys with one guarded update per map, retrying on 409 Conflict', async () => {
    await env.apply([`cluster rm3 1.18`, `leader dispatcher ${S1} x://a`, `jobgraph ${J1}`, `jobgraph ${J2}`, 'lease cluster'])
    const inv = await scan('rm3')
    const keys = inv.items.filter((i) => i.k8s?.key?.startsWith('jobGraph-')).map((i) => ({key: i.key, locator: i.locator}))
    expect(keys).toHaveLength(2)
    // A concurrent writer (Flink renewing its lease) bumps the resourceVersion before each of the first two updates.
    let bumps = 2
    env.server.beforeWrite = (ns, name) => {
      if (bumps-- > 0) env.server.putConfigMap(ns, {...env.server.getConfigMap(ns, name), metadata: {...env.server.getConfigMap(ns, name).metadata}})
    }
    try {
      const before = env.server.requests.length
      const out = await remove('rm3', [...keys, {key: 'x', locator: 'flink/rm3-cluster-config-map/jobGraph-nothere'}])
      expect(out.map((o) => o.status)).toEqual(['removed', 'removed', 'absent'])
      const puts = env.server.requests.slice(before).filter((r) => r.verb === 'update')
      expect(puts.map((p) => p.status)).toEqual([409, 409, 200])
    } finally {
      env.server.beforeWrite = undefined
    }
    const data = env.server.getConfigMap('flink', 'rm3-cluster-config-map').data
    expect(Object.keys(data)).toEqual(['org.apache.flink.k8s.leader.dispatcher'])
    expect(env.server.getConfigMap('flink', 'rm3-cluster-config-map').metadata.annotations['control-plane.alpha.kubernetes.io/leader']).toBeTruthy()
    expect((await remove('rm3', keys)).map((o) => o.status)).toEqual(['absent', 'absent'])
  })

  it('gives up after a bounded number of conflicts', async () => {
    await env.apply([`cluster rm4 1.18`, `jobgraph ${J1}`])
    const item = (await scan('rm4')).items.find((i) => i.k8s?.key?.startsWith('jobGraph-'))!
    env.server.beforeWrite = (ns, name) => env.server.putConfigMap(ns, {...env.server.getConfigMap(ns, name)})
    try {
      const [o] = await remove('rm4', [{key: item.key, locator: item.locator}])
      expect(o.status).toBe('failed')
      expect(o.error).toContain('409 Conflict')
    } finally {
      env.server.beforeWrite = undefined
    }
  })

  it('403 names the verb and resource the role lacks; bad locators fail alone', async () => {
    await env.apply([`cluster rm5 1.18`, `checkpoint ${J1} 1`, `jobgraph ${J1}`])
    const inv = await scan('rm5')
    const reader = env.server.writeKubeconfig(env.dir, {file: 'reader', token: 'reader', namespace: 'flink'})
    const key = inv.items.find((i) => i.k8s?.key?.startsWith('jobGraph-'))!
    const out = await remove('rm5', [mapTarget(inv, `rm5-${J1}-config-map`), {key: key.key, locator: key.locator}, {key: 'bad', locator: 'other-ns/x'}], reader)
    expect(out.find((o) => o.target.locator === 'other-ns/x')).toMatchObject({status: 'failed'})
    expect(out.find((o) => o.target.key === `rm5-${J1}-config-map`)!.error).toMatch(/not allowed to delete configmaps "rm5-.*-config-map" in namespace flink/)
    expect(out.find((o) => o.target.key === key.key)!.error).toContain('not allowed to update configmaps "rm5-cluster-config-map"')
    expect(env.server.getConfigMap('flink', `rm5-${J1}-config-map`)).toBeDefined()
  })

  it('many maps with bounded concurrency', async () => {
    for (let i = 0; i < 40; i++) env.server.putConfigMap('flink', {metadata: {name: `rm6-${String(i).padStart(32, '0')}-config-map`, labels: {app: 'rm6'}}, data: {counter: '1'}})
    const inv = await scan('rm6')
    const targets = inv.items.filter((i) => i.k8s?.key === null).map((i) => ({key: i.key, locator: i.locator, uid: i.k8s!.uid}))
    const out = await remove('rm6', targets, undefined, 4)
    expect(out).toHaveLength(40)
    expect(out.every((o) => o.status === 'removed')).toBe(true)
    expect(env.server.listConfigMaps('flink').filter((c) => c.metadata.name.startsWith('rm6-'))).toEqual([])
  })
})
