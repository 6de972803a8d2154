/**
 * A connection to the Kubernetes API server. The few REST calls haadm makes (list, get, update,
 * delete of v1 ConfigMaps; get of a Namespace) go straight over node:http(s), so that every Status
 * error, timeout and retry is under haadm's control; the kubeconfig only gives the server, the
 * context's namespace, the TLS options and the credentials.
 *
 * Two readers give them, with the same results and errors: kubeconfig.ts reads the common
 * kubeconfigs itself (server, CA, token, client certificate, basic auth, proxy-url, exec plugins),
 * and @kubernetes/client-node's KubeConfig, imported here and only here, handles the rest:
 * auth-provider plugins, impersonation, the in-cluster service account, and any file the first
 * reader cannot read exactly as client-node would. Importing client-node costs ~300 ms, so it is
 * imported only when the first reader declines.
 *
 * Every request is bounded: the connection (TCP, TLS, a proxy's tunnel) must be up within
 * CONNECT_TIMEOUT_MS, the answer must not stall for REQUEST_TIMEOUT_MS, and nothing waits past the
 * run's deadline (`--timeout`, deadline.ts; reads get a few seconds more so that a run cut short
 * can say what remains). Retries follow client-go (rest/with_retry.go): 429 and 5xx answers with a
 * Retry-After are sent again after that many seconds (at least the backoff, at most
 * MAX_RETRY_WAIT_MS, MAX_ATTEMPTS in all, never past the deadline); a connection reset is retried
 * for GET, as client-go does, and also for the writes the server refuses to repeat (a DELETE with
 * preconditions, an update carrying its resourceVersion: repeated after it took effect, they answer
 * 404 or 409, which the backend reads as absent or changed). A server that lets STALL_LIMIT requests
 * of one method in a row go unanswered gets no more of that method: the rest fail at once (an API
 * server that never answers DELETE costs a cleanup two request timeouts, not one per 16 maps).
 * Proxies: the cluster's proxy-url, else HTTPS_PROXY / HTTP_PROXY / NO_PROXY as Go reads them (see
 * chooseProxy).
 *
 * Several kubeconfig files are merged with kubectl's rules by both readers (kubeconfig.ts's load
 * cites client-go): the first file that defines a name wins, current-context comes from the first
 * file that sets one, and relative paths resolve against the defining file's directory. client-node's
 * own mergeConfig does not follow them (it throws "Duplicate cluster: …" and keeps the first file's
 * current-context), so each file is loaded into a KubeConfig of its own (loadFromFile, whose
 * makePathsAbsolute resolves that file's relative paths) and mergeKubeConfigs merges them. Where
 * this client-node path still differs from kubectl: see kubeconfig.ts's module comment.
 */
import {existsSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net, {BlockList, isIP} from 'node:net'
import {delimiter, join} from 'node:path'
import tls from 'node:tls'
import {debuglog} from 'node:util'
import {READ_GRACE_MS, noteWrite, remainingMs, timeoutText} from '../../deadline.js'
import type {ExecCredentialSource, ExecCredentials} from './exec-credential.js'
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
  /**
   * A watch (GET with watch=1): each event line goes to `onEvent` until it returns true, the server
   * ends the stream, `signal` aborts or the run's deadline passes. Resolves with the status, and the
   * body of an error answer; `dropped` when the connection broke under the stream (resume then).
   */
  watch(path: string, query: Record<string, string | undefined>, onEvent: (event: any) => boolean, signal: AbortSignal): Promise<KubeResponse & {dropped?: boolean}>
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
    proxyUrl: cluster.proxyUrl,
    async httpsOptions() {
      const opts: https.RequestOptions = {}
      await kc.applyToHTTPSOptions(opts)
      return opts
    },
  }
}

/** A TCP (and TLS) connection must be up within this long. */
const CONNECT_TIMEOUT_MS = 10_000
/** An answer must begin (and keep coming) within this long of silence. */
const REQUEST_TIMEOUT_MS = 15_000
/** Attempts of one request after 429/5xx with Retry-After or a connection reset: client-go makes up to 11. */
const MAX_ATTEMPTS = 6
/** The longest single wait between attempts, whatever Retry-After says. */
const MAX_RETRY_WAIT_MS = 10_000
/** After this many requests of one method in a row got no answer in time, the rest of that method are not sent. */
const STALL_LIMIT = 3

export async function connectKube(target: Target): Promise<KubeConnection> {
  const kube = await kubeSettings(target)
  const {context, inCluster} = kube
  // The exec plugin runs while the rest is set up and the first connection opens; errors surface with the first request.
  kube.exec?.get().catch(() => {})
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
  const proxy = chooseProxy(base, kube.proxyUrl, process.env)
  // As kubectl: credentials are never sent in clear text; over http:// the request goes without them.
  if (!secure && (headers.Authorization || kube.exec)) {
    delete headers.Authorization
    process.stderr.write(`warning: the API server ${base.origin} is plain http://: its token or password is not sent (kubectl does not send it either); use https://
`)
  }
  const prefix = base.pathname.replace(/\/+$/, '')
  const server = base.toString().replace(/\/+$/, '')

  // The agent carries the client certificate: an exec plugin's new certificate needs a new agent.
  let agent: http.Agent | undefined
  let agentCert: string | undefined
  const agentFor = (cert: string | undefined, key: string | undefined): http.Agent => {
    if (agent && agentCert === cert) return agent as http.Agent
    agent?.destroy()
    agentCert = cert
    const tlsOpts: tls.ConnectionOptions = {
      ca: opts.ca,
      cert: cert ?? (opts.cert as string | Buffer | undefined),
      key: key ?? (opts.key as string | Buffer | undefined),
      pfx: opts.pfx,
      passphrase: opts.passphrase,
      rejectUnauthorized: opts.rejectUnauthorized,
      servername: opts.servername,
    }
    const common = {keepAlive: true, maxSockets: 16}
    if (secure) agent = proxy ? new TunnelAgent(proxy, {...common, ...tlsOpts}) : new https.Agent({...common, ...tlsOpts})
    else agent = new http.Agent(common)
    return agent as http.Agent
  }

  const exec = kube.exec
  /** Once a write was sent, reads get READ_GRACE_MS past the deadline: the check after a removal cut short. */
  let wrote = false
  /** Consecutive requests of a method that got no answer in time. */
  const stalled = new Map<string, number>()

  /**
   * One attempt. `credsOrPending`: the exec plugin's credentials, or the plugin still running: then
   * the connection (TCP, TLS) is opened meanwhile and the request sent once the token is known; a
   * client certificate needs another connection, so the attempt ends with `restart` and is made again.
   */
  const attempt = (method: string, url: URL, payload: Buffer | undefined, contentType: string | undefined, credsOrPending: ExecCredentials | Promise<ExecCredentials> | undefined) =>
    new Promise<{status: number; headers: http.IncomingHttpHeaders; body: unknown}>((resolve, reject) => {
      const pending = credsOrPending instanceof Promise ? credsOrPending : undefined
      const creds = pending ? undefined : (credsOrPending as ExecCredentials | undefined)
      const h: Record<string, string | number> = {
        ...headers,
        ...(creds?.token && secure ? {Authorization: `Bearer ${creds.token}`} : {}),
        Accept: 'application/json',
        'User-Agent': 'haadm',
        ...(payload ? {'Content-Type': contentType ?? 'application/json', 'Content-Length': payload.length} : {}),
      }
      if (method !== 'GET') {
        wrote = true
        noteWrite()
      }
      const left = remainingMs(method === 'GET' && wrote ? READ_GRACE_MS : 0)
      if (left <= 0) {
        reject(deadlineError(server, method, url))
        return
      }
      const via = proxy && !secure
      if (via) {
        const auth = proxyAuthorization(proxy)
        if (auth) h['Proxy-Authorization'] = auth
      }
      const reqOpts: http.RequestOptions = via
        ? {host: proxy.hostname.replace(/^\[|\]$/g, ''), port: proxy.port || 80, path: url.href, method, agent: agentFor(undefined, undefined), headers: {...h, Host: url.host}}
        : {protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: url.pathname + url.search, method, agent: agentFor(creds?.cert, creds?.key), headers: h}
      const req = (secure ? https : http).request(
        reqOpts,
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', (e) => fail(e))
          res.on('aborted', () => fail(Object.assign(new Error('the connection closed before the whole answer came'), {code: 'ECONNRESET'})))
          res.on('end', () => {
            done()
            const raw = Buffer.concat(chunks).toString('utf8')
            let body: unknown = raw
            try {
              body = raw === '' ? null : JSON.parse(raw)
            } catch {
              // not JSON: keep the text for the message
            }
            resolve({status: res.statusCode ?? 0, headers: res.headers, body})
          })
        },
      )
      let finished = false
      const done = () => {
        finished = true
        clearTimeout(connectTimer)
        clearTimeout(deadlineTimer)
      }
      const fail = (e: Error) => {
        if (finished) return
        done()
        reject(e)
      }
      const connectTimer = setTimeout(
        () => req.destroy(Object.assign(new Error(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`), {code: 'ETIMEDOUT', phase: 'connect'})),
        Math.min(CONNECT_TIMEOUT_MS, left),
      )
      const deadlineTimer = Number.isFinite(left) ? setTimeout(() => req.destroy(deadlineError(server, method, url)), left) : undefined
      req.on('socket', (sock) => {
        const ready = () => clearTimeout(connectTimer)
        if (sock instanceof tls.TLSSocket) {
          if ((sock as unknown as {_secureEstablished?: boolean})._secureEstablished) ready()
          else sock.once('secureConnect', ready)
        } else if (sock.connecting) sock.once('connect', ready)
        else ready()
      })
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`), {code: 'ETIMEDOUT', phase: 'answer'})))
      req.on('error', (e) => fail(e))
      const send = () => {
        req.setTimeout(REQUEST_TIMEOUT_MS)
        req.end(payload)
      }
      if (!pending) send()
      else
        pending.then(
          (c) => {
            if (c.cert) return req.destroy(Object.assign(new Error('a client certificate: connect again'), {restart: true}))
            if (c.token) req.setHeader('Authorization', `Bearer ${c.token}`)
            send()
          },
          (err) => req.destroy(err),
        )
    })

  const request: KubeConnection['request'] = async (method, path, o = {}) => {
    const url = new URL(prefix + path, base)
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, v)
    const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body))
    // A connection reset may come after the server acted: only reads, and writes whose repetition
    // the server refuses (a precondition or a resourceVersion), are sent again.
    const repeatable = method === 'GET' || guarded(method, o.body)
    // Known credentials, else the plugin's run (started by connectKube), awaited inside the first attempt.
    let creds = exec?.peek()
    let pending = exec && !creds ? execCredentials(exec, context) : undefined
    let refreshed = false
    for (let n = 1; ; n++) {
      if ((stalled.get(method) ?? 0) >= STALL_LIMIT)
        throw new HaadmError('K8S_UNREACHABLE', `the Kubernetes API server at ${server} stopped answering ${method} requests (${STALL_LIMIT} in a row got no answer within ${REQUEST_TIMEOUT_MS / 1000} s): not sent`, {
          exit: ExitCode.UNREACHABLE,
          hint: 'Check the API server (kubectl get --raw /readyz) and run again.',
        })
      let res: Awaited<ReturnType<typeof attempt>>
      try {
        res = await attempt(method, url, payload, o.contentType, pending ?? creds)
      } catch (err) {
        if (err instanceof HaadmError) throw err
        const e = err as Error & {code?: string; phase?: string; restart?: boolean}
        if (pending) {
          creds = await pending
          pending = undefined
        }
        if (e.restart) {
          n--
          continue
        }
        if (e.phase === 'answer') stalled.set(method, (stalled.get(method) ?? 0) + 1)
        const wait = n < MAX_ATTEMPTS && repeatable && isReset(e) ? backoff(n) : undefined
        if (wait === undefined || wait >= remainingMs(method === 'GET' && wrote ? READ_GRACE_MS : 0)) throw unreachable(server, e)
        debug('%s %s: %s, attempt %d again in %d ms', method, url.pathname, e.code ?? e.message, n + 1, wait)
        await sleep(wait)
        continue
      }
      if (pending) {
        creds = await pending
        pending = undefined
      }
      stalled.delete(method)
      if (res.status === 401 && exec && creds && !refreshed) {
        // client-go refreshes on 401; haadm also sends the request once more with the new credential.
        refreshed = true
        const next = await execCredentials(exec, context, creds)
        if (next !== creds) {
          creds = next
          continue
        }
      }
      const retryAfter = retryAfterMs(res.status, res.headers['retry-after'])
      if (retryAfter !== undefined && n < MAX_ATTEMPTS) {
        const wait = Math.min(MAX_RETRY_WAIT_MS, Math.max(retryAfter, backoff(n)))
        if (wait < remainingMs()) {
          debug('%s %s: %d, Retry-After %s: attempt %d in %d ms', method, url.pathname, res.status, res.headers['retry-after'], n + 1, wait)
          await sleep(wait)
          continue
        }
      }
      return {status: res.status, body: res.body}
    }
  }

  const watch: KubeConnection['watch'] = async (path, query, onEvent, signal) => {
    const url = new URL(prefix + path, base)
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v)
    const creds = exec ? (exec.peek() ?? (await execCredentials(exec, context))) : undefined
    const left = remainingMs()
    if (left <= 0) throw deadlineError(server, 'GET', url)
    return new Promise((resolve, reject) => {
      const via = proxy && !secure
      const h: Record<string, string> = {...headers, ...(creds?.token && secure ? {Authorization: `Bearer ${creds.token}`} : {}), Accept: 'application/json', 'User-Agent': 'haadm'}
      const auth = via ? proxyAuthorization(proxy) : undefined
      if (auth) h['Proxy-Authorization'] = auth
      const reqOpts: http.RequestOptions = via
        ? {host: proxy.hostname.replace(/^\[|\]$/g, ''), port: proxy.port || 80, path: url.href, headers: {...h, Host: url.host}, agent: agentFor(undefined, undefined)}
        : {protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: url.pathname + url.search, headers: h, agent: agentFor(creds?.cert, creds?.key)}
      let settled = false
      const finish = (v: KubeResponse & {dropped?: boolean}) => {
        if (settled) return
        settled = true
        clearTimeout(deadlineTimer)
        signal.removeEventListener('abort', onAbort)
        req.destroy()
        resolve(v)
      }
      const req = (secure ? https : http).get(reqOpts, (res) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            let body: unknown = Buffer.concat(chunks).toString('utf8')
            try {
              body = JSON.parse(body as string)
            } catch {
              // text
            }
            finish({status: res.statusCode ?? 0, body})
          })
          return
        }
        let buf = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buf += chunk
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl).trim()
            buf = buf.slice(nl + 1)
            if (line === '') continue
            let event: unknown
            try {
              event = JSON.parse(line)
            } catch {
              continue
            }
            if (onEvent(event)) return finish({status: 200, body: null})
          }
        })
        res.on('end', () => finish({status: 200, body: null}))
        res.on('aborted', () => finish({status: 200, body: null, dropped: true}))
        res.on('error', () => finish({status: 200, body: null, dropped: true}))
      })
      const onAbort = () => finish({status: 0, body: null})
      signal.addEventListener('abort', onAbort)
      const deadlineTimer = Number.isFinite(left) ? setTimeout(() => finish({status: 0, body: null}), left) : undefined
      req.on('error', (e: Error & {code?: string}) => {
        if (settled) return
        if (isReset(e)) return finish({status: 0, body: null, dropped: true})
        settled = true
        clearTimeout(deadlineTimer)
        signal.removeEventListener('abort', onAbort)
        reject(unreachable(server, e))
      })
    })
  }

  agentFor(undefined, undefined)
  return {server, context, namespace, namespaceSource, request, watch, close: () => agent?.destroy()}
}

const debug = debuglog('haadm')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Exponential backoff with jitter: 250 ms, 500 ms, 1 s, 2 s, 4 s (±20 %). */
const backoff = (attempt: number) => Math.round(250 * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4))

/** client-go's checkWait: 429 and any 5xx with a Retry-After of whole seconds. */
export function retryAfterMs(status: number, header: string | string[] | undefined): number | undefined {
  if (status !== 429 && status < 500) return undefined
  const text = Array.isArray(header) ? header[0] : header
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined
  return Number(text) * 1000
}

/** A write the server refuses to repeat: a DELETE with preconditions, an update carrying the resourceVersion it read. */
function guarded(method: string, body: unknown): boolean {
  const b = body as {preconditions?: {uid?: string; resourceVersion?: string}; metadata?: {resourceVersion?: string}} | undefined
  if (method === 'DELETE') return Boolean(b?.preconditions?.uid || b?.preconditions?.resourceVersion)
  if (method === 'PUT') return Boolean(b?.metadata?.resourceVersion)
  return false
}

/** client-go's IsConnectionReset / IsProbableEOF: the connection broke under the request. */
function isReset(e: Error & {code?: string}): boolean {
  return ['ECONNRESET', 'EPIPE', 'ECONNABORTED'].includes(e.code ?? '') || /socket hang up|premature close/i.test(e.message)
}

async function execCredentials(exec: ExecCredentialSource, context: string | null, stale?: ExecCredentials): Promise<ExecCredentials> {
  try {
    return stale ? await exec.refresh(stale) : await exec.get()
  } catch (err) {
    if (err instanceof HaadmError) throw err
    throw new HaadmError('K8S_UNAUTHORIZED', `cannot get credentials for context ${JSON.stringify(context)}: ${firstLine(err)}`, {exit: ExitCode.UNREACHABLE, cause: err})
  }
}

function deadlineError(server: string, method: string, url: URL): HaadmError {
  return new HaadmError('K8S_UNREACHABLE', `the run's deadline (--timeout ${timeoutText()}) passed before the Kubernetes API server at ${server} answered ${method} ${url.pathname}`, {
    exit: ExitCode.UNREACHABLE,
    hint: 'Check the API server (kubectl get --raw /readyz); a longer --timeout waits longer.',
    details: {timeout: timeoutText()},
  })
}

// ---- proxies ----

/**
 * The proxy for the API server, as client-go chooses it: the cluster's `proxy-url`, else
 * Go's http.ProxyFromEnvironment (golang.org/x/net/http/httpproxy): HTTPS_PROXY (or https_proxy)
 * for an https server, HTTP_PROXY (or http_proxy) for an http one, upper case first; NO_PROXY (or
 * no_proxy) lists hosts that go direct (`*`; IP addresses; CIDR ranges; domains, which match
 * their subdomains too, `.example.com` only the subdomains; each with an optional port); and
 * localhost and loopback addresses always go direct. A proxy without a scheme is http.
 * Only http and https proxies are supported (client-go also knows socks5).
 */
export function chooseProxy(server: URL, proxyUrl: string | undefined, env: Record<string, string | undefined>): URL | undefined {
  if (proxyUrl) return parseProxy(proxyUrl, "the cluster's proxy-url")
  const https = server.protocol === 'https:'
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '')
  const text = https ? pick('HTTPS_PROXY', 'https_proxy') : pick('HTTP_PROXY', 'http_proxy')
  if (!text) return undefined
  const host = server.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const port = server.port || (https ? '443' : '80')
  if (host === 'localhost' || isLoopback(host)) return undefined
  if (noProxy(host, port, pick('NO_PROXY', 'no_proxy') ?? '')) return undefined
  return parseProxy(text, https ? 'HTTPS_PROXY' : 'HTTP_PROXY')
}

/** httpproxy's parseProxy: a text without a scheme or host is read as http://text. */
function parseProxy(text: string, what: string): URL {
  let u: URL | undefined
  try {
    u = new URL(text)
    if (!u.host) u = undefined
  } catch {
    u = undefined
  }
  if (!u) {
    try {
      u = new URL(`http://${text}`)
    } catch {
      throw new HaadmError('K8S_CONFIG', `${what} ${JSON.stringify(text)} is not a proxy URL`, {exit: ExitCode.USAGE, hint: 'Give http://host:port or https://host:port.'})
    }
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new HaadmError('K8S_CONFIG', `${what} ${JSON.stringify(text)}: ${u.protocol.slice(0, -1)} proxies are not supported`, {exit: ExitCode.USAGE, hint: 'Use an http:// or https:// proxy.'})
  return u
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.')
  if (isIP(host) === 6) return host === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(host)
  return false
}

function noProxy(host: string, port: string, list: string): boolean {
  for (const raw of list.split(',')) {
    let entry = raw.trim().toLowerCase()
    if (entry === '') continue
    if (entry === '*') return true
    if (entry.includes('/')) {
      if (isIP(host) && inCidr(host, entry)) return true
      continue
    }
    let entryPort = ''
    const m = /^(.*):(\d+)$/.exec(entry)
    if (m && !isIP(entry)) {
      entry = m[1]
      entryPort = m[2]
    }
    entry = entry.replace(/^\[|\]$/g, '')
    if (isIP(entry)) {
      if (entry === host && (entryPort === '' || entryPort === port)) return true
      continue
    }
    if (entry.startsWith('*.')) entry = entry.slice(1)
    const matchHost = !entry.startsWith('.')
    const suffix = matchHost ? `.${entry}` : entry
    if ((host.endsWith(suffix) || (matchHost && host === entry)) && (entryPort === '' || entryPort === port)) return true
  }
  return false
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/')
  const bits = Number(bitsText)
  if (isIP(net) !== isIP(ip) || !Number.isInteger(bits)) return false
  const list = new BlockList()
  try {
    list.addSubnet(net, bits, isIP(net) === 6 ? 'ipv6' : 'ipv4')
  } catch {
    return false
  }
  return list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')
}

function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username) return undefined
  return `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`
}

/** An https.Agent whose connections go through an HTTP CONNECT tunnel of the proxy (itself over TLS for an https proxy). */
class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    opts: https.AgentOptions,
  ) {
    super(opts)
  }

  // biome-ignore lint: node's typing of the callback form
  override createConnection(options: any, cb?: (err: Error | null, socket: any) => void): undefined {
    const proxy = this.proxy
    const host = proxy.hostname.replace(/^\[|\]$/g, '')
    const port = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80))
    const sock: net.Socket = proxy.protocol === 'https:' ? tls.connect({host, port, servername: isIP(host) ? undefined : host}) : net.connect({host, port})
    const target = `${options.host?.includes(':') ? `[${options.host}]` : options.host}:${options.port}`
    const auth = proxyAuthorization(proxy)
    let buf = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      const end = buf.indexOf('\r\n\r\n')
      if (end < 0) {
        if (buf.length > 16_384) fail(new Error('the proxy answered CONNECT with an over-long header'))
        return
      }
      sock.off('data', onData)
      sock.off('error', fail)
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, end).toString('latin1'))
      if (!status || status[1] !== '200') {
        sock.destroy()
        cb?.(Object.assign(new Error(`the proxy ${proxy.host} refused CONNECT ${target}: ${buf.subarray(0, end).toString('latin1').split('\r\n')[0]}`), {code: 'EPROXY'}), undefined)
        return
      }
      const rest = buf.subarray(end + 4)
      if (rest.length > 0) sock.unshift(rest)
      cb?.(null, tls.connect({...options, socket: sock}))
    }
    const fail = (e: Error) => {
      sock.destroy()
      cb?.(e, undefined)
    }
    sock.on('data', onData)
    sock.once('error', fail)
    sock.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`)
    return undefined
  }
}

function unreachable(server: string, e: Error & {code?: string}): HaadmError {
  const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL/i.test(`${e.code ?? ''} ${e.message}`)
  const why = e.code && e.code !== 'EPROXY' && e.code !== 'ETIMEDOUT' ? e.code : e.message
  return new HaadmError('K8S_UNREACHABLE', `cannot reach the Kubernetes API server at ${server}: ${why}`, {
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
