/**
 * The kubeconfig without @kubernetes/client-node, whose import alone costs ~300 ms of every haadm
 * run on Kubernetes. This module reads the files, merges them as kubectl does (see load) and
 * resolves the chosen context's cluster and user exactly as client-node's KubeConfig does in
 * client.ts (loadFromFile for each file, the same merge, setCurrentContext, applyToHTTPSOptions),
 * for the kubeconfigs most people have: a server, a CA (data or file), insecure-skip-tls-verify,
 * tls-server-name, proxy-url, a token or token file, a client certificate and key (data or files),
 * basic auth, and exec credential plugins (EKS, GKE, AKS…: exec-credential.ts runs them as client-go
 * does, which differs from client-node: a relative command with a slash resolves against the
 * kubeconfig's directory, `interactiveMode` and `provideClusterInfo` are honoured). A JSON kubeconfig
 * is read with JSON.parse; a YAML one with the `yaml` package, imported only then (~25 ms).
 *
 * Whenever the chosen user or cluster uses anything else (auth-provider plugins, exec together with
 * other credentials, impersonation, disable-compression, keys this module does not know), there is no kubeconfig but a
 * service account (in-cluster), or a file is one this module cannot read exactly as client-node
 * would (a syntax error, an entry client-node rejects, a value of an odd type), readKubeconfig
 * returns null and the caller loads client-node: its behaviour and its error messages stay what
 * they were. NODE_DEBUG=haadm prints why. Only the entries that win the merge of several files are
 * resolved: a later file's exec user of a name an earlier file defines too is never looked at.
 *
 * Several files (KUBECONFIG=a:b:c) are merged with kubectl's rules in both readers, not with
 * client-node's mergeConfig (which throws "Duplicate cluster: …" for a name a later file defines
 * again, and takes current-context from the first file only): see load.
 *
 * Where client-node differs from kubectl otherwise, this module follows client-node (so that both
 * readers agree), except for kubectl's `tokenFile`, which client-node ignores (see resolveUser):
 * - a name defined twice in one file: client-node uses the first entry (findObject), kubectl
 *   refuses the file ("duplicate name … in list", client-go's v1 conversion of the named lists);
 * - an empty file is an error (client-node), where kubectl reads it as an empty config (loader.go
 *   Load);
 * - client-node's own `token-file` key (kubectl knows `tokenFile`) is read when the file is loaded,
 *   for every user, relative to the working directory, and is not trimmed;
 * - username and password win over a token (kubectl refuses both at once).
 */
import {existsSync, readFileSync} from 'node:fs'
import type {RequestOptions} from 'node:https'
import {homedir} from 'node:os'
import {delimiter, dirname, isAbsolute, join} from 'node:path'
import {debuglog} from 'node:util'
import type {Target} from '../../config/target.js'
import {ExitCode, HaadmError} from '../../errors.js'
import {type ExecClusterInfo, type ExecConfig, ExecCredentialSource, parseExecConfig} from './exec-credential.js'
import {loadYaml} from '../../config/yaml.js'

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

/** What connectKube needs from the kubeconfig, whichever reader read it. */
export interface KubeSettings {
  context: string | null
  inCluster: boolean
  /** The cluster's server, without one trailing slash (as client-node keeps it). */
  server: string
  /** The context's namespace, when it names one. */
  namespace?: string
  /**
   * TLS options and credentials as KubeConfig.applyToHTTPSOptions sets them: ca, cert, key,
   * rejectUnauthorized, servername, headers.Authorization (bearer), auth (`user:password`). Reads
   * the files the kubeconfig names, so it may throw.
   */
  httpsOptions(): Promise<RequestOptions>
  /** The cluster's `proxy-url` (http, https or socks5 URL, unchecked); else the environment's proxy applies. */
  proxyUrl?: string
  /** The user's exec credential plugin (fast reader only: client-node runs it inside httpsOptions). */
  exec?: ExecCredentialSource
}

// ---- which files, and the errors both readers share ----

const kubeconfigHint = 'Pass --kubeconfig, set KUBECONFIG or kubernetes.config.file, or run inside a pod with a service account.'

/** The kubeconfig files the target names (or ~/.kube/config when it exists); none means in-cluster or nothing. */
export function kubeconfigFiles(target: Target): string[] {
  const given = target.kubernetes.kubeconfig
  if (!given) {
    const home = join(homedir(), '.kube', 'config')
    return existsSync(home) ? [home] : []
  }
  // KUBECONFIG is a list in which missing files are ignored (as kubectl does); --kubeconfig and
  // kubernetes.config.file name one file (kubectl's --kubeconfig does not merge), which must exist.
  const listed = given.source.kind === 'env' ? given.value.split(delimiter).filter((f) => f !== '') : [given.value]
  const files = given.source.kind === 'env' ? listed.filter((f) => existsSync(f)) : listed
  const missing = files.find((f) => !existsSync(f))
  if (missing || files.length === 0)
    throw new HaadmError('K8S_CONFIG', `kubeconfig ${missing ?? given.value} does not exist`, {
      exit: ExitCode.USAGE,
      hint: `Check the path given by ${given.source.kind === 'flag' ? '--kubeconfig' : given.source.kind === 'env' ? 'KUBECONFIG' : 'kubernetes.config.file'}.`,
      details: {kubeconfig: given.value},
    })
  return files
}

/** With no kubeconfig file: whether this runs in a pod with a service account token. */
export function inClusterAccount(): boolean {
  return Boolean(process.env.KUBERNETES_SERVICE_HOST) && existsSync(join(SERVICE_ACCOUNT_DIR, 'token'))
}

export const noKubeconfigError = () =>
  new HaadmError('K8S_CONFIG', 'no kubeconfig: none given, no ~/.kube/config, and not running in a pod', {exit: ExitCode.USAGE, hint: kubeconfigHint})

export const unknownContextError = (wanted: string, names: string[], files: string[]) =>
  new HaadmError('K8S_CONFIG', `no context ${JSON.stringify(wanted)} in the kubeconfig`, {
    exit: ExitCode.USAGE,
    hint: names.length > 0 ? `Contexts in ${files.join(delimiter)}: ${names.join(', ')}.` : 'The kubeconfig defines no context.',
    details: {contexts: names},
  })

export const noCurrentContextError = (context: string | null, names: string[]) =>
  new HaadmError('K8S_CONFIG', context ? `the kubeconfig's current context ${JSON.stringify(context)} is not defined` : 'the kubeconfig has no current context', {
    exit: ExitCode.USAGE,
    hint: `Pass --context (contexts: ${names.join(', ') || 'none'}).`,
  })

export const undefinedClusterError = (context: string | null) =>
  new HaadmError('K8S_CONFIG', `context ${JSON.stringify(context)} names a cluster the kubeconfig does not define`, {
    exit: ExitCode.USAGE,
    hint: 'Check the file with kubectl config view.',
  })

// ---- the fast reader ----

const debug = debuglog('haadm')

/** Thrown inside this module: the kubeconfig needs client-node. */
class NeedsClientNode {
  constructor(readonly reason: string) {}
}
const needsClientNode = (reason: string): never => {
  throw new NeedsClientNode(reason)
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

interface ClusterEntry {
  name: string
  fields: Obj
  /** Directory of the file that defines the entry: relative paths resolve against it. */
  dir: string
}
interface UserEntry {
  name: string
  fields: Obj
  dir: string
  /** client-node's findToken: `token`, else the content of `token-file`, read at load. */
  token: unknown
}
interface ContextEntry {
  name: string
  cluster: string
  user?: string
  namespace?: string
}
interface LoadedFile {
  clusters: ClusterEntry[]
  users: UserEntry[]
  contexts: ContextEntry[]
  currentContext?: string
}

/** The keys of a cluster entry this module resolves (`extensions` is ignored by both readers). */
const CLUSTER_KEYS = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'proxy-url', 'extensions'])
/** The keys of a user entry this module resolves; auth-provider, as, as-uid, as-groups, as-user-extra and the rest go to client-node. */
const USER_KEYS = new Set([
  'exec',
  'token',
  'tokenFile',
  'token-file',
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'username',
  'password',
  'extensions',
])

/**
 * Reads the kubeconfig files (see kubeconfigFiles) and resolves the context the target picks, or
 * returns null when client-node must do it. Throws the same HaadmErrors as client.ts's client-node
 * reader for a missing kubeconfig, an unknown context, no current context and a context whose
 * cluster is not defined.
 */
export async function readKubeconfig(target: Target, files: string[]): Promise<KubeSettings | null> {
  if (files.length === 0) {
    if (inClusterAccount()) {
      debug('kubeconfig: none, in a pod: using @kubernetes/client-node for the service account')
      return null
    }
    throw noKubeconfigError()
  }
  try {
    return resolve(target, files, await load(files))
  } catch (err) {
    if (err instanceof HaadmError) throw err
    // Anything else this reader did not foresee is client-node's to judge too.
    debug('kubeconfig: using @kubernetes/client-node: %s', err instanceof NeedsClientNode ? err.reason : String(err))
    return null
  }
}

/**
 * The files merged with kubectl's rules, as client-go's clientcmd does it
 * (tools/clientcmd/loader.go, ClientConfigLoadingRules.Load): each file is read on its own
 * (LoadFromFile, which records the file as every entry's LocationOfOrigin; the named lists become
 * maps of clusters, users (AuthInfos) and contexts). The Configs are then merged with override
 * (mergo.Merge(dst, src, mergo.WithOverride); since 2024 client-go's own merge.go, same rules: a
 * map key of src replaces dst's entry whole, a field is replaced only by a non-empty value), once
 * in file order and once in reverse order, the reverse merge last on top: the earliest file wins.
 * So:
 * - the first file that defines a cluster, user or context name wins, with its whole entry; later
 *   definitions of that name are dropped, without an error (loader.go: "if two files specify a
 *   red-user, only values from the first file's red-user are used");
 * - `current-context` comes from the first file that sets a non-empty one;
 * - relative paths of an entry resolve against the directory of the file that defined it
 *   (ResolveLocalPaths, ResolvePaths with filepath.Dir(LocationOfOrigin)), as each ClusterEntry and
 *   UserEntry keeps its `dir`.
 * (kubectl 1.32's `config view --flatten` with KUBECONFIG=a:b shows the same.)
 * A name two entries of the same file use is left as client-node has it (the first found wins);
 * client.ts's mergeKubeConfigs applies the same rules to client-node's KubeConfigs.
 */
async function load(files: string[]): Promise<LoadedFile> {
  const merged: LoadedFile = {clusters: [], users: [], contexts: []}
  for (const file of files) {
    const one = loadObject(file, await parseFile(file))
    for (const kind of ['clusters', 'users', 'contexts'] as const) {
      // the names earlier files define
      const names = new Set<string>(merged[kind].map((e) => e.name))
      for (const e of one[kind]) if (!names.has(e.name)) (merged[kind] as Array<{name: string}>).push(e)
    }
    if (!merged.currentContext && one.currentContext) merged.currentContext = one.currentContext
  }
  return merged
}

// js-yaml, client-node's parser, also resolves binary and signed hexadecimal or octal integers and
// timestamps, which the yaml package's YAML 1.2 core schema reads as strings. Such plain scalars
// (and, to be safe, every 0b/0o/0x one) become this symbol, which is no string where one is needed,
// so that the kubeconfig goes to client-node. (A symbol rather than an object: yaml warns on stderr
// about object keys.)
const JS_YAML_SCALAR = Symbol('a plain scalar js-yaml does not read as a string')
const JS_YAML_ONLY = /^[-+]?0[box][0-9a-fA-F]+$|^\d{4}-\d\d?-\d\d?(?:$|[Tt \t])/

async function parseFile(file: string): Promise<unknown> {
  let text: string
  try {
    text = readFileSync(file).toString('utf-8')
  } catch (err) {
    return needsClientNode(`${file}: ${(err as Error).message}`)
  }
  if (/^\s*\{/.test(text)) {
    try {
      // JSON.parse accepts a few texts js-yaml refuses (a key given twice, where the last wins; a
      // raw C1 control character in a string): the only kubeconfigs read here that client-node
      // would call invalid.
      return JSON.parse(text)
    } catch {
      // a YAML flow mapping, or not valid at all: the YAML parser decides
    }
  }
  const {parseDocument} = await loadYaml()
  let problem: string | undefined
  try {
    const doc = parseDocument(text, {
      merge: true,
      customTags: (tags) => [{tag: 'tag:haadm,js-yaml-scalar', default: true, test: JS_YAML_ONLY, resolve: () => JS_YAML_SCALAR}, ...tags],
    })
    problem = (doc.errors[0] ?? doc.warnings[0])?.message
    // js-yaml reads every file with its one schema; yaml would switch to YAML 1.1 (yes, no, on, off…).
    if (problem === undefined && doc.directives.yaml.version !== '1.2') problem = `%YAML ${doc.directives.yaml.version}`
    if (problem === undefined) return doc.toJS()
  } catch (err) {
    problem = (err as Error).message
  }
  return needsClientNode(`${file}: ${problem.split('\n')[0]}`)
}

/** client-node's loadFromString + makePathsAbsolute (config_types.ts newClusters, newUsers, newContexts) for one file. */
function loadObject(file: string, obj: unknown): LoadedFile {
  // client-node throws on a file that is no mapping (an empty one, say), or takes a scalar for an empty config.
  if (!isObj(obj)) return needsClientNode(`${file} is not a YAML mapping`)
  const dir = dirname(file)
  const list = (v: unknown) => (Array.isArray(v) ? v : [])
  const name = (e: unknown, what: string): string => {
    if (!isObj(e) || typeof e.name !== 'string' || e.name === '') return needsClientNode(`${file}: a ${what} without a name`)
    return e.name
  }
  const clusters = list(obj.clusters).map((e: unknown): ClusterEntry => {
    const n = name(e, 'cluster')
    const c = (e as Obj).cluster
    if (!isObj(c) || typeof c.server !== 'string' || c.server === '') return needsClientNode(`${file}: cluster ${JSON.stringify(n)} has no server`)
    return {name: n, fields: c, dir}
  })
  const users = list(obj.users).map((e: unknown): UserEntry => {
    const n = name(e, 'user')
    const u = (e as Obj).user ?? {}
    if (!isObj(u)) return needsClientNode(`${file}: user ${JSON.stringify(n)} is not a mapping`)
    let token: unknown = u.token
    if (!token && u['token-file']) {
      const tf = u['token-file']
      if (typeof tf !== 'string') return needsClientNode(`${file}: user ${JSON.stringify(n)}: token-file is not a string`)
      try {
        // As client-node: at load, for every user, relative to the working directory, untrimmed.
        token = readFileSync(tf).toString()
      } catch {
        return needsClientNode(`${file}: user ${JSON.stringify(n)}: cannot read token-file ${tf}`)
      }
    }
    return {name: n, fields: u, dir, token}
  })
  const optional = (v: unknown, what: string): string | undefined => {
    if (!v) return undefined
    return typeof v === 'string' ? v : needsClientNode(`${file}: ${what} is not a string`)
  }
  const contexts = list(obj.contexts).map((e: unknown): ContextEntry => {
    const n = name(e, 'context')
    const c = (e as Obj).context
    if (!isObj(c) || !c.cluster) return needsClientNode(`${file}: context ${JSON.stringify(n)} names no cluster`)
    const what = `context ${JSON.stringify(n)}`
    return {name: n, cluster: optional(c.cluster, `${what}: cluster`)!, user: optional(c.user, `${what}: user`), namespace: optional(c.namespace, `${what}: namespace`)}
  })
  const current = obj['current-context']
  if (current !== undefined && current !== null && typeof current !== 'string') needsClientNode(`${file}: current-context is not a string`)
  return {clusters, users, contexts, currentContext: (current as string | null | undefined) ?? undefined}
}

/** Picks the context (as client.ts does with client-node) and resolves its cluster and user. */
function resolve(target: Target, files: string[], kc: LoadedFile): KubeSettings {
  const names = kc.contexts.map((c) => c.name)
  const find = <T extends {name: string}>(list: T[], name: string | undefined) => list.find((e) => e.name === name)
  let current = kc.currentContext
  const wanted = target.kubernetes.context?.value
  if (wanted !== undefined) {
    if (!find(kc.contexts, wanted)) throw unknownContextError(wanted, names, files)
    current = wanted
  }
  const context = current || null
  const ctx = context === null ? undefined : find(kc.contexts, context)
  if (!ctx) throw noCurrentContextError(context, names)
  const cluster = find(kc.clusters, ctx.cluster)
  if (!cluster) throw undefinedClusterError(context)
  // Without a user client-node applies none of the cluster's TLS settings either: leave that to it.
  const user = find(kc.users, ctx.user)
  if (!user) return needsClientNode(`context ${JSON.stringify(context)} names no user the kubeconfig defines`)

  const tls = resolveCluster(cluster)
  const creds = resolveUser(user)
  const server = (cluster.fields.server as string).replace(/\/$/, '')
  let exec: ExecCredentialSource | undefined
  if (creds.exec) {
    // client-go's ConfigToExecCluster: what provideClusterInfo passes.
    const ca = fileOrData(tls.caFile, tls.caData)
    const info: ExecClusterInfo = {
      server: cluster.fields.server as string,
      ...(tls.servername ? {'tls-server-name': tls.servername} : {}),
      ...(tls.skipTLSVerify ? {'insecure-skip-tls-verify': true} : {}),
      ...(ca ? {'certificate-authority-data': ca.toString('base64')} : {}),
      ...(tls.proxyUrl ? {'proxy-url': tls.proxyUrl} : {}),
      ...(tls.execExtension !== undefined ? {config: tls.execExtension} : {}),
    }
    exec = new ExecCredentialSource(user.name, creds.exec, info)
  }
  return {
    context,
    inCluster: false,
    server,
    namespace: ctx.namespace,
    proxyUrl: tls.proxyUrl,
    exec,
    // KubeConfig.applyToHTTPSOptions: applyHTTPSOptions, applyAuthorizationHeader, then createAgent.
    async httpsOptions() {
      const opts: RequestOptions = {}
      if (tls.skipTLSVerify) opts.rejectUnauthorized = false
      if (tls.servername) opts.servername = tls.servername
      const ca = fileOrData(tls.caFile, tls.caData)
      if (ca) opts.ca = ca
      const cert = fileOrData(creds.certFile, creds.certData)
      if (cert) opts.cert = cert
      const key = fileOrData(creds.keyFile, creds.keyData)
      if (key) opts.key = key
      const headers: Record<string, string> = {}
      const token = creds.token ?? (creds.tokenFile ? readFileSync(creds.tokenFile, 'utf8').trim() : undefined)
      if (token) headers.Authorization = `Bearer ${token}`
      opts.headers = headers
      if (creds.username) opts.auth = `${creds.username}:${creds.password}`
      if (server.startsWith('http:') && !tls.skipTLSVerify) throw new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false')
      return opts
    },
  }
}

function unknownKeys(fields: Obj, known: Set<string>, what: string): void {
  const other = Object.keys(fields).filter((k) => !known.has(k))
  if (other.length > 0) needsClientNode(`${what} uses ${other.join(', ')}`)
}

/** A string setting, or undefined when unset (client-node tests truthiness); another type goes to client-node. */
function str(fields: Obj, key: string, what: string): string | undefined {
  const v = fields[key]
  if (!v) return undefined
  return typeof v === 'string' ? v : needsClientNode(`${what}: ${key} is not a string`)
}

/** A file path as client-node's makePathsAbsolute (and kubectl) resolve it: against the kubeconfig's directory. */
const path = (dir: string, file: string | undefined) => (file === undefined || isAbsolute(file) ? file : join(dir, file))

function resolveCluster(c: ClusterEntry) {
  const what = `cluster ${JSON.stringify(c.name)}`
  unknownKeys(c.fields, CLUSTER_KEYS, what)
  // The `config` an exec plugin gets with provideClusterInfo: the extension of this name (client-go's clusterExtensionKey).
  let execExtension: unknown
  const ext = c.fields.extensions
  if (Array.isArray(ext))
    for (const e of ext) if (isObj(e) && e.name === 'client.authentication.k8s.io/exec' && execExtension === undefined) execExtension = e.extension ?? null
  return {
    caFile: path(c.dir, str(c.fields, 'certificate-authority', what)),
    caData: str(c.fields, 'certificate-authority-data', what),
    skipTLSVerify: c.fields['insecure-skip-tls-verify'] === true,
    servername: str(c.fields, 'tls-server-name', what),
    proxyUrl: str(c.fields, 'proxy-url', what),
    execExtension,
  }
}

function resolveUser(u: UserEntry) {
  const what = `user ${JSON.stringify(u.name)}`
  unknownKeys(u.fields, USER_KEYS, what)
  const username = str(u.fields, 'username', what)
  // client-node would send `<user>:undefined`.
  if (username && typeof u.fields.password !== 'string') needsClientNode(`${what}: a username without a password`)
  if (u.token && typeof u.token !== 'string') needsClientNode(`${what}: token is not a string`)
  // kubectl's `tokenFile` (client-node knows only its own `token-file`, and ignores this key: its
  // requests then go without credentials). Read as kubectl reads it: relative to the kubeconfig's
  // directory, trimmed, when haadm connects.
  const tokenFile = str(u.fields, 'tokenFile', what)
  if (tokenFile && (u.fields.token || u.fields['token-file']))
    needsClientNode(`${what}: tokenFile together with token or token-file`)
  let exec: ExecConfig | undefined
  if (u.fields.exec !== undefined && u.fields.exec !== null) {
    // With a token, basic auth or a certificate as well, client-go never runs the plugin and client-node does: leave it to client-node.
    const other = ['token', 'tokenFile', 'token-file', 'client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'username', 'password']
    if (other.some((k) => u.fields[k])) needsClientNode(`${what}: exec together with other credentials`)
    exec = parseExecConfig(u.name, u.fields.exec, u.dir) ?? needsClientNode(`${what}: an exec entry of an unexpected shape`)
  }
  return {
    exec,
    certFile: path(u.dir, str(u.fields, 'client-certificate', what)),
    certData: str(u.fields, 'client-certificate-data', what),
    keyFile: path(u.dir, str(u.fields, 'client-key', what)),
    keyData: str(u.fields, 'client-key-data', what),
    token: (u.token as string) || undefined,
    tokenFile: path(u.dir, tokenFile),
    username,
    password: u.fields.password as string,
  }
}

/** client-node's bufferFromFileOrString: the file when named, else the base64 data. */
function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file)
  if (data) return Buffer.from(data, 'base64')
  return undefined
}
