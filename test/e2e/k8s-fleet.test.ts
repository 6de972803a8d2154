import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'

// Many clusters in a Kubernetes namespace (and in every namespace with -A): `haadm clusters` and
// `cleanup --all-dead`, against the test API server, kubectl as the witness.

const J1 = '0123456789abcdef0123456789abcdef'
const S1 = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'
const rpc = (n: string) => `pekko.tcp://flink@jm-0:6123/user/rpc/${n}`
const expired = 'lease cluster duration=15 renewed=3600 acquired=7200'

let env: K8sEnv
beforeAll(async () => {
  env = await startK8sEnv()
  await env.apply([
    'cluster dead-a 1.18',
    `leader dispatcher ${S1} ${rpc('dispatcher_1')}`,
    expired,
    `jobgraph ${J1}`,
    `checkpoint ${J1} 41`,
    `counter ${J1} 42`,
    'flink-config',
    'autoscaler',
    'cluster dead-b 2.0',
    expired,
    'cluster legacy-dead legacy',
    `leader dispatcher ${S1} ${rpc('dispatcher_1')}`,
    'lease * duration=15 renewed=7200 acquired=7200',
    'cluster live 1.18',
    `leader dispatcher ${S1} ${rpc('dispatcher_1')}`,
    'lease cluster duration=60',
    `jobgraph ${J1}`,
  ])
  await env.apply(['cluster elsewhere 1.18', expired], {namespace: 'default'})
}, 120_000)
afterAll(async () => {
  await env?.stop()
})

const base = () => ['--backend', 'kubernetes', '--kubeconfig', env.kubeconfig]
const names = async (ns: string) => {
  const res = await env.kubectl(['get', 'cm', '-n', ns, '-o', 'json'])
  expect(res.code, res.stderr).toBe(0)
  return JSON.parse(res.stdout).items.map((i: any) => i.metadata.name).sort()
}

describe('haadm clusters on Kubernetes', () => {
  it('groups the HA maps of a namespace by app label and map names; the Deployment-owned and autoscaler maps are not clusters', async () => {
    const seen = env.server.requests.length
    const res = await haadm(['clusters', ...base(), '-n', 'flink', '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.json.result.clusters.map((c: any) => [c.clusterId, c.alive])).toEqual([
      ['dead-a', false],
      ['dead-b', false],
      ['legacy-dead', false],
      ['live', true],
    ])
    const deadA = res.json.result.clusters[0]
    expect(deadA).toMatchObject({namespace: 'flink', root: 'flink', jobs: 1, checkpoints: 1})
    expect(res.json.result.clusters[3].evidence.join('\n')).toMatch(/lease on live-cluster-config-map is held by/)
    // One list, nothing else.
    expect(env.server.requests.slice(seen).map((r) => r.verb)).toEqual(['list'])
  })

  it('-A: every namespace in one list, with the namespace in the table', async () => {
    const res = await haadm(['clusters', ...base(), '-A', '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.json.result.root).toBe('*')
    expect(res.json.result.clusters.map((c: any) => `${c.namespace}/${c.clusterId}`)).toEqual(['default/elsewhere', 'flink/dead-a', 'flink/dead-b', 'flink/legacy-dead', 'flink/live'])
    const text = await haadm(['clusters', ...base(), '-A', '--dead'])
    expect(text.stdout).toMatch(/^NAMESPACE\s+CLUSTER\s+STATE/)
    expect(text.stdout).toMatch(/default\s+elsewhere\s+dead/)
  })
})

describe('haadm cleanup --all-dead on Kubernetes', () => {
  it('removes every dead cluster of the namespace, never the live one, the other namespace, or maps that are not HA data', async () => {
    const before = {flink: await names('flink'), other: await names('default')}
    const res = await haadm(['cleanup', ...base(), '-n', 'flink', '--all-dead', '--yes', '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.json.result.clusters.map((c: any) => [c.clusterId, c.status])).toEqual([
      ['dead-a', 'removed'],
      ['dead-b', 'removed'],
      ['legacy-dead', 'removed'],
    ])
    expect(await names('flink')).toEqual(['autoscaler-dead-a', 'flink-config-dead-a', 'live-cluster-config-map'])
    expect(await names('default')).toEqual(before.other)
    const again = await haadm(['cleanup', ...base(), '-n', 'flink', '--all-dead', '--yes', '--json'])
    expect(again.code).toBe(0)
    expect(again.json.result.clusters).toEqual([])
  })
})
