import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture, type FlinkFixture} from '../support/flink-fixture.js'
import {pointer} from '../support/java-bytes.js'
import {tempDirs} from '../support/temp.js'
import {connectZk, type TestZk} from '../support/zk-client.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

// Many clusters on one ZooKeeper root: `haadm clusters` and `cleanup --all-dead`.

let zk: ZkServer
let client: TestZk
let live: FlinkFixture
const tmp = tempDirs('haadm-fleet-')
const q = () => ['--zk-quorum', zk.connectString]
const oldCreated = Date.now()

/**
 * A cluster as a stopped Flink leaves it: persistent nodes only, an emptied leader record, an execution
 * plan entry and a checkpoint whose pointers name files in `storage` (not written unless asked).
 */
async function deadCluster(path: string, opts: {files?: string; job?: string; pointers?: boolean} = {}): Promise<string[]> {
  const job = opts.job ?? randomJobId()
  const dir = opts.files ?? `file:///nonexistent${path}`
  const plan = `${dir}/submittedJobGraph${job.slice(0, 12)}`
  const cp = `${dir}/completedCheckpoint${job.slice(20)}`
  const bytes = (uri: string) => (opts.pointers === false ? '' : Buffer.from(pointer(uri, 10)))
  await client.create(`${path}/leader/dispatcher/connection_info`, '')
  await client.create(`${path}/leader/latch`, '')
  await client.create(`${path}/jobgraphs/${job}`, bytes(plan))
  await client.create(`${path}/jobgraphs/${job}/locks`, '')
  await client.create(`${path}/jobs/${job}/checkpoints/${'1'.padStart(19, '0')}`, bytes(cp))
  await client.create(`${path}/jobs/${job}/checkpoints/${'1'.padStart(19, '0')}/locks`, '')
  await client.create(`${path}/jobs/${job}/checkpoint_id_counter`, Buffer.from([0, 0, 0, 2]))
  return [plan, cp]
}

beforeAll(async () => {
  zk = await startZooKeeper()
  client = await connectZk(zk.connectString)
  // Created first: by the last test these are the clusters "older than" the bound.
  await deadCluster('/flink/old-1')
  await deadCluster('/flink/old-2')
  live = await startFlinkFixture(zk.connectString, {clusterId: '/alive', layout: '1.18', jobs: [randomJobId()]})
  const dead = await startFlinkFixture(zk.connectString, {clusterId: '/dead-jvm', layout: '1.18', jobs: [randomJobId()]})
  await dead.close()
  await deadCluster('/flink/ci-1')
  await deadCluster('/flink/ci-2')
  await deadCluster('/flink/team/app')
  await client.create('/flink/not-flink/config', 'keep me')
  await client.create('/flink/a/b/c/d/e/f/leader', 'too deep to look for')
}, 120_000)
afterAll(async () => {
  await live?.close()
  client?.close()
  await zk?.stop()
})

const ids = (res: any) => res.json.result.clusters.map((c: any) => c.clusterId)

describe('haadm clusters on ZooKeeper', () => {
  it('lists live, dead and nested clusters, not the other nodes, with cleanup’s liveness evidence', async () => {
    const res = await haadm(['clusters', ...q(), '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(ids(res)).toEqual(['/alive', '/ci-1', '/ci-2', '/dead-jvm', '/old-1', '/old-2', '/team/app'])
    const by = (id: string) => res.json.result.clusters.find((c: any) => c.clusterId === id)
    expect(by('/alive')).toMatchObject({alive: true, root: '/flink/alive', jobs: 0, namespace: null, dirtyJobResults: null})
    expect(by('/alive').evidence.join('\n')).toContain(`session 0x${live.ready.contenders[0].sessionId} is alive`)
    expect(by('/ci-1')).toMatchObject({alive: false, evidence: [], jobs: 1, checkpoints: 1, items: 14, root: '/flink/ci-1'})
    expect(by('/ci-1').bytes).toBeGreaterThan(20)
    expect(Date.parse(by('/ci-1').lastChange)).toBeGreaterThan(oldCreated - 60_000)
    expect(by('/dead-jvm').alive).toBe(false)
    // a/b/c/d is as deep as the scan looks: named as not looked into.
    expect(res.json.result.notLookedInto).toEqual(['a/b/c/d'])
    expect(res.json.warnings.join('\n')).toContain('not looked into')

    const text = await haadm(['clusters', ...q()])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^CLUSTER\s+STATE\s+JOBS\s+CHECKPOINTS\s+ITEMS\s+BYTES\s+LAST CHANGE/)
    expect(text.stdout).toMatch(/\/team\/app\s+dead\s+1\s+1\s+14\s/)
    expect(text.stdout).toContain('7 cluster(s) in /flink: 1 alive, 6 dead.')
  })

  it('filters: --dead, --alive, --match, and a glob that matches nothing', async () => {
    expect(ids(await haadm(['clusters', ...q(), '--alive', '--json']))).toEqual(['/alive'])
    expect(ids(await haadm(['clusters', ...q(), '--dead', '--match', 'ci-*', '--json']))).toEqual(['/ci-1', '/ci-2'])
    expect(ids(await haadm(['clusters', ...q(), '--match', '/team/*', '--json']))).toEqual(['/team/app'])
    const none = await haadm(['clusters', ...q(), '--match', 'nope-*'])
    expect(none.code).toBe(0)
    expect(none.stdout).toContain('None of the 7 Flink cluster(s) in /flink is matching nope-*.')
    const strict = await haadm(['clusters', ...q(), '--match', 'nope-*', '--strict', '--json'])
    expect(strict.code).toBe(3)
    expect(strict.json.error.code).toBe('NOT_FOUND')
  })

  it('bad input: an empty root, a root that is not Flink’s, a missing root, a bad duration, --dead with --alive', async () => {
    await client.create('/empty', '')
    const empty = await haadm(['clusters', ...q(), '--zk-root', '/empty', '--json'])
    expect(empty.code).toBe(0)
    expect(empty.json.result.clusters).toEqual([])
    expect(empty.json.warnings).toContain('no Flink cluster in /empty')
    const notFlink = await haadm(['clusters', ...q(), '--zk-root', '/flink/not-flink'])
    expect(notFlink.code).toBe(0)
    expect(notFlink.stdout).toContain('No Flink cluster in /flink/not-flink.')
    const missing = await haadm(['clusters', ...q(), '--zk-root', '/no-such-root', '--json'])
    expect(missing.code).toBe(3)
    expect(missing.json.error.code).toBe('ROOT_NOT_FOUND')
    const bad = await haadm(['clusters', ...q(), '--older-than', 'yesterday'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--older-than "yesterday" is not a duration')
    expect((await haadm(['clusters', ...q(), '--dead', '--alive'])).code).toBe(2)
    expect((await haadm(['clusters', ...q(), '-A'])).code).toBe(2)
  })
})

describe('haadm cleanup --all-dead on ZooKeeper', () => {
  it('refuses --force, --cluster-id and --job with it (exit 2), and selection flags without it', async () => {
    for (const extra of [['--force'], ['--cluster-id', '/ci-1'], ['--job', randomJobId()]]) {
      const res = await haadm(['cleanup', ...q(), '--all-dead', '--yes', ...extra, '--json'])
      expect(res.code, extra.join(' ')).toBe(2)
    }
    expect((await haadm(['cleanup', ...q(), '--all-dead', '--yes', '--older-than', '3 fortnights'])).code).toBe(2)
    expect((await haadm(['cleanup', ...q(), '--cluster-id', '/ci-1', '--match', 'ci-*', '--yes'])).code).toBe(2)
    expect(await client.exists('/flink/ci-1')).toBe(true)
  })

  it('a dry run plans every dead cluster and removes nothing; without --yes off a terminal: exit 4', async () => {
    const before = await client.dump('/flink')
    const dry = await haadm(['cleanup', ...q(), '--all-dead', '--match', 'ci-*', '--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.json.result.clusters.map((c: any) => [c.clusterId, c.status])).toEqual([['/ci-1', 'planned'], ['/ci-2', 'planned']])
    expect(dry.json.result.clusters[0].result.plan.metadata).toHaveLength(14)
    const text = await haadm(['cleanup', ...q(), '--all-dead', '--dry-run'])
    expect(text.stdout).toContain('Dry run: 6 dead cluster(s) would be removed (1 alive left alone); nothing was removed.')
    const ask = await haadm(['cleanup', ...q(), '--all-dead'])
    expect(ask.code).toBe(4)
    expect(await client.dump('/flink')).toEqual(before)
  })

  it('removes exactly the selected dead clusters, one backup each, and leaves the rest byte for byte', async () => {
    const backups = join(tmp(), 'backups')
    const keep = {alive: await client.dump('/flink/alive'), other: await client.dump('/flink/not-flink'), deep: await client.dump('/flink/a'), old: await client.dump('/flink/old-1')}
    const res = await haadm(['cleanup', ...q(), '--all-dead', '--match', '[ct]*', '--yes', '--backup', backups, '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.json.result.clusters.map((c: any) => [c.clusterId, c.status])).toEqual([['/ci-1', 'removed'], ['/ci-2', 'removed'], ['/team/app', 'removed']])
    expect(res.json.result.clusters[2].result.summary).toMatchObject({removed: 15, kept: 1, failed: 0})
    expect(res.json.result.partlyLeft).toEqual([])
    // Each cluster's own warning once, for all of them.
    expect(res.json.warnings.filter((w: string) => w.includes('state-handle pointers')).length).toBeLessThanOrEqual(1)
    for (const p of ['/flink/ci-1', '/flink/ci-2', '/flink/team']) expect(await client.exists(p), p).toBe(false)
    expect(readdirSync(backups).sort()).toEqual(['ci-1.haadm.json.gz', 'ci-2.haadm.json.gz', 'team%2Fapp.haadm.json.gz'])
    const back = await haadm(['plans', '--snapshot', join(backups, 'team%2Fapp.haadm.json.gz'), '--json'])
    expect(back.code).toBe(0)
    expect(back.json.result.plans).toHaveLength(1)
    expect(await client.dump('/flink/alive')).toEqual(keep.alive)
    expect(await client.dump('/flink/not-flink')).toEqual(keep.other)
    expect(await client.dump('/flink/a')).toEqual(keep.deep)
    expect(await client.dump('/flink/old-1')).toEqual(keep.old)

    const again = await haadm(['cleanup', ...q(), '--all-dead', '--match', '[ct]*', '--yes'])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('Nothing to do: none of the 4 Flink cluster(s) in /flink is dead, matching [ct]*.')
    expect((await haadm(['cleanup', ...q(), '--all-dead', '--match', '[ct]*', '--yes', '--strict'])).code).toBe(3)
  })

  it('a run killed halfway is finished by a second run; the live cluster stays', async () => {
    const n = 30
    for (let i = 0; i < n; i++) {
      await deadCluster(`/flink/kill-${i}`)
      await client.createLeaves(`/flink/kill-${i}/jobs/extra`, 40, 20)
    }
    const keep = await client.dump('/flink/alive')
    const count = async () => (await client.raw.get_children('/flink', false)).filter((c: string) => c.startsWith('kill-')).length
    const child = spawn(process.execPath, [BIN, 'cleanup', ...q(), '--all-dead', '--match', 'kill-*', '--yes'], {stdio: 'ignore'})
    const exited = new Promise((r) => child.on('exit', r))
    for (let i = 0; i < 600 && (await count()) === n; i++) await new Promise((r) => setTimeout(r, 20))
    child.kill('SIGKILL')
    await exited
    const left = await count()
    expect(left).toBeLessThan(n)
    const res = await haadm(['cleanup', ...q(), '--all-dead', '--match', 'kill-*', '--yes', '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(await count()).toBe(0)
    expect(await client.dump('/flink/alive')).toEqual(keep)
  }, 120_000)

  it('a cluster that comes alive during the run is left whole, one that changed is scanned afresh and removed whole', async () => {
    // The run reuses its fleet scan: a JobManager that joins a cluster's latch after it, or a node that
    // appears, must make the run look again (a live cluster refused with nothing removed), never remove
    // it in part. Which clusters the additions reach in time depends on the run's pace: both outcomes are
    // checked, and neither may leave a cluster partly removed. The waking cluster has files to remove
    // (its leader nodes go with its lock nodes, before them); the growing one none (one transaction).
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
    const name = (i: number) => `/flink/race-${String(i).padStart(2, '0')}`
    const n = 40
    for (let i = 0; i < n; i++) {
      await deadCluster(name(i), {pointers: i !== n - 2})
      await client.createLeaves(`${name(i)}/jobs/extra`, 200, 20)
    }
    const [growing, waking] = [name(n - 2), name(n - 1)]
    const before = await client.dump(waking)
    const run = haadm(['cleanup', ...q(), '--all-dead', '--match', 'race-*', '--yes', '--json'], {timeoutMs: 120_000})
    for (let i = 0; i < 5000 && (await client.exists(name(0))); i++) await sleep(2)
    const tryCreate = (path: string, data: string, flags: number) =>
      client.raw.create(path, data, flags).then(
        () => true,
        (e: Error) => {
          if (!e.message.startsWith('-101')) throw e
          return false // the cluster was already gone
        },
      )
    const contender = `${waking}/leader/latch/_c_0b3e2f8a-latch-0000000000`
    const woke = await tryCreate(contender, '', 1 /* EPHEMERAL */)
    const grew = await tryCreate(`${growing}/jobs/extra/g0/late`, 'late', 0)
    const res = await run
    const status = Object.fromEntries(res.json.result.clusters.map((c: any) => [c.clusterId, c.status]))
    for (let i = 0; i < n - 1; i++) expect(status[name(i).slice('/flink'.length)], name(i)).toBe('removed')
    for (let i = 0; i < n - 1; i++) expect(await client.exists(name(i)), name(i)).toBe(false)
    if (grew) expect(res.json.result.clusters.find((c: any) => c.clusterId === growing.slice('/flink'.length)).result.summary.removed).toBe(226)
    if (woke) {
      expect(res.code, res.stderr).toBe(5)
      expect(status[waking.slice('/flink'.length)]).toBe('refused')
      expect(res.json.result.partlyLeft).toEqual([waking.slice('/flink'.length)])
      expect(await client.dump(waking)).toEqual({...before, [contender]: {data: '', version: 0}})
      await client.raw.delete_(contender, -1)
      await client.removeTree(waking)
    } else {
      expect(res.code, res.stderr).toBe(0)
      expect(await client.exists(waking)).toBe(false)
    }
  }, 180_000)

  it('--older-than selects by the last change: old dead clusters go, a fresh one stays', async () => {
    // Wait on the condition (the old clusters' age), then make a fresh one.
    while (Date.now() - oldCreated < 25_000) await new Promise((r) => setTimeout(r, 250))
    await deadCluster('/flink/old-fresh')
    const res = await haadm(['cleanup', ...q(), '--all-dead', '--match', 'old-*', '--older-than', '15 s', '--yes', '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.json.result.clusters.map((c: any) => c.clusterId)).toEqual(['/old-1', '/old-2'])
    expect(await client.exists('/flink/old-1')).toBe(false)
    expect(await client.exists('/flink/old-fresh')).toBe(true)
  }, 60_000)
})

describe('no storage left behind (ZooKeeper, local storage)', () => {
  it('infers the storage directory from the pointers and removes the pointed files, blobs and job events', async () => {
    const ha = tmp()
    const job = randomJobId()
    const files = await deadCluster('/flink/inf', {files: `file://${ha}/inf`, job})
    mkdirSync(join(ha, 'inf', 'blob', `job_${job}`), {recursive: true})
    writeFileSync(join(ha, 'inf', 'blob', `job_${job}`, 'blob_p-1'), 'jar')
    for (const f of files) writeFileSync(f.replace('file://', ''), 'state')
    writeFileSync(join(ha, 'inf', 'unrelated.txt'), 'keep')
    // Flink 2.x batch job recovery's shuffle master snapshot, which Flink itself never removes.
    mkdirSync(join(ha, 'inf', 'shuffleMaster-snapshot'))
    writeFileSync(join(ha, 'inf', 'shuffleMaster-snapshot', 'inf'), Buffer.from([0, 0, 0, 1, 0]))
    const dry = await haadm(['cleanup', ...q(), '--cluster-id', '/inf', '--dry-run'])
    expect(dry.stdout).toContain(`storage directory: ${ha} (derived: inferred from 2 state-handle pointer(s))`)
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/inf', '--yes', '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.json.result.plan.storageDir).toEqual({uri: ha, source: 'derived: inferred from 2 state-handle pointer(s)'})
    expect(res.json.result.plan.storage.map((s: any) => s.what)).toEqual(['execution plan and checkpoint files of cluster /inf', 'HA blob directory', 'shuffle master snapshot (batch job recovery, 2.0+)'])
    expect(res.json.warnings.join('\n')).not.toContain('no storageDir given')
    expect(readdirSync(join(ha, 'inf'))).toEqual(['unrelated.txt'])
  })

  it('--all-dead removes each dead cluster\'s pointed files too, with the storage directory inferred per cluster', async () => {
    const ha = tmp()
    const files: string[] = []
    for (const id of ['files-a', 'files-b']) {
      mkdirSync(join(ha, id))
      files.push(...(await deadCluster(`/flink/${id}`, {files: `file://${ha}/${id}`})).map((f) => f.replace('file://', '')))
    }
    for (const f of files) writeFileSync(f, 'state')
    const res = await haadm(['cleanup', ...q(), '--all-dead', '--match', 'files-*', '--yes', '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.json.result.clusters.map((c: any) => [c.clusterId, c.status])).toEqual([['/files-a', 'removed'], ['/files-b', 'removed']])
    for (const c of res.json.result.clusters) {
      expect(c.result.plan.storageDir).toEqual({uri: ha, source: 'derived: inferred from 2 state-handle pointer(s)'})
      expect(c.result.summary).toMatchObject({removed: 16, failed: 0, unknown: 0})
      expect(c.result.remaining).toEqual([])
      // Flink's order: the lock nodes, the files they lock, then the entries.
      const kind = (key: string) => (key === 'storage' ? 'file' : key.endsWith('/locks') ? 'lock' : /^(jobgraphs\/|jobs\/[^/]+\/checkpoints\/)[^/]+$/.test(key) ? 'entry' : 'node')
      const order = c.result.outcomes.map((o: any) => kind(o.target.key))
      expect(order.filter((k: string) => k !== 'node')).toEqual(['lock', 'lock', 'file', 'file', 'entry', 'entry'])
    }
    for (const f of files) expect(existsSync(f), f).toBe(false)
    for (const id of ['files-a', 'files-b']) expect(await client.exists(`/flink/${id}`)).toBe(false)
  })

  it('pointers that disagree: the metadata goes, the files stay and are listed, exit 5', async () => {
    const [a, b] = [tmp(), tmp()]
    const job = randomJobId()
    await client.create(`/flink/split/jobgraphs/${job}`, Buffer.from(pointer(`${a}/split/submittedJobGraph0123456789ab`, 5)))
    await client.create(`/flink/split/jobs/${job}/checkpoints/${'3'.padStart(19, '0')}`, Buffer.from(pointer(`${b}/split/completedCheckpoint0123456789ab`, 5)))
    mkdirSync(join(a, 'split'))
    mkdirSync(join(b, 'split'))
    writeFileSync(join(a, 'split', 'submittedJobGraph0123456789ab'), 'x')
    writeFileSync(join(b, 'split', 'completedCheckpoint0123456789ab'), 'x')
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/split', '--yes', '--json'])
    expect(res.code).toBe(5)
    expect(res.json.warnings.join('\n')).toMatch(/the 2 state-handle pointers disagree on the cluster's HA directory: .*split \(1\), .*split \(1\); haadm does not guess/)
    expect(res.json.result.plan.storageDir).toBeNull()
    expect(res.json.result.remaining.sort()).toEqual([`${a}/split/submittedJobGraph0123456789ab`, `${b}/split/completedCheckpoint0123456789ab`].sort())
    expect(await client.exists('/flink/split')).toBe(false)
    expect(existsSync(join(a, 'split', 'submittedJobGraph0123456789ab'))).toBe(true)
    // Only a cluster without pointers and without a storageDir keeps the old warning, exit 0.
    await client.create('/flink/bare/leader/dispatcher/connection_info', '')
    const bare = await haadm(['cleanup', ...q(), '--cluster-id', '/bare', '--yes', '--json'])
    expect(bare.code).toBe(0)
    expect(bare.json.warnings).toContain('no storageDir given (--storage-dir or high-availability.storageDir): HA blobs not looked at')
  })
})
