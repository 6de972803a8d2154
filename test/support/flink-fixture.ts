// Runs test/java/fixture/haadm/fixtures/FlinkHaFixture.java: N simulated JobManagers (one
// ZooKeeper session each, Curator LeaderLatch) that write Flink's leader znodes exactly the way
// Flink 1.15–2.x does, and keep their sessions alive until told to stop. With storageDir, the
// leader also writes execution plans, checkpoints and their counters, and the files they point to
// (HaStoreWriter.java), with the stand-in Flink classes of test/java/stubs.

import {spawn, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {compileJava} from './java.js'
import type {FlinkVersion} from './versions.js'

/**
 * The old, coarse layout option, kept for the tests written against it. It names what it writes,
 * not an exact Flink version: '1.18' = pekko addresses and `leader/job-<jobId>` (the shape of
 * 1.19–2.x; Flink 1.18 itself still writes `leader/<jobId>`), '1.15' = akka addresses and
 * `leader/<jobId>` (1.15–1.17), 'legacy-1.15' = `use-old-ha-services=true`. Plans go to
 * `jobgraphs` unless told otherwise. Prefer `flinkVersion`.
 */
export type FlinkHaLayout = '1.18' | '1.15' | 'legacy-1.15'
/**
 * An exact Flink version family (see test/support/versions.ts for what each writes):
 * '1.15' = 1.15–1.17, '1.18' = 1.18, '1.19' = 1.19–1.20, '2.x' = 2.0+, 'legacy-1.15' = 1.15 with
 * `high-availability.use-old-ha-services=true`.
 */
export type {FlinkVersion} from './versions.js'
export type ClusterComponent = 'dispatcher' | 'resource_manager' | 'rest_server'

export interface FlinkFixtureOptions {
  /** high-availability.zookeeper.path.root, default "/flink". */
  root?: string
  /** high-availability.cluster-id, default "/default". */
  clusterId?: string
  /** The old layout option, default "1.18" (see FlinkHaLayout); exclusive with flinkVersion. */
  layout?: FlinkHaLayout
  /**
   * Write the cluster exactly as this Flink version does: leader node names, address scheme, plan
   * directory (`jobgraphs` / `execution-plans`), plan file prefix. Exclusive with layout.
   */
  flinkVersion?: FlinkVersion
  /**
   * Job ids whose leader node of the *other* naming is left behind as a PERSISTENT node without
   * children (a cluster upgraded from 1.18 to 1.19+ keeps `leader/<jobId>` next to the new
   * `leader/job-<jobId>`; on 1.15/1.18 the leftover is `leader/job-<jobId>`). Not for legacy-1.15.
   */
  leftoverJobLeaders?: string[]
  /** 32 lowercase hex each; one job master leader record per job. */
  jobs?: string[]
  /** Simulated JobManager processes (ZooKeeper sessions), default 2. */
  contenders?: number
  /** Which contender starts first and therefore leads, default 0. */
  leader?: number
  /** Host name used in the addresses, default "jm-0". */
  host?: string
  /** "user:password": digest auth on every client and Flink's `creator` ACL mode. */
  digest?: string
  /** Publish no rest_server leader information. */
  noRest?: boolean
  /** Write these components' connection_info with zero-length data (LeaderInformation.empty()). */
  emptyLeader?: string | string[]
  /**
   * Give each component its own leader session UUID even in the multi-component layouts (Flink
   * 1.15+ uses one UUID per leadership grant for all components; legacy-1.15 one per component).
   */
  perComponentSessions?: boolean
  /** Requested ZooKeeper session timeout (the server caps it), default 60000 as in Flink. */
  sessionTimeoutMs?: number
  /** How long to wait for READY, default 30 s. */
  readyTimeoutMs?: number

  // ---- execution plans, checkpoints and storageDir files (HaStoreWriter.java); all need storageDir
  /** high-availability.storageDir: a local directory or file: URI the fixture writes files into. */
  storageDir?: string
  /**
   * high-availability.zookeeper.path.jobgraphs, default "/jobgraphs". On 2.x it is the deprecated
   * fallback of executionPlansPath (used when that is not set), as in Flink.
   */
  jobGraphsPath?: string
  /**
   * high-availability.zookeeper.path.execution-plans (Flink 2.x), default "/execution-plans" on
   * 2.x. Rejected with a 1.x flinkVersion (Flink 1.x does not know the key); without flinkVersion
   * it simply names the plan directory.
   */
  executionPlansPath?: string
  /**
   * Job ids whose 1.x job graph entry (`submittedJobGraph` file, JobGraph, `locks` without lock
   * children: no old JobManager is alive) stays in `jobGraphsPath ?? "/jobgraphs"` next to the
   * version's own plan store: a cluster upgraded from 1.x to 2.x. Needs a plan store elsewhere.
   */
  leftoverJobGraphs?: string[]
  /**
   * Job id → number of `events.<n>` files in `<storageDir>/<cluster-id>/<jobId>/job-events/`
   * (Flink 1.20+ batch job recovery, FileSystemJobEventStore); 0 = the empty directory. Rejected
   * with flinkVersion 1.15, 1.18 and legacy-1.15.
   */
  jobEvents?: Record<string, number>
  /** Job ids that get an execution-plan (job graph) entry. */
  jobGraphs?: string[]
  /** File prefix of execution plans; default by version: 1.x "submittedJobGraph", 2.x "submittedExecutionPlan". */
  planPrefix?: 'submittedJobGraph' | 'submittedExecutionPlan'
  /** Object in the execution-plan file: JobGraph (default) or the 2.x StreamGraph. */
  planClass?: 'JobGraph' | 'StreamGraph'
  /** Job id → number of completed checkpoints (ids 1..n from the SharedCount counter); 0 writes only the counter. */
  checkpoints?: Record<string, number>
  /** Base directory of the checkpoints' chk-<id> directories (external pointers), default <storageDir>/checkpoints. */
  checkpointsDir?: string
  /** Entries to leave marked for deletion: "<jobId>" (its plan) or "<jobId>/<checkpointId>". */
  markDeleted?: string[]
  /** Files to write in <storageDir>/<cluster-id> that no entry points to, by prefix. */
  orphans?: Array<'completedCheckpoint' | 'submittedJobGraph' | 'submittedExecutionPlan'>
  /** JobManager sessions (leader first) that hold a lock on every entry, default 1. */
  lockers?: number
}

export interface FixtureLatchNode {
  /** Absolute path of the latch parent, e.g. "/flink/default/leader/latch". */
  latchPath: string
  /** "_c_<uuid>-latch-<10-digit seq>" */
  name: string
  /** latchPath + "/" + name */
  path: string
}

export interface FixtureContender {
  index: number
  /** ZooKeeper session id, lowercase hex without 0x (same format as the npm client's ephemeralOwner). */
  sessionId: string
  leader: boolean
  /** Closed by closeLeader(): its session and ephemeral nodes are gone. */
  closed: boolean
  /** One per latch the contender runs: one in the multi-component layouts, one per component in legacy. */
  latchNodes: FixtureLatchNode[]
}

export interface FixtureLeaderRecord {
  /** Flink's component id: "dispatcher", "job-<jobId>" (1.19+), "<jobId>" (1.15–1.18), ... */
  componentId: string
  /** Absolute path of the EPHEMERAL connection_info znode. */
  path: string
  /** Absolute path of the latch that elects this component's leader. */
  latchPath: string
  /** false for rest_server with noRest: nothing was written. */
  published: boolean
  /** connection_info was written with zero-length data. */
  empty: boolean
  /** null when not published or empty */
  address: string | null
  /** Leader session UUID text; null when not published or empty. */
  sessionId: string | null
  /** ephemeralOwner of connection_info (hex, no 0x); null when not published. */
  ownerSession: string | null
  /** Index of the contender that wrote it; null when not published. */
  contender: number | null
}

/** One EPHEMERAL `locks/<lockId>` child: a store instance's lock, owned by its JobManager's session. */
export interface FixtureLock {
  /** The store instance's lock node name (a UUID). */
  lockId: string
  /** ZooKeeper session that owns it, hex without 0x. */
  ownerSession: string
  /** Absolute znode path. */
  path: string
}

/** A state-handle entry and the file its RetrievableStreamStateHandle points to. */
export interface FixtureStateHandle {
  /** Absolute znode path of the entry. */
  path: string
  /** `<prefix><12 hex>` */
  fileName: string
  /** The URI string serialized in the handle (java.net.URI.toString()). */
  uri: string
  /** The file on the local disk. */
  filePath: string
  /** The handle's stateSize: the file length. */
  stateSize: number
  /** Flink's releaseAndTryRemove was cut short after deleting `locks`: no locks, no children. */
  markedForDeletion: boolean
  /** Empty when marked for deletion. */
  locks: FixtureLock[]
}

export interface FixturePlan extends FixtureStateHandle {
  jobId: string
  prefix: 'submittedJobGraph' | 'submittedExecutionPlan'
  /** The object in the file: org.apache.flink.runtime.jobgraph.JobGraph or org.apache.flink.streaming.api.graph.StreamGraph. */
  className: string
  jobName: string
  jobType: string
}

export interface FixtureCheckpoint extends FixtureStateHandle {
  checkpointId: number
  /** `%019d` */
  name: string
  timestamp: number
  completionTimestamp: number
  externalPointer: string
}

export interface FixtureCheckpointStore {
  jobId: string
  /** Absolute path of `jobs/<jobId>/checkpoint_id_counter`. */
  counterPath: string
  /** The counter's value after the last checkpoint: the next id Flink hands out. */
  counter: number
  checkpoints: FixtureCheckpoint[]
}

/** One FileSystemJobEventStore file. */
export interface FixtureJobEventFile {
  /** "events.<n>" */
  name: string
  uri: string
  /** The file on the local disk. */
  filePath: string
  size: number
  /** Records in it (int type, int length, payload). */
  events: number
}

export interface FixtureJobEvents {
  jobId: string
  /** `<storageDir>/<cluster-id>/<jobId>/job-events` as Flink's Path prints it. */
  uri: string
  /** The directory on the local disk. */
  dirPath: string
  files: FixtureJobEventFile[]
}

export interface FixtureStore {
  storageDir: string | null
  /** `<storageDir>/<cluster-id>` as Flink's Path prints it. */
  clusterStoragePath: string | null
  /** Absolute znode path of the plan store (same as planStorePath; the old name), null without storageDir. */
  jobGraphsPath: string | null
  /** Absolute znode path of the plan store, e.g. "/flink/default/execution-plans"; null without storageDir. */
  planStorePath: string | null
  /** The plan store relative to the cluster node: "jobgraphs", "execution-plans" or the configured path without its leading "/". */
  planDir: string
  /** The Flink option that chose planDir (its default when nothing was configured). */
  planConfigKey: 'high-availability.zookeeper.path.jobgraphs' | 'high-availability.zookeeper.path.execution-plans'
  planPrefix: 'submittedJobGraph' | 'submittedExecutionPlan'
  planClass: 'JobGraph' | 'StreamGraph'
  /** By job id. */
  plans: Record<string, FixturePlan>
  /** Absolute znode path of the leftover 1.x job graph store; null when leftoverJobGraphs was not given. */
  leftoverPlanStorePath: string | null
  /** Leftover 1.x job graphs, by job id (locks: [], not marked). */
  leftoverPlans: Record<string, FixturePlan>
  /** By job id. */
  jobEvents: Record<string, FixtureJobEvents>
  /** Every file under `<storageDir>/<cluster-id>`, relative to it (e.g. "submittedJobGraph0123456789ab", "<jobId>/job-events/events.0"), sorted. */
  files: string[]
  /** By job id. */
  checkpoints: Record<string, FixtureCheckpointStore>
  orphans: Array<{prefix: string; fileName: string; uri: string; filePath: string; stateSize: number}>
}

export interface FlinkFixtureReady {
  /** "/<root>/<cluster-id>" as Flink's generateZookeeperPath builds it, e.g. "/flink/default". */
  namespace: string
  root: string
  clusterId: string
  /** The old layout value that writes the same leader tree ('1.18' = job- nodes, '1.15' = bare ids), also with flinkVersion. */
  layout: FlinkHaLayout
  /** The flinkVersion option, null with the old layout option. */
  flinkVersion: FlinkVersion | null
  addressScheme: 'akka.tcp' | 'pekko.tcp'
  acl: 'open' | 'creator'
  /** Index of the leading contender, null if none leads. */
  leader: number | null
  contenders: FixtureContender[]
  /** All three are present; rest_server has published=false with noRest. */
  components: Record<ClusterComponent, FixtureLeaderRecord>
  /** By job id. */
  jobs: Record<string, FixtureLeaderRecord>
  /** leftoverJobLeaders, by job id: the component id of the other naming and the node's absolute path. */
  leftoverJobLeaders: Record<string, {componentId: string; path: string}>
  /** Every znode under `namespace` (including it) when READY was printed, sorted. Ephemeral nodes included. */
  tree: string[]
  /** Execution plans, checkpoints, counters and files written with storageDir (empty otherwise). */
  store: FixtureStore
}

export interface FlinkFixture {
  /** What the fixture wrote; replaced by takeOver(). */
  ready: FlinkFixtureReady
  pid: number
  /** Closes only the leading contender's latch and session (its ephemeral nodes vanish). */
  closeLeader(): Promise<void>
  /** After closeLeader(): the next contender, now leading, publishes new leader information. */
  takeOver(): Promise<FlinkFixtureReady>
  /** Closes every latch and session (every ephemeral node disappears) and waits for the JVM to exit. */
  close(): Promise<void>
  /** SIGKILLs the JVM: sessions stay alive on the server until they expire. */
  kill(): Promise<void>
  /** What the JVM wrote to stderr so far. */
  stderr(): string
}

export function randomJobId(): string {
  return randomBytes(16).toString('hex')
}

const MAIN_CLASS = 'haadm.fixtures.FlinkHaFixture'
const SETPRIV = '/usr/bin/setpriv'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let classpath: string | undefined

/** Compiled once per process; compileJava renames a finished build into place, so parallel test files are safe. */
async function fixtureClasspath(): Promise<string> {
  classpath ??= compileJava(['fixture', 'stubs'], true)
  return classpath
}

const live = new Set<ChildProcess>()
let hookInstalled = false
function installExitHook(): void {
  if (hookInstalled) return
  hookInstalled = true
  process.once('exit', () => {
    for (const c of live) {
      try {
        c.kill('SIGKILL')
      } catch {
        // gone
      }
    }
  })
}

function fixtureArgs(connectString: string, o: FlinkFixtureOptions): string[] {
  const a = ['--connect', connectString]
  if (o.root !== undefined) a.push('--root', o.root)
  if (o.clusterId !== undefined) a.push('--cluster-id', o.clusterId)
  if (o.layout !== undefined) a.push('--layout', o.layout)
  if (o.flinkVersion !== undefined) a.push('--flink-version', o.flinkVersion)
  if (o.leftoverJobLeaders !== undefined && o.leftoverJobLeaders.length > 0) a.push('--leftover-job-leaders', o.leftoverJobLeaders.join(','))
  if (o.executionPlansPath !== undefined) a.push('--execution-plans-path', o.executionPlansPath)
  if (o.leftoverJobGraphs !== undefined && o.leftoverJobGraphs.length > 0) a.push('--leftover-job-graphs', o.leftoverJobGraphs.join(','))
  const evs = Object.entries(o.jobEvents ?? {})
  if (evs.length > 0) a.push('--job-events', evs.map(([job, n]) => `${job}:${n}`).join(','))
  if (o.jobs !== undefined && o.jobs.length > 0) a.push('--jobs', o.jobs.join(','))
  if (o.contenders !== undefined) a.push('--contenders', String(o.contenders))
  if (o.leader !== undefined) a.push('--leader', String(o.leader))
  if (o.host !== undefined) a.push('--host', o.host)
  if (o.digest !== undefined) a.push('--digest', o.digest)
  if (o.noRest === true) a.push('--no-rest')
  for (const e of typeof o.emptyLeader === 'string' ? [o.emptyLeader] : (o.emptyLeader ?? [])) a.push('--empty-leader', e)
  if (o.perComponentSessions === true) a.push('--per-component-sessions')
  if (o.sessionTimeoutMs !== undefined) a.push('--session-timeout', String(o.sessionTimeoutMs))
  if (o.storageDir !== undefined) a.push('--storage-dir', o.storageDir)
  if (o.jobGraphsPath !== undefined) a.push('--jobgraphs-path', o.jobGraphsPath)
  if (o.jobGraphs !== undefined && o.jobGraphs.length > 0) a.push('--job-graphs', o.jobGraphs.join(','))
  if (o.planPrefix !== undefined) a.push('--plan-prefix', o.planPrefix)
  if (o.planClass !== undefined) a.push('--plan-class', o.planClass)
  const cps = Object.entries(o.checkpoints ?? {})
  if (cps.length > 0) a.push('--checkpoints', cps.map(([job, n]) => `${job}:${n}`).join(','))
  if (o.checkpointsDir !== undefined) a.push('--checkpoints-dir', o.checkpointsDir)
  for (const m of o.markDeleted ?? []) a.push('--mark-deleted', m)
  for (const p of o.orphans ?? []) a.push('--orphan', p)
  if (o.lockers !== undefined) a.push('--lockers', String(o.lockers))
  return a
}

export async function startFlinkFixture(connectString: string, opts: FlinkFixtureOptions = {}): Promise<FlinkFixture> {
  const cp = await fixtureClasspath()
  const javaArgs = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto', '-Xmx128m', '-cp', cp, MAIN_CLASS]
  javaArgs.push(...fixtureArgs(connectString, opts))
  const [cmd, args] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'KILL', 'java', ...javaArgs]]
    : ['java', javaArgs]
  const child = spawn(cmd, args, {stdio: ['pipe', 'pipe', 'pipe']})
  live.add(child)
  installExitHook()

  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (s: string) => {
    stderr = (stderr + s).slice(-64 * 1024)
  })
  child.stdin!.on('error', () => {}) // EPIPE once the JVM is gone; reported through exit instead

  let exitInfo: string | undefined
  let spawnError: Error | undefined
  const exited = new Promise<void>((res) => {
    child.once('exit', (code, signal) => {
      exitInfo = signal !== null ? `killed by ${signal}` : `exited with ${code}`
      live.delete(child)
      res()
    })
    child.once('error', (e) => {
      spawnError = e
      exitInfo = `failed to start: ${e.message}`
      live.delete(child)
      res()
    })
  })

  // stdout lines, consumed in order by whoever waits
  const lines: string[] = []
  let wake: (() => void) | undefined
  const rl = createInterface({input: child.stdout!})
  rl.on('line', (l) => {
    lines.push(l)
    wake?.()
  })
  let stdoutClosed = false
  rl.on('close', () => {
    stdoutClosed = true
    wake?.()
  })

  const describe = (what: string) =>
    `FlinkHaFixture ${what}${exitInfo !== undefined ? ` (${exitInfo})` : ''}. stderr:\n${stderr.trim() || '(empty)'}`

  async function nextLine(timeoutMs: number, what: string): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const l = lines.shift()
      if (l !== undefined) return l
      if (stdoutClosed || spawnError !== undefined) {
        await Promise.race([exited, sleep(1000)])
        throw new Error(describe(`ended while waiting for ${what}`))
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(describe(`gave no ${what} within ${timeoutMs} ms`))
      await new Promise<void>((r) => {
        const t = setTimeout(r, left)
        wake = () => {
          clearTimeout(t)
          r()
        }
      })
      wake = undefined
    }
  }

  async function killNow(): Promise<void> {
    if (exitInfo === undefined) child.kill('SIGKILL')
    await exited
  }

  const readyTimeout = opts.readyTimeoutMs ?? 30_000
  let ready: FlinkFixtureReady
  try {
    const line = await nextLine(readyTimeout, 'READY line')
    if (!line.startsWith('READY ')) throw new Error(describe(`printed ${JSON.stringify(line)} instead of READY`))
    ready = JSON.parse(line.slice('READY '.length)) as FlinkFixtureReady
  } catch (e) {
    await killNow()
    if (e instanceof Error && !e.message.includes('stderr:')) e.message = describe(e.message)
    throw e
  }

  let busy: Promise<unknown> = Promise.resolve()
  // one command at a time: replies come back in order
  function command(cmd: string, timeoutMs: number): Promise<string> {
    const run = busy.then(async () => {
      if (exitInfo !== undefined) throw new Error(describe(`cannot run ${cmd}: the JVM is gone`))
      child.stdin!.write(`${cmd}\n`)
      return nextLine(timeoutMs, `reply to ${cmd}`)
    })
    busy = run.catch(() => undefined)
    return run
  }

  let closing: Promise<void> | undefined
  const fixture: FlinkFixture = {
    ready,
    pid: child.pid!,
    stderr: () => stderr,
    async closeLeader() {
      const reply = await command('close-leader', 15_000)
      if (reply !== 'LEADER-CLOSED') throw new Error(describe(`answered ${JSON.stringify(reply)} to close-leader`))
    },
    async takeOver() {
      const reply = await command('takeover', 30_000)
      if (!reply.startsWith('READY ')) throw new Error(describe(`answered ${JSON.stringify(reply)} to takeover`))
      fixture.ready = JSON.parse(reply.slice('READY '.length)) as FlinkFixtureReady
      return fixture.ready
    },
    close() {
      closing ??= (async () => {
        if (exitInfo !== undefined) return
        try {
          const reply = await command('close', 15_000)
          if (reply !== 'CLOSED') throw new Error(describe(`answered ${JSON.stringify(reply)} to close`))
          if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) {
            throw new Error(describe('did not exit within 10 s after CLOSED'))
          }
        } catch (e) {
          await killNow()
          throw e
        }
      })()
      return closing
    },
    async kill() {
      await killNow()
    },
  }
  return fixture
}

/** The cluster's own Flink configuration file, as its operator would have written it. */
export interface FlinkConfFile {
  /** `flink-conf.yaml` (flat `key: value`, Flink 1.x) or `config.yaml` (standard YAML, 1.19+ and 2.x). */
  fileName: 'flink-conf.yaml' | 'config.yaml'
  text: string
  /** The flattened keys and values the file holds. */
  entries: Record<string, string>
}

/**
 * The Flink configuration that makes Flink write what the fixture wrote with these options:
 * ZooKeeper HA (`high-availability` on 1.15, `high-availability.type` later), quorum, root,
 * cluster-id, storageDir, the plan path keys that were set, `use-old-ha-services` for legacy-1.15,
 * `client.acl: creator` with digest. Format by version unless told: 1.15/1.18/legacy-1.15 a flat
 * flink-conf.yaml, 1.19/2.x a nested config.yaml.
 */
export function flinkConfFor(quorum: string, o: FlinkFixtureOptions, opts: {format?: 'legacy' | 'yaml'} = {}): FlinkConfFile {
  const v = o.flinkVersion
  const format = opts.format ?? (v === '1.19' || v === '2.x' ? 'yaml' : 'legacy')
  const entries: Record<string, string> = {}
  const oldModeKey = v === '1.15' || v === 'legacy-1.15' || o.layout === '1.15' || o.layout === 'legacy-1.15'
  entries[oldModeKey ? 'high-availability' : 'high-availability.type'] = 'zookeeper'
  entries['high-availability.zookeeper.quorum'] = quorum
  entries['high-availability.zookeeper.path.root'] = o.root ?? '/flink'
  entries['high-availability.cluster-id'] = o.clusterId ?? '/default'
  if (o.storageDir !== undefined) entries['high-availability.storageDir'] = o.storageDir
  if (o.jobGraphsPath !== undefined) entries['high-availability.zookeeper.path.jobgraphs'] = o.jobGraphsPath
  if (o.executionPlansPath !== undefined) entries['high-availability.zookeeper.path.execution-plans'] = o.executionPlansPath
  if (v === 'legacy-1.15' || o.layout === 'legacy-1.15') entries['high-availability.use-old-ha-services'] = 'true'
  if (o.digest !== undefined) entries['high-availability.zookeeper.client.acl'] = 'creator'
  if (format === 'legacy') {
    const text = Object.entries(entries).map(([k, val]) => `${k}: ${val}`).join('\n') + '\n'
    return {fileName: 'flink-conf.yaml', text, entries}
  }
  if (oldModeKey) throw new Error('config.yaml cannot hold both high-availability and high-availability.* as nested keys; use format legacy')
  // nested maps, as Flink's own config.yaml template writes them
  type Tree = {[k: string]: Tree | string}
  const tree: Tree = {}
  for (const [k, val] of Object.entries(entries)) {
    const parts = k.split('.')
    let node = tree
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Tree
    node[parts.at(-1)!] = val
  }
  const render = (node: Tree, indent: string): string =>
    Object.entries(node)
      .map(([k, val]) => (typeof val === 'string' ? `${indent}${k}: ${val === 'true' ? 'true' : JSON.stringify(val)}\n` : `${indent}${k}:\n${render(val, `${indent}  `)}`))
      .join('')
  return {fileName: 'config.yaml', text: render(tree, ''), entries}
}

/** Writes flinkConfFor's file into dir (Flink's conf directory) and returns its path. */
export function writeFlinkConf(dir: string, quorum: string, o: FlinkFixtureOptions, opts: {format?: 'legacy' | 'yaml'} = {}): string {
  const conf = flinkConfFor(quorum, o, opts)
  const file = join(dir, conf.fileName)
  writeFileSync(file, conf.text)
  return file
}
