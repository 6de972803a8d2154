import {createRequire} from 'node:module'
import type {Target} from '../config/target.js'
import {generateZookeeperPath, zkJoin} from '../config/zk-path.js'
import {noteWrite, remainingMs, timeoutText} from '../deadline.js'
import {checkQuorumResolves} from '../config/quorum.js'
import {ExitCode, HaadmError} from '../errors.js'
import {Fifo} from './fifo.js'
import {MULTI_BATCH, MULTI_READ_BYTES, parseQuorum, type ReadOp, type ReadResult, ZkMultiClient} from './zk-multi.js'
import {type ReadDepth, type ReadSpec, readDepthOf, soleChildOf} from './read-spec.js'
import type {FleetBackend, FleetInventory, FleetScanOptions, Inventory, RawItem, RemovableBackend, RemovalOutcome, RemovalTarget, ReusingBackend, ScanOptions, StreamingBackend, WatchingBackend, ZkStat} from './types.js'
import {connect as netConnect, type Socket} from 'node:net'
import {zookeeperClientMissing} from './zookeeper-client-missing.js'

/** The subset of the `zookeeper` binding's promise API that haadm uses. */
interface ZkClient {
  init(config: object): void
  on(event: string, cb: (...args: unknown[]) => void): void
  once(event: string, cb: (...args: unknown[]) => void): void
  close(): void
  get(path: string, watch: boolean): Promise<[NativeStat, Buffer | null]>
  get_children(path: string, watch: boolean): Promise<string[]>
  get_children2(path: string, watch: boolean): Promise<[string[], NativeStat]>
  delete_(path: string, version: number): Promise<void>
  add_auth(scheme: string, auth: string, cb: (rc: number, error: string) => void): void
  aw_exists(path: string, watchCb: (type: number, state: number, path: string) => void, statCb: (rc: number, error: unknown, stat: NativeStat) => void): void
  aw_get_children(path: string, watchCb: (type: number, state: number, path: string) => void, childCb: (rc: number, error: unknown, children: string[]) => void): void
  readonly client_id?: string
  /** The binding's native handle, under its JS wrapper (see `nativeCall`). */
  readonly native?: Record<'a_get' | 'a_get_children' | 'a_get_children2', (path: string, watch: boolean, cb: (rc: number, error: string, ...result: any[]) => void) => number>
}

interface NativeStat {
  ctime: Date | number
  mtime: Date | number
  version: number
  numChildren: number
  dataLength: number
  ephemeralOwner: string
}

type ZkCtor = new (config: object) => ZkClient

// ZooKeeper C client return codes (zookeeper.h).
export const ZNONODE = -101
export const ZNOAUTH = -102
const ZBADVERSION = -103
const ZNOTEMPTY = -111
const ZCONNECTIONLOSS = -4
const ZOPERATIONTIMEOUT = -7
const ZSESSIONEXPIRED = -112
const ZAUTHFAILED = -115
const ZINVALIDSTATE = -9

/** zookeeper.h's names of the return codes, without the Z: what ZooKeeper's documentation and logs call them. */
const ZK_ERROR_NAMES: Readonly<Record<number, string>> = {
  [-1]: 'SYSTEMERROR',
  [-2]: 'RUNTIMEINCONSISTENCY',
  [-3]: 'DATAINCONSISTENCY',
  [-4]: 'CONNECTIONLOSS',
  [-5]: 'MARSHALLINGERROR',
  [-6]: 'UNIMPLEMENTED',
  [-7]: 'OPERATIONTIMEOUT',
  [-8]: 'BADARGUMENTS',
  [-9]: 'INVALIDSTATE',
  [-13]: 'NEWCONFIGNOQUORUM',
  [-14]: 'RECONFIGINPROGRESS',
  [-15]: 'SSLCONNECTIONERROR',
  [-100]: 'APIERROR',
  [-101]: 'NONODE',
  [-102]: 'NOAUTH',
  [-103]: 'BADVERSION',
  [-108]: 'NOCHILDRENFOREPHEMERALS',
  [-110]: 'NODEEXISTS',
  [-111]: 'NOTEMPTY',
  [-112]: 'SESSIONEXPIRED',
  [-113]: 'INVALIDCALLBACK',
  [-114]: 'INVALIDACL',
  [-115]: 'AUTHFAILED',
  [-116]: 'CLOSING',
  [-117]: 'NOTHING',
  [-118]: 'SESSIONMOVED',
  [-119]: 'NOTREADONLY',
  [-120]: 'EPHEMERALONLOCALSESSION',
  [-121]: 'NOWATCHER',
  [-123]: 'RECONFIGDISABLED',
  [-124]: 'SESSIONCLOSEDREQUIRERECONFIG',
  [-127]: 'THROTTLEDOP',
}

/** `CONNECTIONLOSS`, or `error -42` for a code zookeeper.h does not name. */
export function zkErrorName(rc: number): string {
  return ZK_ERROR_NAMES[rc] ?? `error ${rc}`
}

/** Codes after which the connection is of no further use: every later request would fail the same way. */
const CONNECTION_ENDING = new Set([ZCONNECTIONLOSS, ZOPERATIONTIMEOUT, ZSESSIONEXPIRED, ZINVALIDSTATE, -116])

/** A request that was never sent, because the connection had already failed (so it surely was not applied). */
export class NotSent extends Error {
  constructor(readonly failure: Error) {
    super(failure.message)
  }
}

/** A request's end: an error, or the binding's results (getData: stat, data; getChildren: children; getChildren2: children, stat). */
type Done<A, B> = (err: unknown, a?: A, b?: B) => void

/**
 * Bounds every request on the binding's connection. The C client notices a silent server only after
 * two thirds of the session timeout (27 s of a 40 s session) and a frozen one can hold requests far
 * longer; here a request that gets no answer within the timeout fails, and so does the connection:
 * every pending and later request fails at once with the same error, so a run ends within its
 * deadline instead of waiting the timeout once per item.
 */
export class RequestGuard {
  private broken: Error | undefined
  /** Each pending request's abort and when it was sent, oldest first (a Map keeps insertion order). */
  private readonly pending = new Map<(err: Error) => void, number>()
  /** One timer for all requests, due when the oldest pending one times out (a timer per request costs more than the request). */
  private timer: NodeJS.Timeout | undefined
  constructor(private readonly timeoutMs: number) {}

  get failure(): Error | undefined {
    return this.broken
  }

  run<T>(start: () => Promise<T>): Promise<T> {
    if (this.broken) return Promise.reject(new NotSent(this.broken))
    return new Promise<T>((resolve, reject) =>
      this.send<T, never>(
        (done) => start().then((v) => done(undefined, v), (err) => done(err ?? new Error('request failed'))),
        (err, v) => (err === undefined ? resolve(v as T) : reject(err)),
      ),
    )
  }

  /**
   * run() in callback form, for a scan's tens of thousands of reads: no promise per request. `done` is
   * called once, never before send returns; `start` gets the request's own end to call.
   */
  send<A, B>(start: (done: Done<A, B>) => void, done: Done<A, B>): void {
    if (this.broken) return void process.nextTick(done, new NotSent(this.broken))
    let settled = false
    const abort = (err: Error) => {
      if (settled) return
      settled = true
      this.release(abort)
      done(err)
    }
    this.pending.set(abort, Date.now())
    this.timer ??= setTimeout(() => this.check(), this.timeoutMs)
    try {
      start((err, a, b) => {
        if (settled) return
        settled = true
        this.release(abort)
        const rc = err === undefined ? undefined : zkErrorCode(err)
        if (rc !== undefined && CONNECTION_ENDING.has(rc)) this.fail(err instanceof Error ? err : new Error(String(err)))
        done(err, a, b)
      })
    } catch (err) {
      process.nextTick(abort, err instanceof Error ? err : new Error(String(err)))
    }
  }

  private release(abort: (err: Error) => void): void {
    this.pending.delete(abort)
    if (this.pending.size === 0 && this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
  }

  /** The timer: fails the connection when the oldest pending request has waited the timeout, else waits for it. */
  private check(): void {
    this.timer = undefined
    const oldest = this.pending.values().next()
    if (oldest.done) return
    const due = oldest.value + this.timeoutMs - Date.now()
    if (due <= 0) this.fail(new Error(`${ZOPERATIONTIMEOUT} no answer from ZooKeeper within ${this.timeoutMs} ms`))
    else this.timer = setTimeout(() => this.check(), due)
  }

  /** Fails every pending request and every later one with `err`. */
  fail(err: Error): void {
    this.broken ??= err
    clearTimeout(this.timer)
    this.timer = undefined
    const pending = [...this.pending.keys()]
    this.pending.clear()
    for (const abort of pending) abort(this.broken)
  }
}

/** Requests in flight at once during a scan: enough to fill the pipe, bounded to keep memory flat. */
const SCAN_CONCURRENCY = 1024
/** multiRead requests in flight at once during a bulk scan (each up to MULTI_BATCH ops). */
const BULK_IN_FLIGHT = 4
/** Deletes in flight at once: enough to hide the round trip on a LAN, bounded for the server's sake. */
const REMOVE_CONCURRENCY = 512
/** The data of a node read for its metadata only, and of an empty node (never written to). */
const EMPTY = new Uint8Array(0)
/** Items read ahead of a slow consumer (an export writing to a pipe) before reading pauses. */
const BUFFERED = 1024

let ctorPromise: Promise<ZkCtor> | undefined

/** Loads the native binding on first use only, so other backends never pay for it. */
function loadZooKeeper(): Promise<ZkCtor> {
  ctorPromise ??= (async () => {
    try {
      const require = createRequire(import.meta.url)
      return require('zookeeper') as ZkCtor
    } catch (err) {
      throw zookeeperClientMissing(err)
    }
  })()
  return ctorPromise
}

/**
 * One read on the binding's native handle. The binding's JS methods (a_get, get, ...) format their
 * arguments with util.inspect for a debug log on every call, logging on or off: on a 10,000-node scan
 * that is ~50 ms and much garbage. The native methods take the same arguments and callback; errors
 * are shaped as the promise API shapes them (`<rc> <message>`), so zkErrorCode reads both.
 */
function nativeCall<T>(client: ZkClient, method: 'a_get' | 'a_get_children' | 'a_get_children2', path: string, fallback: () => Promise<T>): Promise<T> {
  return guardOf(client).run(() => rawNativeCall(client, method, path, fallback))
}

const guards = new WeakMap<ZkClient, RequestGuard>()
/** The request guard of a connection (set by connect; a generous default otherwise). */
function guardOf(client: ZkClient): RequestGuard {
  let g = guards.get(client)
  if (!g) guards.set(client, (g = new RequestGuard(60_000)))
  return g
}

function rawNativeCall<T>(client: ZkClient, method: 'a_get' | 'a_get_children' | 'a_get_children2', path: string, fallback: () => Promise<T>): Promise<T> {
  const fn = client.native?.[method]
  if (typeof fn !== 'function') return fallback()
  return new Promise<T>((resolve, reject) => {
    const rc = fn.call(client.native, path, false, (code: number, error: string, ...result: any[]) => {
      if (code !== 0) reject(new Error(`${code} ${error}`))
      else resolve((result.length === 1 ? result[0] : result) as T)
    })
    if (typeof rc === 'number' && rc < 0) reject(new Error(`${rc} request not sent`))
  })
}

/** nativeCall in callback form (RequestGuard.send): the scan's reads, without a promise each. */
function nativeSend<A, B>(client: ZkClient, method: 'a_get' | 'a_get_children' | 'a_get_children2', path: string, fallback: () => Promise<unknown>, done: Done<A, B>): void {
  guardOf(client).send<A, B>((settle) => {
    const fn = client.native?.[method]
    if (typeof fn !== 'function') {
      fallback().then(
        (v) => (method === 'a_get_children' ? settle(undefined, v as A) : settle(undefined, (v as [A, B])[0], (v as [A, B])[1])),
        (err) => settle(err),
      )
      return
    }
    const rc = fn.call(client.native, path, false, (code: number, error: string, a: A, b: B) => {
      if (code !== 0) settle(new Error(`${code} ${error}`))
      else settle(undefined, a, b)
    })
    if (typeof rc === 'number' && rc < 0) process.nextTick(settle, new Error(`${rc} request not sent`))
  }, done)
}

/** The return code the binding puts at the start of a rejected promise's message (`-101 no node`). */
export function zkErrorCode(err: unknown): number | undefined {
  const m = /^(-\d+)\b/.exec(err instanceof Error ? err.message : String(err))
  return m ? Number(m[1]) : undefined
}

export class ZooKeeperBackend implements StreamingBackend, RemovableBackend, WatchingBackend, FleetBackend, ReusingBackend {
  readonly kind = 'zookeeper' as const
  get clusterId(): string {
    return this.target.clusterId.value
  }
  get root(): string {
    return this.target.zookeeper.clusterPath
  }
  private constructor(
    private readonly client: ZkClient,
    private readonly target: Target,
    private readonly quorum: string,
    /** The batching connection, shared by the views of one connection (forCluster). */
    private readonly shared: {multi?: Promise<ZkMultiClient | undefined>; noMultiRead?: boolean} = {},
    /** A view of another backend's connection: closing it closes nothing. */
    private readonly view = false,
  ) {}

  /** The same connection (and batching connection) for one cluster of a fleet scan. */
  forCluster(target: Target): ZooKeeperBackend {
    return new ZooKeeperBackend(this.client, target, this.quorum, this.shared, true)
  }

  /**
   * Connects within the configured connection timeout (--zk-timeout), or fails with exit 3: never hangs.
   * Until a server of the quorum accepts a TCP connection, it probes them again with a growing pause
   * (0.1 s doubling up to 1 s), so a server that comes back within the timeout is used: the C client's
   * own second attempt would come only after many seconds.
   */
  static async connect(target: Target): Promise<ZooKeeperBackend> {
    const quorum = target.zookeeper.quorum?.value
    if (!quorum)
      throw new HaadmError('USAGE', 'no ZooKeeper quorum given', {
        exit: ExitCode.USAGE,
        hint: 'Pass --zk-quorum host:2181, set HAADM_ZK_QUORUM, or --flink-conf with high-availability.zookeeper.quorum.',
      })
    await checkQuorumResolves(quorum)
    const ZooKeeper = await loadZooKeeper()
    // The run's deadline (--timeout) bounds the connection too.
    const byDeadline = remainingMs() < target.zookeeper.connectionTimeoutMs.value
    const timeoutMs = byDeadline ? Math.max(1, remainingMs()) : target.zookeeper.connectionTimeoutMs.value
    const deadline = Date.now() + timeoutMs
    const unreachable = (why: string) =>
      new HaadmError('ZK_UNREACHABLE', `cannot reach ZooKeeper at ${quorum} ${byDeadline ? `before the run's deadline (--timeout ${timeoutText()})` : `within ${timeoutMs} ms`} (${why})`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Check --zk-quorum (host:port[,host:port]) and that the servers are up; --zk-timeout waits longer.',
      })
    let servers: Array<{host: string; port: number}>
    try {
      servers = parseQuorum(quorum).servers
    } catch (err) {
      throw new HaadmError('ZK_UNREACHABLE', `invalid ZooKeeper quorum ${JSON.stringify(quorum)}`, {
        exit: ExitCode.USAGE,
        hint: 'Write it as host:port[,host:port][/chroot].',
        cause: err,
      })
    }
    let pause = 100
    let lastProbe = ''
    for (;;) {
      const probe = await probeAny(servers, Math.max(1, Math.min(2000, deadline - Date.now())))
      if (probe.ok) break
      lastProbe = probe.error
      if (Date.now() + pause >= deadline) throw unreachable(lastProbe || 'no answer')
      await new Promise((r) => setTimeout(r, pause))
      pause = Math.min(pause * 2, 1000)
    }
    const client = new ZooKeeper({
      connect: quorum,
      timeout: target.zookeeper.sessionTimeoutMs.value,
      // 0 turns the C client's own logging off; haadm reports errors itself.
      debug_level: 0,
      host_order_deterministic: false,
    })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          client.close()
          reject(unreachable('a server accepted the connection but no ZooKeeper session was established'))
        },
        Math.max(1000, deadline - Date.now()),
      )
      client.once('connect', () => {
        clearTimeout(timer)
        resolve()
      })
      try {
        client.init({})
      } catch (err) {
        clearTimeout(timer)
        reject(
          new HaadmError('ZK_UNREACHABLE', `invalid ZooKeeper quorum ${JSON.stringify(quorum)}`, {
            exit: ExitCode.USAGE,
            hint: 'Write it as host:port[,host:port][/chroot].',
            cause: err,
          }),
        )
      }
    })
    guards.set(client, new RequestGuard(timeoutMs))
    const backend = new ZooKeeperBackend(client, target, quorum)
    for (const {scheme, auth} of target.zookeeper.auth.value) await backend.addAuth(scheme, auth)
    return backend
  }

  private async addAuth(scheme: string, auth: string): Promise<void> {
    const rc = await guardOf(this.client)
      .run(() => new Promise<number>((resolve) => this.client.add_auth(scheme, auth, (code) => resolve(code))))
      .catch((err) => {
        throw this.translate(err, '/')
      })
    if (rc !== 0)
      throw new HaadmError('ZK_NO_AUTH', `ZooKeeper rejected the ${scheme} credentials (${zkErrorName(rc)})`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Check --zk-auth / high-availability.zookeeper.client.authorization.',
      })
  }

  async scan(opts: ScanOptions = {}): Promise<Inventory> {
    const root = this.target.zookeeper.clusterPath
    const bulk = opts.bulk ? await this.scanBulk(opts) : undefined
    const items: RawItem[] = bulk ?? []
    if (!bulk) {
      const keep = (item: RawItem) => {
        items.push(item)
        opts.progress?.(items.length)
      }
      for await (const item of this.walk(opts.read, opts.brief ?? false, keep)) keep(item)
    }
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return {backend: 'zookeeper', clusterId: this.target.clusterId.value, root, scannedAt: new Date().toISOString(), items}
  }

  /**
   * Every node of the cluster's subtree, as it is read. Children lists and reads are pipelined on the one
   * connection with at most SCAN_CONCURRENCY requests in flight, and reading pauses while the consumer
   * lags (at most BUFFERED items wait), so memory stays flat however large the cluster.
   *
   * `spec` says what to read: a skipped node is not read, nor anything below it; a node read for its
   * metadata only costs one request (its stat and children in one getChildren2) and no data. A node read
   * with its data that has one child which the spec's soleChild names (a state-handle entry's `locks`)
   * has that child read by name, without listing its children first: one request fewer per entry.
   */
  scanItems(spec?: ReadSpec, brief = false): AsyncGenerator<RawItem> {
    return this.walk(spec, brief)
  }

  /**
   * scanItems, or with `sink` (scan(), which keeps everything): each item goes to it as it is read, and
   * the generator yields nothing and resumes only at the end, not once per answer.
   */
  private async *walk(spec: ReadSpec | undefined, brief: boolean, sink?: (item: RawItem) => void): AsyncGenerator<RawItem> {
    const root = this.target.zookeeper.clusterPath
    const depthOf = readDepthOf(spec)
    const soleChild = soleChildOf(spec)
    const keyOf = (path: string) => (path === root ? '' : path.slice(root.length + 1))
    /** `probe`: read the child `child` of `path` by name; list `path`'s children when there is none. */
    type Task = {op: 'list' | 'read' | 'stat' | 'probe'; path: string; child?: string}
    const queue = new Fifo<Task>()
    const visit = (path: string) => {
      const d = depthOf(keyOf(path))
      if (d !== 'skip') queue.push({op: d === 'data' ? 'read' : 'stat', path})
    }
    /** What follows reading a node with its data: its children, listed or (one, named by the spec) read by name. */
    const below = (path: string, numChildren: number) => {
      if (numChildren === 0) return
      const child = numChildren === 1 ? soleChild(keyOf(path)) : undefined
      if (child !== undefined && depthOf(keyOf(zkJoin(path, child))) !== 'skip') queue.push({op: 'probe', path, child})
      else queue.push({op: 'list', path})
    }
    // The root is always read first: a missing cluster is reported before anything else.
    if (depthOf('') === 'stat') {
      const r = await this.statAndChildren(root)
      if (!r) throw await this.missingCluster(brief)
      if (sink) sink(r.item)
      else yield r.item
      for (const c of r.children) visit(zkJoin(root, c))
    } else {
      const rootNode = await this.read(root)
      if (!rootNode) throw await this.missingCluster(brief)
      if (sink) sink(rootNode.item)
      else yield rootNode.item
      below(root, rootNode.stat.numChildren)
    }
    const ready = new Fifo<RawItem>()
    const emit = sink ?? ((item: RawItem) => ready.push(item))
    let inFlight = 0
    let failure: unknown
    let wake: (() => void) | undefined

    // Callbacks, not promises: a scan sends one request per node, and a promise chain per request
    // was a good part of its time (allocation, collection) on large clusters.
    const run = (task: Task, finish: (err?: unknown) => void) => {
      if (task.op === 'list') {
        nativeSend<string[], never>(this.client, 'a_get_children', task.path, () => this.client.get_children(task.path, false), (err, children) => {
          if (err !== undefined) return finish(zkErrorCode(err) === ZNONODE ? undefined : err)
          for (const c of children!) visit(zkJoin(task.path, c))
          finish()
        })
        return
      }
      // A probe's child missing: the one child has another name (or is gone); list to find it.
      const path = task.op === 'probe' ? zkJoin(task.path, task.child!) : task.path
      const gone = (err: unknown) => {
        if (zkErrorCode(err) !== ZNONODE) return finish(this.translate(err, path))
        if (task.op === 'probe') queue.push({op: 'list', path: task.path})
        finish() // deleted since its parent was listed
      }
      if (task.op === 'stat' || (task.op === 'probe' && depthOf(keyOf(path)) === 'stat')) {
        nativeSend<string[], NativeStat>(this.client, 'a_get_children2', path, () => this.client.get_children2(path, false), (err, children, s) => {
          if (err !== undefined) return gone(err)
          emit(this.item(path, s!, EMPTY))
          for (const c of children!) visit(zkJoin(path, c))
          finish()
        })
        return
      }
      nativeSend<NativeStat, Buffer | null>(this.client, 'a_get', path, () => this.client.get(path, false), (err, s, data) => {
        if (err !== undefined) return gone(err)
        emit(this.item(path, s!, bytesOf(data)))
        below(path, s!.numChildren)
        finish()
      })
    }
    const finished = (err?: unknown) => {
      if (err !== undefined) failure ??= err
      inFlight--
      pump()
      if (!sink || failure !== undefined || inFlight === 0) wake?.()
    }
    const pump = () => {
      while (failure === undefined && inFlight < SCAN_CONCURRENCY && queue.length > 0 && ready.length < BUFFERED) {
        const task = queue.take()!
        inFlight++
        try {
          run(task, finished)
        } catch (err) {
          queueMicrotask(() => finished(err))
        }
      }
    }

    for (;;) {
      pump()
      if (ready.length > 0) {
        yield ready.take()!
        continue
      }
      if (failure !== undefined) throw this.translate(failure, root)
      if (inFlight === 0 && queue.length === 0) return
      await new Promise<void>((resolve) => (wake = resolve))
      wake = undefined
    }
  }

  /**
   * The items scanItems reads, in multiRead requests on the batching connection (ZooKeeper 3.6+): each
   * node's getData and getChildren as two ops of one request, up to MULTI_BATCH ops a request and
   * BULK_IN_FLIGHT requests at once; a node read for its metadata only drops its bytes. Undefined when
   * the server does not answer a multiRead (older than 3.6) or there is no batching connection: the
   * caller scans node by node.
   */
  private async scanBulk(opts: ScanOptions): Promise<RawItem[] | undefined> {
    const multi = await this.readClient()
    if (!multi) return undefined
    const root = this.target.zookeeper.clusterPath
    const depthOf = readDepthOf(opts.read)
    const keyOf = (path: string) => (path === root ? '' : path.slice(root.length + 1))
    const items: RawItem[] = []
    /** Nodes to read, each with the depth the spec reads it at (never `skip`). */
    const queue = new Fifo<{path: string; depth: ReadDepth}>()
    const failed = (rc: number, path: string) => this.translate(new Error(String(rc)), path)
    /** Handles one batch's answers; false when the root is missing. */
    const take = (nodes: Array<{path: string; depth: ReadDepth}>, answers: ReadResult[]) => {
      for (let k = 0; k < nodes.length; k++) {
        const {path, depth} = nodes[k]
        const node = answers[2 * k]
        const list = answers[2 * k + 1]
        if (!('stat' in node)) {
          const rc = 'error' in node ? node.error : ZNONODE
          if (rc === ZNONODE) {
            if (path === root) return false
            continue // deleted since its parent was listed
          }
          throw failed(rc, path)
        }
        items.push(this.item(path, node.stat, depth === 'stat' ? EMPTY : bytesOf(node.data)))
        opts.progress?.(items.length)
        if ('children' in list) {
          for (const c of list.children) {
            const child = zkJoin(path, c)
            const d = depthOf(keyOf(child))
            if (d !== 'skip') queue.push({path: child, depth: d})
          }
        } else if ('error' in list && list.error !== ZNONODE) throw failed(list.error, path)
      }
      return true
    }
    const batchOf = (nodes: Array<{path: string}>) => nodes.flatMap(({path}): ReadOp[] => [{kind: 'data', path}, {kind: 'children', path}])
    // The root is read whatever the spec says of it, with its data unless only its metadata is asked for.
    const top = {path: root, depth: depthOf('') === 'stat' ? ('stat' as const) : ('data' as const)}
    // The root first, alone: a missing cluster is reported before anything else, and a server without multiRead answers here.
    const first = await this.readMany(multi, batchOf([top]))
    if (!first) return undefined
    if (!take([top], first)) throw await this.missingCluster(opts.brief ?? false)
    // At most MULTI_BATCH ops and MULTI_READ_BYTES of request (the server refuses one over jute.maxbuffer, 1 MiB).
    const nextBatch = () => {
      if (queue.length === 0) return undefined
      const nodes: Array<{path: string; depth: ReadDepth}> = []
      let bytes = 0
      while (nodes.length < MULTI_BATCH / 2 && queue.length > 0 && bytes < MULTI_READ_BYTES) {
        const node = queue.take()!
        nodes.push(node)
        bytes += 2 * (3 * node.path.length + 20)
      }
      return nodes
    }
    try {
      await pipeline(BULK_IN_FLIGHT, nextBatch, async (nodes) => void take(nodes, await multi.readMany(batchOf(nodes))))
    } catch (failure) {
      if (zkErrorCode(failure) === ZOPERATIONTIMEOUT) guardOf(this.client).fail(failure instanceof Error ? failure : new Error(String(failure)))
      throw this.translate(failure, root)
    }
    return items
  }

  /** A node's metadata and children in one request (getChildren2), without its data. */
  private async statAndChildren(path: string): Promise<{item: RawItem; children: string[]} | undefined> {
    let res: [string[], NativeStat]
    try {
      res = await nativeCall(this.client, 'a_get_children2', path, () => this.client.get_children2(path, false))
    } catch (err) {
      if (zkErrorCode(err) === ZNONODE) return undefined
      throw this.translate(err, path)
    }
    const [children, s] = res
    return {item: this.item(path, s, EMPTY), children}
  }

  private async read(path: string): Promise<{item: RawItem; stat: ZkStat} | undefined> {
    let res: [NativeStat, Buffer | null]
    try {
      res = await nativeCall(this.client, 'a_get', path, () => this.client.get(path, false))
    } catch (err) {
      if (zkErrorCode(err) === ZNONODE) return undefined
      throw this.translate(err, path)
    }
    const [s, data] = res
    const item = this.item(path, s, bytesOf(data))
    return {item, stat: item.zk!}
  }

  private item(path: string, s: NativeStat, data: Uint8Array): RawItem {
    const stat = toStat(s)
    const root = this.target.zookeeper.clusterPath
    const key = path === root ? '' : path.slice(root.length + 1)
    return {key, locator: path, data, zk: stat}
  }

  /**
   * Watches (one-shot, as ZooKeeper's are): an exists watch on each item (creation, data change,
   * deletion) and a child watch on each children key (an exists watch while it does not exist). A
   * difference from the inventory already at the time the watch is set counts as a change at once.
   */
  async waitForChange(inv: Inventory, keys: {items: string[]; children: string[]}, signal: AbortSignal): Promise<boolean> {
    const root = this.target.zookeeper.clusterPath
    const pathOf = (key: string) => (key === '' ? root : `${root}/${key}`)
    const byKey = new Map(inv.items.map((i) => [i.key, i]))
    const childrenIn = (key: string) =>
      inv.items
        .filter((i) => i.key !== key && (key === '' ? !i.key.includes('/') : i.key.startsWith(`${key}/`) && !i.key.slice(key.length + 1).includes('/')))
        .map((i) => i.key.slice(key === '' ? 0 : key.length + 1))
        .sort()
    if (signal.aborted) return false
    return new Promise<boolean>((resolve, reject) => {
      let settled = false
      const finish = (changed: boolean | Error) => {
        if (settled) return
        settled = true
        signal.removeEventListener('abort', onAbort)
        if (changed instanceof Error) reject(changed)
        else resolve(changed)
      }
      const onAbort = () => finish(false)
      signal.addEventListener('abort', onAbort)
      const fired = () => finish(true)
      const failed = (rc: number, error: unknown, path: string) => finish(this.translate(new Error(`${rc} ${error}`), path))
      const exists = (key: string, compare: boolean) => {
        const path = pathOf(key)
        this.client.aw_exists(path, fired, (rc: number, error: unknown, stat: NativeStat) => {
          if (rc !== 0 && rc !== ZNONODE) return failed(rc, error, path)
          if (!compare) return
          const had = byKey.get(key)
          const now = rc === 0 ? stat : undefined
          if (!had !== !now) return fired()
          if (had?.zk && now && (had.zk.version !== now.version || had.zk.ephemeralOwner !== now.ephemeralOwner || had.zk.ctime !== new Date(now.ctime).toISOString())) fired()
        })
      }
      for (const key of keys.items) exists(key, true)
      for (const key of keys.children) {
        const path = pathOf(key)
        this.client.aw_get_children(path, fired, (rc: number, error: unknown, children: string[]) => {
          if (rc === ZNONODE) {
            // no child watch on a missing node: watch for its creation
            if (byKey.has(key)) fired()
            else exists(key, false)
            return
          }
          if (rc !== 0) return failed(rc, error, path)
          const now = [...children].sort()
          const had = childrenIn(key)
          if (now.length !== had.length || now.some((c, i) => c !== had[i])) fired()
        })
      }
    })
  }

  /** The error of a scan whose cluster node is missing: `brief`, without looking around (a fleet's scans); else explained. */
  private async missingCluster(brief: boolean): Promise<HaadmError> {
    const root = this.target.zookeeper.clusterPath
    if (brief) return new HaadmError('CLUSTER_NOT_FOUND', `no cluster ${this.target.clusterId.value} at ${root}`, {exit: ExitCode.UNREACHABLE, details: {path: root}})
    return this.clusterNotFound(root)
  }

  /** Explains a missing cluster: which cluster ids do exist under the root, or that the root is missing. */
  private async clusterNotFound(clusterPath: string): Promise<HaadmError> {
    const rootPath = this.target.zookeeper.root.value
    const root = clusterPath.slice(0, clusterPath.lastIndexOf('/')) || '/'
    let siblings: string[] | undefined
    try {
      siblings = (await guardOf(this.client).run(() => this.client.get_children(root, false))).sort()
    } catch (err) {
      if (zkErrorCode(err) !== ZNONODE) return this.translate(err, root)
    }
    if (siblings === undefined)
      return new HaadmError('ROOT_NOT_FOUND', `no znode ${root} on ${this.quorum}: no Flink cluster uses root ${rootPath} there`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Check --zk-root (high-availability.zookeeper.path.root) and --zk-quorum, including any /chroot suffix.',
        details: {path: root},
      })
    const ids = siblings.filter((s) => s !== 'zookeeper')
    return new HaadmError('CLUSTER_NOT_FOUND', `no cluster ${this.target.clusterId.value} under ${root} on ${this.quorum}`, {
      exit: ExitCode.UNREACHABLE,
      hint: ids.length > 0 ? `Cluster ids under ${root}: ${ids.join(', ')}. Pass one with --cluster-id.` : `${root} holds no cluster.`,
      details: {path: clusterPath, clusterIds: ids},
    })
  }

  private translate(err: unknown, path: string): HaadmError {
    if (err instanceof HaadmError) return err
    const rc = zkErrorCode(err)
    const name = rc === undefined ? undefined : zkErrorName(rc)
    if (rc === ZNOAUTH || rc === ZAUTHFAILED)
      return new HaadmError('ZK_NO_AUTH', `not authorised to read ${path} (ZooKeeper NoAuth: ${name})`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'The cluster uses the creator ACL: pass the credentials it was written with, e.g. --zk-auth digest:user:password.',
        cause: err,
      })
    if (rc !== undefined && CONNECTION_ENDING.has(rc))
      return new HaadmError('ZK_UNREACHABLE', `lost the connection to ZooKeeper at ${this.quorum} at ${path}: ${describeZkError(err)}`, {
        exit: ExitCode.UNREACHABLE,
        hint: connectionHint(rc),
        details: {zkError: name, path},
        cause: err,
      })
    return new HaadmError('ZK_ERROR', `ZooKeeper error on ${path}: ${describeZkError(err)}`, {
      exit: ExitCode.UNREACHABLE,
      details: rc === undefined ? {path} : {zkError: name, path},
      cause: err,
    })
  }

  /**
   * Deletes in waves of equal depth (callers order deepest first), each wave pipelined with at most
   * `concurrency` requests in flight. A node is never deleted after one of its descendants failed, and
   * children that were not in the plan (a JobManager still writing) are reported, never deleted.
   */
  async *remove(targets: RemovalTarget[], opts: {concurrency?: number} = {}): AsyncGenerator<RemovalOutcome> {
    noteWrite()
    const concurrency = opts.concurrency ?? REMOVE_CONCURRENCY
    const blocked = new Set<string>()
    const depth = (p: string) => p.split('/').length
    let i = 0
    while (i < targets.length) {
      // Several waves that fit one transaction go as one (deepest first inside it, as ZooKeeper applies a
      // multi in order): a small cluster's node and everything below it are then removed at once, so a run
      // killed midway never leaves the empty cluster node that no later scan recognises as a cluster.
      const combined = await this.removeCombined(targets, i)
      if (combined) {
        i += combined.length
        yield* combined
        continue
      }
      let j = i + 1
      while (j < targets.length && depth(targets[j].locator) === depth(targets[i].locator)) j++
      const wave = targets.slice(i, j)
      i = j
      const outcomes: RemovalOutcome[] = []
      const ready: RemovalTarget[] = []
      for (const target of wave) {
        if (blocked.has(target.locator))
          outcomes.push({target, status: target.onlyIfEmpty ? 'kept' : 'failed', error: 'a node below it could not be removed'})
        else ready.push(target)
      }
      // Outcomes are passed on as batches and deletes finish (a progress bar moves), not at the end of the wave.
      let wake: (() => void) | undefined
      const report = (o: RemovalOutcome) => {
        outcomes.push(o)
        wake?.()
      }
      const work = (async () => {
        const batchable = ready.filter((t) => !t.onlyIfEmpty)
        const multi = batchable.length > 1 ? await this.multiClient() : undefined
        const single: RemovalTarget[] = ready.filter((t) => t.onlyIfEmpty)
        if (multi) {
          const batches: RemovalTarget[][] = []
          for (let k = 0; k < batchable.length; k += MULTI_BATCH) batches.push(batchable.slice(k, k + MULTI_BATCH))
          await Promise.all(
            batches.map(async (batch) => {
              const answer = await this.deleteInOne(multi, batch)
              // A failed transaction removed nothing: redo its ops one by one for precise outcomes.
              if (answer === 'ok') for (const target of batch) report({target, status: 'removed'})
              else if (answer === 'redo') single.push(...batch)
              else for (const target of batch) report({target, status: 'unknown', error: describeZkError(answer)})
            }),
          )
        } else single.push(...batchable)
        let next = 0
        const worker = async () => {
          while (next < single.length) {
            const target = single[next++]
            report(await this.removeOne(target))
          }
        }
        await Promise.all(Array.from({length: Math.min(concurrency, single.length)}, worker))
      })()
      let finished = false
      work.then(
        () => (finished = true),
        () => (finished = true),
      ).finally(() => wake?.())
      let yielded = 0
      while (!finished || yielded < outcomes.length) {
        if (yielded === outcomes.length) await new Promise<void>((resolve) => (wake = resolve))
        wake = undefined
        while (yielded < outcomes.length) yield outcomes[yielded++]
      }
      await work
      for (const o of outcomes) if (o.status === 'failed' || o.status === 'kept') block(blocked, o.target.locator)
    }
  }

  private async removeOne(target: RemovalTarget): Promise<RemovalOutcome> {
    const version = typeof target.version === 'number' ? target.version : -1
    try {
      await guardOf(this.client).run(() => this.client.delete_(target.locator, version))
      return {target, status: 'removed'}
    } catch (err) {
      const rc = zkErrorCode(err)
      if (rc === ZNONODE) return {target, status: 'absent'}
      if (rc === ZNOTEMPTY) {
        if (target.onlyIfEmpty) return {target, status: 'kept'}
        let children: string[] = []
        try {
          children = await guardOf(this.client).run(() => this.client.get_children(target.locator, false))
        } catch {
          // reported below without names
        }
        return {target, status: 'failed', error: `new children appeared (${children.slice(0, 5).join(', ') || '?'}): is a JobManager still running?`}
      }
      if (rc === ZBADVERSION) return {target, status: 'failed', error: 'changed since the plan was made: is a JobManager still running?'}
      if (rc === ZNOAUTH) return {target, status: 'failed', error: 'NoAuth: not allowed to delete it (needs DELETE on its parent)'}
      if (err instanceof NotSent) return {target, status: 'failed', error: `not attempted: ${describeZkError(err)}`}
      // The request may have reached the server before the connection failed: applied or not, nobody knows.
      if (rc !== undefined && CONNECTION_ENDING.has(rc)) return {target, status: 'unknown', error: describeZkError(err)}
      return {target, status: 'failed', error: describeZkError(err)}
    }
  }

  /**
   * From `start`: the longest run of two or more whole depth waves, none only-if-empty, that fits one
   * transaction, removed in one multi. Its outcomes, or undefined when there is no such run or the
   * transaction failed on an op (it removed nothing then: the waves go one by one as usual).
   */
  private async removeCombined(targets: RemovalTarget[], start: number): Promise<RemovalOutcome[] | undefined> {
    const depth = (p: string) => p.split('/').length
    let end = start
    let waves = 0
    while (end < targets.length) {
      let j = end + 1
      while (j < targets.length && depth(targets[j].locator) === depth(targets[end].locator)) j++
      if (j - start > MULTI_BATCH || targets.slice(end, j).some((t) => t.onlyIfEmpty)) break
      end = j
      waves++
    }
    if (waves < 2) return undefined
    const batch = targets.slice(start, end)
    const multi = await this.multiClient()
    if (!multi) return undefined
    const answer = await this.deleteInOne(multi, batch)
    if (answer === 'redo') return undefined
    if (answer === 'ok') return batch.map((target) => ({target, status: 'removed' as const}))
    return batch.map((target) => ({target, status: 'unknown' as const, error: describeZkError(answer)}))
  }

  /**
   * One transaction deleting `batch`: 'ok' (all removed), 'redo' (it removed nothing: an op failed, or it
   * was never sent), or the error when it was sent and its answer lost (applied or not, nobody knows).
   */
  private deleteInOne(multi: ZkMultiClient, batch: RemovalTarget[]): Promise<'ok' | 'redo' | Error> {
    return multi.deleteAll(batch.map((t) => ({path: t.locator, version: typeof t.version === 'number' ? t.version : -1}))).then(
      (codes) => (codes.every((c) => c === 0) ? 'ok' : 'redo'),
      (err: Error & {notSent?: boolean}) => {
        const rc = zkErrorCode(err)
        if (err.notSent || rc === undefined || !CONNECTION_ENDING.has(rc)) return 'redo'
        // A server that stopped answering ends the run's requests on the main connection too (one deadline, not two).
        if (rc === ZOPERATIONTIMEOUT) guardOf(this.client).fail(err)
        return err
      },
    )
  }

  /** The batching connection, opened on first use; undefined (single deletes) if it cannot be had. */
  private multiClient(): Promise<ZkMultiClient | undefined> {
    this.shared.multi ??= ZkMultiClient.open(this.quorum, this.target.zookeeper.connectionTimeoutMs.value, this.target.zookeeper.auth.value, this.target.zookeeper.sessionTimeoutMs.value).catch(
      () => undefined,
    )
    return this.shared.multi
  }

  /**
   * An earlier scan of this cluster (a fleet scan's), completed and checked again: the bytes `read` wants
   * that it left unread (one getData each, whose stat is compared too), and the `recheck` items' stat and
   * children (one getChildren2 each), pipelined. Anything that differs from the earlier scan is named in
   * `changed`: a version, owner or creation time, a child list, or a node that is gone.
   */
  async refresh(inv: Inventory, opts: {read: ReadSpec; recheck: string[]}): Promise<{inventory: Inventory; changed: string[]}> {
    const depthOf = readDepthOf(opts.read)
    const recheck = new Set(opts.recheck)
    const children = new Map<string, string[]>()
    for (const item of inv.items) {
      if (item.key === '') continue
      const slash = item.key.lastIndexOf('/')
      const parent = slash < 0 ? '' : item.key.slice(0, slash)
      if (!recheck.has(parent)) continue
      let list = children.get(parent)
      if (!list) children.set(parent, (list = []))
      list.push(item.key.slice(parent === '' ? 0 : parent.length + 1))
    }
    const changed: string[] = []
    const same = (had: ZkStat | undefined, now: NativeStat) =>
      had !== undefined && had.version === now.version && had.ephemeralOwner === now.ephemeralOwner && had.numChildren === now.numChildren && had.ctime === new Date(now.ctime).toISOString()
    const tasks: Array<() => Promise<void>> = []
    // The bytes left unread: many in one multiRead each where the server has it (one request for up to
    // MULTI_BATCH nodes), else one getData each.
    const unread: Array<{item: RawItem; copy: RawItem}> = []
    const fill = (item: RawItem, copy: RawItem, stat: NativeStat | undefined, data: Buffer | null) => {
      if (!stat || !same(item.zk, stat)) return void changed.push(item.key)
      copy.data = bytesOf(data)
      delete copy.unread
    }
    const items = inv.items.map((item) => {
      const wantData = item.unread === true && depthOf(item.key) === 'data'
      if (!wantData && !recheck.has(item.key)) return item
      const copy: RawItem = {...item}
      if (wantData) unread.push({item, copy})
      if (recheck.has(item.key))
        tasks.push(async () => {
          const r = await this.optional(() => nativeCall<[string[], NativeStat]>(this.client, 'a_get_children2', item.locator, () => this.client.get_children2(item.locator, false)), item.locator)
          const had = (children.get(item.key) ?? []).sort()
          const now = r ? [...r[0]].sort() : []
          if (!r || !same(item.zk, r[1]) || now.length !== had.length || now.some((c, i) => c !== had[i])) changed.push(item.key)
        })
      return copy
    })
    const single = (item: RawItem, copy: RawItem) => async () => {
      const r = await this.optional(() => nativeCall<[NativeStat, Buffer | null]>(this.client, 'a_get', item.locator, () => this.client.get(item.locator, false)), item.locator)
      fill(item, copy, r?.[0], r?.[1] ?? null)
    }
    const multi = unread.length > 1 ? await this.readClient() : undefined
    if (multi) {
      for (const batch of readBatches(unread, (u) => u.item.zk?.dataLength ?? 0))
        tasks.push(async () => {
          const answers = await this.readMany(multi, batch.map((u) => ({kind: 'data', path: u.item.locator})))
          if (!answers) return void (await Promise.all(batch.map((u) => single(u.item, u.copy)())))
          answers.forEach((a, k) => {
            const {item, copy} = batch[k]
            if (!('stat' in a)) {
              if ('error' in a && a.error !== ZNONODE) throw this.translate(new Error(String(a.error)), item.locator)
              return void changed.push(item.key)
            }
            fill(item, copy, a.stat, a.data)
          })
        })
    } else for (const u of unread) tasks.push(single(u.item, u.copy))
    let next = 0
    const worker = async () => {
      while (next < tasks.length) await tasks[next++]()
    }
    await Promise.all(Array.from({length: Math.min(SCAN_CONCURRENCY, tasks.length)}, worker))
    return {inventory: {...inv, items}, changed: changed.sort()}
  }

  /** The batching connection for reads, unless the server turned a multiRead down before (then undefined: one getData each). */
  private async readClient(): Promise<ZkMultiClient | undefined> {
    if (this.shared.noMultiRead) return undefined
    const multi = await this.multiClient()
    return multi && !multi.broken ? multi : undefined
  }

  /**
   * One multiRead, or undefined when the server does not answer it as one (older than 3.6): reads then go
   * one by one, and a batching connection that broke on it is opened afresh for the deletes.
   */
  private async readMany(multi: ZkMultiClient, ops: ReadOp[]): Promise<ReadResult[] | undefined> {
    if (this.shared.noMultiRead) return undefined
    try {
      return await multi.readMany(ops)
    } catch (err) {
      const rc = zkErrorCode(err)
      // A server that stopped answering ends the run's requests on the main connection too (one deadline, not two).
      if (rc === ZOPERATIONTIMEOUT) {
        guardOf(this.client).fail(err instanceof Error ? err : new Error(String(err)))
        throw this.translate(err, ops[0].path)
      }
      this.shared.noMultiRead = true
      if (multi.broken && this.shared.multi && (await this.shared.multi) === multi) this.shared.multi = undefined
      return undefined
    }
  }

  /** A read whose NONODE is an answer (undefined), other errors translated. */
  private async optional<T>(read: () => Promise<T>, path: string): Promise<T | undefined> {
    try {
      return await read()
    } catch (err) {
      if (zkErrorCode(err) === ZNONODE) return undefined
      throw this.translate(err, path)
    }
  }

  /**
   * Deletes every target in one transaction (ZooKeeper applies a multi whole or not at all), each with
   * its version: all removed, or nothing with the reason. Lost answers make the outcomes unknown.
   */
  async removeAtomically(targets: RemovalTarget[]): Promise<RemovalOutcome[] | {notApplied: string}> {
    if (targets.length === 0) return []
    if (targets.length > MULTI_BATCH) return {notApplied: `more than ${MULTI_BATCH} items: more than one transaction`}
    if (targets.some((t) => t.onlyIfEmpty)) return {notApplied: 'only-if-empty items do not go in a transaction'}
    noteWrite()
    const multi = await this.multiClient()
    if (!multi) return {notApplied: 'no transaction connection'}
    const answer = await this.deleteInOne(multi, targets)
    if (answer === 'redo') return {notApplied: 'changed since the scan (or the transaction was not sent)'}
    if (answer === 'ok') return targets.map((target) => ({target, status: 'removed' as const}))
    return targets.map((target) => ({target, status: 'unknown' as const, error: describeZkError(answer)}))
  }

  /**
   * Every cluster under the root: one getChildren2 per node (its children and its own stat in one
   * answer), pipelined with at most SCAN_CONCURRENCY requests in flight; bytes only of the nodes the
   * layout asks for. Below a node that is not a cluster's, looks at most `maxDepth` levels deep; below a
   * cluster's node, reads the whole subtree.
   */
  async scanFleet(opts: FleetScanOptions): Promise<FleetInventory> {
    if (opts.allNamespaces)
      throw new HaadmError('USAGE', '-A/--all-namespaces is a Kubernetes flag: a ZooKeeper scan covers one root (--zk-root)', {exit: ExitCode.USAGE})
    const rootPath = generateZookeeperPath(this.target.zookeeper.root.value)
    const items: RawItem[] = []
    const notLookedInto: string[] = []
    type Task = {path: string; depth: number; cluster: string | null}
    const queue = new Fifo<Task>()
    queue.push({path: rootPath, depth: 0, cluster: null})
    const rel = (path: string) => (path === rootPath ? '' : path.slice(rootPath === '/' ? 1 : rootPath.length + 1))

    const run = async ({path, depth, cluster}: Task) => {
      let children: string[]
      let s: NativeStat
      try {
        ;[children, s] = await nativeCall<[string[], NativeStat]>(this.client, 'a_get_children2', path, () => (this.client as any).get_children2(path, false))
      } catch (err) {
        if (zkErrorCode(err) === ZNONODE) {
          if (path === rootPath) throw await this.rootNotFound(rootPath)
          return // deleted since its parent was listed
        }
        throw this.translate(err, path)
      }
      const item: RawItem = {key: rel(path), locator: path, data: new Uint8Array(0), unread: true, zk: toStat(s)}
      const inCluster = cluster ?? (path !== rootPath && opts.isClusterNode(children) ? path : null)
      if (inCluster !== null && opts.needsData(path === inCluster ? '' : path.slice(inCluster.length + 1))) {
        try {
          const [st, data] = await nativeCall<[NativeStat, Buffer | null]>(this.client, 'a_get', path, () => this.client.get(path, false))
          item.data = data ? new Uint8Array(data) : new Uint8Array(0)
          item.zk = toStat(st)
          delete item.unread
        } catch (err) {
          if (zkErrorCode(err) === ZNONODE) return
          throw this.translate(err, path)
        }
      }
      items.push(item)
      opts.progress?.(items.length)
      if (inCluster === null && depth >= opts.maxDepth) {
        if (children.length > 0) notLookedInto.push(item.key)
        return
      }
      for (const c of children) {
        if (path === '/' && c === 'zookeeper') continue
        queue.push({path: zkJoin(path, c), depth: depth + 1, cluster: inCluster})
      }
    }
    try {
      await pipeline(SCAN_CONCURRENCY, () => (queue.length > 0 ? queue.take() : undefined), run)
    } catch (failure) {
      throw this.translate(failure, rootPath)
    }
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return {backend: 'zookeeper', root: rootPath, scannedAt: new Date().toISOString(), items, notLookedInto: notLookedInto.sort()}
  }

  private async rootNotFound(rootPath: string): Promise<HaadmError> {
    return new HaadmError('ROOT_NOT_FOUND', `no znode ${rootPath} on ${this.quorum}: no Flink cluster uses root ${rootPath} there`, {
      exit: ExitCode.UNREACHABLE,
      hint: 'Check --zk-root (high-availability.zookeeper.path.root) and --zk-quorum, including any /chroot suffix.',
      details: {path: rootPath},
    })
  }

  async close(): Promise<void> {
    if (this.view) return
    const multi = await this.shared.multi
    multi?.close()
    this.client.close()
  }
}

/** A node's data as the binding or a multiRead reply returns it, as an item's bytes (EMPTY when there are none). */
function bytesOf(data: Buffer | null | undefined): Uint8Array {
  return data && data.length > 0 ? new Uint8Array(data.buffer, data.byteOffset, data.length) : EMPTY
}

let lastTime = NaN
let lastIso = ''
/**
 * A stat time as ISO text. Nodes read one after another were often written in the same millisecond
 * (an entry and its lock node in one transaction; ctime and mtime of a node never changed), so the
 * last one is kept: most nodes of a large scan reuse it instead of formatting a date again.
 */
function isoOf(t: Date | number): string {
  const ms = typeof t === 'number' ? t : t instanceof Date ? t.getTime() : new Date(t).getTime()
  if (ms !== lastTime) {
    lastIso = new Date(ms).toISOString()
    lastTime = ms
  }
  return lastIso
}

function toStat(s: NativeStat): ZkStat {
  return {
    ephemeralOwner: s.ephemeralOwner,
    ctime: isoOf(s.ctime),
    mtime: isoOf(s.mtime),
    version: s.version,
    numChildren: s.numChildren,
    dataLength: s.dataLength,
  }
}

/** `CONNECTIONLOSS: no answer ...`: the error's name from zookeeper.h and the binding's words, never a bare number. */
export function describeZkError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  const rc = zkErrorCode(err)
  if (rc === undefined) return text
  const rest = text.replace(/^-\d+\s*/, '')
  return rest ? `${zkErrorName(rc)} (${rest})` : zkErrorName(rc)
}

/** What to do about an error that ended the connection. */
export function connectionHint(rc: number | undefined): string {
  if (rc === ZSESSIONEXPIRED || rc === ZINVALIDSTATE)
    return 'The ZooKeeper session expired (the servers were unreachable for longer than the session timeout): run the command again.'
  if (rc === ZOPERATIONTIMEOUT)
    return 'A server stopped answering (overloaded, paused or partitioned): check the ZooKeeper servers, then run the command again; --zk-timeout waits longer.'
  return 'Run the command again; check the ZooKeeper servers if it keeps happening.'
}

/** Resolves when one of the servers accepts a TCP connection within the timeout; else says why not. */
function probeAny(servers: Array<{host: string; port: number}>, timeoutMs: number): Promise<{ok: true} | {ok: false; error: string}> {
  return new Promise((resolve) => {
    let left = servers.length
    let lastError = ''
    let done = false
    const sockets: Socket[] = []
    const finish = (r: {ok: true} | {ok: false; error: string}) => {
      if (done) return
      done = true
      clearTimeout(timer)
      for (const s of sockets) s.destroy()
      resolve(r)
    }
    const timer = setTimeout(() => finish({ok: false, error: lastError || `no answer within ${timeoutMs} ms`}), timeoutMs)
    for (const {host, port} of servers) {
      const socket = netConnect({host, port})
      sockets.push(socket)
      socket.once('connect', () => finish({ok: true}))
      socket.once('error', (err: NodeJS.ErrnoException) => {
        lastError = err.code ?? err.message
        if (--left === 0) finish({ok: false, error: lastError})
      })
    }
  })
}

/**
 * Runs `run` on what `next` hands out, at most `limit` at once, until `next` has nothing more and nothing
 * is in flight (a run may give `next` more work). After the first failure nothing more is handed out; once
 * the runs in flight have ended, it rejects with that failure.
 */
function pipeline<T>(limit: number, next: () => T | undefined, run: (task: T) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let inFlight = 0
    let failure: {error: unknown} | undefined
    const pump = () => {
      while (failure === undefined && inFlight < limit) {
        const task = next()
        if (task === undefined) break
        inFlight++
        run(task)
          .catch((error) => {
            failure ??= {error}
          })
          .finally(() => {
            inFlight--
            pump()
          })
      }
      if (inFlight === 0) {
        if (failure) reject(failure.error)
        else resolve()
      }
    }
    pump()
  })
}

/** Groups reads for multiRead: at most MULTI_BATCH nodes and about MULTI_READ_BYTES of data each (a larger node goes alone). */
function readBatches<T>(items: T[], bytesOf: (item: T) => number): T[][] {
  const out: T[][] = []
  let batch: T[] = []
  let bytes = 0
  for (const item of items) {
    const n = bytesOf(item) + 100
    if (batch.length > 0 && (batch.length >= MULTI_BATCH || bytes + n > MULTI_READ_BYTES)) {
      out.push(batch)
      batch = []
      bytes = 0
    }
    batch.push(item)
    bytes += n
  }
  if (batch.length > 0) out.push(batch)
  return out
}

/** Marks a node and all its ancestors: none of them can be removed once the node stays. */
function block(blocked: Set<string>, locator: string): void {
  for (let p = locator; p.length > 1 && !blocked.has(p); p = p.slice(0, p.lastIndexOf('/')) || '/') blocked.add(p)
}
