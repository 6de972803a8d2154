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
  env = await startK8sEnv()
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
    const res = await haadm(['cleanup', ...env.flags('dead'), '--yes', '--backup', backup, '--json'])
    expect(res.code).toBe(0)
    expect(res.json.result.summary).toMatchObject({removed: 2, failed: 0})
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
