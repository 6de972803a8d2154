import {createRequire} from 'node:module'
import type {Target} from '../config/target.js'
import {zkJoin} from '../config/zk-path.js'
import {ExitCode, HaadmError} from '../errors.js'
import {Fifo} from './fifo.js'
import {zookeeperClientMissing} from './zookeeper-client-missing.js'
import {MULTI_BATCH, ZkMultiClient} from './zk-multi.js'
import type {Inventory, RawItem, RemovableBackend, RemovalOutcome, RemovalTarget, ScanOptions, StreamingBackend, ZkStat} from './types.js'

/** The subset of the `zookeeper` binding's promise API that haadm uses. */
interface ZkClient {
  init(config: object): void
  on(event: string, cb: (...args: unknown[]) => void): void
  once(event: string, cb: (...args: unknown[]) => void): void
  close(): void
  get(path: string, watch: boolean): Promise<[NativeStat, Buffer | null]>
  get_children(path: string, watch: boolean): Promise<string[]>
  delete_(path: string, version: number): Promise<void>
  add_auth(scheme: string, auth: string, cb: (rc: number, error: string) => void): void
  readonly client_id?: string
  /** The binding's native handle, under its JS wrapper (see `nativeCall`). */
  readonly native?: Record<'a_get' | 'a_get_children', (path: string, watch: boolean, cb: (rc: number, error: string, ...result: any[]) => void) => number>
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

/** Requests in flight at once during a scan: enough to fill the pipe, bounded to keep memory flat. */
const SCAN_CONCURRENCY = 1024
/** Deletes in flight at once: enough to hide the round trip on a LAN, bounded for the server's sake. */
const REMOVE_CONCURRENCY = 512
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
function nativeCall<T>(client: ZkClient, method: 'a_get' | 'a_get_children', path: string, fallback: () => Promise<T>): Promise<T> {
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

/** The return code the binding puts at the start of a rejected promise's message (`-101 no node`). */
export function zkErrorCode(err: unknown): number | undefined {
  const m = /^(-\d+)\b/.exec(err instanceof Error ? err.message : String(err))
  return m ? Number(m[1]) : undefined
}

export class ZooKeeperBackend implements StreamingBackend, RemovableBackend {
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
  ) {}

  /** Connects within the configured connection timeout, or fails with exit 3: never hangs. */
  static async connect(target: Target): Promise<ZooKeeperBackend> {
    const quorum = target.zookeeper.quorum?.value
    if (!quorum)
      throw new HaadmError('USAGE', 'no ZooKeeper quorum given', {
        exit: ExitCode.USAGE,
        hint: 'Pass --zk-quorum host:2181, set HAADM_ZK_QUORUM, or --flink-conf with high-availability.zookeeper.quorum.',
      })
    const ZooKeeper = await loadZooKeeper()
    const timeoutMs = target.zookeeper.connectionTimeoutMs.value
    const client = new ZooKeeper({
      connect: quorum,
      timeout: target.zookeeper.sessionTimeoutMs.value,
      // 0 turns the C client's own logging off; haadm reports errors itself.
      debug_level: 0,
      host_order_deterministic: false,
    })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close()
        reject(
          new HaadmError('ZK_UNREACHABLE', `cannot reach ZooKeeper at ${quorum} within ${timeoutMs} ms`, {
            exit: ExitCode.UNREACHABLE,
            hint: 'Check --zk-quorum (host:port[,host:port]) and that the servers are up; --zk-timeout waits longer.',
          }),
        )
      }, timeoutMs)
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
    const backend = new ZooKeeperBackend(client, target, quorum)
    for (const {scheme, auth} of target.zookeeper.auth.value) await backend.addAuth(scheme, auth)
    return backend
  }

  private addAuth(scheme: string, auth: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.add_auth(scheme, auth, (rc) => {
        if (rc === 0) resolve()
        else
          reject(
            new HaadmError('ZK_NO_AUTH', `ZooKeeper rejected the ${scheme} credentials (code ${rc})`, {
              exit: ExitCode.UNREACHABLE,
              hint: 'Check --zk-auth / high-availability.zookeeper.client.authorization.',
            }),
          )
      })
    })
  }

  async scan(opts: ScanOptions = {}): Promise<Inventory> {
    const root = this.target.zookeeper.clusterPath
    const items: RawItem[] = []
    for await (const item of this.scanItems()) {
      items.push(item)
      opts.progress?.(items.length)
    }
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return {backend: 'zookeeper', clusterId: this.target.clusterId.value, root, scannedAt: new Date().toISOString(), items}
  }

  /**
   * Every node of the cluster's subtree, as it is read. Children lists and reads are pipelined on the one
   * connection with at most SCAN_CONCURRENCY requests in flight, and reading pauses while the consumer
   * lags (at most BUFFERED items wait), so memory stays flat however large the cluster.
   */
  async *scanItems(): AsyncGenerator<RawItem> {
    const root = this.target.zookeeper.clusterPath
    const rootNode = await this.read(root)
    if (!rootNode) throw await this.clusterNotFound(root)
    yield rootNode.item

    type Task = {op: 'list' | 'read'; path: string}
    const queue = new Fifo<Task>()
    if (rootNode.stat.numChildren > 0) queue.push({op: 'list', path: root})
    const ready = new Fifo<RawItem>()
    let inFlight = 0
    let failure: unknown
    let wake: (() => void) | undefined

    const run = async (task: Task) => {
      if (task.op === 'list') {
        let children: string[]
        try {
          children = await nativeCall(this.client, 'a_get_children', task.path, () => this.client.get_children(task.path, false))
        } catch (err) {
          if (zkErrorCode(err) === ZNONODE) return
          throw err
        }
        for (const c of children) queue.push({op: 'read', path: zkJoin(task.path, c)})
        return
      }
      const r = await this.read(task.path)
      if (!r) return // deleted since its parent was listed
      ready.push(r.item)
      if (r.stat.numChildren > 0) queue.push({op: 'list', path: task.path})
    }
    const pump = () => {
      while (failure === undefined && inFlight < SCAN_CONCURRENCY && queue.length > 0 && ready.length < BUFFERED) {
        const task = queue.take()!
        inFlight++
        run(task)
          .catch((err) => {
            failure ??= err
          })
          .finally(() => {
            inFlight--
            pump()
            wake?.()
          })
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

  private async read(path: string): Promise<{item: RawItem; stat: ZkStat} | undefined> {
    let res: [NativeStat, Buffer | null]
    try {
      res = await nativeCall(this.client, 'a_get', path, () => this.client.get(path, false))
    } catch (err) {
      if (zkErrorCode(err) === ZNONODE) return undefined
      throw this.translate(err, path)
    }
    const [s, data] = res
    const stat: ZkStat = {
      ephemeralOwner: s.ephemeralOwner,
      ctime: new Date(s.ctime).toISOString(),
      mtime: new Date(s.mtime).toISOString(),
      version: s.version,
      numChildren: s.numChildren,
      dataLength: s.dataLength,
    }
    const root = this.target.zookeeper.clusterPath
    const key = path === root ? '' : path.slice(root.length + 1)
    return {item: {key, locator: path, data: data ? new Uint8Array(data) : new Uint8Array(0), zk: stat}, stat}
  }

  /** Explains a missing cluster: which cluster ids do exist under the root, or that the root is missing. */
  private async clusterNotFound(clusterPath: string): Promise<HaadmError> {
    const rootPath = this.target.zookeeper.root.value
    const root = clusterPath.slice(0, clusterPath.lastIndexOf('/')) || '/'
    let siblings: string[] | undefined
    try {
      siblings = (await this.client.get_children(root, false)).sort()
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
    if (rc === ZNOAUTH || rc === ZAUTHFAILED)
      return new HaadmError('ZK_NO_AUTH', `not authorised to read ${path} (ZooKeeper NoAuth)`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'The cluster uses the creator ACL: pass the credentials it was written with, e.g. --zk-auth digest:user:password.',
        cause: err,
      })
    if (rc === ZCONNECTIONLOSS || rc === ZOPERATIONTIMEOUT || rc === ZSESSIONEXPIRED)
      return new HaadmError('ZK_UNREACHABLE', `lost the connection to ZooKeeper at ${this.quorum} while reading ${path}`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Run the command again; check the ZooKeeper servers if it keeps happening.',
        cause: err,
      })
    return new HaadmError('ZK_ERROR', `ZooKeeper error on ${path}: ${err instanceof Error ? err.message : String(err)}`, {
      exit: ExitCode.UNREACHABLE,
      cause: err,
    })
  }

  /**
   * Deletes in waves of equal depth (callers order deepest first), each wave pipelined with at most
   * `concurrency` requests in flight. A node is never deleted after one of its descendants failed, and
   * children that were not in the plan (a JobManager still writing) are reported, never deleted.
   */
  async *remove(targets: RemovalTarget[], opts: {concurrency?: number} = {}): AsyncGenerator<RemovalOutcome> {
    const concurrency = opts.concurrency ?? REMOVE_CONCURRENCY
    const blocked = new Set<string>()
    const depth = (p: string) => p.split('/').length
    let i = 0
    while (i < targets.length) {
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
              const ok = await multi
                .deleteAll(batch.map((t) => ({path: t.locator, version: typeof t.version === 'number' ? t.version : -1})))
                .then((codes) => codes.every((c) => c === 0))
                .catch(() => false)
              // A failed transaction removed nothing: redo its ops one by one for precise outcomes.
              if (ok) for (const target of batch) report({target, status: 'removed'})
              else single.push(...batch)
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
      await this.client.delete_(target.locator, version)
      return {target, status: 'removed'}
    } catch (err) {
      const rc = zkErrorCode(err)
      if (rc === ZNONODE) return {target, status: 'absent'}
      if (rc === ZNOTEMPTY) {
        if (target.onlyIfEmpty) return {target, status: 'kept'}
        let children: string[] = []
        try {
          children = await this.client.get_children(target.locator, false)
        } catch {
          // reported below without names
        }
        return {target, status: 'failed', error: `new children appeared (${children.slice(0, 5).join(', ') || '?'}): is a JobManager still running?`}
      }
      if (rc === ZBADVERSION) return {target, status: 'failed', error: 'changed since the plan was made: is a JobManager still running?'}
      if (rc === ZNOAUTH) return {target, status: 'failed', error: 'NoAuth: not allowed to delete it (needs DELETE on its parent)'}
      return {target, status: 'failed', error: this.translate(err, target.locator).message}
    }
  }

  private multi: Promise<ZkMultiClient | undefined> | undefined

  /** The batching connection, opened on first use; undefined (single deletes) if it cannot be had. */
  private multiClient(): Promise<ZkMultiClient | undefined> {
    this.multi ??= ZkMultiClient.open(this.quorum, this.target.zookeeper.connectionTimeoutMs.value, this.target.zookeeper.auth.value).catch(
      () => undefined,
    )
    return this.multi
  }

  async close(): Promise<void> {
    const multi = await this.multi
    multi?.close()
    this.client.close()
  }
}

/** Marks a node and all its ancestors: none of them can be removed once the node stays. */
function block(blocked: Set<string>, locator: string): void {
  for (let p = locator; p.length > 1 && !blocked.has(p); p = p.slice(0, p.lastIndexOf('/')) || '/') blocked.add(p)
}
