import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {tempDirs} from '../support/temp.js'
import {zooKeeperForFile} from '../support/zk-server.js'

const env = zooKeeperForFile()
const temp = tempDirs('haadm-backup-')
const q = () => ['--zk-quorum', env.zk.connectString]


const entry = (id: string, status: string) => `{"result":{"id":"${id}","application-status":"${status}","accumulator-results":{},"net-runtime":4242},"version":1}`

/** A stopped cluster with a checkpointed job, HA blobs and JobResultStore entries on the local disk. */
async function deadClusterWithFiles(name: string) {
  const ha = temp()
  const [a, b] = [randomJobId(), randomJobId()]
  const f = await startFlinkFixture(env.zk.connectString, {clusterId: `/${name}`, layout: '1.18', jobs: [a], storageDir: ha, jobGraphs: [a], checkpoints: {[a]: 2}})
  await f.close()
  mkdirSync(join(ha, name, 'blob', `job_${a}`), {recursive: true})
  writeFileSync(join(ha, name, 'blob', `job_${a}`, 'blob_p-1'), Buffer.from([0, 1, 2, 255]))
  writeFileSync(join(ha, name, 'blob', 'blob_t-2'), 'transient')
  const jrs = join(ha, 'job-result-store', name)
  mkdirSync(jrs, {recursive: true})
  writeFileSync(join(jrs, `${a}_DIRTY.json`), entry(a, 'FAILED'))
  writeFileSync(join(jrs, `${b}.json`), entry(b, 'SUCCEEDED'))
  return {ha, jrs, a, b, flags: [...q(), '--cluster-id', `/${name}`, '--storage-dir', ha]}
}

/** Every file below `dir`, relative, with its bytes. */
function tree(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {}
  if (!existsSync(dir)) return out
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) Object.assign(out, tree(p, base))
    else out[p.slice(base.length + 1)] = readFileSync(p).toString('base64')
  }
  return out
}

describe('one backup format for everything haadm removes, and haadm restore', () => {
  it('cleanup --backup holds the znodes, the HA files and the JobResultStore entries; read commands open it; restore puts the files back', async () => {
    const c = await deadClusterWithFiles('full')
    const filesBefore = tree(c.ha)
    const znodesBefore = await env.client.dump('/flink/full')
    const bk = join(temp(), 'full.json.gz')
    const res = await haadm(['cleanup', ...c.flags, '--include-job-results', '--yes', '--backup', bk, '--json'])
    expect(res.code, res.stdout + res.stderr).toBe(0)
    expect(await env.client.exists('/flink/full')).toBe(false)
    expect(existsSync(join(c.ha, 'full', 'blob'))).toBe(false)
    expect(existsSync(c.jrs)).toBe(false)
    expect(readdirSync(join(bk, '..')).filter((n) => n.endsWith('.tmp'))).toEqual([])

    // Every read command opens it: the znodes, and the JobResultStore entries.
    const leaders = await haadm(['leaders', '--snapshot', bk, '--json'])
    expect(leaders.code).toBe(0)
    expect(leaders.json.result.leaders.map((l: any) => l.jobId).filter(Boolean)).toEqual([c.a])
    const results = await haadm(['jobs', 'results', '--snapshot', bk, '--json'])
    expect(results.code, results.stderr).toBe(0)
    expect(results.json.result.entries.map((e: any) => e.jobId).sort()).toEqual([c.a, c.b].sort())
    const plans = await haadm(['plans', '--snapshot', bk, '--json'])
    expect(plans.code).toBe(0)
    expect(plans.json.result.plans.map((p: any) => p.jobId)).toEqual([c.a])

    // What the file holds: every znode, the JobResultStore entries relative to their directory, every other file with its location.
    const doc = JSON.parse(execFileSync('gzip', ['-dc', bk]).toString('utf8'))
    expect(doc).toMatchObject({format: 'haadm-snapshot', version: 1, purpose: 'backup', command: 'cleanup (cluster)', clusterId: '/full'})
    expect(doc.items.map((i: any) => i.locator).sort()).toEqual(Object.keys(znodesBefore).sort())
    expect(doc.jobResults.path).toBe(c.jrs)
    expect(doc.jobResults.files.map((f: any) => f.relative).sort()).toEqual([`${c.a}_DIRTY.json`, `${c.b}.json`].sort())
    const saved = doc.storageFiles.map((f: any) => f.uri).sort()
    // The HA blobs, and the files the cluster's plan and checkpoint entries pointed at (a whole-cluster cleanup removes them too).
    const pointed = Object.keys(filesBefore).filter((f) => /^full\/(completedCheckpoint|submittedJobGraph)[0-9a-f]{12}$/.test(f))
    expect(pointed).toHaveLength(3)
    expect(saved).toEqual([join(c.ha, 'full', 'blob', 'blob_t-2'), join(c.ha, 'full', 'blob', `job_${c.a}`, 'blob_p-1'), ...pointed.map((f) => join(c.ha, f))].sort())

    // Restore: a dry run writes nothing; the real run puts back every file byte for byte; a second run finds them present.
    const dry = await haadm(['restore', bk, '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    expect(dry.json.result.summary).toEqual({restored: 0, present: 0, conflict: 0, failed: 0, wouldRestore: 7})
    expect(existsSync(c.jrs)).toBe(false)
    const back = await haadm(['restore', bk])
    expect(back.code, back.stderr).toBe(0)
    expect(back.stdout).toContain('restored 7, already present 0, conflicts 0 (not overwritten), failed 0')
    expect(back.stderr).toContain(`${Object.keys(znodesBefore).length} znodes / ConfigMaps in the backup are not written back`)
    expect(tree(c.ha)).toEqual(filesBefore)
    const again = await haadm(['restore', bk, '--json'])
    expect(again.code).toBe(0)
    expect(again.json.result.summary).toMatchObject({restored: 0, present: 7})
    // A file changed since is never overwritten: exit 5, named.
    writeFileSync(join(c.jrs, `${c.b}.json`), entry(c.b, 'CANCELED'))
    const conflict = await haadm(['restore', bk, '--json'])
    expect(conflict.code).toBe(5)
    expect(conflict.json.result.items.find((i: any) => i.status === 'conflict')).toMatchObject({uri: join(c.jrs, `${c.b}.json`)})
    expect(readFileSync(join(c.jrs, `${c.b}.json`), 'utf8')).toContain('CANCELED')

    // Into another directory: --jrs-path and --storage-dir relocate.
    const elsewhere = temp()
    const moved = await haadm(['restore', bk, '--storage-dir', elsewhere, '--jrs-path', join(elsewhere, 'jrs'), '--json'])
    expect(moved.code, moved.stdout).toBe(0)
    expect(Object.keys(tree(elsewhere)).sort()).toEqual(['full/blob/blob_t-2', `full/blob/job_${c.a}/blob_p-1`, ...pointed, `jrs/${c.a}_DIRTY.json`, `jrs/${c.b}.json`].sort())
  })

  it('a rerun never overwrites the backup: exit 2 naming what it holds and that this run would back up less; --backup-overwrite says so', async () => {
    const c = await deadClusterWithFiles('rerun')
    const bk = join(temp(), 'rerun.json')
    const first = await haadm(['cleanup', ...c.flags, '--yes', '--backup', bk])
    expect(first.code, first.stderr).toBe(0)
    const full = readFileSync(bk)
    // Something reappears (a JobManager restarted briefly): the rerun's plan is smaller than the backup.
    await env.client.create('/flink/rerun/leader', '')
    const rerun = await haadm(['cleanup', ...c.flags, '--yes', '--backup', bk])
    expect(rerun.code).toBe(2)
    expect(rerun.stderr).toMatch(/error: the backup file .*rerun\.json exists \(written by cleanup \(cluster\) at .*, \d+ items and 5 files\); haadm does not overwrite backups; nothing was removed\. This run would back up less/)
    expect(rerun.stderr).toContain('--backup-overwrite')
    expect(readFileSync(bk)).toEqual(full)
    expect(await env.client.exists('/flink/rerun/leader')).toBe(true)
    const over = await haadm(['cleanup', ...c.flags, '--yes', '--backup', bk, '--backup-overwrite', '--json'])
    expect(over.code, over.stdout).toBe(0)
    expect(over.json.warnings).toContainEqual(expect.stringMatching(/^replacing the backup .*rerun\.json \(.*\) with a smaller one \(2 items and 0 files or directories\): the old one is lost$/))
    expect(await env.client.exists('/flink/rerun')).toBe(false)
  })

  it('a temporary file a killed run left is removed and named; the backup is complete on disk before the first removal', async () => {
    const c = await deadClusterWithFiles('killed')
    const dir = temp()
    const bk = join(dir, 'killed.json')
    const leftover = join(dir, '.killed.json.haadm-2147483646-abcdef.tmp')
    writeFileSync(leftover, '{"format":"haadm-snapshot", half a fi')
    const res = await haadm(['cleanup', ...c.flags, '--yes', '--backup', bk, '--json'])
    expect(res.code).toBe(0)
    expect(res.json.warnings).toContainEqual(`removed ${leftover}, a temporary backup file a run that was stopped left behind`)
    expect(readdirSync(dir)).toEqual(['killed.json'])
  })

  it('--backup to a FIFO streams through it, and the reader gets a backup every read command opens', async () => {
    const c = await deadClusterWithFiles('fifo')
    const dir = temp()
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    const reader = spawn('cat', [fifo])
    const chunks: Buffer[] = []
    reader.stdout.on('data', (d) => chunks.push(d))
    const done = new Promise((r) => reader.on('close', r))
    const res = await haadm(['cleanup', ...c.flags, '--yes', '--backup', fifo])
    await done
    expect(res.code, res.stderr).toBe(0)
    expect(statSync(fifo).isFIFO()).toBe(true)
    writeFileSync(join(dir, 'copy.json'), Buffer.concat(chunks))
    const read = await haadm(['plans', '--snapshot', join(dir, 'copy.json'), '--json'])
    expect(read.code).toBe(0)
    expect(read.json.result.plans.map((p: any) => p.jobId)).toEqual([c.a])
  })

  it('jobs purge --backup writes the same format: jobs results --snapshot reads it and restore puts the entries back', async () => {
    const jrs = join(temp(), 'jrs')
    mkdirSync(jrs)
    const [a, b] = [randomJobId(), randomJobId()]
    writeFileSync(join(jrs, `${a}.json`), entry(a, 'SUCCEEDED'))
    writeFileSync(join(jrs, `${b}.json`), entry(b, 'CANCELED'))
    const before = tree(jrs)
    const bk = join(temp(), 'purge.json')
    const res = await haadm(['jobs', 'purge', '--jrs-path', jrs, '--all', '--yes', '--backup', bk, '--json'])
    expect(res.code, res.stdout).toBe(0)
    expect(res.json.result.outcome.backup).toMatchObject({file: bk, files: 2})
    expect(readdirSync(jrs)).toEqual([])
    expect(JSON.parse(readFileSync(bk, 'utf8'))).toMatchObject({format: 'haadm-snapshot', purpose: 'backup', command: 'jobs purge', items: []})
    const listed = await haadm(['jobs', 'results', '--snapshot', bk, '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.json.result.entries.map((e: any) => e.applicationStatus).sort()).toEqual(['CANCELED', 'SUCCEEDED'])
    // The same run again with the same --backup is refused before anything else: the backup is not lost.
    writeFileSync(join(jrs, `${a}.json`), entry(a, 'SUCCEEDED'))
    const again = await haadm(['jobs', 'purge', '--jrs-path', jrs, '--all', '--yes', '--backup', bk])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/the backup file .*purge\.json exists \(written by jobs purge at .*, 0 items and 2 files\)/)
    const back = await haadm(['restore', bk, '--json'])
    // a.json is there again with the same bytes (present); b.json comes back.
    expect(back.code).toBe(0)
    expect(back.json.result.summary).toMatchObject({restored: 1, present: 1, conflict: 0})
    expect(tree(jrs)).toEqual(before)
  })

  it('a backup file of haadm 0.1 ("format": "haadm-backup") reads with --snapshot and restores', async () => {
    const jrs = join(temp(), 'jrs')
    const a = randomJobId()
    const bk = join(temp(), 'old.json')
    const bytes = Buffer.from(entry(a, 'SUCCEEDED'))
    writeFileSync(bk, JSON.stringify({format: 'haadm-backup', version: 1, createdAt: '2026-01-01T00:00:00.000Z', command: 'jobs purge', source: jrs, files: [{path: `${jrs}/${a}.json`, size: bytes.length, mtime: null, base64: bytes.toString('base64')}]}))
    const listed = await haadm(['jobs', 'results', '--snapshot', bk, '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.json.result.entries.map((e: any) => e.jobId)).toEqual([a])
    const back = await haadm(['restore', bk])
    expect(back.code, back.stderr).toBe(0)
    expect(readFileSync(join(jrs, `${a}.json`))).toEqual(bytes)
  })
})

describe('haadm restore: bad input', () => {
  it('a missing or non-snapshot file is exit 2; no argument is exit 2 with the argument named', async () => {
    const dir = temp()
    writeFileSync(join(dir, 'x.json'), '{"hello": 1}')
    for (const args of [['restore', join(dir, 'nope.json')], ['restore', join(dir, 'x.json')], ['restore']]) {
      const r = await haadm(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toMatch(/^error: /)
      expect(r.stderr, args.join(' ')).not.toContain('--snapshot')
    }
    expect((await haadm(['restore', join(dir, 'nope.json')])).stderr).toContain('Check the FILE argument')
    const none = await haadm(['restore'], {input: 'from-a-pipe.json\n'})
    expect(none.stderr).toContain('error: Missing 1 required arg: file')
  })
})
