// The Kubernetes client under a misbehaving API server (the test server's fault hook): 429 and 503
// with Retry-After retried, without it not; connection resets retried for reads and not for a
// collection delete; a server that never answers DELETE ends a cleanup with exit 5 and what
// remains within --timeout (issue 14, problem 10). kubectl checks the store afterwards.

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'
import type {Fault} from '../support/k8s-api-server.js'

const J1 = '0123456789abcdef0123456789abcdef'
const S1 = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'
const rpc = (n: string) => `pekko.tcp://flink@jm-0:6123/user/rpc/${n}`

let env: K8sEnv
beforeAll(async () => {
  env = await startK8sEnv()
  await env.apply(['cluster up 1.18', `leader dispatcher ${S1} ${rpc('dispatcher_1')}`, 'lease cluster duration=60'])
})
afterAll(async () => {
  await env?.stop()
})
afterEach(() => {
  env.server.fault = undefined
})

/** A dead cluster of its own for each cleanup: two HA maps, lease expired an hour ago. */
async function deadCluster(id: string): Promise<string[]> {
  await env.apply([`cluster ${id} 1.18`, `leader dispatcher ${S1} ${rpc('dispatcher_1')}`, `leader ${J1} ${S1} ${rpc('jobmanager_2')}`, `checkpoint ${J1} 41`, 'lease cluster duration=15 renewed=3600 acquired=7200'])
  return names(id)
}
async function names(id: string): Promise<string[]> {
  const res = await env.kubectl(['get', 'cm', '-l', `app=${id}`, '-o', 'name'])
  expect(res.code, res.stderr).toBe(0)
  return res.stdout.trim().split('\n').filter(Boolean).sort()
}

/** Faults for the first `times` requests that `when` picks (every one with Infinity). */
function inject(when: (r: {method: string; verb: string}) => boolean, fault: Fault, times = Number.POSITIVE_INFINITY): () => number {
  let n = 0
  env.server.fault = (r) => (when(r) && n < times ? (n++, fault) : undefined)
  return () => n
}
const lists = (r: {verb: string}) => r.verb === 'list'
const leaders = (extra: string[] = []) => haadm(['leaders', ...env.flags('up'), '--json', ...extra], {timeoutMs: 120_000})

describe('429 and 503 with Retry-After', () => {
  it('429 with Retry-After: sent again after the wait, and the run succeeds', async () => {
    const count = inject(lists, {status: 429, retryAfter: '1'}, 2)
    const res = await leaders()
    expect(res.code, res.stderr).toBe(0)
    expect(count()).toBe(2)
    expect(res.json.result.leaders.find((l: any) => l.component === 'dispatcher').sessionId).toBe(S1)
  })

  it('503 with Retry-After: 0 (the apiserver shutting down): sent again', async () => {
    const count = inject(lists, {status: 503, retryAfter: '0'}, 1)
    const res = await leaders()
    expect(res.code, res.stderr).toBe(0)
    expect(count()).toBe(1)
  })

  it('429 without Retry-After is not retried (as client-go): exit 3 with the status', async () => {
    const count = inject(lists, {status: 429})
    const res = await leaders()
    expect(res.code).toBe(3)
    expect(count()).toBe(1)
    expect(res.json.error.message).toMatch(/cannot list configmaps in namespace flink: Too many requests.*\(429 TooManyRequests\)/)
  })

  it('429 for ever: a bounded number of attempts, then exit 3', async () => {
    const count = inject(lists, {status: 429, retryAfter: '0'})
    const res = await leaders()
    expect(res.code).toBe(3)
    expect(count()).toBe(6)
    expect(res.json.error.message).toMatch(/429 TooManyRequests/)
  })

  it('a Retry-After longer than --timeout is not waited for', async () => {
    const count = inject(lists, {status: 429, retryAfter: '3600'})
    const res = await leaders(['--timeout', '5s'])
    expect(res.code).toBe(3)
    expect(count()).toBe(1)
  })
})

describe('connection resets', () => {
  it('reads are sent again after a reset', async () => {
    const count = inject(lists, {reset: true}, 2)
    const res = await leaders()
    expect(res.code, res.stderr).toBe(0)
    expect(count()).toBe(2)
  })

  it('a server that resets every read: bounded attempts, exit 3 naming the reset', async () => {
    const count = inject(lists, {reset: true})
    const res = await leaders()
    expect(res.code).toBe(3)
    expect(count()).toBe(6)
    expect(res.json.error).toMatchObject({code: 'K8S_UNREACHABLE'})
    expect(res.json.error.message).toMatch(/ECONNRESET|socket hang up/)
  })

  it('a reset collection delete is not sent again: the maps go one by one with their preconditions', async () => {
    const before = await deadCluster('reset')
    expect(before).toHaveLength(2)
    const count = inject((r) => r.verb === 'deletecollection', {reset: true})
    const seen = env.server.requests.length
    const res = await haadm(['cleanup', ...env.flags('reset'), '--yes', '--json'], {timeoutMs: 120_000})
    expect(res.code, res.stderr).toBe(0)
    expect(count()).toBe(1)
    expect(res.json.result.summary).toMatchObject({removed: 2, failed: 0})
    expect(env.server.requests.slice(seen).filter((r) => r.verb === 'delete' && r.status === 200)).toHaveLength(2)
    expect(await names('reset')).toEqual([])
  })
})

describe('an API server that never answers DELETE (issue 14, problem 10)', () => {
  it('cleanup --timeout: exit 5 with every map failed and still there, nothing deleted', async () => {
    const before = await deadCluster('stuck')
    inject((r) => r.method === 'DELETE', {hang: true})
    const res = await haadm(['cleanup', ...env.flags('stuck'), '--yes', '--json', '--timeout', '6s'], {timeoutMs: 120_000})
    expect(res.code, res.stderr).toBe(5)
    // A DELETE sent without an answer may or may not have been applied: unknown, not failed (the check after says what is there).
    expect(res.json.result.summary).toMatchObject({removed: 0, failed: 0, unknown: 2})
    for (const o of res.json.result.outcomes) expect(o.error).toMatch(/deadline \(--timeout 6 s\) passed/)
    // the check after the removal still ran (reads get a few seconds past the deadline)
    expect(res.json.result.remaining.length).toBeGreaterThan(0)
    expect(await names('stuck')).toEqual(before)
    // without the fault, a second run finishes
    env.server.fault = undefined
    const again = await haadm(['cleanup', ...env.flags('stuck'), '--yes', '--json'], {timeoutMs: 120_000})
    expect(again.code, again.stderr).toBe(0)
    expect(await names('stuck')).toEqual([])
  })

  it('a frozen API server with --timeout: exit 3 naming the deadline, nothing removed', async () => {
    inject(() => true, {hang: true})
    const res = await leaders(['--timeout', '3s'])
    expect(res.code).toBe(3)
    expect(res.json.error.message).toMatch(/deadline \(--timeout 3 s\) passed before the Kubernetes API server .* answered GET/)
  })

  it('--timeout that is no duration: usage error', async () => {
    for (const bad of ['soon', '0', '-5s']) {
      const res = await leaders(['--timeout', bad])
      expect(res.code, bad).toBe(2)
      expect(res.json.error.message).toMatch(/--timeout .* is not a positive duration/)
    }
    const env2 = await haadm(['leaders', ...env.flags('up'), '--json'], {env: {HAADM_TIMEOUT: 'later'}})
    expect(env2.code).toBe(2)
    expect(env2.json.error.message).toMatch(/HAADM_TIMEOUT "later"/)
  })
})
