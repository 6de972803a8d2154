// A small HTTP proxy of the tests' own on 127.0.0.1: CONNECT tunnels (for https servers) and
// absolute-form requests (for http servers), as squid or tinyproxy serve them. Every host name is
// mapped to 127.0.0.1, so a kubeconfig may name a server the machine cannot resolve and still no
// traffic leaves loopback. It records what it was asked, can require Basic credentials (407), and
// can refuse every tunnel (403).

import {type IncomingMessage, type ServerResponse, createServer, request} from 'node:http'
import {type Socket, connect} from 'node:net'

export interface ConnectProxy {
  url: string
  port: number
  /** `CONNECT host:port` and `GET http://host:port/path` lines, in order. */
  seen: string[]
  /** When set, requests must carry `Proxy-Authorization: Basic base64(user:password)`. */
  credentials?: string
  /** When true, every CONNECT is answered 403. */
  refuse: boolean
  stop(): Promise<void>
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const sockets = new Set<Socket>()
  const authorised = (req: IncomingMessage) =>
    !proxy.credentials || req.headers['proxy-authorization'] === `Basic ${Buffer.from(proxy.credentials).toString('base64')}`
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    proxy.seen.push(`${req.method} ${req.url}`)
    if (!authorised(req)) {
      res.writeHead(407, {'Proxy-Authenticate': 'Basic realm="haadm-test"'}).end()
      return
    }
    let target: URL
    try {
      target = new URL(req.url ?? '')
    } catch {
      res.writeHead(400).end('absolute URL expected')
      return
    }
    const headers = {...req.headers}
    delete headers['proxy-authorization']
    const up = request({host: '127.0.0.1', port: target.port || 80, path: target.pathname + target.search, method: req.method, headers}, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers)
      r.pipe(res)
    })
    up.on('error', () => res.writeHead(502).end())
    req.pipe(up)
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    proxy.seen.push(`CONNECT ${req.url}`)
    if (!authorised(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="haadm-test"\r\nContent-Length: 0\r\n\r\n')
      return
    }
    if (proxy.refuse) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const port = Number(/:(\d+)$/.exec(req.url ?? '')?.[1] ?? 443)
    const up = connect({host: '127.0.0.1', port}, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) up.write(head)
      up.pipe(client)
      client.pipe(up)
    })
    sockets.add(up)
    up.on('close', () => sockets.delete(up))
    up.on('error', () => client.destroy())
    client.on('error', () => up.destroy())
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as {port: number}).port))
  })
  const proxy: ConnectProxy = {
    url: `http://127.0.0.1:${port}`,
    port,
    seen: [],
    refuse: false,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
  return proxy
}
