/**
 * The kubeconfig reader of src/backends/kubernetes/kubeconfig.ts against @kubernetes/client-node's
 * KubeConfig (loadFromFile for each file, setCurrentContext, getCurrentCluster, getContextObject,
 * applyToHTTPSOptions), with several files merged by kubectl's rules: same server, namespace, TLS
 * options and credentials for every kubeconfig it reads, null for those it leaves to client-node,
 * and the same errors.
 */
import {KubeConfig} from '@kubernetes/client-node'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import type {RequestOptions} from 'node:https'
import {tmpdir} from 'node:os'
import {delimiter, dirname, join} from 'node:path'
import {stringify} from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {connectKube, kubeSettings} from '../../src/backends/kubernetes/client.js'
import {type KubeSettings, kubeconfigFiles, readKubeconfig} from '../../src/backends/kubernetes/kubeconfig.js'
import {resolveTarget} from '../../src/config/resolve.js'
import type {Target} from '../../src/config/target.js'
import {HaadmError} from '../../src/errors.js'

let root: string
let n = 0
const savedHome = process.env.HOME

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'haadm-kubeconfig-'))
  // No ~/.kube/config of the machine running the tests, and no in-cluster account.
  process.env.HOME = join(root, 'home')
  mkdirSync(process.env.HOME)
  delete process.env.KUBERNETES_SERVICE_HOST
})
afterAll(() => {
  process.env.HOME = savedHome
  rmSync(root, {recursive: true, force: true})
})

const pem = (what: string) => `-----BEGIN ${what}-----\n${Buffer.from(`${what} of haadm's tests`).toString('base64')}\n-----END ${what}-----\n`
const b64 = (s: string) => Buffer.from(s).toString('base64')

/** A user whose exec plugin (this Node) prints an ExecCredential with the token. */
const execUser = (token: string) => ({
  exec: {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: process.execPath,
    args: ['-e', `console.log(JSON.stringify({apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: {token: ${JSON.stringify(token)}}}))`],
    interactiveMode: 'Never',
  },
})

/** A fresh directory with the CA, client certificate, key and token files kubeconfigs name. */
function freshDir(): string {
  const dir = join(root, `case-${++n}`)
  mkdirSync(join(dir, 'certs'), {recursive: true})
  writeFileSync(join(dir, 'certs', 'ca.crt'), pem(`CA ${n}`))
  writeFileSync(join(dir, 'certs', 'client.crt'), pem(`CERTIFICATE ${n}`))
  writeFileSync(join(dir, 'certs', 'client.key'), pem(`PRIVATE KEY ${n}`))
  writeFileSync(join(dir, 'token'), `token-from-file-${n}`)
  return dir
}

function write(file: string, config: unknown, format: 'yaml' | 'json'): string {
  mkdirSync(dirname(file), {recursive: true})
  writeFileSync(file, typeof config === 'string' ? config : format === 'json' ? JSON.stringify(config, null, 2) : stringify(config))
  return file
}

function target(o: {kubeconfig?: string; env?: string; context?: string; namespace?: string}): Target {
  return resolveTarget({
    flags: {backend: 'kubernetes', 'cluster-id': 'c1', kubeconfig: o.kubeconfig, context: o.context, namespace: o.namespace},
    env: o.env === undefined ? {} : {KUBECONFIG: o.env},
  })
}

/** What connectKube takes from the kubeconfig. */
function view(server: string, namespace: string | undefined, opts: RequestOptions) {
  const text = (b: unknown) => (b === undefined ? undefined : Buffer.isBuffer(b) ? b.toString('utf8') : String(b))
  const headers = (opts.headers ?? {}) as Record<string, string>
  return {
    server,
    namespace,
    ca: text(opts.ca),
    cert: text(opts.cert),
    key: text(opts.key),
    rejectUnauthorized: opts.rejectUnauthorized,
    servername: opts.servername,
    authorization: opts.auth ? `Basic ${b64(opts.auth)}` : headers.Authorization,
  }
}

/**
 * client-node's KubeConfig, each file loaded on its own (loadFromFile resolves its relative paths),
 * merged as client-go's ClientConfigLoadingRules.Load merges (written here apart from client.ts's
 * mergeKubeConfigs, the way client-go does it): the files in reverse order, each one's entries
 * overriding those of the same name, so that the first file that defines a name wins, and the first
 * non-empty current-context. Within one file the first entry of a name wins, as client-node's
 * findObject reads it.
 */
function kubectlMerge(files: string[]): KubeConfig {
  const clusters = new Map<string, unknown>()
  const users = new Map<string, unknown>()
  const contexts = new Map<string, unknown>()
  let currentContext = ''
  for (const file of [...files].reverse()) {
    const one = new KubeConfig()
    one.loadFromFile(file)
    for (const [map, list] of [
      [clusters, one.getClusters()],
      [users, one.getUsers()],
      [contexts, one.getContexts()],
    ] as const) {
      const mine = new Map<string, unknown>()
      for (const e of [...list].reverse()) mine.set(e.name, e)
      for (const [name, e] of mine) map.set(name, e)
    }
    if (one.getCurrentContext()) currentContext = one.getCurrentContext()
  }
  const kc = new KubeConfig()
  kc.loadFromOptions({clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext})
  return kc
}

/** What client-node gives for the files (see kubectlMerge). */
async function clientNode(files: string[], context?: string) {
  const kc = kubectlMerge(files)
  if (context !== undefined) kc.setCurrentContext(context)
  const opts: RequestOptions = {}
  await kc.applyToHTTPSOptions(opts)
  return view(kc.getCurrentCluster()!.server, kc.getContextObject(kc.getCurrentContext())?.namespace, opts)
}

async function fast(t: Target): Promise<KubeSettings | null> {
  return readKubeconfig(t, kubeconfigFiles(t))
}

async function viewOf(s: KubeSettings) {
  return view(s.server, s.namespace, await s.httpsOptions())
}

/** Asserts the fast reader reads the target's kubeconfig and agrees with client-node; returns what it read. */
async function expectSame(t: Target) {
  const files = kubeconfigFiles(t)
  const expected = await clientNode(files, t.kubernetes.context?.value)
  const s = await fast(t)
  expect(s, 'the fast reader declined').not.toBeNull()
  const got = await viewOf(s!)
  expect(got).toEqual(expected)
  // and through client.ts, either way
  expect(await viewOf(await kubeSettings(t))).toEqual(expected)
  expect(await viewOf(await kubeSettings(t, {clientNode: true}))).toEqual(expected)
  return got
}

/** The error a promise rejects with, as the CLI shows it. */
async function failure(p: Promise<unknown>) {
  try {
    await p
  } catch (err) {
    if (!(err instanceof HaadmError)) return {error: String(err)}
    return {code: err.code, message: err.message, hint: err.hint, exit: err.exit, details: err.details}
  }
  throw new Error('no error')
}

/** Asserts both readers fail alike, and returns the error. */
async function expectSameError(t: Target) {
  const mine = await failure(kubeSettings(t))
  expect(mine).toEqual(await failure(kubeSettings(t, {clientNode: true})))
  return mine
}

// ---- the matrix ----

const CLUSTERS: Record<string, (dir: string) => Record<string, unknown>> = {
  'CA data, trailing slash': () => ({server: 'https://k8s.example:6443/', 'certificate-authority-data': b64(pem('CA DATA'))}),
  'relative CA file, path prefix': () => ({server: 'https://k8s.example/prefix', 'certificate-authority': 'certs/ca.crt'}),
  'absolute CA file, tls-server-name': (dir) => ({server: 'https://10.0.0.1:6443', 'certificate-authority': join(dir, 'certs', 'ca.crt'), 'tls-server-name': 'api.internal'}),
  'CA file and data (the file wins)': () => ({server: 'https://k8s.example', 'certificate-authority': 'certs/ca.crt', 'certificate-authority-data': b64(pem('IGNORED'))}),
  'insecure-skip-tls-verify': () => ({server: 'https://k8s.example', 'insecure-skip-tls-verify': true}),
  'plain http with insecure-skip-tls-verify': () => ({server: 'http://127.0.0.1:8080', 'insecure-skip-tls-verify': true}),
  'insecure-skip-tls-verify false, extensions': () => ({server: 'https://k8s.example', 'insecure-skip-tls-verify': false, extensions: [{name: 'x', extension: {a: 1}}]}),
}

const USERS: Record<string, (dir: string) => Record<string, unknown> | undefined> = {
  token: () => ({token: 'abc.def-123'}),
  'token-file (client-node)': (dir) => ({'token-file': join(dir, 'token')}),
  'token and token-file': (dir) => ({token: 'wins', 'token-file': join(dir, 'token')}),
  'basic auth': () => ({username: 'admin', password: 's3cret:with:colons'}),
  'basic auth and token (basic wins)': () => ({username: 'admin', password: 'pw', token: 'ignored'}),
  'client certificate as data': () => ({'client-certificate-data': b64(pem('CERT DATA')), 'client-key-data': b64(pem('KEY DATA'))}),
  'client certificate as relative files': () => ({'client-certificate': 'certs/client.crt', 'client-key': './certs/client.key'}),
  'client certificate as absolute files, and a token': (dir) => ({'client-certificate': join(dir, 'certs', 'client.crt'), 'client-key': join(dir, 'certs', 'client.key'), token: 't'}),
  'empty user': () => ({}),
  'no user mapping': () => undefined,
}

type Fields = Record<string, unknown>
interface Kubeconfig {
  clusters: Array<{name: string; cluster: Fields}>
  users: Array<{name: string; user?: Fields}>
  contexts: Array<{name: string; context: {cluster: string; user?: string; namespace?: string}}>
  [key: string]: unknown
}

function config(cluster: Fields, user: Fields | undefined, namespace?: string): Kubeconfig {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{name: 'other', cluster: {server: 'https://other.example'}}, {name: 'main', cluster}],
    users: [{name: 'main', ...(user === undefined ? {} : {user})}, {name: 'other', user: {exec: {command: 'never-run'}}}],
    contexts: [{name: 'main', context: {cluster: 'main', user: 'main', ...(namespace ? {namespace} : {})}}, {name: 'other', context: {cluster: 'other', user: 'other'}}],
    'current-context': 'main',
    preferences: {},
  }
}

describe('the fast kubeconfig reader gives what client-node gives', () => {
  for (const format of ['yaml', 'json'] as const)
    for (const [clusterName, cluster] of Object.entries(CLUSTERS))
      for (const [userName, user] of Object.entries(USERS))
        for (const namespace of [undefined, 'flink'])
          it(`${format}: ${clusterName}; ${userName}; ${namespace ? 'namespace' : 'no namespace'}`, async () => {
            const dir = freshDir()
            const file = write(join(dir, format === 'json' ? 'config.json' : 'config'), config(cluster(dir), user(dir), namespace), format)
            const got = await expectSame(target({kubeconfig: file}))
            expect(got.namespace).toBe(namespace)
          })

  it('a kubeconfig as kubectl writes it', async () => {
    const dir = freshDir()
    const file = write(
      join(dir, 'config'),
      `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(pem('KIND CA'))}
    server: https://127.0.0.1:42317
  name: kind-kind
contexts:
- context:
    cluster: kind-kind
    namespace: flink   # the Flink namespace
    user: kind-kind
  name: kind-kind
current-context: kind-kind
kind: Config
preferences: {}
users:
- name: kind-kind
  user:
    client-certificate-data: ${b64(pem('KIND CERT'))}
    client-key-data: ${b64(pem('KIND KEY'))}
`,
      'yaml',
    )
    expect(await expectSame(target({kubeconfig: file}))).toMatchObject({server: 'https://127.0.0.1:42317', namespace: 'flink', cert: pem('KIND CERT')})
  })

  it('YAML anchors, merge keys, quoting and a flow-style file', async () => {
    const dir = freshDir()
    const yaml = write(
      join(dir, 'anchors'),
      `clusters:
- name: main
  cluster: &c
    server: "https://k8s.example:6443"
    certificate-authority: 'certs/ca.crt'
users:
- name: base
  user: &u {username: admin, password: "0b101"}
- name: main
  user:
    <<: *u
    password: '2024-01-01'
contexts:
- {name: main, context: {cluster: main, user: main, namespace: "0x1F"}}
current-context: main
`,
      'yaml',
    )
    expect(await expectSame(target({kubeconfig: yaml}))).toMatchObject({namespace: '0x1F', authorization: `Basic ${b64('admin:2024-01-01')}`})
    // Not JSON, though it starts with "{": YAML reads it.
    const flow = write(join(dir, 'flow'), `{clusters: [{name: c, cluster: {server: 'https://k8s.example'}}], users: [{name: u, user: {token: t}}], contexts: [{name: x, context: {cluster: c, user: u}}], current-context: x}\n`, 'yaml')
    expect(await expectSame(target({kubeconfig: flow}))).toMatchObject({server: 'https://k8s.example', authorization: 'Bearer t'})
  })

  it('the first of two entries of one name in one file wins', async () => {
    const dir = freshDir()
    const c = config({server: 'https://first.example'}, {token: 'first'})
    c.clusters.push({name: 'main', cluster: {server: 'https://second.example'}})
    c.users.push({name: 'main', user: {token: 'second'}})
    c.contexts.push({name: 'main', context: {cluster: 'other', user: 'other'}})
    const file = write(join(dir, 'config'), c, 'yaml')
    expect(await expectSame(target({kubeconfig: file}))).toMatchObject({server: 'https://first.example', authorization: 'Bearer first'})
  })

  it('several files in KUBECONFIG: merged, paths relative to each file, current context from the first, --context over it', async () => {
    const a = freshDir()
    const ia = n
    const b = freshDir()
    const ib = n
    const first = write(
      join(a, 'one.yaml'),
      {
        clusters: [{name: 'c1', cluster: {server: 'https://one.example', 'certificate-authority': 'certs/ca.crt'}}],
        users: [{name: 'u1', user: {'client-certificate': 'certs/client.crt', 'client-key': 'certs/client.key'}}],
        contexts: [{name: 'one', context: {cluster: 'c2', user: 'u1', namespace: 'ns-one'}}],
        'current-context': 'one',
      },
      'yaml',
    )
    const second = write(
      join(b, 'two.json'),
      {
        clusters: [{name: 'c2', cluster: {server: 'https://two.example', 'certificate-authority': 'certs/ca.crt'}}],
        users: [{name: 'u2', user: {'client-certificate': 'certs/client.crt', 'client-key': 'certs/client.key', token: 'two'}}],
        contexts: [{name: 'two', context: {cluster: 'c1', user: 'u2'}}],
        // ignored: the first file that names a current context wins
        'current-context': 'two',
      },
      'json',
    )
    const missing = join(a, 'missing')
    const env = [missing, first, second].join(delimiter)
    const one = await expectSame(target({env}))
    // context one (first file) uses cluster c2 of the second file, with its CA relative to the second file
    expect(one).toMatchObject({server: 'https://two.example', namespace: 'ns-one', ca: pem(`CA ${ib}`), cert: pem(`CERTIFICATE ${ia}`), key: pem(`PRIVATE KEY ${ia}`)})
    const two = await expectSame(target({env, context: 'two'}))
    expect(two).toMatchObject({server: 'https://one.example', namespace: undefined, ca: pem(`CA ${ia}`), cert: pem(`CERTIFICATE ${ib}`), authorization: 'Bearer two'})
    // --kubeconfig names one file, as kubectl's does: a list there is one path, which does not exist
    const listed = [first, second].join(delimiter)
    expect(await expectSameError(target({kubeconfig: listed, context: 'two'}))).toMatchObject({code: 'K8S_CONFIG', message: `kubeconfig ${listed} does not exist`})
  })

  it("several files defining the same names (kubectl's rules): the first file's entry wins whole, relative paths resolve against the defining file", async () => {
    const a = freshDir()
    const ia = n
    const b = freshDir()
    const ib = n
    const first = write(
      join(a, 'config'),
      {
        clusters: [{name: 'shared', cluster: {server: 'https://a.example', 'certificate-authority': 'certs/ca.crt'}}],
        users: [{name: 'admin', user: {token: 'a'}}],
        contexts: [
          {name: 'dev', context: {cluster: 'shared', user: 'admin', namespace: 'ns-a'}},
          {name: 'ops', context: {cluster: 'only-b', user: 'admin'}},
        ],
        'current-context': 'dev',
      },
      'yaml',
    )
    const second = write(
      join(b, 'config.json'),
      {
        clusters: [
          {name: 'shared', cluster: {server: 'https://b.example', 'insecure-skip-tls-verify': true}},
          {name: 'only-b', cluster: {server: 'https://only-b.example', 'certificate-authority': 'certs/ca.crt'}},
        ],
        users: [{name: 'admin', user: {'client-certificate': 'certs/client.crt', 'client-key': 'certs/client.key'}}],
        contexts: [{name: 'dev', context: {cluster: 'only-b', user: 'admin', namespace: 'ns-b'}}],
        'current-context': 'ops',
      },
      'json',
    )
    const none = {cert: undefined, key: undefined, rejectUnauthorized: undefined, servername: undefined}
    const env = [first, second].join(delimiter)
    // the first file's dev, shared and admin; its current context
    expect(await expectSame(target({env}))).toEqual({...none, server: 'https://a.example', namespace: 'ns-a', ca: pem(`CA ${ia}`), authorization: 'Bearer a'})
    // a cluster only the second file defines, its CA relative to the second file's directory; the first file's admin
    expect(await expectSame(target({env, context: 'ops'}))).toEqual({...none, server: 'https://only-b.example', namespace: undefined, ca: pem(`CA ${ib}`), authorization: 'Bearer a'})
    // the other way round the second file wins: its current context names the first file's ops
    const reversed = [second, first].join(delimiter)
    expect(await expectSame(target({env: reversed}))).toEqual({
      ...none,
      server: 'https://only-b.example',
      namespace: undefined,
      ca: pem(`CA ${ib}`),
      cert: pem(`CERTIFICATE ${ib}`),
      key: pem(`PRIVATE KEY ${ib}`),
      authorization: undefined,
    })
    expect(await expectSame(target({env: reversed, context: 'dev'}))).toMatchObject({server: 'https://only-b.example', namespace: 'ns-b', cert: pem(`CERTIFICATE ${ib}`)})
    // the same file twice is harmless
    expect(await expectSame(target({env: [first, first, second].join(delimiter)}))).toMatchObject({server: 'https://a.example', authorization: 'Bearer a'})
  })

  it('several files: current-context from the first file that sets a non-empty one', async () => {
    const a = freshDir()
    const c = config({server: 'https://a.example'}, {token: 'a'})
    delete c['current-context']
    const first = write(join(a, 'one'), c, 'yaml')
    const emptyCurrent = write(join(a, 'empty'), {...c, 'current-context': ''}, 'json')
    const second = write(join(a, 'two'), {contexts: [{name: 'b', context: {cluster: 'main', user: 'main', namespace: 'ns-b'}}], 'current-context': 'b'}, 'json')
    for (const files of [
      [first, second],
      [emptyCurrent, second],
    ])
      expect(await expectSame(target({env: files.join(delimiter)}))).toMatchObject({server: 'https://a.example', namespace: 'ns-b', authorization: 'Bearer a'})
  })

  it('several files: a later exec user of a name the first file defines is dropped, the fast reader reads the rest', async () => {
    const a = freshDir()
    const first = write(join(a, 'one'), config({server: 'https://a.example'}, {token: 'a'}), 'yaml')
    const c = config({server: 'https://b.example', 'proxy-url': 'http://proxy:3128'}, {exec: {apiVersion: 'client.authentication.k8s.io/v1', command: 'never-run'}})
    c['current-context'] = 'other'
    const second = write(join(a, 'two'), c, 'yaml')
    expect(await expectSame(target({env: [first, second].join(delimiter)}))).toMatchObject({server: 'https://a.example', authorization: 'Bearer a'})
  })

  it('~/.kube/config when nothing names a kubeconfig', async () => {
    const home = process.env.HOME!
    write(join(home, '.kube', 'config'), config({server: 'https://home.example', 'certificate-authority': 'ca.crt'}, {token: 'home'}), 'yaml')
    writeFileSync(join(home, '.kube', 'ca.crt'), pem('HOME CA'))
    try {
      expect(await expectSame(target({}))).toMatchObject({server: 'https://home.example', ca: pem('HOME CA'), authorization: 'Bearer home'})
    } finally {
      rmSync(join(home, '.kube'), {recursive: true})
    }
  })

  it("kubectl's tokenFile, which client-node ignores: read relative to the kubeconfig, trimmed", async () => {
    const dir = freshDir()
    writeFileSync(join(dir, 'token'), 'kubectl-token\n')
    const file = write(join(dir, 'config'), config({server: 'https://k8s.example'}, {tokenFile: 'token'}), 'yaml')
    const t = target({kubeconfig: file})
    expect((await viewOf((await fast(t))!)).authorization).toBe('Bearer kubectl-token')
    // client-node sends no credentials for it
    expect((await clientNode([file])).authorization).toBeUndefined()
  })
})

describe('exec plugins and proxy-url in the fast reader', () => {
  it('an exec user: its plugin gives the token, as client-node runs it', async () => {
    const dir = freshDir()
    const file = write(join(dir, 'config'), config({server: 'https://k8s.example'}, execUser('exec-token')), 'yaml')
    const read = (await fast(target({kubeconfig: file})))!
    expect(read).not.toBeNull()
    expect((await viewOf(read)).authorization).toBeUndefined()
    expect((await read.exec!.get()).token).toBe('exec-token')
    expect((await clientNode([file])).authorization).toBe('Bearer exec-token')
  })

  it("an exec command with a slash resolves against the kubeconfig's directory (kubectl), a bare one through PATH", async () => {
    const dir = freshDir()
    const file = write(join(dir, 'sub', 'config'), config({server: 'https://k8s.example'}, {exec: {apiVersion: 'client.authentication.k8s.io/v1', command: './bin/plugin', interactiveMode: 'Never'}}), 'yaml')
    const {parseExecConfig} = await import('../../src/backends/kubernetes/exec-credential.js')
    expect(parseExecConfig('u', {apiVersion: 'client.authentication.k8s.io/v1', command: './bin/plugin', interactiveMode: 'Never'}, join(dir, 'sub'))!.path).toBe(join(dir, 'sub', 'bin', 'plugin'))
    expect(parseExecConfig('u', {apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws'}, dir)).toMatchObject({path: 'aws', interactiveMode: 'IfAvailable'})
    expect(await fast(target({kubeconfig: file}))).not.toBeNull()
  })

  it("the cluster's proxy-url", async () => {
    const dir = freshDir()
    const file = write(join(dir, 'config'), config({server: 'https://k8s.example', 'proxy-url': 'http://proxy:3128'}, {token: 't'}), 'yaml')
    expect((await fast(target({kubeconfig: file})))!.proxyUrl).toBe('http://proxy:3128')
    expect((await kubeSettings(target({kubeconfig: file}), {clientNode: true})).proxyUrl).toBe('http://proxy:3128')
  })
})

describe('kubeconfigs the fast reader leaves to client-node', () => {
  const users: Record<string, Record<string, unknown>> = {
    'exec and a token': {token: 't', exec: {apiVersion: 'client.authentication.k8s.io/v1', command: 'aws', args: ['eks', 'get-token'], interactiveMode: 'Never'}},
    'exec with a key client-go does not know': {exec: {apiVersion: 'client.authentication.k8s.io/v1', command: 'aws', interactiveMode: 'Never', future: true}},
    'exec with a non-string argument': {exec: {apiVersion: 'client.authentication.k8s.io/v1', command: 'aws', interactiveMode: 'Never', args: [1]}},
    'auth-provider': {'auth-provider': {name: 'oidc', config: {'id-token': 'x'}}},
    'auth-provider tokenFile': {'auth-provider': {name: 'x', config: {tokenFile: '/dev/null'}}},
    as: {token: 't', as: 'someone'},
    'as-uid': {token: 't', 'as-uid': '1'},
    'as-groups': {token: 't', 'as-groups': ['g']},
    'as-user-extra': {token: 't', 'as-user-extra': {a: ['b']}},
    'an unknown key': {token: 't', 'future-auth': 'x'},
    'a username without password': {username: 'admin'},
    'a non-string token': {token: 12345},
    'tokenFile and token': {token: 't', tokenFile: 'token'},
  }
  for (const [name, user] of Object.entries(users))
    it(`user with ${name}`, async () => {
      const dir = freshDir()
      const file = write(join(dir, 'config'), config({server: 'https://k8s.example'}, user), 'yaml')
      expect(await fast(target({kubeconfig: file}))).toBeNull()
    })

  const clusters: Record<string, Record<string, unknown>> = {
    'disable-compression': {server: 'https://k8s.example', 'disable-compression': true},
    'an unknown key': {server: 'https://k8s.example', 'certificate-authority-path': 'x'},
  }
  for (const [name, cluster] of Object.entries(clusters))
    it(`cluster with ${name}`, async () => {
      const dir = freshDir()
      const file = write(join(dir, 'config'), config(cluster, {token: 't'}), 'yaml')
      expect(await fast(target({kubeconfig: file}))).toBeNull()
    })

  it('only the chosen user and cluster matter', async () => {
    const dir = freshDir()
    // the `other` user's exec entry has no apiVersion, the `other` cluster disables compression: not chosen
    const c = config({server: 'https://k8s.example'}, {token: 't'})
    c.clusters[0].cluster = {server: 'https://other.example', 'disable-compression': true}
    c.users[1].user = {token: 't'}
    const file = write(join(dir, 'config'), c, 'yaml')
    await expectSame(target({kubeconfig: file}))
    expect(await fast(target({kubeconfig: file, context: 'other'}))).toBeNull()
  })

  it('a context without a user (client-node then skips the CA too)', async () => {
    const dir = freshDir()
    const c = config({server: 'https://k8s.example', 'certificate-authority': 'certs/ca.crt'}, {token: 't'})
    delete c.contexts[0].context.user
    const file = write(join(dir, 'config'), c, 'yaml')
    expect(await fast(target({kubeconfig: file}))).toBeNull()
    expect(await viewOf(await kubeSettings(target({kubeconfig: file})))).toMatchObject({ca: undefined})
  })

  it('plain YAML scalars js-yaml reads as numbers or dates', async () => {
    for (const token of ['0b101', '-0x1F', '2024-01-01']) {
      const dir = freshDir()
      const file = write(join(dir, 'config'), stringify(config({server: 'https://k8s.example'}, {token: 'TOKEN'})).replace('token: TOKEN', `token: ${token}`), 'yaml')
      expect(await fast(target({kubeconfig: file})), token).toBeNull()
      // client-node's reading of it (a number, a Date) stays
      expect(await viewOf(await kubeSettings(target({kubeconfig: file})))).toEqual(await clientNode([file]))
    }
  })

  it('a %YAML 1.1 directive (yaml would read yes and no as booleans, js-yaml does not)', async () => {
    const dir = freshDir()
    const file = write(join(dir, 'config'), `%YAML 1.1\n---\n${stringify(config({server: 'https://k8s.example'}, {username: 'yes', password: 'no'}))}`, 'yaml')
    expect(await fast(target({kubeconfig: file}))).toBeNull()
    expect(await viewOf(await kubeSettings(target({kubeconfig: file})))).toMatchObject({authorization: `Basic ${b64('yes:no')}`})
  })

  it('several files: an exec user wins the merge, the fast reader runs it as client-node does, the later token user of its name is dropped', async () => {
    const a = freshDir()
    const first = config({server: 'https://a.example'}, execUser('exec-token'))
    delete first['current-context']
    const second = config({server: 'https://b.example', 'certificate-authority': 'certs/ca.crt'}, {token: 'b'})
    second.clusters = second.clusters.filter((c) => c.name !== 'main')
    second.clusters.push({name: 'main-b', cluster: {server: 'https://b.example', 'certificate-authority': 'certs/ca.crt'}})
    second.contexts.push({name: 'b', context: {cluster: 'main-b', user: 'main', namespace: 'ns-b'}})
    second['current-context'] = 'b'
    const env = [write(join(a, 'one', 'config'), first, 'yaml'), write(join(a, 'two', 'config'), second, 'json')].join(delimiter)
    mkdirSync(join(a, 'two', 'certs'))
    writeFileSync(join(a, 'two', 'certs', 'ca.crt'), pem('CA OF TWO'))
    for (const context of [undefined, 'main']) {
      const t = target({env, context})
      // the fast reader runs the plugin itself: its token comes with each request
      const read = (await fast(t))!
      expect(read.exec, context).toBeDefined()
      const got = {...(await viewOf(read)), authorization: `Bearer ${(await read.exec!.get()).token}`}
      expect(got).toEqual(await clientNode(kubeconfigFiles(t), context))
      expect(got).toEqual(
        context === undefined
          ? // the second file's current context, its cluster (CA relative to its directory), the first file's user
            {...got, server: 'https://b.example', namespace: 'ns-b', ca: pem('CA OF TWO'), authorization: 'Bearer exec-token'}
          : {...got, server: 'https://a.example', namespace: undefined, ca: undefined, authorization: 'Bearer exec-token'},
      )
    }
  })
})

describe('errors stay what they were', () => {
  const base = () => config({server: 'https://k8s.example'}, {token: 't'})

  it('a missing file', async () => {
    const dir = freshDir()
    expect(await expectSameError(target({kubeconfig: join(dir, 'nope')}))).toEqual({
      code: 'K8S_CONFIG',
      message: `kubeconfig ${join(dir, 'nope')} does not exist`,
      hint: 'Check the path given by --kubeconfig.',
      exit: 2,
      details: {kubeconfig: join(dir, 'nope')},
    })
    expect(await expectSameError(target({env: [join(dir, 'a'), join(dir, 'b')].join(delimiter)}))).toMatchObject({hint: 'Check the path given by KUBECONFIG.'})
  })

  it('no kubeconfig at all', async () => {
    expect(await expectSameError(target({}))).toEqual({
      code: 'K8S_CONFIG',
      message: 'no kubeconfig: none given, no ~/.kube/config, and not running in a pod',
      hint: 'Pass --kubeconfig, set KUBECONFIG or kubernetes.config.file, or run inside a pod with a service account.',
      exit: 2,
      details: undefined,
    })
  })

  it('an unknown context', async () => {
    const dir = freshDir()
    const file = write(join(dir, 'config'), base(), 'yaml')
    expect(await expectSameError(target({kubeconfig: file, context: 'prod'}))).toEqual({
      code: 'K8S_CONFIG',
      message: 'no context "prod" in the kubeconfig',
      hint: `Contexts in ${file}: main, other.`,
      exit: 2,
      details: {contexts: ['main', 'other']},
    })
    const none = write(join(dir, 'none'), {clusters: [], users: [], contexts: []}, 'json')
    expect(await expectSameError(target({kubeconfig: none, context: 'prod'}))).toMatchObject({hint: 'The kubeconfig defines no context.', details: {contexts: []}})
  })

  it('an unknown context in several files that define the same names: each name once', async () => {
    const dir = freshDir()
    const first = write(join(dir, 'a'), base(), 'yaml')
    const c = base()
    c.contexts.push({name: 'third', context: {cluster: 'main', user: 'main'}})
    const second = write(join(dir, 'b'), c, 'json')
    const env = [first, second].join(delimiter)
    expect(await expectSameError(target({env, context: 'prod'}))).toMatchObject({hint: `Contexts in ${env}: main, other, third.`, details: {contexts: ['main', 'other', 'third']}})
  })

  it('no current context, or an undefined one', async () => {
    const dir = freshDir()
    const c = base()
    const unset = write(join(dir, 'unset'), {...c, 'current-context': undefined}, 'json')
    expect(await expectSameError(target({kubeconfig: unset}))).toEqual({
      code: 'K8S_CONFIG',
      message: 'the kubeconfig has no current context',
      hint: 'Pass --context (contexts: main, other).',
      exit: 2,
      details: undefined,
    })
    expect(await expectSameError(target({kubeconfig: write(join(dir, 'empty'), {...c, 'current-context': ''}, 'yaml')}))).toMatchObject({message: 'the kubeconfig has no current context'})
    expect(await expectSameError(target({kubeconfig: write(join(dir, 'gone'), {...c, 'current-context': 'gone'}, 'yaml')}))).toMatchObject({
      message: `the kubeconfig's current context "gone" is not defined`,
    })
    // several files: the first current-context set counts, an undefined one as in one file
    const second = write(join(dir, 'second'), {contexts: [{name: 'x', context: {cluster: 'main', user: 'main'}}], 'current-context': 'gone'}, 'yaml')
    expect(await expectSameError(target({env: [unset, second].join(delimiter)}))).toMatchObject({message: `the kubeconfig's current context "gone" is not defined`})
    const empty = write(join(dir, 'empty-second'), {...c, 'current-context': ''}, 'json')
    expect(await expectSameError(target({env: [empty, unset].join(delimiter)}))).toMatchObject({message: 'the kubeconfig has no current context'})
  })

  it('a context naming an undefined cluster', async () => {
    const dir = freshDir()
    const c = base()
    c.contexts[0].context.cluster = 'nowhere'
    expect(await expectSameError(target({kubeconfig: write(join(dir, 'config'), c, 'yaml')}))).toEqual({
      code: 'K8S_CONFIG',
      message: 'context "main" names a cluster the kubeconfig does not define',
      hint: 'Check the file with kubectl config view.',
      exit: 2,
      details: undefined,
    })
  })

  it('files that are not valid (left to client-node, so its message stays)', async () => {
    const dir = freshDir()
    const cases: Record<string, string> = {
      'a YAML syntax error': 'clusters: [\n',
      'an empty file': '',
      'a cluster without server': stringify({clusters: [{name: 'c', cluster: {}}]}),
      'a context without cluster': stringify({contexts: [{name: 'c', context: {user: 'u'}}]}),
      'a user without name': stringify({users: [{user: {token: 't'}}]}),
      'a missing token-file': stringify({users: [{name: 'u', user: {'token-file': join(dir, 'nope')}}]}),
      'a duplicate key': 'current-context: a\ncurrent-context: b\n',
      'broken JSON': '{"clusters": [}',
    }
    for (const [name, text] of Object.entries(cases)) {
      const file = write(join(dir, name.replace(/ /g, '-')), text, 'yaml')
      expect(await fast(target({kubeconfig: file})), name).toBeNull()
      const err = await expectSameError(target({kubeconfig: file}))
      expect(err, name).toMatchObject({code: 'K8S_CONFIG', message: expect.stringMatching(new RegExp(`^kubeconfig ${file} is not valid: `)), exit: 2})
    }
  })

  it('credentials that cannot be read, and plain http without insecure-skip-tls-verify', async () => {
    const dir = freshDir()
    const cases = {
      ca: config({server: 'https://k8s.example', 'certificate-authority': 'certs/nope.crt'}, {token: 't'}),
      cert: config({server: 'https://k8s.example'}, {'client-certificate': 'nope.crt', 'client-key': 'certs/client.key'}),
      tokenFile: config({server: 'https://k8s.example'}, {tokenFile: 'nope'}),
      http: config({server: 'http://k8s.example'}, {token: 't'}),
    }
    const messages: Record<string, string> = {}
    for (const [name, c] of Object.entries(cases)) {
      const t = target({kubeconfig: write(join(dir, name), c, 'yaml')})
      const s = await fast(t)
      expect(s, name).not.toBeNull()
      messages[name] = (await failure(s!.httpsOptions())).error!
      // client-node ignores tokenFile; for the others it fails alike
      if (name !== 'tokenFile') expect(messages[name], name).toBe((await failure((await kubeSettings(t, {clientNode: true})).httpsOptions())).error)
      expect(await failure(connectKube(t))).toMatchObject({code: 'K8S_UNAUTHORIZED', message: `cannot get credentials for context "main": ${messages[name].replace(/^Error: /, '')}`, exit: 3})
    }
    expect(messages).toEqual({
      ca: `Error: ENOENT: no such file or directory, open '${join(dir, 'certs', 'nope.crt')}'`,
      cert: `Error: ENOENT: no such file or directory, open '${join(dir, 'nope.crt')}'`,
      tokenFile: `Error: ENOENT: no such file or directory, open '${join(dir, 'nope')}'`,
      http: 'Error: HTTP protocol is not allowed when skipTLSVerify is not set or false',
    })
  })

  it('a server that is no URL', async () => {
    const dir = freshDir()
    const t = target({kubeconfig: write(join(dir, 'config'), config({server: 'k8s.example'}, {token: 't'}), 'yaml')})
    expect(await fast(t)).not.toBeNull()
    expect(await failure(connectKube(t))).toMatchObject({code: 'K8S_CONFIG', message: `the kubeconfig's server "k8s.example" is not a URL`, exit: 2})
  })
})
