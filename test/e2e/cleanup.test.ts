import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {BIN, haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {connectZk} from '../support/zk-client.js'
import {zooKeeperForFile} from '../support/zk-server.js'

const env = zooKeeperForFile()
const dir = mkdtempSync(join(tmpdir(), 'haadm-cleanup-'))
const q = () => ['--zk-quorum', env.zk.connectString]


/** A Flink cluster whose JobManagers have stopped: their sessions closed, persistent nodes left behind. */
async function deadCluster(clusterId: string, jobs = [randomJobId()], root = '/flink') {
  const f = await startFlinkFixture(env.zk.connectString, {root, clusterId, layout: '1.18', jobs})
  await f.close()
  return f
}

describe('haadm cleanup on ZooKeeper', () => {
  it('removes a dead cluster, its empty parents stay when shared, and leaves the neighbours byte for byte', async () => {
    await deadCluster('/victim')
    const neighbour = await startFlinkFixture(env.zk.connectString, {clusterId: '/neighbour', layout: '1.15', jobs: [randomJobId()]})
    await env.client.create('/flink/not-flink/config', 'keep me')
    await env.client.create('/flinkish/victim', 'a prefix, not a child')
    try {
      const before = {n: await env.client.dump('/flink/neighbour'), other: await env.client.dump('/flink/not-flink'), prefix: await env.client.dump('/flinkish')}
      const victimBefore = await env.client.dump('/flink/victim')

      const dry = await haadm(['cleanup', ...q(), '--cluster-id', '/victim', '--dry-run', '--json'])
      expect(dry.code).toBe(0)
      expect(dry.json.result.dryRun).toBe(true)
      const planned = dry.json.result.plan.metadata.map((m: any) => m.locator)
      expect(planned.sort()).toEqual(Object.keys(victimBefore).sort())
      // Children before parents.
      const index = (p: string) => dry.json.result.plan.metadata.findIndex((m: any) => m.locator === p)
      expect(index('/flink/victim/leader/dispatcher')).toBeLessThan(index('/flink/victim/leader'))
      expect(index('/flink/victim/leader')).toBeLessThan(index('/flink/victim'))
      expect(dry.json.result.plan.parents.map((p: any) => p.locator)).toEqual(['/flink'])
      expect(await env.client.dump('/flink/victim')).toEqual(victimBefore)

      const res = await haadm(['cleanup', ...q(), '--cluster-id', '/victim', '--yes', '--json'])
      expect(res.stderr).toBe('')
      expect(res.code).toBe(0)
      expect(res.json.result.summary).toEqual({removed: planned.length, absent: 0, kept: 1, failed: 0, unknown: 0})
      expect(res.json.result.remaining).toEqual([])
      expect(await env.client.exists('/flink/victim')).toBe(false)
      expect(await env.client.exists('/flink')).toBe(true)
      expect(await env.client.dump('/flink/neighbour')).toEqual(before.n)
      expect(await env.client.dump('/flink/not-flink')).toEqual(before.other)
      expect(await env.client.dump('/flinkish')).toEqual(before.prefix)

      const again = await haadm(['cleanup', ...q(), '--cluster-id', '/victim', '--yes'])
      expect(again.code).toBe(0)
      expect(again.stdout).toContain('Nothing to do')
      const strict = await haadm(['cleanup', ...q(), '--cluster-id', '/victim', '--yes', '--strict'])
      expect(strict.code).toBe(3)
    } finally {
      await neighbour.close()
    }
  })

  it('removes the empty parents up to, never including, /', async () => {
    await deadCluster('/only', [], '/lonely/root')
    const res = await haadm(['cleanup', ...q(), '--zk-root', '/lonely/root', '--cluster-id', '/only', '--yes', '--json'])
    expect(res.code).toBe(0)
    expect(await env.client.exists('/lonely')).toBe(false)
    expect(await env.client.exists('/zookeeper')).toBe(true)
  })

  it('refuses a live cluster (exit 4, nothing removed) and names the evidence', async () => {
    const live = await startFlinkFixture(env.zk.connectString, {clusterId: '/alive', layout: '1.18', jobs: [randomJobId()]})
    try {
      const before = await env.client.dump('/flink/alive')
      const res = await haadm(['cleanup', ...q(), '--cluster-id', '/alive', '--yes'])
      expect(res.code).toBe(4)
      expect(res.stderr).toMatch(/^error: refusing: cluster \/alive is alive: dispatcher has a live leader: pekko\.tcp:/)
      expect(res.stderr).toContain('--force')
      const json = await haadm(['cleanup', ...q(), '--cluster-id', '/alive', '--yes', '--json'])
      expect(json.json.error.code).toBe('LIVE_CLUSTER')
      expect(json.json.error.details.evidence.join('\n')).toContain(`session 0x${live.ready.contenders[1].sessionId} is alive`)
      expect(await env.client.dump('/flink/alive')).toEqual(before)
    } finally {
      await live.close()
    }
  })

  it('--force removes a cluster whose JobManagers died but whose sessions have not expired yet', async () => {
    const f = await startFlinkFixture(env.zk.connectString, {clusterId: '/crashed', layout: '1.18', jobs: [randomJobId()], sessionTimeoutMs: 30_000})
    await f.kill()
    const refused = await haadm(['cleanup', ...q(), '--cluster-id', '/crashed', '--yes'])
    expect(refused.code).toBe(4)
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/crashed', '--yes', '--force', '--json'])
    expect(res.code).toBe(0)
    expect(res.json.result.forced).toBe(true)
    expect(res.json.warnings.join('\n')).toContain('forced despite')
    expect(await env.client.exists('/flink/crashed')).toBe(false)
  })

  it('without a terminal and without --yes: exit 4, nothing removed', async () => {
    await deadCluster('/ask')
    const before = await env.client.dump('/flink/ask')
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/ask'])
    expect(res.code).toBe(4)
    expect(res.stderr).toContain('not on a terminal and no --yes')
    expect(await env.client.dump('/flink/ask')).toEqual(before)
  })

  it('--job removes only that job, and --backup is a snapshot that reads back', async () => {
    const [a, b] = [randomJobId(), randomJobId()]
    await deadCluster('/jobs', [a, b])
    const backup = join(dir, 'job.json.gz')
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/jobs', '--job', a, '--yes', '--backup', backup, '--json'])
    expect(res.code).toBe(0)
    expect(res.json.result.plan.metadata.map((m: any) => m.key)).toEqual([`leader/job-${a}`])
    expect(await env.client.exists(`/flink/jobs/leader/job-${a}`)).toBe(false)
    expect(await env.client.exists(`/flink/jobs/leader/job-${b}`)).toBe(true)
    expect(await env.client.exists('/flink/jobs/leader/dispatcher')).toBe(true)
    const fromBackup = await haadm(['leaders', '--snapshot', backup, '--json'])
    expect(fromBackup.code).toBe(0)
    expect(fromBackup.json.result.leaders.filter((l: any) => l.jobId).map((l: any) => l.jobId)).toEqual([a])
  })

  it("then the HA blobs, in Flink's order; JobResultStore and leftover files only on request", async () => {
    const job = randomJobId()
    await deadCluster('/files', [job])
    const ha = mkdtempSync(join(tmpdir(), 'haadm-ha-'))
    mkdirSync(join(ha, 'files', 'blob', `job_${job}`), {recursive: true})
    writeFileSync(join(ha, 'files', 'blob', `job_${job}`, 'blob_p-1'), 'jar')
    writeFileSync(join(ha, 'files', 'completedCheckpoint0123456789ab'), 'x')
    writeFileSync(join(ha, 'files', 'unrelated.txt'), 'x')
    mkdirSync(join(ha, 'job-result-store', 'files'), {recursive: true})
    writeFileSync(join(ha, 'job-result-store', 'files', `${job}.json`), '{}')
    const flags = [...q(), '--cluster-id', '/files', '--storage-dir', ha, '--yes']

    const dry = await haadm(['cleanup', ...flags, '--dry-run'])
    expect(dry.stdout).toContain(`then HA blob directory: ${join(ha, 'files', 'blob')} and everything below it`)
    const res = await haadm(['cleanup', ...flags, '--json'])
    expect(res.code).toBe(0)
    expect(res.json.result.plan.storage.map((s: any) => s.what)).toEqual(['HA blob directory'])
    expect(existsSync(join(ha, 'files', 'blob'))).toBe(false)
    expect(readdirSync(join(ha, 'files')).sort()).toEqual(['completedCheckpoint0123456789ab', 'unrelated.txt'])
    expect(existsSync(join(ha, 'job-result-store', 'files', `${job}.json`))).toBe(true)

    const more = await haadm(['cleanup', ...flags, '--include-orphan-files', '--include-job-results', '--json'])
    expect(more.code).toBe(0)
    expect(readdirSync(join(ha, 'files'))).toEqual(['unrelated.txt'])
    expect(existsSync(join(ha, 'job-result-store', 'files'))).toBe(false)
  })

  it('one job: its blobs and, on request, its JobResultStore entry', async () => {
    const [a, b] = [randomJobId(), randomJobId()]
    await deadCluster('/jobfiles', [a, b])
    const ha = mkdtempSync(join(tmpdir(), 'haadm-ha-'))
    for (const j of [a, b]) {
      mkdirSync(join(ha, 'jobfiles', 'blob', `job_${j}`), {recursive: true})
      writeFileSync(join(ha, 'jobfiles', 'blob', `job_${j}`, 'blob_p-1'), 'jar')
    }
    mkdirSync(join(ha, 'job-result-store', 'jobfiles'), {recursive: true})
    writeFileSync(join(ha, 'job-result-store', 'jobfiles', `${a}_DIRTY.json`), '{}')
    writeFileSync(join(ha, 'job-result-store', 'jobfiles', `${b}_DIRTY.json`), '{}')
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/jobfiles', '--storage-dir', ha, '--job', a, '--include-job-results', '--yes', '--json'])
    expect(res.code).toBe(0)
    expect(readdirSync(join(ha, 'jobfiles', 'blob'))).toEqual([`job_${b}`])
    expect(readdirSync(join(ha, 'job-result-store', 'jobfiles'))).toEqual([`${b}_DIRTY.json`])
  })

  it("one job's files: lock nodes, then the pointed files, then the entries; other jobs and orphans stay", async () => {
    const [a, b] = [randomJobId(), randomJobId()]
    const ha = mkdtempSync(join(tmpdir(), 'haadm-ha-'))
    const f = await startFlinkFixture(env.zk.connectString, {clusterId: '/withfiles', layout: '1.18', jobs: [a, b], storageDir: ha, jobGraphs: [a, b], checkpoints: {[a]: 2, [b]: 1}, orphans: ['completedCheckpoint']})
    await f.close()
    const before = readdirSync(join(ha, 'withfiles')).sort()
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/withfiles', '--storage-dir', ha, '--job', a, '--yes', '--json'])
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    const steps = res.json.result.plan.storage.filter((s: any) => s.phase === 'entries')
    expect(steps).toHaveLength(1)
    expect(steps[0].files).toHaveLength(3)
    const after = readdirSync(join(ha, 'withfiles')).sort()
    expect(before.length - after.length).toBe(3)
    const gone = before.filter((n) => !after.includes(n))
    expect(gone.filter((n) => n.startsWith('submittedJobGraph'))).toHaveLength(1)
    expect(gone.filter((n) => n.startsWith('completedCheckpoint'))).toHaveLength(2)
    // The order: every lock node before the first file, every file before its entry.
    const order = res.json.result.outcomes.map((o: any) => o.target.locator)
    const firstFile = order.findIndex((l: string) => l.startsWith(ha))
    const lastLock = Math.max(...order.map((l: string, i: number) => (/\/locks(\/|$)/.test(l) ? i : -1)))
    const firstEntry = order.findIndex((l: string) => l === `/flink/withfiles/jobgraphs/${a}`)
    expect(lastLock).toBeLessThan(firstFile)
    expect(firstFile).toBeLessThan(firstEntry)
    expect(await env.client.exists(`/flink/withfiles/jobgraphs/${b}`)).toBe(true)
  })

  it('bad input: no cluster id, the root itself, a malformed job id, an unreachable store', async () => {
    expect((await haadm(['cleanup', ...q(), '--yes'])).stderr).toContain('no cluster id given')
    for (const id of ['/', '//', ' ']) {
      const res = await haadm(['cleanup', ...q(), '--cluster-id', id, '--yes'])
      expect(res.code, id).toBe(2)
    }
    const job = await haadm(['cleanup', ...q(), '--cluster-id', '/x', '--job', 'not-a-job', '--yes'])
    expect(job.code).toBe(2)
    expect(job.stderr).toContain('is not a Flink job id')
    const down = await haadm(['cleanup', '--zk-quorum', '127.0.0.1:1', '--zk-timeout', '1 s', '--cluster-id', '/x', '--yes'])
    expect(down.code).toBe(3)
  })

  it('a snapshot can show the plan but not remove', async () => {
    await deadCluster('/snapplan')
    const file = join(dir, 'snapplan.json')
    await haadm(['export', ...q(), '--cluster-id', '/snapplan', '-o', file])
    const dry = await haadm(['cleanup', '--snapshot', file, '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('Dry run: nothing was removed.')
    const real = await haadm(['cleanup', '--snapshot', file, '--cluster-id', '/snapplan', '--yes'])
    expect(real.code).toBe(2)
    expect(real.stderr).toContain('read-only')
  })

  it('NoAuth on a node is reported, nothing above it is touched, the rest goes: exit 5', async () => {
    await deadCluster('/guarded', [])
    const owner = await connectZk(env.zk.connectString, 'ops:pw')
    try {
      // World may read; only the creator may delete children (ZooKeeper checks DELETE on the parent).
      const acl = [
        {perm: 1, scheme: 'world', auth: 'anyone'},
        {perm: 31, scheme: 'auth', auth: ''},
      ]
      await owner.create('/flink/guarded/private', '', 0, acl)
      await owner.create('/flink/guarded/private/secret', 'x')
    } finally {
      owner.close()
    }
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/guarded', '--yes', '--json'])
    expect(res.code).toBe(5)
    const failed = res.json.result.outcomes.filter((o: any) => o.status === 'failed')
    expect(failed[0]).toMatchObject({target: {locator: '/flink/guarded/private/secret'}, error: expect.stringContaining('NoAuth')})
    expect(failed.map((o: any) => o.target.locator)).toEqual(['/flink/guarded/private/secret', '/flink/guarded/private', '/flink/guarded'])
    expect(await env.client.exists('/flink/guarded/leader')).toBe(false)
    expect(res.json.result.remaining.sort()).toEqual(['/flink/guarded', '/flink/guarded/private', '/flink/guarded/private/secret'])
    const text = await haadm(['cleanup', ...q(), '--cluster-id', '/guarded', '--yes'])
    expect(text.code).toBe(5)
    expect(text.stdout).toContain('Still there (3)')
  })

  it('a run killed halfway is finished by a second run', async () => {
    await env.client.createLeaves('/flink/big/jobs', 4000)
    const child = spawn(process.execPath, [BIN, 'cleanup', ...q(), '--cluster-id', '/big', '--yes'], {stdio: 'ignore'})
    // Kill it once deletion has visibly started.
    for (let i = 0; i < 400; i++) {
      const left = (await env.client.raw.get('/flink/big/jobs/g0', false).catch(() => [{numChildren: 0}]))[0].numChildren
      if (left < 100) break
      await new Promise((r) => setTimeout(r, 5))
    }
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/big', '--yes', '--json'])
    expect(res.code).toBe(0)
    expect(res.json.result.remaining).toEqual([])
    expect(await env.client.exists('/flink/big')).toBe(false)
  })
})
