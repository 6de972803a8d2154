// haadm leaders --watch through the built CLI: a Curator fixture cluster whose leader's session is
// closed and whose follower takes over, seen as one change per component (ZooKeeper watches); the
// same on the Kubernetes test server by rewriting the leader map and its lease (a watch from the
// list's resourceVersion), also after the watch connection was dropped; JSON lines; --watch on a
// snapshot is exit 2; --timeout ends the watch with exit 0.

import {type ChildProcess, spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, haadm} from '../support/cli.js'
import {startFlinkFixture} from '../support/flink-fixture.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'
import {type ZkServer, startZooKeeper} from '../support/zk-server.js'

/** A running `haadm leaders --watch --json`: its JSON lines as they come. */
function watching(args: string[]): {lines: any[]; next: (pred: (l: any) => boolean, what: string) => Promise<any>; stop: () => Promise<number | null>; child: ChildProcess} {
  const child = spawn(process.execPath, [BIN, 'leaders', '--watch', '--json', ...args], {env: {PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp'}, stdio: ['ignore', 'pipe', 'pipe']})
  const lines: any[] = []
  let buf = ''
  let stderr = ''
  const waiters: Array<() => void> = []
  child.stdout!.on('data', (d) => {
    buf += d
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, nl)))
      buf = buf.slice(nl + 1)
    }
    for (const w of waiters.splice(0)) w()
  })
  child.stderr!.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
  const next = async (pred: (l: any) => boolean, what: string) => {
    const deadline = Date.now() + 60_000
    for (;;) {
      const found = lines.find(pred)
      if (found) return found
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no line with ${what}; lines: ${JSON.stringify(lines)}; stderr: ${stderr}`)
      await new Promise<void>((r) => {
        waiters.push(r)
        setTimeout(r, 500)
      })
    }
  }
  return {lines, next, child, stop: async () => (child.kill('SIGINT'), exited)}
}

describe('ZooKeeper', () => {
  let zk: ZkServer
  beforeAll(async () => {
    zk = await startZooKeeper()
  })
  afterAll(async () => {
    await zk?.stop()
  })

  it('the leader session closes and the follower takes over: one change per component, then Ctrl-C ends it with exit 0', async () => {
    const fixture = await startFlinkFixture(zk.connectString, {clusterId: '/watched', contenders: 2})
    try {
      const w = watching(['--zk-quorum', zk.connectString, '--cluster-id', '/watched'])
      const first = await w.next((l) => l.event === 'leaders', 'the leaders')
      const oldLeader = fixture.ready.contenders.find((c) => c.leader)!.sessionId
      expect(first.result.leaders.find((r: any) => r.component === 'dispatcher')).toMatchObject({status: 'leader', owner: oldLeader, alive: true})
      await fixture.closeLeader()
      const ready = await fixture.takeOver()
      const newLeader = ready.contenders.find((c) => c.leader)!.sessionId
      expect(newLeader).not.toBe(oldLeader)
      const change = await w.next((l) => l.event === 'change' && l.component === 'dispatcher' && l.to?.owner === newLeader, 'the dispatcher taken over')
      expect(change.from).toMatchObject({status: 'leader', owner: oldLeader})
      expect(change.to).toMatchObject({status: 'leader', owner: newLeader, alive: true})
      expect(w.lines.filter((l) => l.event === 'change' && l.component === 'dispatcher')).toHaveLength(1)
      expect(await w.stop()).toBe(0)
    } finally {
      await fixture.close()
    }
  })
})

describe('Kubernetes', () => {
  let env: K8sEnv
  const S1 = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'
  const S2 = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
  const rpc = (host: string) => `pekko.tcp://flink@${host}:6123/user/rpc/dispatcher_1`
  beforeAll(async () => {
    env = await startK8sEnv()
    await env.apply(['cluster w 1.18', `leader dispatcher ${S1} ${rpc('jm-0')}`, 'lease cluster duration=60'])
  })
  afterAll(async () => {
    await env?.stop()
  })

  /** Rewrites the cluster map as a new JobManager does when it takes over: leader key and lease in one update. */
  const takeOver = async (session: string, host: string, holder: string) => {
    const cm = structuredClone(env.server.getConfigMap('flink', 'w-cluster-config-map'))
    cm.data['org.apache.flink.k8s.leader.dispatcher'] = `${session},${rpc(host)}`
    const now = new Date().toISOString()
    cm.metadata.annotations['control-plane.alpha.kubernetes.io/leader'] = JSON.stringify({holderIdentity: holder, leaseDuration: 60, acquireTime: now, renewTime: now, leaderTransitions: 4})
    const file = join(env.dir, `takeover-${holder}.json`)
    writeFileSync(file, JSON.stringify(cm))
    const res = await env.kubectl(['replace', '-f', file])
    expect(res.code, res.stderr).toBe(0)
  }

  it('a rewritten lease and leader key: one change; a dropped watch is resumed and sees the next one', async () => {
    const w = watching(env.flags('w'))
    const first = await w.next((l) => l.event === 'leaders', 'the leaders')
    const before = first.result.leaders.find((r: any) => r.component === 'dispatcher')
    await takeOver(S2, 'jm-1', 'holder-b')
    const change = await w.next((l) => l.event === 'change' && l.to?.owner === 'holder-b', 'the new holder')
    expect(change).toMatchObject({component: 'dispatcher', jobId: null, from: {sessionId: S1, owner: before.owner}, to: {status: 'leader', sessionId: S2, address: rpc('jm-1'), owner: 'holder-b', alive: true}})
    const watches = () => env.server.requests.filter((r) => r.verb === 'watch')
    const opened = watches().length
    env.server.dropWatches()
    // the watch comes back from where it was: a change made after the drop is seen
    for (let i = 0; i < 100 && watches().length === opened; i++) await new Promise((r) => setTimeout(r, 100))
    await takeOver(S1, 'jm-2', 'holder-c')
    await w.next((l) => l.event === 'change' && l.to?.owner === 'holder-c', 'the holder after the drop')
    expect(w.lines.filter((l) => l.event === 'change')).toHaveLength(2)
    // every watch started from a resourceVersion (the list's, or the last one seen)
    for (const r of watches()) expect(r.query.resourceVersion).toMatch(/^\d+$/)
    expect(await w.stop()).toBe(0)
  })

  it('--timeout ends the watch with exit 0; the text form prints one line per change', async () => {
    const res = await haadm(['leaders', ...env.flags('w'), '--watch', '--timeout', '3s'], {timeoutMs: 60_000})
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toContain('dispatcher')
    expect(res.stderr).toContain('watching for leadership changes')
  })
})

describe('bad input', () => {
  it('--watch on a snapshot: exit 2, one line', async () => {
    const demo = join(import.meta.dirname, '..', '..', 'demo', 'demo-cluster.haadm.json.gz')
    const res = await haadm(['leaders', '--snapshot', demo, '--watch'])
    expect(res.code, res.stderr).toBe(2)
    expect(res.stderr).toMatch(/^error: --watch needs a live store: a snapshot does not change\nhint: /)
    const json = await haadm(['leaders', '--snapshot', demo, '--watch', '--json'])
    expect(json.code).toBe(2)
    expect(json.json.error.code).toBe('USAGE')
  })
})
