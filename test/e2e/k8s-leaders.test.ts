// haadm leaders on Kubernetes: the built CLI against the test API server, loaded with kubectl
// apply from manifests the Java generator writes the way Flink does.

import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'

const J1 = '0123456789abcdef0123456789abcdef'
const J2 = 'fedcba9876543210fedcba9876543210'
const S1 = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'
const S2 = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
const rpc = (v: string, n: string) => `${v}://flink@jm-0:6123/user/rpc/${n}`

let env: K8sEnv
beforeAll(async () => {
  env = await startK8sEnv({
    tokens: {'test-token': {}, 'no-list': {forbid: ['list']}},
  })
  await env.apply([
    '# 1.18+: job- prefix, executionPlan keys on 2.0',
    'cluster f118 1.18',
    `leader dispatcher ${S1} ${rpc('pekko.tcp', 'dispatcher_1')}`,
    `leader resourcemanager ${S1} ${rpc('pekko.tcp', 'resourcemanager_0')}`,
    `leader restserver ${S1} http://jm-0:8081`,
    `leader ${J1} ${S1} ${rpc('pekko.tcp', 'jobmanager_2')}`,
    'lease cluster duration=60 transitions=3',
    `jobgraph ${J1}`,
    `checkpoint ${J1} 41`,
    `checkpoint ${J1} 42`,
    `counter ${J1} 43`,
    'flink-config',
    'autoscaler',
    '# 1.15-1.17: bare job id keys; lease expired an hour ago',
    'cluster f115 1.15',
    `leader dispatcher ${S2} ${rpc('akka.tcp', 'dispatcher_1')}`,
    `leader ${J2} ${S2} ${rpc('akka.tcp', 'jobmanager_2')}`,
    'lease cluster duration=15 renewed=3600 acquired=7200',
    `jobmap ${J2}`,
    '# legacy: one map per component',
    'cluster legacy legacy',
    `leader dispatcher ${S1} ${rpc('akka.tcp', 'dispatcher_1')}`,
    `leader resourcemanager ${S2} ${rpc('akka.tcp', 'resourcemanager_0')}`,
    `leader ${J1} ${S1} ${rpc('akka.tcp', 'jobmanager_3')}`,
    'lease * duration=60',
    '# released lease, corrupt leader value',
    'cluster broken 1.18',
    `leader dispatcher ${S1} ${rpc('pekko.tcp', 'dispatcher_1')}`,
    'raw broken-cluster-config-map org.apache.flink.k8s.leader.restserver not-a-uuid-and-no-comma',
    'lease cluster holder= duration=15',
  ])
})
afterAll(async () => {
  await env?.stop()
})

const leaders = (clusterId: string, extra: string[] = [], o: {env?: Record<string, string>} = {}) =>
  haadm(['leaders', ...env.flags(clusterId), '--json', ...extra], o)
const find = (report: any, component: string, jobId: string | null = null) =>
  report.leaders.find((r: any) => r.component === component && r.jobId === jobId)

describe('haadm leaders on Kubernetes', () => {
  it('1.18+: every component and job master, alive while the lease is valid', async () => {
    const res = await leaders('f118')
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    const r = res.json.result
    expect(r).toMatchObject({backend: 'kubernetes', clusterId: 'f118', root: 'flink', latches: []})
    expect(r.leaders.map((l: any) => [l.component, l.jobId, l.layout])).toEqual([
      ['dispatcher', null, '1.15+'],
      ['resource_manager', null, '1.15+'],
      ['rest_server', null, '1.15+'],
      ['job_master', J1, '1.19+'],
    ])
    for (const l of r.leaders) {
      expect(l).toMatchObject({status: 'leader', sessionId: S1, alive: true, latch: null})
      expect(l.owner).toMatch(/^[0-9a-f-]{36}$/)
      expect(l.owner).toBe(r.leases[0].holderIdentity)
      expect(l.evidence).toMatch(/held by .* renewed .* ago, valid .* more \(duration 60s\)/)
    }
    expect(find(r, 'dispatcher')).toMatchObject({
      address: rpc('pekko.tcp', 'dispatcher_1'),
      key: 'f118-cluster-config-map/org.apache.flink.k8s.leader.dispatcher',
      locator: 'flink/f118-cluster-config-map/org.apache.flink.k8s.leader.dispatcher',
    })
    expect(find(r, 'job_master', J1).key).toBe(`f118-cluster-config-map/org.apache.flink.k8s.leader.job-${J1}`)
    expect(r.leases).toHaveLength(1)
    expect(r.leases[0]).toMatchObject({configMap: 'f118-cluster-config-map', leaseDurationSeconds: 60, leaderTransitions: 3, valid: true})
    expect(r.leases[0].ageSeconds).toBeLessThan(60)
    // The operator's autoscaler map and the Deployment's flink-config map are never HA data.
    expect(JSON.stringify(r)).not.toMatch(/autoscaler-f118|flink-config-f118/)

    const table = await haadm(['leaders', ...env.flags('f118')])
    expect(table.code).toBe(0)
    expect(table.stdout).toContain('cluster f118 (kubernetes namespace flink)')
    expect(table.stdout).toContain('LEASE HOLDER')
    expect(table.stdout).toContain(`job ${J1}`)
    expect(table.stdout).toMatch(/lease f118-cluster-config-map: .*renewed .* ago, duration 60s, 3 transition\(s\): valid/)
  })

  it('1.15-1.17: bare job id keys; an expired lease means dead, and says since when', async () => {
    const r = (await leaders('f115')).json.result
    expect(find(r, 'dispatcher')).toMatchObject({status: 'leader', address: rpc('akka.tcp', 'dispatcher_1'), alive: false})
    expect(find(r, 'dispatcher').evidence).toMatch(/expired (59m|1h).* ago \(renewed 1h 0m ago, duration 15s\)/)
    expect(find(r, 'job_master', J2)).toMatchObject({layout: '1.15-1.18', sessionId: S2, alive: false})
    expect(find(r, 'resource_manager')).toMatchObject({status: 'no-leader', owner: null, since: null})
  })

  it('legacy layout: one map per component with address and sessionId, each with its own lease', async () => {
    const r = (await leaders('legacy')).json.result
    expect(r.leaders.map((l: any) => [l.component, l.jobId, l.layout, l.status])).toEqual([
      ['dispatcher', null, 'legacy-1.15', 'leader'],
      ['resource_manager', null, 'legacy-1.15', 'leader'],
      ['rest_server', null, 'legacy-1.15', 'no-leader'],
      ['job_master', J1, 'legacy-1.15', 'leader'],
    ])
    expect(find(r, 'resource_manager')).toMatchObject({sessionId: S2, key: 'legacy-resourcemanager-leader/address', alive: true})
    expect(find(r, 'job_master', J1)).toMatchObject({sessionId: S1, address: rpc('akka.tcp', 'jobmanager_3'), alive: true})
    expect(r.leases.map((l: any) => l.configMap)).toEqual([`legacy-${J1}-jobmanager-leader`, 'legacy-dispatcher-leader', 'legacy-resourcemanager-leader'])
  })

  it('a corrupt leader value is undecodable with the reason; a released lease is not alive', async () => {
    const res = await leaders('broken')
    expect(res.code).toBe(0)
    const r = res.json.result
    expect(find(r, 'rest_server')).toMatchObject({status: 'undecodable', alive: false})
    expect(find(r, 'rest_server').problem).toContain('no "," between the leader session id and the address')
    expect(res.json.warnings.join('\n')).toContain('broken-cluster-config-map/org.apache.flink.k8s.leader.restserver')
    expect(find(r, 'dispatcher')).toMatchObject({status: 'leader', alive: false, owner: null})
    expect(find(r, 'dispatcher').evidence).toContain('released (no holder)')
    const table = await haadm(['leaders', ...env.flags('broken')])
    expect(table.stdout).toContain('undecodable')
  })

  it('reads the kubeconfig from KUBECONFIG and the namespace from its context', async () => {
    const res = await haadm(['leaders', '--backend', 'kubernetes', '--cluster-id', 'f118', '--json'], {env: {KUBECONFIG: env.kubeconfig}})
    expect(res.code).toBe(0)
    expect(res.json.result.root).toBe('flink')
  })

  it('tokens from files: kubectl\'s tokenFile and client-node\'s token-file, trailing newline and all', async () => {
    const tokenFile = join(env.dir, 'token')
    writeFileSync(tokenFile, `${env.server.token}\n`)
    for (const key of ['tokenFile', 'token-file']) {
      const config = JSON.parse(readFileSync(env.kubeconfig, 'utf8'))
      config.users[0].user = {[key]: tokenFile}
      const file = join(env.dir, `kubeconfig-${key}`)
      writeFileSync(file, JSON.stringify(config))
      const res = await haadm(['leaders', '--backend', 'kubernetes', '--cluster-id', 'f118', '--kubeconfig', file, '--json'])
      expect(res.stderr, key).toBe('')
      expect(res.code, key).toBe(0)
    }
  })
})

describe('bad input on Kubernetes: one line, a hint, the documented exit code', () => {
  const expectOneLine = (stderr: string) => {
    const lines = stderr.trim().split('\n')
    expect(lines[0]).toMatch(/^error: /)
    expect(lines[1]).toMatch(/^hint: /)
    expect(lines).toHaveLength(2)
  }

  it('a cluster id with no maps names the app labels that exist (exit 3)', async () => {
    const res = await haadm(['leaders', ...env.flags('absent')])
    expect(res.code).toBe(3)
    expectOneLine(res.stderr)
    expect(res.stderr).toContain('no HA ConfigMaps of cluster absent in namespace flink')
    expect(res.stderr).toMatch(/Cluster ids \(app labels\) in namespace flink: .*f115.*f118/)
    const json = await leaders('absent')
    expect(json.json.error).toMatchObject({code: 'CLUSTER_NOT_FOUND'})
    expect(json.json.error.details.clusterIds).toEqual(expect.arrayContaining(['f118', 'legacy']))
  })

  it('only non-HA maps of a cluster id: not found, saying which maps were skipped', async () => {
    await env.apply(['cluster onlycfg 1.18', 'flink-config', 'autoscaler'])
    const res = await haadm(['leaders', ...env.flags('onlycfg')])
    expect(res.code).toBe(3)
    expect(res.stderr).toContain('only autoscaler-onlycfg, flink-config-onlycfg, which are not HA data')
  })

  it('a namespace that does not exist (exit 3)', async () => {
    const res = await haadm(['leaders', ...env.flags('f118', 'nope')])
    expect(res.code).toBe(3)
    expectOneLine(res.stderr)
    expect(res.stderr).toContain('namespace nope does not exist')
    expect((await haadm(['leaders', ...env.flags('f118', 'nope'), '--json'])).json.error.code).toBe('K8S_NAMESPACE_NOT_FOUND')
  })

  it('no kubeconfig at all is a usage error (exit 2)', async () => {
    const res = await haadm(['leaders', '--backend', 'kubernetes', '--cluster-id', 'f118'], {env: {HOME: env.dir}})
    expect(res.code).toBe(2)
    expectOneLine(res.stderr)
    expect(res.stderr).toContain('no kubeconfig')
    const missing = await haadm(['leaders', '--backend', 'kubernetes', '--cluster-id', 'f118', '--kubeconfig', join(env.dir, 'nope')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('does not exist')
    const garbage = join(env.dir, 'garbage')
    writeFileSync(garbage, ': : not yaml [')
    const invalid = await haadm(['leaders', '--backend', 'kubernetes', '--cluster-id', 'f118', '--kubeconfig', garbage])
    expect(invalid.code).toBe(2)
    expectOneLine(invalid.stderr)
  })

  it('an unknown context is a usage error naming the contexts (exit 2)', async () => {
    const res = await haadm(['leaders', ...env.flags('f118'), '--context', 'prod'])
    expect(res.code).toBe(2)
    expectOneLine(res.stderr)
    expect(res.stderr).toContain('no context "prod"')
    expect(res.stderr).toContain('test')
  })

  it('401 (exit 3) and 403 naming verb and resource (exit 3)', async () => {
    const bad = env.server.writeKubeconfig(env.dir, {file: 'bad-token', token: 'wrong', namespace: 'flink'})
    const unauth = await haadm(['leaders', '--backend', 'kubernetes', '--kubeconfig', bad, '--cluster-id', 'f118'])
    expect(unauth.code).toBe(3)
    expectOneLine(unauth.stderr)
    expect(unauth.stderr).toContain('401 Unauthorized')
    const noList = env.server.writeKubeconfig(env.dir, {file: 'no-list', token: 'no-list', namespace: 'flink'})
    const forbidden = await haadm(['leaders', '--backend', 'kubernetes', '--kubeconfig', noList, '--cluster-id', 'f118', '--json'])
    expect(forbidden.code).toBe(3)
    expect(forbidden.json.error).toMatchObject({code: 'K8S_FORBIDDEN', details: {verb: 'list', resource: 'configmaps', namespace: 'flink'}})
    expect(forbidden.json.error.message).toContain('not allowed to list configmaps in namespace flink')
    expect(forbidden.json.error.hint).toContain('"list" on "configmaps"')
  })

  it('an unreachable server fails fast (exit 3)', async () => {
    const dead = env.server.writeKubeconfig(env.dir, {file: 'dead', server: 'https://127.0.0.1:1', namespace: 'flink'})
    const res = await haadm(['leaders', '--backend', 'kubernetes', '--kubeconfig', dead, '--cluster-id', 'f118'])
    expect(res.code).toBe(3)
    expectOneLine(res.stderr)
    expect(res.stderr).toContain('cannot reach the Kubernetes API server at https://127.0.0.1:1')
    expect(res.ms).toBeLessThan(10_000)
  })

  it('a server whose certificate is not trusted: exit 3 with a hint about the CA', async () => {
    const file = join(env.dir, 'untrusted')
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{name: 'c', cluster: {server: env.server.url}}],
        users: [{name: 'u', user: {token: env.server.token}}],
        contexts: [{name: 'x', context: {cluster: 'c', user: 'u', namespace: 'flink'}}],
        'current-context': 'x',
      }),
    )
    const res = await haadm(['leaders', '--backend', 'kubernetes', '--kubeconfig', file, '--cluster-id', 'f118'])
    expect(res.code).toBe(3)
    expect(res.stderr).toContain('certificate')
  })
})
