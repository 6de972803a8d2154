// Kubernetes sign-in without @kubernetes/client-node: exec credential plugins (a fake plugin
// script: token, client certificate, failure with stderr, not found, invalid JSON, expired
// credential refreshed, 401 refreshed) and proxies (the cluster's proxy-url, HTTPS_PROXY and
// NO_PROXY as client-go reads them, through a CONNECT proxy of the test's own), through the built
// CLI against the test API server, with kubectl given the same kubeconfig as a witness.

import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {type ConnectProxy, startConnectProxy} from '../support/connect-proxy.js'
import {KUBECTL, type K8sEnv, run, startK8sEnv} from '../support/k8s-fixture.js'

const S1 = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'
const V1 = 'client.authentication.k8s.io/v1'
const V1BETA1 = 'client.authentication.k8s.io/v1beta1'

let env: K8sEnv
let proxy: ConnectProxy
let client: {cert: string; key: string}
let n = 0

beforeAll(async () => {
  env = await startK8sEnv({tokens: {'test-token': {}, 'exec-token': {}, 'exec-token-2': {}}})
  await env.apply(['cluster signin 1.18', `leader dispatcher ${S1} pekko.tcp://flink@jm-0:6123/user/rpc/dispatcher_1`])
  proxy = await startConnectProxy()
  // A client certificate the server accepts as a credential.
  const dir = join(env.dir, 'client-cert')
  mkdirSync(dir)
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=haadm-exec', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {stdio: 'ignore'})
  client = {cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8')}
  env.server.allowClientCertificate(client.cert)
})
afterAll(async () => {
  await proxy?.stop()
  await env?.stop()
})

/**
 * A fake exec plugin: a shell script in a directory of its own that appends its
 * KUBERNETES_EXEC_INFO and environment to `runs.log` and prints the n-th of `answers` (the last
 * one again after that); an answer `exit N: text` writes text to stderr and exits N.
 */
function plugin(answers: string[]): {dir: string; runs: () => Array<{info: any; env: string}>} {
  const dir = join(env.dir, `plugin-${++n}`)
  mkdirSync(dir)
  answers.forEach((a, i) => writeFileSync(join(dir, `answer-${i + 1}`), a))
  writeFileSync(
    join(dir, 'plugin.sh'),
    [
      '#!/bin/sh',
      'here=$(dirname "$0")',
      'count=$(($(cat "$here/count" 2>/dev/null || echo 0) + 1)); echo $count > "$here/count"',
      // kubectl's KUBERNETES_EXEC_INFO ends with a newline: one line per run, in base64
      `printf '%s\\t%s\\n' "$(printf '%s' "$KUBERNETES_EXEC_INFO" | base64 -w0)" "$HAADM_PLUGIN_ENV" >> "$here/runs.log"`,
      `file="$here/answer-$count"; [ -f "$file" ] || file="$here/answer-${answers.length}"`,
      'answer=$(cat "$file")',
      'case "$answer" in',
      '  exit\\ *) code=${answer#exit }; code=${code%%:*}; echo "${answer#*: }" >&2; exit $code ;;',
      'esac',
      'printf "%s\\n" "$answer"',
    ].join('\n'),
  )
  chmodSync(join(dir, 'plugin.sh'), 0o755)
  return {
    dir,
    runs: () =>
      existsSync(join(dir, 'runs.log'))
        ? readFileSync(join(dir, 'runs.log'), 'utf8').trim().split('\n').map((l) => ({info: JSON.parse(Buffer.from(l.split('\t')[0], 'base64').toString('utf8')), env: l.split('\t')[1]}))
        : [],
  }
}

const credential = (status: Record<string, unknown>, apiVersion = V1) => JSON.stringify({apiVersion, kind: 'ExecCredential', status})

/** A kubeconfig in the plugin's directory whose user runs `exec` (the command relative to it by default). */
function kubeconfig(dir: string, exec: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const file = join(dir, 'kubeconfig')
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{name: 'c', cluster: {server: env.server.url, 'certificate-authority-data': Buffer.from(env.server.caPem).toString('base64'), ...cluster}}],
      users: [{name: 'eks-user', user: {exec: {command: './plugin.sh', ...exec}}}],
      contexts: [{name: 'eks', context: {cluster: 'c', user: 'eks-user', namespace: 'flink'}}],
      'current-context': 'eks',
    }),
  )
  return file
}

const leaders = (file: string, extra: string[] = [], extraEnv: Record<string, string> = {}) =>
  haadm(['leaders', '--backend', 'kubernetes', '--kubeconfig', file, '--cluster-id', 'signin', '--json', ...extra], {
    env: {NODE_DEBUG: 'haadm', HAADM_PLUGIN_ENV: 'from-haadm', ...extraEnv},
  })
const dispatcher = (json: any) => json.result.leaders.find((l: any) => l.component === 'dispatcher')
/** NODE_DEBUG=haadm says so when the kubeconfig goes to client-node. */
const usedClientNode = (stderr: string) => /using @kubernetes\/client-node/.test(stderr)

describe('exec credential plugins, without client-node', () => {
  it('a token (v1): the plugin gets its env and the cluster info, and kubectl agrees', async () => {
    const p = plugin([credential({token: 'exec-token'})])
    const file = kubeconfig(
      p.dir,
      {apiVersion: V1, args: ['--region', 'eu'], env: [{name: 'HAADM_PLUGIN_ENV', value: 'from-kubeconfig'}], interactiveMode: 'Never', provideClusterInfo: true},
      {extensions: [{name: 'client.authentication.k8s.io/exec', extension: {audience: 'haadm-test'}}]},
    )
    const res = await leaders(file)
    expect(res.code, res.stderr).toBe(0)
    expect(usedClientNode(res.stderr)).toBe(false)
    expect(dispatcher(res.json).sessionId).toBe(S1)
    const runs = p.runs()
    expect(runs).toHaveLength(1)
    expect(runs[0].env).toBe('from-kubeconfig')
    expect(runs[0].info).toEqual({
      kind: 'ExecCredential',
      apiVersion: V1,
      spec: {
        interactive: false,
        cluster: {server: env.server.url, 'certificate-authority-data': Buffer.from(env.server.caPem).toString('base64'), config: {audience: 'haadm-test'}},
      },
    })
    const witness = await env.kubectl(['get', 'cm', '-l', 'app=signin', '-o', 'name'], {kubeconfig: file})
    expect(witness.code, witness.stderr).toBe(0)
    expect(witness.stdout).toContain('configmap/signin-cluster-config-map')
    // kubectl sent the same ExecCredential (its cluster info has the same fields)
    expect(p.runs()[1].info.spec.cluster).toMatchObject(runs[0].info.spec.cluster)
  })

  it('v1beta1 without interactiveMode (IfAvailable; no terminal here, so not interactive), no cluster info', async () => {
    const p = plugin([credential({token: 'exec-token'}, V1BETA1)])
    const res = await leaders(kubeconfig(p.dir, {apiVersion: V1BETA1}))
    expect(res.code, res.stderr).toBe(0)
    expect(p.runs()[0].info).toEqual({kind: 'ExecCredential', apiVersion: V1BETA1, spec: {interactive: false}})
  })

  it('a client certificate and key', async () => {
    const p = plugin([credential({clientCertificateData: client.cert, clientKeyData: client.key})])
    const file = kubeconfig(p.dir, {apiVersion: V1, interactiveMode: 'IfAvailable'})
    const res = await leaders(file)
    expect(res.code, res.stderr).toBe(0)
    expect(dispatcher(res.json).sessionId).toBe(S1)
    const witness = await env.kubectl(['get', 'cm', 'signin-cluster-config-map', '-o', 'name'], {kubeconfig: file})
    expect(witness.code, witness.stderr).toBe(0)
  })

  it('an expired credential is refreshed before the next request; one without expiry is used for the whole run', async () => {
    // cluster id `nosuch`: the not-found path makes three requests (list, namespace, list of app labels)
    const run = (file: string) => haadm(['leaders', '--backend', 'kubernetes', '--kubeconfig', file, '--cluster-id', 'nosuch', '--json'])
    const expired = plugin([credential({token: 'exec-token', expirationTimestamp: '2020-01-01T00:00:00Z'})])
    const r1 = await run(kubeconfig(expired.dir, {apiVersion: V1, interactiveMode: 'Never'}))
    expect(r1.json.error.code, r1.stderr).toBe('CLUSTER_NOT_FOUND')
    expect(expired.runs().length).toBe(3)
    const valid = plugin([credential({token: 'exec-token', expirationTimestamp: '2999-01-01T00:00:00Z'})])
    const r2 = await run(kubeconfig(valid.dir, {apiVersion: V1, interactiveMode: 'Never'}))
    expect(r2.json.error.code).toBe('CLUSTER_NOT_FOUND')
    expect(valid.runs().length).toBe(1)
  })

  it('a token the server rejects (401) is refreshed once and the request sent again', async () => {
    const p = plugin([credential({token: 'revoked-token'}), credential({token: 'exec-token-2'})])
    const res = await leaders(kubeconfig(p.dir, {apiVersion: V1, interactiveMode: 'Never'}))
    expect(res.code, res.stderr).toBe(0)
    expect(p.runs()).toHaveLength(2)
  })

  it('a token that stays rejected: exit 3, 401', async () => {
    const p = plugin([credential({token: 'revoked-token'})])
    const res = await leaders(kubeconfig(p.dir, {apiVersion: V1, interactiveMode: 'Never'}))
    expect(res.code).toBe(3)
    expect(res.json.error.code).toBe('K8S_UNAUTHORIZED')
    expect(p.runs()).toHaveLength(2)
  })
})

describe('exec plugin bad input: one line, exit 3 (2 for a kubeconfig client-go refuses)', () => {
  const bad: Array<[string, () => {file: string}, number, RegExp, RegExp?]> = [
    [
      'fails with its stderr in the message',
      () => {
        const p = plugin(['exit 4: error: SSO session expired; run aws sso login'])
        return {file: kubeconfig(p.dir, {apiVersion: V1, interactiveMode: 'Never'})}
      },
      3,
      /exec plugin \.\/plugin\.sh of user "eks-user": failed with exit code 4: error: SSO session expired; run aws sso login/,
    ],
    [
      'not found, with the installHint as the hint',
      () => {
        const p = plugin([''])
        return {file: kubeconfig(p.dir, {apiVersion: V1, interactiveMode: 'Never', command: 'haadm-test-no-such-plugin', installHint: 'Install it with your package manager.'})}
      },
      3,
      /executable haadm-test-no-such-plugin not found/,
      /Install it with your package manager/,
    ],
    [
      'prints invalid JSON',
      () => {
        const p = plugin(['{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {"token": '])
        return {file: kubeconfig(p.dir, {apiVersion: V1, interactiveMode: 'Never'})}
      },
      3,
      /printed no valid ExecCredential JSON/,
    ],
    [
      'answers with another apiVersion',
      () => {
        const p = plugin([credential({token: 'exec-token'}, V1BETA1)])
        return {file: kubeconfig(p.dir, {apiVersion: V1, interactiveMode: 'Never'})}
      },
      3,
      /configured to use API version client\.authentication\.k8s\.io\/v1, plugin returned version "client\.authentication\.k8s\.io\/v1beta1"/,
    ],
    [
      'returns a certificate without its key',
      () => {
        const p = plugin([credential({clientCertificateData: 'x'})])
        return {file: kubeconfig(p.dir, {apiVersion: V1, interactiveMode: 'Never'})}
      },
      3,
      /only certificate or key, not both/,
    ],
    [
      'interactiveMode Always without a terminal',
      () => {
        const p = plugin([credential({token: 'exec-token'})])
        return {file: kubeconfig(p.dir, {apiVersion: V1, interactiveMode: 'Always'})}
      },
      3,
      /standard input is not a terminal/,
    ],
    [
      'v1 without interactiveMode',
      () => {
        const p = plugin([credential({token: 'exec-token'})])
        return {file: kubeconfig(p.dir, {apiVersion: V1})}
      },
      2,
      /no interactiveMode/,
    ],
    [
      'an apiVersion client-go no longer knows',
      () => {
        const p = plugin([credential({token: 'exec-token'})])
        return {file: kubeconfig(p.dir, {apiVersion: 'client.authentication.k8s.io/v1alpha1'})}
      },
      2,
      /apiVersion "client\.authentication\.k8s\.io\/v1alpha1" is not supported/,
    ],
  ]
  for (const [name, make, code, message, hint] of bad)
    it(name, async () => {
      const {file} = make()
      const res = await haadm(['leaders', '--backend', 'kubernetes', '--kubeconfig', file, '--cluster-id', 'signin'])
      expect(res.code, res.stderr).toBe(code)
      const lines = res.stderr.trim().split('\n')
      expect(lines[0]).toMatch(/^error: /)
      expect(lines[0]).toMatch(message)
      if (hint) expect(lines[1]).toMatch(hint)
      expect(res.stderr).not.toMatch(/\n\s+at /)
      // kubectl refuses too
      expect((await env.kubectl(['get', 'cm', '-o', 'name'], {kubeconfig: file})).code).not.toBe(0)
    })
})

describe('proxies', () => {
  const tokenKubeconfig = (name: string, cluster: Record<string, unknown>) => {
    const dir = join(env.dir, `proxy-${name}`)
    mkdirSync(dir, {recursive: true})
    const file = join(dir, 'kubeconfig')
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{name: 'c', cluster: {server: env.server.url, 'certificate-authority-data': Buffer.from(env.server.caPem).toString('base64'), ...cluster}}],
        users: [{name: 'u', user: {token: env.server.token}}],
        contexts: [{name: 'ctx', context: {cluster: 'c', user: 'u', namespace: 'flink'}}],
        'current-context': 'ctx',
      }),
    )
    return file
  }
  const port = () => new URL(env.server.url).port

  it("the cluster's proxy-url: a CONNECT tunnel, even to loopback, as kubectl does", async () => {
    proxy.seen.length = 0
    const file = tokenKubeconfig('url', {'proxy-url': proxy.url})
    const res = await leaders(file)
    expect(res.code, res.stderr).toBe(0)
    expect(usedClientNode(res.stderr)).toBe(false)
    expect(proxy.seen).toContain(`CONNECT 127.0.0.1:${port()}`)
    proxy.seen.length = 0
    expect((await env.kubectl(['get', 'cm', '-o', 'name'], {kubeconfig: file})).code).toBe(0)
    expect(proxy.seen).toContain(`CONNECT 127.0.0.1:${port()}`)
  })

  it('HTTPS_PROXY for a server name only the proxy resolves; NO_PROXY and loopback go direct', async () => {
    // kube.haadm.test is resolved by nobody but the proxy (which maps every name to 127.0.0.1)
    const file = tokenKubeconfig('env', {server: `https://kube.haadm.test:${port()}`, 'tls-server-name': 'localhost'})
    proxy.seen.length = 0
    const res = await leaders(file, [], {HTTPS_PROXY: proxy.url})
    expect(res.code, res.stderr).toBe(0)
    expect(proxy.seen).toEqual([`CONNECT kube.haadm.test:${port()}`])
    // kubectl does the same
    proxy.seen.length = 0
    const witness = await run(KUBECTL, ['get', 'cm', '-o', 'name'], {KUBECONFIG: file, HOME: join(env.dir, 'home'), HTTPS_PROXY: proxy.url})
    expect(witness.code, witness.stderr).toBe(0)
    expect(proxy.seen.every((s) => s === `CONNECT kube.haadm.test:${port()}`)).toBe(true)
    // a server on loopback never goes through an environment proxy
    proxy.seen.length = 0
    const direct = await leaders(tokenKubeconfig('loopback', {}), [], {HTTPS_PROXY: proxy.url})
    expect(direct.code, direct.stderr).toBe(0)
    expect(proxy.seen).toEqual([])
  })

  it('proxy credentials from the proxy URL; a proxy that refuses the tunnel is exit 3', async () => {
    proxy.credentials = 'squid:s3cret'
    try {
      const denied = await leaders(tokenKubeconfig('auth-missing', {'proxy-url': proxy.url}))
      expect(denied.code).toBe(3)
      expect(denied.json.error.message).toMatch(/proxy 127\.0\.0\.1:\d+ refused CONNECT .*407/)
      const res = await leaders(tokenKubeconfig('auth', {'proxy-url': `http://squid:s3cret@127.0.0.1:${proxy.port}`}))
      expect(res.code, res.stderr).toBe(0)
      expect(res.stdout + res.stderr).not.toContain('s3cret')
    } finally {
      proxy.credentials = undefined
    }
    proxy.refuse = true
    try {
      const res = await leaders(tokenKubeconfig('refused', {'proxy-url': proxy.url}))
      expect(res.code).toBe(3)
      expect(res.json.error.message).toMatch(/refused CONNECT 127\.0\.0\.1:\d+: HTTP\/1\.1 403 Forbidden/)
    } finally {
      proxy.refuse = false
    }
  })

  it('an http server through an HTTP_PROXY (absolute-form requests)', async () => {
    const file = tokenKubeconfig('http', {server: `http://kube.haadm.test:${new URL(env.server.httpUrl).port}`, 'insecure-skip-tls-verify': true, 'certificate-authority-data': undefined})
    proxy.seen.length = 0
    const res = await leaders(file, [], {HTTP_PROXY: proxy.url})
    // As kubectl: no token over plain http (the server then answers 401), but the request went through the proxy.
    expect(res.stderr).toContain('is plain http://: its token or password is not sent')
    expect(res.code, res.stderr).toBe(3)
    expect(proxy.seen[0]).toMatch(/^GET http:\/\/kube\.haadm\.test:\d+\/api\/v1\/namespaces\/flink\/configmaps\?/)
  })

  it('a socks5 proxy-url: a usage error naming it', async () => {
    const res = await leaders(tokenKubeconfig('socks', {'proxy-url': 'socks5://127.0.0.1:1080'}))
    expect(res.code).toBe(2)
    expect(res.json.error.message).toMatch(/socks5 proxies are not supported/)
  })
})
