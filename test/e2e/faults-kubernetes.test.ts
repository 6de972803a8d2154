// Kubernetes faults: liveness checked again at the moment of deletion, and leases without a duration.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'
import {startTcpProxy} from '../support/tcp-proxy.js'

const S1 = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'
const rpc = (n: string) => `pekko.tcp://flink@jm-0:6123/user/rpc/${n}`
const job = (j: number) => j.toString(16).padStart(32, '0')

let env: K8sEnv
beforeAll(async () => {
  env = await startK8sEnv({tokens: {'test-token': {}, 'no-collection-token': {forbid: ['deletecollection']}}})
}, 120_000)
afterAll(async () => {
  await env?.stop()
})

const names = async (selector: string) => {
  const res = await env.kubectl(['get', 'cm', '-l', selector, '-o', 'json'])
  expect(res.code, res.stderr).toBe(0)
  return JSON.parse(res.stdout).items.map((i: any) => i.metadata.name).sort()
}

const cluster = (cid: string, lease: string, jobs = 2) => [
  `cluster ${cid} 1.18`,
  `leader dispatcher ${S1} ${rpc('dispatcher_1')}`,
  `lease cluster ${lease}`,
  ...Array.from({length: jobs}, (_, j) => `checkpoint ${job(j)} 7`),
]

describe('Kubernetes: liveness at the moment of deletion', () => {
  it('a lease without leaseDuration is live: cleanup refuses (exit 4) and says why; leaders shows it alive (problem 5)', async () => {
    await env.apply(cluster('noduration', 'duration=none renewed=3600 acquired=7200'))
    const before = await names('app=noduration')
    const res = await haadm(['cleanup', ...env.flags('noduration'), '--yes', '--json'])
    expect(res.code).toBe(4)
    expect(res.json.error.code).toBe('LIVE_CLUSTER')
    expect(res.json.error.details.evidence.join('\n')).toMatch(/lacks a valid leaseDuration: fabric8 cannot read the record, so no JobManager can take leadership.*its expiry is unknown, so it counts as held \(live\)/)
    expect(await names('app=noduration')).toEqual(before)
    const leaders = await haadm(['leaders', ...env.flags('noduration'), '--json'])
    expect(leaders.code).toBe(0)
    const dispatcher = leaders.json.result.leaders.find((l: any) => l.component === 'dispatcher')
    expect(dispatcher.alive).toBe(true)
    expect(dispatcher.evidence).toMatch(/leaseDuration/)
    expect(dispatcher.evidence).not.toMatch(/expired|duration 0s/)
    expect(dispatcher.lease.blocksElection).toBe(true)
    // The election is stuck: doctor says so as an error (exit 6), naming the map.
    const doctor = await haadm(['doctor', ...env.flags('noduration'), '--json'])
    expect(doctor.code, doctor.stderr).toBe(6)
    const finding = doctor.json.result.findings.find((f: any) => f.id === 'unreadable-lease')
    expect(finding).toMatchObject({severity: 'error'})
    expect(finding.evidence).toMatch(/noduration.*lacks a valid leaseDuration/)
  })

  it('a released lease (no holder) without leaseDuration is dead: cleanup removes the cluster', async () => {
    await env.apply(cluster('released', 'holder= duration=none renewed=3600 acquired=7200'))
    const res = await haadm(['cleanup', ...env.flags('released'), '--yes', '--json'])
    expect(res.code).toBe(0)
    expect(await names('app=released')).toEqual([])
  })

  it('a lease renewed between the scan and the delete stops the collection delete; the changed map stays (problem 4)', async () => {
    await env.apply(cluster('revived', 'duration=15 renewed=3600 acquired=7200', 3))
    const neighbourSpec = cluster('bystander', 'duration=15 renewed=3600 acquired=7200', 1)
    await env.apply(neighbourSpec)
    const bystander = JSON.stringify(env.server.listConfigMaps('flink').filter((m: any) => m.metadata.labels?.app === 'bystander'))
    let lists = 0
    // The JobManager comes back right after haadm's scan: its first request after the scan's list renews the lease.
    env.server.beforeRequest = (verb) => {
      if (verb === 'discovery') return
      if (verb === 'list' && lists++ === 0) return
      env.server.beforeRequest = undefined
      const cm = env.server.getConfigMap('flink', 'revived-cluster-config-map')
      const key = 'control-plane.alpha.kubernetes.io/leader'
      const lease = JSON.parse(cm.metadata.annotations[key])
      lease.renewTime = new Date().toISOString().replace(/\.\d+Z$/, '.000000Z')
      env.server.putConfigMap('flink', {...cm, metadata: {...cm.metadata, annotations: {...cm.metadata.annotations, [key]: JSON.stringify(lease)}}})
    }
    const res = await haadm(['cleanup', ...env.flags('revived'), '--yes', '--json'])
    env.server.beforeRequest = undefined
    expect(res.code).toBe(5)
    const cmOutcome = res.json.result.outcomes.find((o: any) => o.target.locator === 'flink/revived-cluster-config-map')
    expect(cmOutcome.status).toBe('failed')
    expect(cmOutcome.error).toMatch(/changed since the scan/)
    expect(await names('app=revived')).toContain('revived-cluster-config-map')
    expect(res.json.result.remaining).toContain('flink/revived-cluster-config-map')
    // The live cluster's lease now refuses a rerun.
    const again = await haadm(['cleanup', ...env.flags('revived'), '--yes', '--json'])
    expect(again.code).toBe(4)
    expect(JSON.stringify(env.server.listConfigMaps('flink').filter((m: any) => m.metadata.labels?.app === 'bystander'))).toBe(bystander)
  })

  it('the API server goes away mid-removal: exit 5 with every outcome and "could not verify", never a bare exit 3 (problem 3)', async () => {
    await env.apply(['cluster gone 1.18', `leader dispatcher ${S1} ${rpc('dispatcher_1')}`, 'lease cluster duration=15 renewed=3600 acquired=7200', ...Array.from({length: 40}, (_, j) => `jobmap ${job(j)}`)])
    const proxy = await startTcpProxy('127.0.0.1', env.server.port)
    try {
      const kubeconfig = env.server.writeKubeconfig(env.dir, {token: 'no-collection-token', namespace: 'flink', file: 'via-proxy', server: `https://${proxy.address}`})
      const flags = env.flags('gone').map((f) => (f === env.kubeconfig ? kubeconfig : f))
      let deletes = 0
      env.server.beforeRequest = (verb) => {
        if (verb !== 'delete' || ++deletes !== 10) return
        env.server.beforeRequest = undefined
        void proxy.refuse()
      }
      const res = await haadm(['cleanup', ...flags, '--yes', '--json'], {timeoutMs: 120_000})
      env.server.beforeRequest = undefined
      expect(res.json?.error, JSON.stringify(res.json?.error)).toBeUndefined()
      expect(res.code).toBe(5)
      const s = res.json.result.summary
      expect(s.removed).toBeGreaterThan(0)
      expect(s.failed + s.unknown).toBeGreaterThan(0)
      expect(s.removed + s.absent + s.failed + s.unknown).toBe(41)
      expect(res.json.result.verified).toBe(false)
      expect(res.json.result.warnings.join('\n')).toMatch(/could not verify what remains .*: \d+ item\(s\) may remain/)
      // A rerun with the server back finishes.
      await proxy.accept()
      const again = await haadm(['cleanup', ...flags, '--yes', '--json'], {timeoutMs: 120_000})
      expect(again.code).toBe(0)
      expect(await names('app=gone')).toEqual([])
    } finally {
      await proxy.close()
    }
  }, 180_000)
})

