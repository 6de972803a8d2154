import {connect as netConnect, type Socket} from 'node:net'

/**
 * A minimal ZooKeeper wire-protocol client for one thing the `zookeeper` binding lacks: the multi
 * operation (ZooKeeper 3.4+), used to delete up to BATCH nodes in one transaction, as zkCli.sh's
 * deleteall does. Thousands of single deletes cost thousands of server transactions; batched, a
 * 10,000-node cluster is ten. It speaks only: connect, digest auth, multi(delete...), close.
 * Anything unexpected makes it unusable and the caller falls back to single deletes.
 *
 * Every request is bounded: with no answer within the timeout the connection fails (and every request
 * on it), and pings keep the session alive between requests, as the C client does.
 */

const OP_DELETE = 2
const OP_GET_DATA = 4
const OP_GET_CHILDREN = 8
const OP_MULTI = 14
const OP_MULTI_READ = 22
const OP_AUTH = 100
const OP_CLOSE = -11
const OP_PING = 11
const XID_AUTH = -4
const XID_PING = -2
/** ZooKeeper's OPERATIONTIMEOUT code, at the start of the message as the binding shapes its errors. */
const ZOPERATIONTIMEOUT = -7
const ZCONNECTIONLOSS = -4

export const MULTI_BATCH = 1000
/** The bytes of data one multiRead asks for at most (ZooKeeper's default jute.maxbuffer is 1 MiB). */
export const MULTI_READ_BYTES = 512 * 1024

/** A node's metadata as ZooKeeper sends it (Stat), in the shape the binding gives it. */
export interface WireStat {
  ctime: number
  mtime: number
  version: number
  numChildren: number
  dataLength: number
  /** Lowercase hex without `0x`; `0` for persistent nodes. */
  ephemeralOwner: string
}

/** One op of a multiRead: a node's data and stat (getData), or its children's names (getChildren). */
export interface ReadOp {
  kind: 'data' | 'children'
  path: string
}

/** One op's answer: the node's stat and bytes, its children, or ZooKeeper's error code (NONODE: -101). */
export type ReadResult = {stat: WireStat; data: Buffer} | {children: string[]} | {error: number}

/** Per op: 0 when the op succeeded, otherwise ZooKeeper's error code. */
export type MultiResult = number[]

/** A request's bytes, written into one growing buffer (a multi of 1000 ops is one allocation, not thousands). */
class Writer {
  private buf = Buffer.allocUnsafe(256)
  /** The next byte to write; the first 4 bytes are kept for the length prefix. */
  private at = 4
  private room(n: number) {
    if (this.at + n <= this.buf.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n))
    this.buf.copy(bigger, 0, 0, this.at)
    this.buf = bigger
  }
  int(v: number) {
    this.room(4)
    this.buf.writeInt32BE(v, this.at)
    this.at += 4
    return this
  }
  long(v: bigint) {
    this.room(8)
    this.buf.writeBigInt64BE(v, this.at)
    this.at += 8
    return this
  }
  bool(v: boolean) {
    this.room(1)
    this.buf[this.at++] = v ? 1 : 0
    return this
  }
  buffer(v: Buffer) {
    this.int(v.length)
    this.room(v.length)
    v.copy(this.buf, this.at)
    this.at += v.length
    return this
  }
  string(v: string) {
    const n = Buffer.byteLength(v, 'utf8')
    this.int(n)
    this.room(n)
    this.buf.write(v, this.at, 'utf8')
    this.at += n
    return this
  }
  /** The packet with its 4-byte length prefix. */
  frame(): Buffer {
    this.buf.writeInt32BE(this.at - 4, 0)
    return this.buf.subarray(0, this.at)
  }
}

/** `host:port[,host:port][/chroot]` as the C client reads it; throws on a port that is not a number. */
export function parseQuorum(quorum: string): {servers: Array<{host: string; port: number}>; chroot: string} {
  const slash = quorum.indexOf('/')
  const hosts = (slash >= 0 ? quorum.slice(0, slash) : quorum).split(',').filter((h) => h.trim() !== '')
  const chroot = slash >= 0 ? quorum.slice(slash).replace(/\/+$/, '') : ''
  const servers = hosts.map((hostPort) => {
    const i = hostPort.lastIndexOf(':')
    const host = i > 0 ? hostPort.slice(0, i).trim().replace(/^\[|\]$/g, '') : hostPort.trim()
    const port = i > 0 ? Number(hostPort.slice(i + 1)) : 2181
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad port in ${JSON.stringify(hostPort)}`)
    return {host, port}
  })
  if (servers.length === 0) throw new Error('no server')
  return {servers, chroot}
}

export class ZkMultiClient {
  /** Bytes received and not yet handled: the start of a packet, in the chunks it came in. */
  private chunks: Buffer[] = []
  private chunkBytes = 0
  private waiting = new Map<number, (payload: Buffer) => void>()
  private nextXid = 1
  private failure: Error | undefined
  private readonly pinger: NodeJS.Timeout

  private constructor(
    private readonly socket: Socket,
    private readonly chroot: string,
    private readonly timeoutMs: number,
    sessionTimeoutMs: number,
  ) {
    socket.on('data', (d) => this.onData(d))
    socket.on('error', (err) => this.fail(new Error(`${ZCONNECTIONLOSS} ${err.message}`)))
    socket.on('close', () => this.fail(new Error(`${ZCONNECTIONLOSS} connection closed`)))
    // A third of the negotiated session timeout, as the C client pings.
    this.pinger = setInterval(() => {
      if (!this.failure) this.socket.write(new Writer().int(XID_PING).int(OP_PING).frame())
    }, Math.max(500, Math.floor(sessionTimeoutMs / 3)))
    this.pinger.unref()
  }

  /** Fails the connection: every pending and later request rejects with `err`. */
  private fail(err: Error): void {
    this.failure ??= err
    clearInterval(this.pinger)
    for (const cb of this.waiting.values()) cb(Buffer.alloc(0))
    this.waiting.clear()
    this.socket.destroy()
  }

  /** Connects to the first server of the quorum that answers within the timeout; requests then time out after `timeoutMs`. */
  static async open(quorum: string, timeoutMs: number, auth: Array<{scheme: string; auth: string}>, sessionTimeoutMs = timeoutMs): Promise<ZkMultiClient> {
    const {servers, chroot} = parseQuorum(quorum)
    let last: unknown
    for (const {host, port} of servers) {
      try {
        const client = await ZkMultiClient.connectOne(host, port, chroot, timeoutMs, sessionTimeoutMs)
        for (const a of auth) await client.addAuth(a.scheme, a.auth)
        return client
      } catch (err) {
        last = err
      }
    }
    throw last instanceof Error ? last : new Error('no ZooKeeper server answered')
  }

  private static connectOne(host: string, port: number, chroot: string, timeoutMs: number, sessionTimeoutMs: number): Promise<ZkMultiClient> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({host, port})
      socket.setNoDelay(true)
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`))
      }, timeoutMs)
      socket.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
      socket.once('connect', () => {
        // ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly.
        socket.write(new Writer().int(0).long(0n).int(Math.max(sessionTimeoutMs, 4000)).long(0n).buffer(Buffer.alloc(16)).bool(false).frame())
        let got = Buffer.alloc(0)
        const onData = (d: Buffer) => {
          got = Buffer.concat([got, d])
          if (got.length < 4 || got.length < 4 + got.readInt32BE(0)) return
          socket.removeListener('data', onData)
          clearTimeout(timer)
          const len = got.readInt32BE(0)
          // ConnectResponse: protocolVersion, timeOut (0 means the server refused the session), sessionId, passwd.
          if (len < 16 || got.readInt32BE(8) <= 0) {
            socket.destroy()
            reject(new Error('the server refused the session'))
            return
          }
          socket.removeAllListeners('error')
          const client = new ZkMultiClient(socket, chroot, timeoutMs, got.readInt32BE(8))
          const rest = got.subarray(4 + len)
          if (rest.length > 0) client.onData(rest)
          resolve(client)
        }
        socket.on('data', onData)
      })
    })
  }

  private onData(d: Buffer): void {
    this.chunks.push(d)
    this.chunkBytes += d.length
    if (this.chunkBytes < 4) return
    // A large reply (a multiRead) arrives in many chunks: they are joined once, when its packet is whole.
    if (this.chunks.length > 1) {
      if (this.chunks[0].length < 4) this.chunks = [Buffer.concat(this.chunks, this.chunkBytes)]
      if (this.chunkBytes < 4 + this.chunks[0].readInt32BE(0)) return
    }
    let buffered = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.chunkBytes)
    while (buffered.length >= 4) {
      const len = buffered.readInt32BE(0)
      if (buffered.length < 4 + len) break
      const packet = buffered.subarray(4, 4 + len)
      buffered = buffered.subarray(4 + len)
      const xid = packet.readInt32BE(0)
      const cb = this.waiting.get(xid)
      if (cb) {
        this.waiting.delete(xid)
        cb(packet)
      }
    }
    this.chunks = buffered.length > 0 ? [buffered] : []
    this.chunkBytes = buffered.length
  }

  private request(xid: number, body: Writer): Promise<Buffer> {
    // Never sent: the caller may safely send it another way.
    if (this.failure) return Promise.reject(Object.assign(new Error(this.failure.message), {notSent: true}))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`${ZOPERATIONTIMEOUT} no answer from ZooKeeper within ${this.timeoutMs} ms`)), this.timeoutMs)
      this.waiting.set(xid, (payload) => {
        clearTimeout(timer)
        if (payload.length === 0) reject(this.failure ?? new Error(`${ZCONNECTIONLOSS} connection lost`))
        else resolve(payload)
      })
      this.socket.write(body.frame())
    })
  }

  private async addAuth(scheme: string, auth: string): Promise<void> {
    const reply = await this.request(XID_AUTH, new Writer().int(XID_AUTH).int(OP_AUTH).int(0).string(scheme).buffer(Buffer.from(auth, 'utf8')))
    const err = reply.readInt32BE(12)
    if (err !== 0) throw new Error(`authentication failed (${err})`)
  }

  /**
   * Deletes the paths in one transaction: all or nothing. Returns 0 per op on success; on failure the
   * failing op's error code (the others report 0 or -2, "not attempted").
   */
  async deleteAll(ops: Array<{path: string; version: number}>): Promise<MultiResult> {
    const xid = this.nextXid++
    const w = new Writer().int(xid).int(OP_MULTI)
    for (const op of ops) w.int(OP_DELETE).bool(false).int(-1).string(this.chroot + op.path).int(op.version)
    w.int(-1).bool(true).int(-1)
    const reply = await this.request(xid, w)
    // ReplyHeader: xid, zxid, err; then MultiResponse: (type, done, err[, body]) ... until done.
    let off = 16
    const results: number[] = []
    while (off + 9 <= reply.length) {
      const type = reply.readInt32BE(off)
      const done = reply[off + 4] === 1
      off += 9
      if (done) break
      if (type === -1) {
        results.push(reply.readInt32BE(off))
        off += 4
      } else results.push(0)
    }
    if (results.length !== ops.length) {
      const err = reply.readInt32BE(12)
      throw new Error(`unexpected multi reply (${results.length} results for ${ops.length} ops, error ${err})`)
    }
    return results
  }

  /**
   * Reads in one request (multiRead, ZooKeeper 3.6+): each op a node's data and stat, or its children's
   * names. Not a transaction: each op answers on its own (a missing node is its error). Rejects when the
   * server does not answer it as a multiRead (an older server); the caller then reads node by node.
   */
  async readMany(ops: ReadOp[]): Promise<ReadResult[]> {
    const xid = this.nextXid++
    const w = new Writer().int(xid).int(OP_MULTI_READ)
    for (const op of ops) w.int(op.kind === 'data' ? OP_GET_DATA : OP_GET_CHILDREN).bool(false).int(-1).string(this.chroot + op.path).bool(false)
    w.int(-1).bool(true).int(-1)
    const reply = await this.request(xid, w)
    const err = reply.readInt32BE(12)
    if (err !== 0) throw new Error(`${err} multiRead refused`)
    const results: ReadResult[] = []
    let off = 16
    const need = (n: number) => {
      if (off + n > reply.length) throw new Error(`unexpected multiRead reply (truncated after ${results.length} of ${ops.length} results)`)
    }
    for (;;) {
      need(9)
      const type = reply.readInt32BE(off)
      const done = reply[off + 4] === 1
      off += 9
      if (done) break
      if (type === -1) {
        need(4)
        results.push({error: reply.readInt32BE(off)})
        off += 4
      } else if (type === OP_GET_DATA) {
        need(4)
        const size = Math.max(0, reply.readInt32BE(off))
        off += 4
        need(size + 68)
        const data = reply.subarray(off, off + size)
        off += size
        // Stat: czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, dataLength, numChildren, pzxid.
        // Times are milliseconds (exact as doubles); most nodes have no owner, whose id needs no BigInt.
        const owned = reply.readInt32BE(off + 44) !== 0 || reply.readInt32BE(off + 48) !== 0
        const stat: WireStat = {
          ctime: reply.readInt32BE(off + 16) * 0x1_0000_0000 + reply.readUInt32BE(off + 20),
          mtime: reply.readInt32BE(off + 24) * 0x1_0000_0000 + reply.readUInt32BE(off + 28),
          version: reply.readInt32BE(off + 32),
          ephemeralOwner: owned ? reply.readBigUInt64BE(off + 44).toString(16) : '0',
          dataLength: reply.readInt32BE(off + 52),
          numChildren: reply.readInt32BE(off + 56),
        }
        off += 68
        results.push({stat, data})
      } else if (type === OP_GET_CHILDREN) {
        need(4)
        const count = reply.readInt32BE(off)
        off += 4
        const children: string[] = []
        for (let k = 0; k < count; k++) {
          need(4)
          const len = reply.readInt32BE(off)
          off += 4
          need(len)
          children.push(reply.toString('utf8', off, off + len))
          off += len
        }
        results.push({children})
      } else throw new Error(`unexpected multiRead reply (op type ${type})`)
    }
    if (results.length !== ops.length) throw new Error(`unexpected multiRead reply (${results.length} results for ${ops.length} reads)`)
    return results
  }

  /** Set once the connection failed (timeout, reset, close): the caller should not send more. */
  get broken(): boolean {
    return this.failure !== undefined
  }

  close(): void {
    clearInterval(this.pinger)
    if (!this.failure) this.socket.write(new Writer().int(this.nextXid++).int(OP_CLOSE).frame())
    this.socket.end()
    this.socket.destroy()
  }
}
