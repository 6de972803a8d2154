// --timeout bounds a whole run whatever the store: a ZooKeeper that accepts connections and never
// answers (the connection wait is cut to the deadline), and an S3 endpoint that never answers
// (the AWS SDK would wait 60 s per request: the deadline's watchdog ends the run), each against a
// "black hole" of the test's own on loopback. Exit 3: nothing was written.

import {type Server, type Socket, createServer} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'

let hole: Server
let port: number
const sockets = new Set<Socket>()
beforeAll(async () => {
  hole = createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
    s.resume() // read everything, answer nothing
  })
  port = await new Promise<number>((resolve) => hole.listen(0, '127.0.0.1', () => resolve((hole.address() as {port: number}).port)))
})
afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise((r) => hole.close(r))
})

describe('--timeout against servers that never answer', () => {
  it('ZooKeeper: the connection wait ends at the deadline, not at the 15 s connection timeout', async () => {
    const res = await haadm(['leaders', '--backend', 'zookeeper', '--zk-quorum', `127.0.0.1:${port}`, '--cluster-id', 'c1', '--timeout', '2s', '--json'], {timeoutMs: 60_000})
    expect(res.code, res.stderr).toBe(3)
    expect(res.json.error.code).toBe('ZK_UNREACHABLE')
    expect(res.json.error.message).toMatch(/before the run's deadline \(--timeout 2 s\)/)
  })

  it('S3: the watchdog ends the run a few seconds past the deadline, exit 3, one line', async () => {
    const res = await haadm(
      ['jobs', 'results', '--jrs-path', 's3://bucket/jrs', '--s3-endpoint', `http://127.0.0.1:${port}`, '--s3-path-style', '--timeout', '1s'],
      {timeoutMs: 60_000, env: {AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y'}},
    )
    expect(res.code, res.stderr).toBe(3)
    expect(res.stderr).toMatch(/^error: the run's deadline \(--timeout 1 s\) passed 10 s ago and the store still has not answered\nhint: /)
  })
})
