// A real ZooKeeper server (Debian's `zookeeper` package) on a free loopback port, for end-to-end
// tests. One JVM per server, a fresh data directory, logs in a file beside the data.

import {spawn, type ChildProcess} from 'node:child_process'
import {createHash} from 'node:crypto'
import {closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createConnection, createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll} from 'vitest'
import {connectZk, type TestZk} from './zk-client.js'

export interface ZkServerOptions {
  /** "user:password" of the ZooKeeper super user (DigestAuthenticationProvider.superDigest). */
  superDigest?: string
  /** ZooKeeper tickTime in ms; sessions negotiate to at least 2 ticks and at most maxSessionTimeout (60 s). Default 200. */
  tickTime?: number
  /** Extra zoo.cfg lines, e.g. {'znode.container.checkIntervalMs': '100'}. */
  extraConfig?: Record<string, string>
  /** How long to wait for `ruok` → `imok`. Default 30 s. */
  startTimeoutMs?: number
}

export interface ZkServer {
  /** "127.0.0.1:<port>" */
  connectString: string
  port: number
  dataDir: string
  /** The server's log (stdout, stderr and slf4j output of the JVM). */
  logFile: string
  /** Sessions negotiate a timeout of at most this many ms (60 s unless extraConfig says otherwise). */
  maxSessionTimeoutMs: number
  /** Sends a four-letter-word command (`ruok`, `stat`, `cons`, `dump`, ...) and returns the answer. */
  fourLetter(cmd: string): Promise<string>
  /** SIGSTOP: the server freezes (its sockets stay open, nothing answers). */
  freeze(): void
  /** SIGCONT after freeze(). */
  thaw(): void
  stop(): Promise<void>
}

const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar'
// zookeeper.jar's manifest Class-Path brings the rest (jute, netty, slf4j-api, metrics, ...);
// it has no slf4j binding, so add slf4j-simple, which writes to stderr, i.e. to our log file.
const SERVER_CLASSPATH = [ZOOKEEPER_JAR, '/usr/share/java/slf4j-simple.jar']
const ZK_CLI = '/usr/share/zookeeper/bin/zkCli.sh'
const SETPRIV = '/usr/bin/setpriv'

/** Path of Debian's zkCli.sh. */
export function zkCliPath(): string {
  return ZK_CLI
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      if (addr === null || typeof addr === 'string') {
        srv.close()
        reject(new Error('could not get a free port'))
        return
      }
      srv.close(() => resolve(addr.port))
    })
  })
}

/** ZooKeeper's digest form of "user:password": "user:" + base64(sha1("user:password")). */
export function zkDigest(userPassword: string): string {
  const i = userPassword.indexOf(':')
  if (i <= 0) throw new Error(`expected "user:password", got ${JSON.stringify(userPassword)}`)
  const user = userPassword.slice(0, i)
  return `${user}:${createHash('sha1').update(userPassword, 'utf8').digest('base64')}`
}

/** Sends a four-letter-word command and returns the full answer (the server closes the socket). */
export function fourLetterWord(port: number, cmd: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const sock = createConnection({host: '127.0.0.1', port})
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`${cmd}: timed out after ${timeoutMs} ms`)))
    sock.on('connect', () => sock.end(cmd))
    sock.on('data', (b: Buffer) => chunks.push(b))
    sock.on('error', reject)
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

// --- crash safety: a test run that dies must not leave a JVM or a temp dir behind ---------------

interface Live {
  child: ChildProcess
  dir: string
}
const live = new Set<Live>()
let hookInstalled = false

function installExitHook(): void {
  if (hookInstalled) return
  hookInstalled = true
  process.once('exit', () => {
    for (const l of live) {
      killGroup(l.child, 'SIGKILL')
      try {
        rmSync(l.dir, {recursive: true, force: true})
      } catch {
        // best effort at exit
      }
    }
  })
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal) // the JVM leads its own process group (detached)
  } catch {
    try {
      child.kill(signal)
    } catch {
      // already gone
    }
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms)
    child.once('exit', () => {
      clearTimeout(t)
      resolve(true)
    })
  })
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// --- the server ------------------------------------------------------------------------------------

/**
 * Starts Debian's ZooKeeper server (standalone `ZooKeeperServerMain`) on a free 127.0.0.1 port with
 * a fresh data directory, and resolves once it answers `ruok` with `imok`.
 */
export async function startZooKeeper(opts: ZkServerOptions = {}): Promise<ZkServer> {
  if (!existsSync(ZOOKEEPER_JAR)) throw new Error(`${ZOOKEEPER_JAR} not found: install Debian's zookeeper package`)
  let lastError: unknown
  // The port is free when we ask, but another process may take it before the JVM binds it.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await findFreePort(), opts)
    } catch (e) {
      lastError = e
      if (!(e instanceof PortInUseError)) throw e
    }
  }
  throw lastError
}

class PortInUseError extends Error {}

const DIR_PREFIX = 'haadm-zk-'
const OWNER_FILE = 'owner.pid'

/** Removes data dirs left by test processes that were killed before their exit hook could run. */
function sweepOrphanDirs(): void {
  let names: string[]
  try {
    names = readdirSync(tmpdir()).filter((n) => n.startsWith(DIR_PREFIX))
  } catch {
    return
  }
  for (const n of names) {
    const dir = join(tmpdir(), n)
    try {
      const pid = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'))
      if (!Number.isInteger(pid) || pid <= 0 || pidAlive(pid)) continue
      rmSync(dir, {recursive: true, force: true})
    } catch {
      // no owner file (being created, or not ours): leave it
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function startOnce(port: number, opts: ZkServerOptions): Promise<ZkServer> {
  const tickTime = opts.tickTime ?? 200
  sweepOrphanDirs()
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX))
  writeFileSync(join(dir, OWNER_FILE), String(process.pid))
  const dataDir = join(dir, 'data')
  const logFile = join(dir, 'zookeeper.log')
  const cfgFile = join(dir, 'zoo.cfg')
  const cfg: Record<string, string> = {
    tickTime: String(tickTime),
    dataDir,
    clientPort: String(port),
    clientPortAddress: '127.0.0.1',
    // Short ticks keep the tests that want a quick expiry quick (they ask for a short session), while a
    // client that asks for a long session gets it: on a busy machine (CI, load 8-10) a 4 s session
    // (20 ticks of 200 ms) expired under the fixtures and the test clients (ZINVALIDSTATE -9).
    maxSessionTimeout: '60000',
    maxClientCnxns: '0',
    'admin.enableServer': 'false',
    '4lw.commands.whitelist': '*',
    // Tests throw the data away: don't fsync, don't preallocate 64 MB log files.
    forceSync: 'no',
    preAllocSize: '1024',
    snapCount: '100000',
    'autopurge.purgeInterval': '0',
    ...opts.extraConfig,
  }
  writeFileSync(cfgFile, Object.entries(cfg).map(([k, v]) => `${k}=${v}\n`).join(''))

  const jvm = [
    '-Xmx256m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Xshare:auto',
    '-Djava.net.preferIPv4Stack=true',
    '-Dzookeeper.admin.enableServer=false',
    '-Dzookeeper.4lw.commands.whitelist=*',
    '-Dzookeeper.jmx.log4j.disable=true',
    `-Dzookeeper.log.dir=${dir}`,
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    '-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS',
  ]
  if (opts.superDigest !== undefined) {
    jvm.push(`-Dzookeeper.DigestAuthenticationProvider.superDigest=${zkDigest(opts.superDigest)}`)
  }
  const javaArgs = [...jvm, '-cp', SERVER_CLASSPATH.join(':'), 'org.apache.zookeeper.server.ZooKeeperServerMain', cfgFile]
  // setpriv --pdeathsig: the kernel kills the JVM when this process dies, even by SIGKILL.
  const [cmd, args] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'KILL', 'java', ...javaArgs]]
    : ['java', javaArgs]
  const logFd = openSync(logFile, 'a')
  let child: ChildProcess
  try {
    child = spawn(cmd, args, {stdio: ['ignore', logFd, logFd], detached: true, cwd: dir})
  } finally {
    closeSync(logFd)
  }
  const entry: Live = {child, dir}
  live.add(entry)
  installExitHook()

  let spawnError: Error | undefined
  child.once('error', (e) => (spawnError = e))

  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      killGroup(child, 'SIGTERM')
      if (!(await waitExit(child, 5000))) {
        killGroup(child, 'SIGKILL')
        await waitExit(child, 5000)
      }
      live.delete(entry)
      rmSync(dir, {recursive: true, force: true})
    })()
    return stopped
  }

  const timeoutMs = opts.startTimeoutMs ?? 30_000
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null) {
      await sleep(50) // let the log flush
      const log = tail(logFile)
      await stop()
      const why = spawnError?.message ?? `exited with ${child.exitCode ?? child.signalCode}`
      const msg = `ZooKeeper on 127.0.0.1:${port} ${why} before answering ruok. Log tail:\n${log}`
      throw /Address already in use|BindException/.test(log) ? new PortInUseError(msg) : new Error(msg)
    }
    try {
      // `imok` only means the process runs; `srvr` tells when it actually serves requests.
      if ((await fourLetterWord(port, 'ruok', 1000)) === 'imok' && /^Mode: /m.test(await fourLetterWord(port, 'srvr', 1000))) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const log = tail(logFile)
      await stop()
      throw new Error(`ZooKeeper on 127.0.0.1:${port} did not answer ruok within ${timeoutMs} ms. Log tail:\n${log}`)
    }
    await sleep(100)
  }

  return {
    connectString: `127.0.0.1:${port}`,
    port,
    dataDir,
    logFile,
    maxSessionTimeoutMs: Number(cfg.maxSessionTimeout ?? tickTime * 20),
    fourLetter: (c) => fourLetterWord(port, c),
    freeze: () => killGroup(child, 'SIGSTOP'),
    thaw: () => killGroup(child, 'SIGCONT'),
    stop: async () => {
      killGroup(child, 'SIGCONT')
      await stop()
    },
  }
}

/**
 * A ZooKeeper server and a plain client on it for one test file: started before the file's tests,
 * stopped after them. The fields are set once the file's `beforeAll` has run.
 */
export function zooKeeperForFile(): {zk: ZkServer; client: TestZk} {
  const env = {} as {zk: ZkServer; client: TestZk}
  beforeAll(async () => {
    env.zk = await startZooKeeper()
    env.client = await connectZk(env.zk.connectString)
  })
  afterAll(async () => {
    env.client?.close()
    await env.zk?.stop()
  })
  return env
}
