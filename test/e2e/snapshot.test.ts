import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {type FlinkFixture, randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

let zk: ZkServer
let fixture: FlinkFixture
const dir = mkdtempSync(join(tmpdir(), 'haadm-snap-'))
const clusterId = '/snap'
let live: () => string[]

beforeAll(async () => {
  zk = await startZooKeeper()
  fixture = await startFlinkFixture(zk.connectString, {clusterId, layout: '1.18', jobs: [randomJobId(), randomJobId()]})
  live = () => ['--zk-quorum', zk.connectString, '--cluster-id', clusterId]
})
afterAll(async () => {
  await fixture?.close()
  await zk?.stop()
})

/** Everything but the time of the scan, which differs between two runs. */
const records = (json: any) => ({...json.result, scannedAt: undefined})

describe('haadm export and --snapshot', () => {
  it.each(['cluster.json', 'cluster.json.gz'])('export to %s, then leaders on the snapshot gives the same JSON as live', async (name) => {
    const file = join(dir, name)
    const exp = await haadm(['export', ...live(), '-o', file, '--json'])
    expect(exp.stderr).toContain('wrote')
    expect(exp.code).toBe(0)
    expect(exp.json.result).toMatchObject({file, backend: 'zookeeper', clusterId, root: '/flink/snap'})
    expect(exp.json.result.items).toBeGreaterThan(10)
    const raw = readFileSync(file)
    const doc = JSON.parse((name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'))
    expect(doc).toMatchObject({format: 'haadm-snapshot', version: 1, backend: 'zookeeper', clusterId, itemCount: exp.json.result.items})
    const info = doc.items.find((i: any) => i.key === 'leader/dispatcher/connection_info')
    expect(info.zk.ephemeralOwner).toBe(fixture.ready.contenders.find((c) => c.leader)!.sessionId)
    expect(Buffer.from(info.data, 'base64').subarray(0, 4).toString('hex')).toBe('aced0005')

    const fromLive = await haadm(['leaders', ...live(), '--json'])
    const fromSnap = await haadm(['leaders', '--snapshot', file, '--json'])
    expect(fromSnap.code).toBe(0)
    expect(records(fromSnap.json)).toEqual(records(fromLive.json))
    expect(fromSnap.json.result.scannedAt).toBe(doc.createdAt)
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([])
  })

  it('includes the JobResultStore: jobs results on the snapshot gives the same JSON as live', async () => {
    const jrs = join(dir, 'jrs')
    mkdirSync(jrs)
    const entry = (id: string, status: string) => `{"result":{"id":"${id}","application-status":"${status}","accumulator-results":{},"net-runtime":4242},"version":1}`
    const [a, b] = [randomJobId(), randomJobId()]
    writeFileSync(join(jrs, `${a}_DIRTY.json`), entry(a, 'FAILED'))
    writeFileSync(join(jrs, `${b}.json`), entry(b, 'SUCCEEDED'))
    writeFileSync(join(jrs, 'garbage.json'), 'not json')
    const file = join(dir, 'with-jrs.json.gz')
    const exp = await haadm(['export', ...live(), '--jrs-path', jrs, '-o', file, '--json'])
    expect(exp.code).toBe(0)
    expect(exp.json.result.jobResultFiles).toBe(3)
    const fromLive = await haadm(['jobs', 'results', '--jrs-path', jrs, '--json'])
    const fromSnap = await haadm(['jobs', 'results', '--snapshot', file, '--json'])
    expect(fromSnap.stderr).toBe('')
    expect(fromSnap.code).toBe(0)
    // deleteOnCommitFrom: the snapshot says it recorded the value; the value itself must match.
    const strip = (r: any) => ({...r.json.result, scannedAt: undefined, pathFrom: undefined, deleteOnCommitFrom: undefined})
    expect(strip(fromSnap)).toEqual(strip(fromLive))
    expect(fromSnap.json.result.entries.map((e: any) => e.jobId).filter(Boolean).sort()).toEqual([a, b].sort())
    // Changing a snapshot is a usage error (exit 2) for every command that changes things; --dry-run shows the plan.
    for (const args of [['jobs', 'mark-clean', a], ['jobs', 'purge', '--all'], ['cleanup']]) {
      const change = await haadm([...args, '--snapshot', file, '--yes', '--json'])
      expect(change.json.error.message, args.join(' ')).toMatch(/is a snapshot, which is read-only/)
      expect(change.code, args.join(' ')).toBe(2)
    }
    const plan = await haadm(['jobs', 'mark-clean', a, '--snapshot', file, '--dry-run', '--json'])
    expect(plan.code).toBe(0)
    expect(plan.json.result.actions.map((x: any) => x.action)).toEqual(['delete'])
    const without = await haadm(['jobs', 'results', '--snapshot', join(dir, 'cluster.json')])
    expect(without.code).not.toBe(0)
  })

  it('-o - writes the snapshot to stdout', async () => {
    const res = await haadm(['export', ...live(), '-o', '-'])
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout).format).toBe('haadm-snapshot')
  })

  it('the snapshot works offline, with the env variable, and refuses another cluster id', async () => {
    const file = join(dir, 'offline.json')
    await haadm(['export', ...live(), '-o', file])
    const viaEnv = await haadm(['leaders', '--json'], {env: {HAADM_SNAPSHOT: file}})
    expect(viaEnv.code).toBe(0)
    expect(viaEnv.json.result.clusterId).toBe(clusterId)
    const other = await haadm(['leaders', '--snapshot', file, '--cluster-id', '/other'])
    expect(other.code).toBe(3)
    expect(other.stderr).toContain('holds cluster /snap')
  })

  it('a missing cluster fails with exit 3 and writes no file', async () => {
    const file = join(dir, 'absent.json')
    const res = await haadm(['export', '--zk-quorum', zk.connectString, '--cluster-id', '/absent', '-o', file])
    expect(res.code).toBe(3)
    expect(existsSync(file)).toBe(false)
    expect(readdirSync(dir).filter((f) => f.includes('absent'))).toEqual([])
  })

  it('an unwritable output path: exit 2, nothing left behind', async () => {
    const res = await haadm(['export', ...live(), '-o', join(dir, 'no-such-dir', 'x.json')])
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/^error: cannot write .*x\.json: ENOENT/)
  })

  it('-o is required', async () => {
    const res = await haadm(['export', ...live()])
    expect(res.code).toBe(2)
  })

  describe('bad snapshot files', () => {
    const cases: Array<[string, () => string, RegExp]> = [
      ['missing', () => join(dir, 'nope.json'), /cannot read: ENOENT/],
      ['not JSON', () => write('garbage.json', 'hello'), /not a haadm snapshot/],
      ['JSON but not a snapshot', () => write('other.json', '{"a":1}'), /not a haadm snapshot/],
      ['a future format', () => write('future.json', JSON.stringify({format: 'haadm-snapshot', version: 99, items: [], itemCount: 0})), /format 99 is newer/],
      ['truncated', () => write('cut.json', readFileSync(join(dir, 'cluster.json'), 'utf8').slice(0, 900)), /not a haadm snapshot \(not JSON, or truncated\)/],
      ['truncated gzip', () => write('cut.json.gz', readFileSync(join(dir, 'cluster.json.gz')).subarray(0, 200)), /truncated or corrupt gzip/],
      ['an item count that disagrees', () => write('count.json', readFileSync(join(dir, 'cluster.json'), 'utf8').replace(/"itemCount": \d+/, '"itemCount": 1')), /truncated: \d+ items but the file says 1/],
    ]
    it.each(cases)('%s: exit 2 with the cause', async (_name, make, message) => {
      const res = await haadm(['leaders', '--snapshot', make()])
      expect(res.code).toBe(2)
      expect(res.stderr).toMatch(message)
      expect(res.stderr).toContain('hint:')
      expect(res.stdout).toBe('')
    })
  })
})

function write(name: string, content: string | Buffer): string {
  const file = join(dir, name)
  writeFileSync(file, content)
  return file
}
