/**
 * A connection to the Kubernetes API server. The few REST calls haadm makes (list, get, update,
 * delete of v1 ConfigMaps; get of a Namespace) go straight over node:http(s), so that every Status
 * error, timeout and retry is under haadm's control; the kubeconfig only gives the server, the
 * context's namespace, the TLS options and the credentials.
 *
 * Two readers give them, with the same results and errors: kubeconfig.ts reads the common
 * kubeconfigs itself (server, CA, token, client certificate, basic auth), and
 * @kubernetes/client-node's KubeConfig, imported here and only here, handles the rest: exec and
 * auth-provider plugins, proxies, impersonation, the in-cluster service account, and any file the
 * first reader cannot read exactly as client-node would. Importing client-node costs ~300 ms, so it
 * is imported only when the first reader declines.
 *
 * Several kubeconfig files are merged with kubectl's rules by both readers (kubeconfig.ts's load
 * cites client-go): the first file that defines a name wins, current-context comes from the first
 * file that sets one, and relative paths resolve against the defining file's directory. client-node's
 * own mergeConfig does not follow them (it throws "Duplicate cluster: …" and keeps the first file's
 * current-context), so each file is loaded into a KubeConfig of its own (loadFromFile, whose
 * makePathsAbsolute resolves that file's relative paths) and mergeKubeConfigs merges them. Where
 * this client-node path still differs from kubectl: see kubeconfig.ts's module comment, and an exec
 * plugin's relative command with a slash in it (kubectl resolves it against the kubeconfig's
 * directory, client-node runs it as given, from the working directory).
 */
import {existsSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import {delimiter, join} from 'node:path'
import type {Target} from '../../config/target.js'
import {ExitCode, HaadmError} from '../../errors.js'
import {
  type KubeSettings,
  SERVICE_ACCOUNT_DIR,
  inClusterAccount,
  kubeconfigFiles,
  noCurrentContextError,
  noKubeconfigError,
  readKubeconfig,
  undefinedClusterError,
  unknownContextError,
} from './kubeconfig.js'

/** One request may take this long before haadm gives up on the server. */
const REQUEST_TIMEOUT_MS = 15_000

export interface KubeResponse {
  status: number
  body: any
}

export interface KubeConnection {
  server: string
  context: string | null
  namespace: string
  /** Where the namespace came from, for messages. */
  namespaceSource: string
  request(method: string, path: string, opts?: {query?: Record<string, string | undefined>; body?: unknown; contentType?: string}): Promise<KubeResponse>
  close(): void
}

/** The Status object of an error response, or a stand-in when the body is not one. */
export function statusOf(res: KubeResponse): {message: string; reason: string; code: number} {
  const b = res.body
  if (b && typeof b === 'object' && b.kind === 'Status')
    return {message: String(b.message ?? ''), reason: String(b.reason ?? ''), code: Number(b.code ?? res.status)}
  return {message: typeof b === 'string' ? b.slice(0, 200) : `HTTP ${res.status}`, reason: '', code: res.status}
}

type KubeConfig = import('@kubernetes/client-node').KubeConfig
/** What KubeConfig.loadFromOptions sets (typed `any` there). */
type KubeConfigOptions = Pick<KubeConfig, 'clusters' | 'users' | 'contexts' | 'currentContext'>

/**
 * The options (for KubeConfig.loadFromOptions) of the kubeconfig files loaded one per KubeConfig,
 * merged with kubectl's rules: the clusters, users and contexts of a name an earlier file defines
 * are dropped (within one file all stay, as client-node keeps them: the first one found wins), and
 * current-context is the first non-empty one.
 */
export function mergeKubeConfigs(configs: KubeConfig[]): KubeConfigOptions {
  const firstWins = <T extends {name: string}>(have: T[], more: T[]) => {
    const names = new Set(have.map((e) => e.name))
    return [...have, ...more.filter((e) => !names.has(e.name))]
  }
  const merged: KubeConfigOptions = {clusters: [], users: [], contexts: [], currentContext: ''}
  for (const kc of configs) {
    merged.clusters = firstWins(merged.clusters, kc.getClusters())
    merged.users = firstWins(merged.users, kc.getUsers())
    merged.contexts = firstWins(merged.contexts, kc.getContexts())
    if (!merged.currentContext && kc.getCurrentContext()) merged.currentContext = kc.getCurrentContext()
  }
  return merged
}

async function loadKubeConfigClass(): Promise<typeof import('@kubernetes/client-node').KubeConfig> {
  try {
    return (await import('@kubernetes/client-node')).KubeConfig
  } catch (err) {
    throw new HaadmError('UNEXPECTED', 'the Kubernetes client library (npm package "@kubernetes/client-node") cannot be loaded', {
      exit: ExitCode.UNEXPECTED,
      hint: 'Reinstall haadm (npm ci).',
      cause: err,
    })
  }
}

/**
 * The settings of the kubeconfig the target names (or the default one, or the in-cluster account),
 * for the context it picks: read by kubeconfig.ts when it can, else by client-node.
 * `clientNode: true` always uses client-node (the tests compare both readers).
 */
export async function kubeSettings(target: Target, opts: {clientNode?: boolean} = {}): Promise<KubeSettings> {
  const files = kubeconfigFiles(target)
  return (!opts.clientNode && (await readKubeconfig(target, files))) || (await loadKubeConfig(target, files))
}

/** Loads the kubeconfig files with client-node's KubeConfig (or the in-cluster account) and picks the context. */
async function loadKubeConfig(target: Target, files: string[]): Promise<KubeSettings> {
  const KubeConfig = await loadKubeConfigClass()
  const kc = new KubeConfig()
  let inCluster = false
  try {
    if (files.length > 0) {
      kc.loadFromOptions(
        mergeKubeConfigs(
          files.map((f) => {
            const one = new KubeConfig()
            one.loadFromFile(f)
            return one
          }),
        ),
      )
    } else if (inClusterAccount()) {
      kc.loadFromCluster()
      inCluster = true
    } else {
      throw noKubeconfigError()
    }
  } catch (err) {
    if (err instanceof HaadmError) throw err
    throw new HaadmError('K8S_CONFIG', `kubeconfig ${files.join(delimiter)} is not valid: ${firstLine(err)}`, {
      exit: ExitCode.USAGE,
      hint: 'Check the file with kubectl config view.',
      cause: err,
    })
  }
  const wanted = target.kubernetes.context?.value
  if (wanted !== undefined) {
    if (!kc.getContextObject(wanted)) throw unknownContextError(wanted, kc.getContexts().map((c) => c.name), files)
    kc.setCurrentContext(wanted)
  }
  const context = inCluster ? null : kc.getCurrentContext() || null
  if (!inCluster && (!context || !kc.getContextObject(context)))
    throw noCurrentContextError(context, kc.getContexts().map((c) => c.name))
  const cluster = kc.getCurrentCluster()
  if (!cluster) throw undefinedClusterError(context)
  return {
    context,
    inCluster,
    server: cluster.server,
    namespace: context ? kc.getContextObject(context)?.namespace : undefined,
    async httpsOptions() {
      const opts: https.RequestOptions = {}
      await kc.applyToHTTPSOptions(opts)
      return opts
    },
  }
}

export async function connectKube(target: Target): Promise<KubeConnection> {
  const kube = await kubeSettings(target)
  const {context, inCluster} = kube
  let base: URL
  try {
    base = new URL(kube.server)
  } catch {
    throw new HaadmError('K8S_CONFIG', `the kubeconfig's server ${JSON.stringify(kube.server)} is not a URL`, {exit: ExitCode.USAGE, hint: 'Check the file with kubectl config view.'})
  }
  let namespace: string
  let namespaceSource: string
  const ctxNamespace = kube.namespace
  if (target.kubernetes.namespace) {
    namespace = target.kubernetes.namespace.value
    namespaceSource = target.kubernetes.namespace.source.kind === 'flag' ? '--namespace' : target.kubernetes.namespace.source.kind
  } else if (ctxNamespace) {
    namespace = ctxNamespace
    namespaceSource = `context ${context}`
  } else if (inCluster && existsSync(join(SERVICE_ACCOUNT_DIR, 'namespace'))) {
    const {readFileSync} = await import('node:fs')
    namespace = readFileSync(join(SERVICE_ACCOUNT_DIR, 'namespace'), 'utf8').trim()
    namespaceSource = 'the service account'
  } else {
    namespace = 'default'
    namespaceSource = 'default'
  }

  let opts: https.RequestOptions
  try {
    opts = await kube.httpsOptions()
  } catch (err) {
    throw new HaadmError('K8S_UNAUTHORIZED', `cannot get credentials for context ${JSON.stringify(context)}: ${firstLine(err)}`, {
      exit: ExitCode.UNREACHABLE,
      hint: 'Check the user entry of the kubeconfig (token, certificate, exec plugin).',
      cause: err,
    })
  }
  const secure = base.protocol === 'https:'
  const headers = {...(opts.headers as Record<string, string> | undefined)}
  // client-node reads a `token-file` as it is, trailing newline included, which HTTP forbids in a header.
  for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') headers[k] = v.trim()
  if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`
  // As kubectl: credentials are never sent in clear text; over http:// the request goes without them.
  if (!secure && headers.Authorization) {
    delete headers.Authorization
    process.stderr.write(`warning: the API server ${base.origin} is plain http://: its token or password is not sent (kubectl does not send it either); use https://\n`)
  }
  const agent = secure
    ? new https.Agent({keepAlive: true, maxSockets: 16, ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername})
    : new http.Agent({keepAlive: true, maxSockets: 16})
  const prefix = base.pathname.replace(/\/+$/, '')
  const server = base.toString().replace(/\/+$/, '')

  const request: KubeConnection['request'] = (method, path, o = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(prefix + path, base)
      for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, v)
      const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body))
      const req = (secure ? https : http).request(
        url,
        {
          method,
          agent,
          headers: {
            ...headers,
            Accept: 'application/json',
            'User-Agent': 'haadm',
            ...(payload ? {'Content-Type': o.contentType ?? 'application/json', 'Content-Length': payload.length} : {}),
          },
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', (e) => reject(unreachable(server, e)))
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8')
            let body: unknown = raw
            try {
              body = raw === '' ? null : JSON.parse(raw)
            } catch {
              // not JSON: keep the text for the message
            }
            resolve({status: res.statusCode ?? 0, body})
          })
        },
      )
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`), {code: 'ETIMEDOUT'})))
      req.on('error', (e) => reject(unreachable(server, e)))
      req.end(payload)
    })

  return {server, context, namespace, namespaceSource, request, close: () => agent.destroy()}
}

function unreachable(server: string, e: Error & {code?: string}): HaadmError {
  const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL/i.test(`${e.code ?? ''} ${e.message}`)
  return new HaadmError('K8S_UNREACHABLE', `cannot reach the Kubernetes API server at ${server}: ${e.code ?? e.message}`, {
    exit: ExitCode.UNREACHABLE,
    hint: tls
      ? "The server's certificate is not trusted: check certificate-authority(-data) of the kubeconfig's cluster."
      : "Check the kubeconfig's server and context, and that the cluster is up (kubectl cluster-info).",
    cause: e,
  })
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]
}
