/**
 * Exec credential plugins (the kubeconfig user's `exec`: aws eks get-token, gke-gcloud-auth-plugin,
 * kubelogin…), run as client-go runs them (plugin/pkg/client/auth/exec/exec.go), without
 * @kubernetes/client-node:
 * - the command runs with the user's environment plus the entry's `env`, and KUBERNETES_EXEC_INFO
 *   holding an ExecCredential of the entry's apiVersion (client.authentication.k8s.io/v1 or
 *   v1beta1) whose spec says whether the plugin may interact, and, with `provideClusterInfo`,
 *   describes the cluster (server, tls-server-name, insecure-skip-tls-verify,
 *   certificate-authority-data, proxy-url, disable-compression, and the `config` of the cluster's
 *   `client.authentication.k8s.io/exec` extension);
 * - a command with a slash in it resolves against the kubeconfig's directory (client-go's
 *   ResolveLocalPaths), a bare name through PATH;
 * - `interactiveMode`: required for v1, IfAvailable by default for v1beta1 (client-go's defaults
 *   and validation). The plugin is interactive only when haadm's standard input is a terminal:
 *   then it gets haadm's stdin and stderr, as with kubectl. `Always` without a terminal is an error;
 * - the answer must be an ExecCredential of the same apiVersion whose status holds a token, or a
 *   client certificate and key (both); `expirationTimestamp` makes haadm run the plugin again
 *   once it has passed (before the next request), and a 401 answer refreshes the credential once.
 *
 * Unlike client-go, a plugin that is not interactive has its stderr captured: a failing plugin's
 * message is part of haadm's one-line error (exit 3), and on success what it printed is passed on
 * to haadm's stderr. A plugin that is not interactive gets at most a minute (or the run's
 * deadline, when shorter): kubectl waits forever.
 */
import {spawn} from 'node:child_process'
import {isAbsolute, join} from 'node:path'
import {isatty} from 'node:tty'
import {ExitCode, HaadmError} from '../../errors.js'
import {remainingMs} from '../../deadline.js'

export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const
export type ExecApiVersion = (typeof EXEC_API_VERSIONS)[number]

/** The exec entry of a kubeconfig user, checked (client-go's validateAuthInfo and SetDefaults_ExecConfig). */
export interface ExecConfig {
  apiVersion: ExecApiVersion
  /** As written in the kubeconfig. */
  command: string
  /** What is run: `command` resolved against the kubeconfig's directory when it has a slash. */
  path: string
  args: string[]
  env: Array<{name: string; value: string}>
  interactiveMode: 'Never' | 'IfAvailable' | 'Always'
  provideClusterInfo: boolean
  installHint?: string
}

/** What provideClusterInfo passes (client.authentication.k8s.io Cluster). */
export interface ExecClusterInfo {
  server: string
  'tls-server-name'?: string
  'insecure-skip-tls-verify'?: boolean
  /** base64, as the []byte field is in JSON. */
  'certificate-authority-data'?: string
  'proxy-url'?: string
  'disable-compression'?: boolean
  config?: unknown
}

export interface ExecCredentials {
  token?: string
  cert?: string
  key?: string
  /** ms since the epoch; undefined: valid until a 401. */
  expiresAt?: number
}

/** Non-interactive plugins get this long at most. */
const PLUGIN_TIMEOUT_MS = 60_000
/** The tail of the plugin's stderr that goes into a message. */
const STDERR_IN_MESSAGE = 600

const configError = (user: string, message: string) =>
  new HaadmError('K8S_CONFIG', `user ${JSON.stringify(user)}: ${message}`, {
    exit: ExitCode.USAGE,
    hint: 'Fix the exec entry of the kubeconfig user (kubectl config view shows it).',
  })

/**
 * Checks and defaults a kubeconfig user's `exec` entry as client-go does; `dir` is the defining
 * file's directory. Returns undefined for a value of an unexpected type (the caller leaves such a
 * kubeconfig to client-node), throws a usage error for what client-go refuses.
 */
export function parseExecConfig(user: string, exec: unknown, dir: string): ExecConfig | undefined {
  if (typeof exec !== 'object' || exec === null || Array.isArray(exec)) return undefined
  const e = exec as Record<string, unknown>
  const known = new Set(['apiVersion', 'command', 'args', 'env', 'interactiveMode', 'provideClusterInfo', 'installHint'])
  if (Object.keys(e).some((k) => !known.has(k))) return undefined
  const strOrUndef = (v: unknown) => (v === undefined || v === null ? undefined : typeof v === 'string' ? v : null)
  const command = strOrUndef(e.command)
  const apiVersion = strOrUndef(e.apiVersion)
  const mode = strOrUndef(e.interactiveMode)
  const installHint = strOrUndef(e.installHint)
  if (command === null || apiVersion === null || mode === null || installHint === null) return undefined
  if (e.provideClusterInfo !== undefined && e.provideClusterInfo !== null && typeof e.provideClusterInfo !== 'boolean') return undefined
  const args = e.args ?? []
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) return undefined
  const env = e.env ?? []
  if (!Array.isArray(env)) return undefined
  const vars: Array<{name: string; value: string}> = []
  for (const v of env) {
    if (typeof v !== 'object' || v === null) return undefined
    const {name, value} = v as Record<string, unknown>
    if ((name !== undefined && typeof name !== 'string') || (value !== undefined && value !== null && typeof value !== 'string')) return undefined
    if (!name) throw configError(user, 'an exec env variable has no name')
    vars.push({name, value: (value as string | undefined) ?? ''})
  }
  if (!command) throw configError(user, 'the exec plugin has no command')
  if (!apiVersion) throw configError(user, 'the exec plugin has no apiVersion')
  if (!(EXEC_API_VERSIONS as readonly string[]).includes(apiVersion))
    throw configError(user, `the exec plugin's apiVersion ${JSON.stringify(apiVersion)} is not supported (${EXEC_API_VERSIONS.join(', ')})`)
  // SetDefaults_ExecConfig: only v1beta1 (and the removed v1alpha1) default to IfAvailable.
  const interactiveMode = mode || (apiVersion === 'client.authentication.k8s.io/v1beta1' ? 'IfAvailable' : '')
  if (!interactiveMode) throw configError(user, 'the exec plugin has no interactiveMode (required with client.authentication.k8s.io/v1: Never, IfAvailable or Always)')
  if (!['Never', 'IfAvailable', 'Always'].includes(interactiveMode))
    throw configError(user, `the exec plugin's interactiveMode ${JSON.stringify(interactiveMode)} is not Never, IfAvailable or Always`)
  return {
    apiVersion: apiVersion as ExecApiVersion,
    command,
    path: command.includes('/') && !isAbsolute(command) ? join(dir, command) : command,
    args: args as string[],
    env: vars,
    interactiveMode: interactiveMode as ExecConfig['interactiveMode'],
    provideClusterInfo: e.provideClusterInfo === true,
    installHint: installHint || undefined,
  }
}

/**
 * The credentials of one exec plugin for one run: run on first use, kept until they expire or a
 * request meets 401 (refresh), run once at a time.
 */
export class ExecCredentialSource {
  private cached: ExecCredentials | undefined
  private running: Promise<ExecCredentials> | undefined

  constructor(
    readonly user: string,
    private readonly config: ExecConfig,
    private readonly cluster: ExecClusterInfo,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current credentials, running the plugin when there are none or they have expired. */
  async get(): Promise<ExecCredentials> {
    const c = this.cached
    if (c && (c.expiresAt === undefined || this.now() <= c.expiresAt)) return c
    return this.run()
  }

  /** The credentials when they are known and valid, without running anything. */
  peek(): ExecCredentials | undefined {
    const c = this.cached
    return c && (c.expiresAt === undefined || this.now() <= c.expiresAt) ? c : undefined
  }

  /** After a 401 with `used`: runs the plugin again unless another request already did. */
  async refresh(used: ExecCredentials): Promise<ExecCredentials> {
    if (this.cached !== used && this.cached) return this.cached
    return this.run()
  }

  private run(): Promise<ExecCredentials> {
    this.running ??= runPlugin(this.user, this.config, this.cluster).then(
      (c) => {
        this.cached = c
        this.running = undefined
        return c
      },
      (err) => {
        this.running = undefined
        throw err
      },
    )
    return this.running
  }
}

/** Runs the plugin once and reads its ExecCredential. */
export async function runPlugin(user: string, config: ExecConfig, cluster: ExecClusterInfo): Promise<ExecCredentials> {
  // isatty(0) rather than process.stdin.isTTY, which sets up a stream for stdin
  const tty = () => isatty(0)
  const name = config.command
  const fail = (message: string, hint?: string) =>
    new HaadmError('K8S_UNAUTHORIZED', `exec plugin ${name} of user ${JSON.stringify(user)}: ${message}`, {
      exit: ExitCode.UNREACHABLE,
      hint: hint ?? 'Run the command of the kubeconfig user\'s exec entry by hand to see what it needs (kubectl fails the same way).',
      details: {user, command: name},
    })
  let interactive: boolean
  if (config.interactiveMode === 'Never') interactive = false
  else if (config.interactiveMode === 'IfAvailable') interactive = tty()
  else if (tty()) interactive = true
  else throw fail('cannot support interactive mode: standard input is not a terminal', 'The plugin asks for interactiveMode Always: run haadm on a terminal, or sign in with the plugin first.')

  const input = {
    kind: 'ExecCredential',
    apiVersion: config.apiVersion,
    spec: {...(config.provideClusterInfo ? {cluster} : {}), interactive},
  }
  const env: NodeJS.ProcessEnv = {...process.env}
  for (const v of config.env) env[v.name] = v.value
  env.KUBERNETES_EXEC_INFO = JSON.stringify(input)

  const limit = interactive ? remainingMs() : Math.min(PLUGIN_TIMEOUT_MS, remainingMs())
  const {stdout, stderr, code, signal, error, timedOut} = await new Promise<{
    stdout: string
    stderr: string
    code: number | null
    signal: NodeJS.Signals | null
    error?: NodeJS.ErrnoException
    timedOut: boolean
  }>((resolve) => {
    const child = spawn(config.path, config.args, {env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', interactive ? 'inherit' : 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    let timedOut = false
    let spawnError: NodeJS.ErrnoException | undefined
    const timer = Number.isFinite(limit)
      ? setTimeout(() => {
          timedOut = true
          child.kill('SIGKILL')
        }, limit)
      : undefined
    child.stdout?.on('data', (c: Buffer) => out.push(c))
    child.stderr?.on('data', (c: Buffer) => err.push(c))
    child.on('error', (e) => (spawnError = e))
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      resolve({stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code, signal, error: spawnError, timedOut})
    })
  })
  const said = stderrText(stderr)
  if (error) {
    if (error.code === 'ENOENT')
      throw fail(
        `executable ${config.path} not found`,
        config.installHint ? config.installHint.trim().split('\n').join(' ') : `Install ${name}, or fix the exec command of the kubeconfig user (a name is looked up in PATH, a path with a slash is relative to the kubeconfig's directory).`,
      )
    throw fail(`cannot run ${config.path}: ${error.code ?? error.message}`)
  }
  if (timedOut) throw fail(`no answer within ${Math.round(limit / 1000)} s${said}`)
  if (code !== 0) throw fail(signal ? `killed by ${signal}${said}` : `failed with exit code ${code}${said}`)
  // A plugin's warnings (deprecations, cache notes) stay visible as they are with kubectl.
  if (stderr.trim() !== '') process.stderr.write(stderr.endsWith('\n') ? stderr : `${stderr}\n`)

  let cred: any
  try {
    cred = JSON.parse(stdout)
  } catch (e) {
    throw fail(`printed no valid ExecCredential JSON (${(e as Error).message}): ${JSON.stringify(stdout.trim().slice(0, 80))}`)
  }
  if (typeof cred !== 'object' || cred === null || Array.isArray(cred)) throw fail('printed no ExecCredential object')
  if (cred.kind !== 'ExecCredential') throw fail(`printed kind ${JSON.stringify(cred.kind ?? null)}, not ExecCredential`)
  if (cred.apiVersion !== config.apiVersion)
    throw fail(`is configured to use API version ${config.apiVersion}, plugin returned version ${JSON.stringify(cred.apiVersion ?? null)}`)
  const st = cred.status
  if (typeof st !== 'object' || st === null) throw fail("didn't return a status field")
  const s = (v: unknown, what: string) => {
    if (v === undefined || v === null || v === '') return undefined
    if (typeof v !== 'string') throw fail(`status.${what} is not a string`)
    return v
  }
  const token = s(st.token, 'token')
  const cert = s(st.clientCertificateData, 'clientCertificateData')
  const key = s(st.clientKeyData, 'clientKeyData')
  if (!token && !cert && !key) throw fail("didn't return a token or cert/key pair")
  if (!cert !== !key) throw fail('returned only certificate or key, not both')
  let expiresAt: number | undefined
  const exp = s(st.expirationTimestamp, 'expirationTimestamp')
  if (exp !== undefined) {
    expiresAt = Date.parse(exp)
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(exp) || Number.isNaN(expiresAt))
      throw fail(`status.expirationTimestamp ${JSON.stringify(exp)} is not an RFC 3339 time`)
  }
  return {token, cert, key, expiresAt}
}

/** The end of what a plugin wrote to stderr, on one line, for a message. */
function stderrText(stderr: string): string {
  const text = stderr.trim().replace(/\s*\n\s*/g, ' | ')
  if (text === '') return ''
  return `: ${text.length > STDERR_IN_MESSAGE ? `…${text.slice(-STDERR_IN_MESSAGE)}` : text}`
}
