// haadm jobs: what depends on the operating system, on a real ZooKeeper, or on size: permissions
// (as an unprivileged user), partial failure, the S3 SDK staying unloaded for local paths, the HA
// store listing behind --include-dirty, and S3 listings past one page.

import {spawn} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, haadm, type CliResult} from '../support/cli.js'
import {startFlinkFixture} from '../support/flink-fixture.js'
import {compileJava, runJava} from '../support/java.js'
import {startS3Server, type S3Server} from '../support/s3-server.js'
import {connectZk} from '../support/zk-client.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'
import {jrsFileBytes, type JrsSpec} from './job-result-java.js'

const A = '3f2a9c1e5b7d4e0fa1b2c3d4e5f60718'
const B = '00000000000000000000000000000001'
const specs: JrsSpec[] = [
  {file: `${A}_DIRTY.json`, id: A, status: 'FAILED', netRuntime: 10, failure: 'boom'},
  {file: `${B}.json`, id: B, status: 'SUCCEEDED', netRuntime: 20},
]
let bytes: Map<string, Buffer>
let base: string
beforeAll(() => {
  bytes = jrsFileBytes(specs)
  base = mkdtempSync(join(tmpdir(), 'haadm-jobs-edge-'))
  chmodSync(base, 0o755)
})
afterAll(() => {
  if (base) rmSync(base, {recursive: true, force: true})
})

let seq = 0
function jrsDir(): string {
  const d = join(base, `j${seq++}`, 'job-result-store', 'app')
  mkdirSync(d, {recursive: true})
  for (const s of specs) writeFileSync(join(d, s.file), bytes.get(s.file)!)
  return d
}

const ROOT = process.getuid?.() === 0
const NOBODY = 65534

/** Runs the CLI as an unprivileged user: `nobody` via setpriv when we are root, else ourselves. */
function haadmUnprivileged(args: string[]): Promise<CliResult> {
  const [cmd, pre] = ROOT
    ? ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, BIN]]
    : [process.execPath, [BIN]]
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...pre, ...args], {env: {PATH: process.env.PATH ?? '', HOME: base}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      let json: unknown
      try {
        json = JSON.parse(stdout)
      } catch {
        json = undefined
      }
      resolve({code, stdout, stderr, json, ms: 0})
    })
  })
}

/** A directory the unprivileged runner may write. */
function giveToRunner(path: string): void {
  if (ROOT) chownSync(path, NOBODY, NOBODY)
}

describe('local filesystem edge cases', () => {
  it('a path under a file is exit 3 with a one-line cause', async () => {
    const f = join(base, `plain-${seq++}`)
    writeFileSync(f, 'x')
    const res = await haadm(['jobs', 'results', '--jrs-path', join(f, 'jrs')])
    expect(res.code).toBe(3)
    expect(res.stderr).toBe(`error: not a directory: ${join(f, 'jrs')} (or one of its parents is a file)\nhint: Check the path: a part of it names a file, not a directory.\n`)
  })

  it('results stops at the run\'s deadline while reading entries: exit 3, DEADLINE_EXCEEDED, nothing half-written', async () => {
    const d = jrsDir()
    for (let i = 0; i < 500; i++) writeFileSync(join(d, `${(0x1000 + i).toString(16).padStart(32, '0')}.json`), bytes.get(`${B}.json`)!)
    // 1 ms: gone before the listing is done, so before the first entry is read.
    const json = await haadm(['jobs', 'results', '--jrs-path', d, '--timeout', '1', '--json'])
    expect(json.code).toBe(3)
    expect(json.json.error).toMatchObject({code: 'DEADLINE_EXCEEDED', message: expect.stringMatching(/^the run's deadline \(--timeout 1 ms\) passed while reading the JobResultStore .* \(0 of 502 entries read\)$/)})
    const text = await haadm(['jobs', 'results', '--jrs-path', d, '--timeout', '1'])
    expect(text.code).toBe(3)
    expect(text.stdout).toBe('')
    expect(text.stderr).toMatch(/^error: the run's deadline \(--timeout 1 ms\) passed while reading the JobResultStore .*\nhint: A longer --timeout waits longer/)
  })

  it('permission denied reading or changing entries is exit 3, and nothing changes', async () => {
    const d = jrsDir()
    chmodSync(d, 0o000)
    try {
      const res = await haadmUnprivileged(['jobs', 'results', '--jrs-path', d, '--json'])
      expect(res.code, res.stderr).toBe(3)
      expect(res.json.error).toMatchObject({code: 'STORAGE_FORBIDDEN', message: `permission denied: cannot list ${d}`})
    } finally {
      chmodSync(d, 0o755)
    }
    // Readable but not writable: the listing works, every removal fails, nothing is removed.
    chmodSync(d, 0o555)
    try {
      const purge = await haadmUnprivileged(['jobs', 'purge', '--jrs-path', d, '--all', '--yes', '--json'])
      expect(purge.code, purge.stdout).toBe(3)
      expect(purge.json.error).toMatchObject({code: 'STORAGE_FORBIDDEN', message: expect.stringMatching(/^permission denied: cannot delete .*; nothing was changed$/)})
      const mark = await haadmUnprivileged(['jobs', 'mark-clean', A, '--jrs-path', d, '--yes'])
      expect(mark.code).toBe(3)
      expect(mark.stderr).toMatch(/^error: permission denied: cannot delete .*_DIRTY.json; nothing was changed\nhint: Run as a user that may write/)
      expect(existsSync(join(d, `${A}_DIRTY.json`))).toBe(true)
      expect(existsSync(join(d, `${B}.json`))).toBe(true)
    } finally {
      chmodSync(d, 0o755)
    }
  })

  it('some removals failing is exit 5 with a summary of removed, kept and failed', async () => {
    const cluster = join(base, `op-${seq++}`, 'job-result-store', 'app')
    const current = '7d3c1a6e-4b1f-4a57-9d2e-2b8f0a7c9e11'
    const jrs = join(cluster, current)
    const stale = (n: number) => join(cluster, `0a6e1f4b-0000-4c2d-8e3f-00000000000${n}`)
    for (const d of [jrs, stale(1), stale(2), stale(3)]) mkdirSync(d, {recursive: true})
    const put = (dir: string, ageDays: number) => {
      const f = join(dir, `${B}.json`)
      writeFileSync(f, bytes.get(`${B}.json`)!)
      const t = new Date(Date.now() - ageDays * 86_400_000)
      utimesSync(f, t, t)
    }
    put(jrs, 30)
    put(stale(1), 10)
    put(stale(2), 20)
    put(stale(3), 1) // the newest: kept
    for (const d of [cluster, jrs, stale(1)]) giveToRunner(d)
    chmodSync(stale(2), 0o555) // its file cannot be removed
    try {
      const res = await haadmUnprivileged(['jobs', 'purge', '--jrs-path', jrs, '--all', '--prune-stale-dirs', '--keep', '1', '--yes', '--json'])
      expect(res.code, res.stdout).toBe(5)
      expect(res.json.status).toBe(5)
      const o = res.json.result.outcome
      expect(o).toMatchObject({removed: 2, failed: 1, absent: 0, skipped: 2})
      expect(o.items).toEqual([
        {kind: 'entry', path: join(jrs, `${B}.json`), status: 'removed'},
        {kind: 'operator-dir', path: stale(1), status: 'removed', files: 1},
        expect.objectContaining({kind: 'operator-dir', path: stale(2), status: 'failed', files: 0, errorCode: 'STORAGE_FORBIDDEN'}),
      ])
      expect(existsSync(stale(1))).toBe(false)
      expect(existsSync(join(stale(3), `${B}.json`))).toBe(true)
      expect(existsSync(join(stale(2), `${B}.json`))).toBe(true)
      expect(res.json.warnings.some((w: string) => w.startsWith(`${stale(2)}: `))).toBe(true)
    } finally {
      chmodSync(stale(2), 0o755)
    }
  })

  it('local paths never load the AWS SDK; S3 paths do', async () => {
    const dir = mkdtempSync(join(base, 'hook-'))
    const log = join(dir, 'resolved.log')
    writeFileSync(join(dir, 'hooks.mjs'), `import {appendFileSync} from 'node:fs'
let file
export function initialize(data) { file = data.file }
export async function resolve(specifier, context, next) {
  if (specifier.includes('@aws-sdk') || specifier.includes('storage/s3.js')) appendFileSync(file, specifier + '\\n')
  return next(specifier, context)
}
`)
    writeFileSync(join(dir, 'register.mjs'), `import {register} from 'node:module'
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, {data: {file: ${JSON.stringify(log)}}})
`)
    const env = {NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'register.mjs')).href}`}
    const d = jrsDir()
    for (const args of [['jobs', 'results', '--jrs-path', d], ['jobs', 'purge', '--jrs-path', d, '--all', '--dry-run'], ['jobs', 'mark-clean', A, '--jrs-path', d, '--dry-run']]) {
      const res = await haadm(args, {env})
      expect(res.code, res.stderr).toBe(0)
    }
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').toBe('')
    // The same hook sees the SDK for an S3 path (so the check above can fail).
    const s3 = await haadm(['jobs', 'results', '--jrs-path', 's3://b/jrs'], {env: {...env, HAADM_S3_ENDPOINT: 'http://127.0.0.1:9', HAADM_S3_ACCESS_KEY: 'k', HAADM_S3_SECRET_KEY: 's'}})
    expect(s3.code).toBe(3)
    expect(readFileSync(log, 'utf8')).toContain('@aws-sdk/client-s3')
  })
})

describe('purge --include-dirty lists what the jobs keep in ZooKeeper', () => {
  let zk: ZkServer
  beforeAll(async () => {
    zk = await startZooKeeper()
  })
  afterAll(async () => {
    await zk?.stop()
  })

  it('names the job graph, checkpoints and leader nodes, and says when the cluster is running', async () => {
    const samples = mkdtempSync(join(base, 'samples-'))
    runJava(compileJava(['stubs'], false), 'haadm.fixtures.SerializationSamples', [samples])
    const fixture = await startFlinkFixture(zk.connectString, {clusterId: '/jrs-it', layout: '1.18', jobs: [A], contenders: 1})
    const client = (await connectZk(zk.connectString)).raw
    try {
      const mk = (p: string, data: Buffer = Buffer.alloc(0)) => client.create(p, data, 0).catch(() => undefined)
      await mk('/flink/jrs-it/jobgraphs')
      await mk(`/flink/jrs-it/jobgraphs/${A}`, readFileSync(join(samples, 'handle-file.bin')))
      await mk('/flink/jrs-it/jobs')
      await mk(`/flink/jrs-it/jobs/${A}`)
      await mk(`/flink/jrs-it/jobs/${A}/checkpoints`)
      await mk(`/flink/jrs-it/jobs/${A}/checkpoints/0000000000000000042`, readFileSync(join(samples, 'handle-hdfs.bin')))
      const d = jrsDir()
      const args = ['jobs', 'purge', '--jrs-path', d, '--job', A, '--include-dirty', '--zk-quorum', zk.connectString, '--cluster-id', '/jrs-it']
      const dry = await haadm([...args, '--dry-run', '--json'])
      // The Dispatcher is alive: the dry run shows the plan and exits 4, as the real run would.
      expect(dry.code, dry.stdout).toBe(4)
      expect(dry.json.warnings).toContain('the Dispatcher is alive: a real run would refuse (exit 4) without --force')
      const ha = dry.json.result.ha
      expect(ha).toMatchObject({status: 'listed', store: 'zookeeper /flink/jrs-it', dispatcherAlive: true})
      expect(ha.artifacts.map((a: any) => [a.kind, a.key, a.children])).toEqual([
        ['job-graph', `jobgraphs/${A}`, 0],
        ['job-node', `jobs/${A}`, 2],
        ['checkpoint', `jobs/${A}/checkpoints/0000000000000000042`, 0],
        ['leader', `leader/job-${A}`, expect.any(Number)],
      ])
      expect(ha.artifacts[0].pointer).toMatch(/submittedExecutionPlanb4778d6a85f2$/)
      expect(ha.artifacts[2].pointer).toBe('hdfs://nn:8020/ha/default/completedCheckpoint0123456789ab')
      const text = await haadm([...args, '--dry-run'])
      expect(text.stderr).toContain(`warning: job ${A}: removing its dirty entry means Flink will no longer clean up its artifacts`)
      expect(text.stderr).toContain('warning: the cluster is running: its Dispatcher may be cleaning up these jobs right now')
      expect(text.stderr).toContain(`warning: job ${A}: job-graph /flink/jrs-it/jobgraphs/${A} -> `)
      expect(existsSync(join(d, `${A}_DIRTY.json`))).toBe(true)
      const refused = await haadm([...args, '--yes', '--json'])
      expect(refused.code).toBe(4)
      expect(refused.json.error).toMatchObject({code: 'LIVE_CLUSTER', details: {dirtyJobIds: [A]}})
      expect(refused.json.error.message).toMatch(/^refusing: the Dispatcher of zookeeper \/flink\/jrs-it is alive/)
      expect(existsSync(join(d, `${A}_DIRTY.json`))).toBe(true)
      const forced = await haadm([...args, '--yes', '--force', '--json'])
      expect(forced.code, forced.stdout).toBe(0)
      expect(existsSync(join(d, `${A}_DIRTY.json`))).toBe(false)
    } finally {
      client.close()
      await fixture.close()
    }
  })

  it('an unreachable ZooKeeper is a doubt about liveness: refused (exit 4) without --force, a warning with it', async () => {
    const d = jrsDir()
    const args = ['jobs', 'purge', '--jrs-path', d, '--job', A, '--include-dirty', '--zk-quorum', '127.0.0.1:1', '--yes', '--json']
    const refused = await haadm(args, {timeoutMs: 60_000})
    expect(refused.code, refused.stdout).toBe(4)
    expect(refused.json.error.message).toMatch(/^refusing: haadm cannot tell whether the cluster's Dispatcher is alive \(cannot reach ZooKeeper at 127\.0\.0\.1:1/)
    expect(existsSync(join(d, `${A}_DIRTY.json`))).toBe(true)
    const res = await haadm([...args, '--force'], {timeoutMs: 60_000})
    expect(res.code, res.stdout).toBe(0)
    expect(res.json.result.ha).toMatchObject({status: 'unavailable', reason: expect.stringContaining('cannot reach ZooKeeper at 127.0.0.1:1')})
    expect(res.json.warnings[1]).toMatch(/^could not list what these jobs keep in the HA store \(cannot reach ZooKeeper/)
    expect(existsSync(join(d, `${A}_DIRTY.json`))).toBe(false)
  })
})

describe('S3 past one page of keys', () => {
  let server: S3Server
  beforeAll(async () => {
    server = await startS3Server({buckets: ['big']})
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('results lists 1,205 entries; purge removes them all in batches; a second run removes nothing', async () => {
    const template = bytes.get(`${B}.json`)!.toString()
    const ids = Array.from({length: 1205}, (_, i) => (i + 1).toString(16).padStart(32, '0'))
    await server.putMany('big', ids.map((id) => ({key: `ha/job-result-store/app/${id}.json`, body: template.replaceAll(B, id)})))
    const jrs = 's3://big/ha/job-result-store/app'
    // Generous bounds (hang guards): the machine running the tests may be busy.
    const res = await haadm(['jobs', 'results', '--jrs-path', jrs, '--json'], {env: server.env, timeoutMs: 100_000})
    expect(res.code, res.stderr).toBe(0)
    expect(res.json.result.counts).toEqual({total: 1205, shown: 1205, dirty: 0, clean: 1205, problems: 0})
    expect(new Set(res.json.result.entries.map((e: any) => e.jobId))).toEqual(new Set(ids))
    const purge = await haadm(['jobs', 'purge', '--jrs-path', jrs, '--all', '--yes', '--json'], {env: server.env, timeoutMs: 100_000})
    expect(purge.code, purge.stdout.slice(0, 500)).toBe(0)
    expect(purge.json.result.outcome).toMatchObject({removed: 1205, failed: 0})
    expect(await server.keys('big', 'ha/')).toEqual([])
    const again = await haadm(['jobs', 'purge', '--jrs-path', jrs, '--all', '--yes', '--json'], {env: server.env, timeoutMs: 100_000})
    expect(again.code).toBe(0)
    expect(again.json.result.outcome).toMatchObject({removed: 0, failed: 0})
  }, 400_000)
})
