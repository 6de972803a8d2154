// A TCP proxy of the tests' own on 127.0.0.1, between haadm and a real server (ZooKeeper, the
// Kubernetes test API server), that injects faults: stall (hold all bytes, keep the connections),
// drop answers (forward requests, discard replies), reset every connection after N more client
// writes, refuse connections (stop listening) and accept them again on the same port.

import {createServer, type Server, type Socket, connect} from 'node:net'

export type ProxyMode = 'pass' | 'stall' | 'drop-answers'

export interface TcpProxy {
  port: number
  /** "127.0.0.1:<port>" */
  address: string
  mode: ProxyMode
  /** Client writes (chunks towards the server) seen so far, over all connections. */
  readonly requests: number
  /** Switches to `stall` once `n` more client writes have been forwarded. */
  stallAfter(n: number): void
  /** Resets (RST) every open connection once `n` more client writes have been forwarded. */
  resetAfter(n: number): void
  /** Resets every open connection now. */
  resetAll(): void
  /** Stops listening (new connections are refused) and resets the open ones. */
  refuse(): Promise<void>
  /** Listens again on the same port. */
  accept(): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<{client: Socket; upstream: Socket; held: Buffer[]}>()
  let mode: ProxyMode = 'pass'
  let requests = 0
  let resetAt = Infinity
  let stallAt = Infinity
  let server: Server | undefined
  let port = 0

  const resetAll = () => {
    for (const p of pairs) {
      p.client.resetAndDestroy()
      p.upstream.resetAndDestroy()
    }
    pairs.clear()
  }

  const onConnection = (client: Socket) => {
    const upstream = connect({host: targetHost, port: targetPort})
    const pair = {client, upstream, held: [] as Buffer[]}
    pairs.add(pair)
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end)
    upstream.on('error', end)
    client.on('close', end)
    upstream.on('close', end)
    client.on('data', (d) => {
      requests++
      if (mode === 'stall') {
        pair.held.push(d)
        return
      }
      upstream.write(d)
      if (requests >= stallAt) {
        stallAt = Infinity
        mode = 'stall'
      }
      if (requests >= resetAt) {
        resetAt = Infinity
        // Let the write reach the server, then cut: the request may or may not have been applied.
        setTimeout(resetAll, 20)
      }
    })
    upstream.on('data', (d) => {
      if (mode === 'pass') client.write(d)
      // stall: the answer is lost with the connection; drop-answers: discarded.
    })
  }

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(onConnection)
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        const a = server!.address()
        if (a && typeof a === 'object') port = a.port
        resolve()
      })
    })
  await listen()

  const proxy: TcpProxy = {
    get port() {
      return port
    },
    get address() {
      return `127.0.0.1:${port}`
    },
    get mode() {
      return mode
    },
    set mode(m: ProxyMode) {
      mode = m
      if (m === 'pass')
        for (const p of pairs) {
          for (const d of p.held) p.upstream.write(d)
          p.held = []
        }
    },
    get requests() {
      return requests
    },
    stallAfter(n: number) {
      stallAt = requests + n
    },
    resetAfter(n: number) {
      resetAt = requests + n
    },
    resetAll,
    refuse: async () => {
      const s = server
      server = undefined
      resetAll()
      if (s) await new Promise<void>((r) => s.close(() => r()))
    },
    accept: async () => {
      if (!server) await listen()
    },
    close: async () => {
      await proxy.refuse()
    },
  }
  return proxy
}
