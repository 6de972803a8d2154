import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'

const J1 = '0123456789abcdef0123456789abcdef'
const S1 = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'

let env: K8sEnv
beforeAll(async () => {
  env = await startK8sEnv()
  await env.apply([
    'cluster snap 1.18',
    `leader dispatcher ${S1} pekko.tcp://flink@jm-0:6123/user/rpc/dispatcher_1`,
    `leader ${J1} ${S1} pekko.tcp://flink@jm-0:6123/user/rpc/jobmanager_2`,
    'lease cluster duration=600',
    `jobgraph ${J1}`,
    `checkpoint ${J1} 41`,
    `checkpoint ${J1} 42`,
    `counter ${J1} 43`,
    'autoscaler',
  ])
})
afterAll(async () => {
  await env?.stop()
})

/** Drops what depends on the moment of the scan (scan time, lease age). */
const stable = (json: any) =>
  JSON.parse(JSON.stringify({...json.result, scannedAt: undefined}), (k, v) =>
    k === 'ageSeconds' || k === 'scannedAt' ? undefined : k === 'evidence' && typeof v === 'string' ? v.replace(/renewed [^)]*\)/, 'renewed …') : v,
  )

describe('export and --snapshot on Kubernetes', () => {
  it('every read command gives the same records from the snapshot as from the API server', async () => {
    const file = join(env.dir, 'k8s.haadm.json.gz')
    const exp = await haadm(['export', ...env.flags('snap'), '-o', file, '--json'])
    expect(exp.code).toBe(0)
    expect(exp.json.result.backend).toBe('kubernetes')
    for (const cmd of [['leaders'], ['plans'], ['checkpoints']]) {
      const live = await haadm([...cmd, ...env.flags('snap'), '--json'])
      const snap = await haadm([...cmd, '--snapshot', file, '--json'])
      expect(live.code, cmd[0]).toBe(0)
      expect(snap.code, `${cmd[0]}: ${snap.stderr}`).toBe(0)
      expect(stable(snap.json), cmd[0]).toEqual(stable(live.json))
    }
    const dry = await haadm(['cleanup', '--snapshot', file, '--dry-run', '--json'])
    expect(dry.code).toBe(4)
    expect(dry.json.result.plan.metadata.map((m: any) => m.locator).sort()).toEqual(['flink/snap-cluster-config-map', `flink/snap-${J1}-config-map`].sort())
  })
})
