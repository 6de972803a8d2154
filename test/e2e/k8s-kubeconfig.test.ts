// Several kubeconfig files in KUBECONFIG, merged with kubectl's rules, through the built CLI
// against the test API server, and kubectl given the same files as a witness: the first file that
// defines a name wins, current-context comes from the first file that sets one, and relative paths
// resolve against the directory of the file that defined the entry. Once through the fast reader,
// once through client-node (an impersonating user), once with an exec plugin.

import {mkdirSync, writeFileSync} from 'node:fs'
import {delimiter, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'

const S1 = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'

let env: K8sEnv
beforeAll(async () => {
  env = await startK8sEnv({tokens: {'test-token': {}, 'exec-token': {}}})
  await env.apply(['cluster multi 1.18', `leader dispatcher ${S1} pekko.tcp://flink@jm-0:6123/user/rpc/dispatcher_1`])
})
afterAll(async () => {
  await env?.stop()
})

/**
 * Two kubeconfigs in directories of their own that both define the user `admin` and the context
 * `flink`. The first file's entries win: its admin (`user`), its flink context (namespace flink),
 * and no current-context; the second file gives the current context and the only definition of
 * the cluster `kind`, whose CA is a path relative to the second file's directory. Every entry of
 * the second file that loses would break the connection: a token the server refuses, a namespace
 * that does not exist.
 */
function kubeconfigs(name: string, user: Record<string, unknown>): string {
  const one = join(env.dir, name, 'one')
  const two = join(env.dir, name, 'two')
  mkdirSync(join(two, 'pki'), {recursive: true})
  mkdirSync(one, {recursive: true})
  writeFileSync(join(two, 'pki', 'ca.crt'), env.server.caPem)
  writeFileSync(
    join(one, 'config'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      users: [{name: 'admin', user}],
      contexts: [{name: 'flink', context: {cluster: 'kind', user: 'admin', namespace: 'flink'}}],
    }),
  )
  writeFileSync(
    join(two, 'config'),
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: kind',
      '  cluster:',
      `    server: ${env.server.url}`,
      '    certificate-authority: pki/ca.crt',
      'users:',
      '- name: admin',
      '  user:',
      '    token: not-a-token-the-server-knows',
      'contexts:',
      '- name: flink',
      '  context: {cluster: kind, user: admin, namespace: nowhere}',
      'current-context: flink',
      '',
    ].join('\n'),
  )
  return [join(one, 'config'), join(two, 'config')].join(delimiter)
}

const leaders = (kubeconfig: string) =>
  haadm(['leaders', '--backend', 'kubernetes', '--cluster-id', 'multi', '--json'], {env: {KUBECONFIG: kubeconfig, HOME: env.dir, NODE_DEBUG: 'haadm'}})

describe('several kubeconfig files with the same names, as kubectl merges them', () => {
  it('the fast reader: the first definition wins, the current context of the second file, its relative CA path', async () => {
    const kubeconfig = kubeconfigs('token', {token: env.server.token})
    const res = await leaders(kubeconfig)
    expect(res.code, res.stderr).toBe(0)
    expect(res.stderr).not.toContain('@kubernetes/client-node')
    expect(res.json.result).toMatchObject({backend: 'kubernetes', clusterId: 'multi'})
    expect(res.json.result.leaders.find((l: any) => l.component === 'dispatcher')).toMatchObject({status: 'leader', sessionId: S1})
    // kubectl reads the files the same way
    const kubectl = await env.kubectl(['get', 'configmaps', '-o', 'name'], {kubeconfig})
    expect(kubectl.stderr).toBe('')
    expect(kubectl.stdout).toContain('configmap/multi-cluster-config-map')
  })

  it('an exec user in the winning entry (run without client-node): merged with the same rules', async () => {
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: ['-e', "console.log(JSON.stringify({apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: {token: 'exec-token'}}))"],
      interactiveMode: 'Never',
    }
    const kubeconfig = kubeconfigs('exec', {exec})
    const res = await leaders(kubeconfig)
    expect(res.code, res.stderr).toBe(0)
    expect(res.stderr).not.toContain('using @kubernetes/client-node')
    expect(res.json.result.leaders.find((l: any) => l.component === 'dispatcher')).toMatchObject({status: 'leader', sessionId: S1})
    expect(env.server.requests.some((r) => r.status === 401)).toBe(false)
    const kubectl = await env.kubectl(['get', 'configmaps', '-o', 'name'], {kubeconfig})
    expect(kubectl.stderr).toBe('')
    expect(kubectl.stdout).toContain('configmap/multi-cluster-config-map')
  })

  it('client-node (a user with impersonation in the winning entry): merged with the same rules', async () => {
    const kubeconfig = kubeconfigs('as', {token: 'exec-token', 'as-groups': ['system:authenticated']})
    const res = await leaders(kubeconfig)
    expect(res.code, res.stderr).toBe(0)
    expect(res.stderr).toContain('using @kubernetes/client-node')
    expect(res.json.result.leaders.find((l: any) => l.component === 'dispatcher')).toMatchObject({status: 'leader', sessionId: S1})
  })
})
