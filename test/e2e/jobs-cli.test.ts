// haadm jobs results / mark-clean / purge as users run them: the built CLI, --json and exit codes,
// against a local directory and an S3-compatible server (s3rver on 127.0.0.1), on files written
// by a JVM exactly as Flink writes them.

import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {startS3Server, type S3Server} from '../support/s3-server.js'
import {jrsFileBytes, type JrsSpec} from './job-result-java.js'

const DIRTY = '3f2a9c1e5b7d4e0fa1b2c3d4e5f60718' // FAILED, with a failure cause
const CLEAN = '00000000000000000000000000000001' // SUCCEEDED, 2.3 layout
const OLD_CLEAN = '00000000000000000000000000000002' // CANCELED
const OLD_DIRTY = '00000000000000000000000000000003' // CANCELED, dirty
const DAY = 86_400_000

const specs: JrsSpec[] = [
  {file: `${DIRTY}_DIRTY.json`, id: DIRTY, status: 'FAILED', netRuntime: 134090, failure: 'Kafka went away'},
  {file: `${CLEAN}.json`, id: CLEAN, layout: '2.3', status: 'SUCCEEDED', netRuntime: 2000, name: 'orders', startTime: 1767000000000, endTime: 1767000002000},
  {file: `${OLD_CLEAN}.json`, id: OLD_CLEAN, status: 'CANCELED', netRuntime: 7},
  {file: `${OLD_DIRTY}_DIRTY.json`, id: OLD_DIRTY, status: 'CANCELED', netRuntime: 9},
]
/** File → age in days. */
const ages: Record<string, number> = {[`${DIRTY}_DIRTY.json`]: 1, [`${CLEAN}.json`]: 0.5, [`${OLD_CLEAN}.json`]: 40, [`${OLD_DIRTY}_DIRTY.json`]: 35}
let bytes: Map<string, Buffer>

/** Where a test's JobResultStore lives: a fresh local directory or S3 prefix. */
interface Place {
  kind: 'local' | 's3'
  /** The cluster's JRS directory (what --jrs-path gets). */
  jrs: string
  env: Record<string, string>
  put(rel: string, body: Buffer | string, ageDays?: number): Promise<void>
  get(rel: string): Promise<Buffer | undefined>
  /** Every file below the JRS directory's parent (so Operator directories show too), relative to the JRS directory's parent. */
  files(): Promise<string[]>
}

let server: S3Server
let base: string
beforeAll(async () => {
  bytes = jrsFileBytes(specs)
  server = await startS3Server({buckets: ['flink']})
  base = mkdtempSync(join(tmpdir(), 'haadm-jobs-'))
})
afterAll(async () => {
  await server?.stop()
  if (base) rmSync(base, {recursive: true, force: true})
})

let seq = 0
function localPlace(sub = 'job-result-store/app'): Place {
  const root = join(base, `p${seq++}`)
  const jrs = join(root, sub)
  mkdirSync(jrs, {recursive: true})
  const parent = dirname(jrs)
  return {
    kind: 'local',
    jrs,
    env: {},
    async put(rel, body, ageDays = 0) {
      const p = join(jrs, rel)
      mkdirSync(dirname(p), {recursive: true})
      writeFileSync(p, body)
      const t = new Date(Date.now() - ageDays * DAY)
      utimesSync(p, t, t)
    },
    async get(rel) {
      const p = join(jrs, rel)
      return existsSync(p) ? readFileSync(p) : undefined
    },
    async files() {
      const out: string[] = []
      const walk = (d: string) => {
        for (const n of readdirSync(d)) {
          const p = join(d, n)
          if (statSync(p).isDirectory()) walk(p)
          else out.push(relative(parent, p))
        }
      }
      walk(parent)
      return out.sort()
    },
  }
}

function s3Place(sub = 'job-result-store/app'): Place {
  const prefix = `p${seq++}/ha/${sub}`
  const parentPrefix = prefix.slice(0, prefix.lastIndexOf('/'))
  return {
    kind: 's3',
    jrs: `s3://flink/${prefix}`,
    env: server.env,
    async put(rel, body, ageDays = 0) {
      await server.put('flink', `${prefix}/${rel}`, body)
      server.setMtime('flink', `${prefix}/${rel}`, new Date(Date.now() - ageDays * DAY))
    },
    get: (rel) => server.get('flink', `${prefix}/${rel}`),
    async files() {
      return (await server.keys('flink', `${parentPrefix}/`)).map((k) => k.slice(parentPrefix.length + 1))
    },
  }
}

async function withEntries(p: Place): Promise<void> {
  for (const s of specs) await p.put(s.file, bytes.get(s.file)!, ages[s.file])
}

const places: Array<{kind: string; make: (sub?: string) => Place}> = [
  {kind: 'local', make: localPlace},
  {kind: 's3', make: s3Place},
]

describe.each(places)('haadm jobs on $kind storage', ({kind, make}) => {
  it('results lists every entry oldest first, with status, runtime, name, time, size and path', async () => {
    const p = make()
    await withEntries(p)
    const res = await haadm(['jobs', 'results', '--jrs-path', p.jrs, '--json'], {env: p.env})
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    const r = res.json.result
    expect(r.path).toBe(p.jrs)
    expect(r.pathFrom).toBe('flag --jrs-path')
    expect(r.entries.map((e: any) => [e.jobId, e.state, e.applicationStatus, e.netRuntimeMs])).toEqual([
      [OLD_CLEAN, 'clean', 'CANCELED', 7],
      [OLD_DIRTY, 'dirty', 'CANCELED', 9],
      [DIRTY, 'dirty', 'FAILED', 134090],
      [CLEAN, 'clean', 'SUCCEEDED', 2000],
    ])
    const byId = Object.fromEntries(r.entries.map((e: any) => [e.jobId, e]))
    expect(byId[CLEAN]).toMatchObject({jobName: 'orders', startTime: '2025-12-29T09:20:00.000Z', valid: true, problem: null, size: bytes.get(`${CLEAN}.json`)!.length, path: `${p.jrs}/${CLEAN}.json`})
    expect(byId[DIRTY].failure).toEqual({className: 'org.apache.flink.runtime.JobException', message: 'Recovery is suppressed by NoRestartBackoffTimeStrategy'})
    expect(Math.abs(Date.now() - DAY * 40 - Date.parse(byId[OLD_CLEAN].mtime))).toBeLessThan(5 * 60_000)
    expect(r.counts).toEqual({total: 4, shown: 4, dirty: 2, clean: 2, problems: 0})

    // RUNTIME, SIZE and PATH are -o wide columns.
    const table = await haadm(['jobs', 'results', '--jrs-path', p.jrs, '-o', 'wide'], {env: p.env})
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(new RegExp(`${DIRTY}\\s+dirty\\s+FAILED\\s+2m 14s\\s+-\\s+\\S+ \\S+\\s+\\d+\\s+${p.jrs}/${DIRTY}_DIRTY.json`))
    const narrow = await haadm(['jobs', 'results', '--jrs-path', p.jrs], {env: p.env})
    expect(narrow.stdout).toMatch(new RegExp(`${DIRTY}\\s+dirty\\s+FAILED\\s+-\\s+\\S+ \\S+\\n`))
    expect(table.stdout).toContain('4 entries: 2 dirty, 2 clean, 0 with problems')
  })

  it('results filters: --dirty, --clean, --status, --older-than, --job', async () => {
    const p = make()
    await withEntries(p)
    const ids = async (...args: string[]) => {
      const res = await haadm(['jobs', 'results', '--jrs-path', p.jrs, '--json', ...args], {env: p.env})
      expect(res.code, res.stderr).toBe(0)
      return res.json.result.entries.map((e: any) => e.jobId)
    }
    expect(await ids('--dirty')).toEqual([OLD_DIRTY, DIRTY])
    expect(await ids('--clean')).toEqual([OLD_CLEAN, CLEAN])
    expect(await ids('--status', 'canceled')).toEqual([OLD_CLEAN, OLD_DIRTY])
    expect(await ids('--status', 'FAILED,SUCCEEDED')).toEqual([DIRTY, CLEAN])
    expect(await ids('--older-than', '30d')).toEqual([OLD_CLEAN, OLD_DIRTY])
    expect(await ids('--older-than', '13h', '--clean')).toEqual([OLD_CLEAN])
    expect(await ids('--job', DIRTY.toUpperCase(), '--job', CLEAN)).toEqual([DIRTY, CLEAN])
  })

  it('results lists files Flink would refuse as problems, not as a crash', async () => {
    const p = make()
    const id = 'abcdefabcdefabcdefabcdefabcdef01'
    await p.put(`${id}_DIRTY.json`, 'this is not JSON')
    await p.put(`${OLD_CLEAN}.json`, bytes.get(`${CLEAN}.json`)!) // the name says another job
    await p.put(`${OLD_DIRTY}_DIRTY.json`, `{"result":{"id":"${OLD_DIRTY}","net-runtime":1},"version":1,"extra":0}`)
    await p.put('notes.txt', 'hello')
    const res = await haadm(['jobs', 'results', '--jrs-path', p.jrs, '--json'], {env: p.env})
    expect(res.code).toBe(0)
    const byFile = Object.fromEntries(res.json.result.entries.map((e: any) => [e.file, e]))
    expect(byFile[`${id}_DIRTY.json`]).toMatchObject({jobId: id, valid: false, problem: 'not JSON: unexpected character "t"'})
    expect(byFile[`${OLD_CLEAN}.json`]).toMatchObject({valid: false, problem: `the name says job ${OLD_CLEAN} but the file holds job ${CLEAN}`})
    expect(byFile[`${OLD_DIRTY}_DIRTY.json`].problem).toMatch(/^unknown top-level key "extra"/)
    expect(res.json.result.others).toEqual([expect.objectContaining({name: 'notes.txt', note: 'not a .json file: Flink ignores it'})])
    expect(res.json.warnings).toEqual(['3 file(s) Flink cannot read or that are misnamed; see "problem"'])
    const table = await haadm(['jobs', 'results', '--jrs-path', p.jrs], {env: p.env})
    expect(table.stdout).toContain(`${id}_DIRTY.json: not JSON: unexpected character "t"`)
    expect(table.stderr).toContain('warning: 3 file(s) Flink cannot read')
  })

  it("results shows the Operator's per-deploy directories with entry count and newest time", async () => {
    const current = '7d3c1a6e-4b1f-4a57-9d2e-2b8f0a7c9e11'
    const p = make(`job-result-store/app/${current}`)
    await p.put(`${CLEAN}.json`, bytes.get(`${CLEAN}.json`)!, 0.1)
    await p.put(`../0a6e1f4b-1111-4c2d-8e3f-000000000001/${OLD_CLEAN}.json`, bytes.get(`${OLD_CLEAN}.json`)!, 20)
    await p.put(`../0a6e1f4b-1111-4c2d-8e3f-000000000001/${OLD_DIRTY}_DIRTY.json`, bytes.get(`${OLD_DIRTY}_DIRTY.json`)!, 21)
    await p.put(`../0a6e1f4b-2222-4c2d-8e3f-000000000002/${DIRTY}.json`, bytes.get(`${DIRTY}_DIRTY.json`)!, 10)
    const res = await haadm(['jobs', 'results', '--jrs-path', p.jrs, '--json'], {env: p.env})
    expect(res.code, res.stderr).toBe(0)
    const r = res.json.result
    expect(r.layout).toBe('operator')
    expect(r.clusterDir).toBe(p.jrs.slice(0, -current.length - 1))
    expect(r.operatorDirs.map((d: any) => [d.name, d.entries, d.dirtyEntries, d.current])).toEqual([
      [current, 1, 0, true],
      ['0a6e1f4b-2222-4c2d-8e3f-000000000002', 1, 0, false],
      ['0a6e1f4b-1111-4c2d-8e3f-000000000001', 2, 1, false],
    ])
    expect(Math.abs(Date.now() - 20 * DAY - Date.parse(r.operatorDirs[2].newest))).toBeLessThan(5 * 60_000)
    expect(r.entries.map((e: any) => e.jobId)).toEqual([CLEAN])
  })

  it('mark-clean with delete-on-commit true deletes the dirty file, after confirmation; a second run fails as Flink does', async () => {
    const p = make()
    await withEntries(p)
    const before = await p.files()
    const refused = await haadm(['jobs', 'mark-clean', DIRTY, '--jrs-path', p.jrs], {env: p.env})
    expect(refused.code).toBe(4)
    expect(refused.stderr).toContain('error: refusing to remove anything without confirmation')
    const dry = await haadm(['jobs', 'mark-clean', DIRTY, '--jrs-path', p.jrs, '--dry-run', '--json'], {env: p.env})
    expect(dry.code).toBe(0)
    expect(dry.json.result.actions).toEqual([expect.objectContaining({jobId: DIRTY, action: 'delete', dirtyPath: `${p.jrs}/${DIRTY}_DIRTY.json`})])
    expect(await p.files()).toEqual(before)

    const done = await haadm(['jobs', 'mark-clean', DIRTY, '--jrs-path', p.jrs, '--yes', '--json'], {env: p.env})
    expect(done.code, done.stdout).toBe(0)
    expect(done.json.result.outcomes).toEqual([expect.objectContaining({jobId: DIRTY, action: 'delete', status: 'done'})])
    expect(await p.get(`${DIRTY}_DIRTY.json`)).toBeUndefined()
    expect(await p.get(`${DIRTY}.json`)).toBeUndefined()
    expect((await p.files()).length).toBe(before.length - 1)

    const again = await haadm(['jobs', 'mark-clean', DIRTY, '--jrs-path', p.jrs, '--yes', '--json'], {env: p.env})
    expect(again.code).toBe(3)
    expect(again.json.error).toMatchObject({code: 'JRS_ENTRY_NOT_FOUND', message: `no dirty entry for job ${DIRTY} in ${p.jrs}: nothing to mark clean`})
  })

  it('mark-clean with delete-on-commit false (from the Flink configuration) renames, bytes unchanged; then nothing to do', async () => {
    const p = make()
    await withEntries(p)
    const conf = join(base, `conf-${seq++}.yaml`)
    writeFileSync(conf, `high-availability.type: zookeeper\njob-result-store.storage-path: ${p.jrs}\njob-result-store.delete-on-commit: false\n`)
    const original = await p.get(`${DIRTY}_DIRTY.json`)
    const backup = join(base, `mark-${seq++}.json`)
    const res = await haadm(['jobs', 'mark-clean', DIRTY, '--flink-conf', conf, '--yes', '--backup', backup, '--json'], {env: p.env})
    expect(res.code, res.stdout).toBe(0)
    expect(res.json.result).toMatchObject({deleteOnCommit: false, deleteOnCommitFrom: `${conf}:3 (job-result-store.delete-on-commit)`})
    expect(res.json.result.outcomes[0]).toMatchObject({action: 'rename', status: 'done', cleanPath: `${p.jrs}/${DIRTY}.json`})
    expect(await p.get(`${DIRTY}_DIRTY.json`)).toBeUndefined()
    expect(await p.get(`${DIRTY}.json`)).toEqual(original)
    const doc = JSON.parse(readFileSync(backup, 'utf8'))
    expect(doc).toMatchObject({format: 'haadm-snapshot', version: 1, purpose: 'backup', command: 'jobs mark-clean', items: [], jobResults: {path: p.jrs}})
    expect(doc.jobResults.files.map((f: any) => f.relative)).toEqual([`${DIRTY}_DIRTY.json`])
    expect(Buffer.from(doc.jobResults.files[0].data, 'base64')).toEqual(original)

    const again = await haadm(['jobs', 'mark-clean', DIRTY, '--flink-conf', conf, '--json'], {env: p.env})
    expect(again.code).toBe(0)
    expect(again.json.result.outcomes[0]).toMatchObject({action: 'already-clean', status: 'nothing-to-do'})
  })

  it('mark-clean: a malformed job id is a usage error and nothing changes; several ids with one missing is exit 5', async () => {
    const p = make()
    await withEntries(p)
    const before = await p.files()
    const bad = await haadm(['jobs', 'mark-clean', 'not-a-job', '--jrs-path', p.jrs, '--yes'], {env: p.env})
    expect(bad.code).toBe(2)
    // One job-id parser for every command: the same words as cleanup --job and checkpoints --job.
    expect(bad.stderr).toBe('error: "not-a-job" is not a Flink job id\nhint: A job id is 32 hexadecimal characters, as Flink prints it (e.g. 8f2b6a1c4d3e5f60718293a4b5c6d7e8).\n')
    expect(await p.files()).toEqual(before)
    const mixed = await haadm(['jobs', 'mark-clean', OLD_DIRTY, 'ffffffffffffffffffffffffffffffff', '--jrs-path', p.jrs, '--yes', '--json'], {env: p.env})
    expect(mixed.code).toBe(5)
    expect(mixed.json.status).toBe(5)
    expect(mixed.json.result.outcomes.map((o: any) => o.status)).toEqual(['done', 'missing'])
  })

  it('purge removes selected clean entries, keeps dirty ones, backs up first, and a second run removes nothing', async () => {
    const p = make()
    await withEntries(p)
    const before = await p.files()
    const args = ['jobs', 'purge', '--jrs-path', p.jrs, '--older-than', '30d']
    const dry = await haadm([...args, '--dry-run', '--json'], {env: p.env})
    expect(dry.code).toBe(0)
    expect(dry.json.result.plan.remove.map((i: any) => i.path)).toEqual([`${p.jrs}/${OLD_CLEAN}.json`])
    expect(dry.json.result.plan.skip).toEqual([expect.objectContaining({path: `${p.jrs}/${OLD_DIRTY}_DIRTY.json`, state: 'dirty'})])
    const table = await haadm([...args, '--dry-run'], {env: p.env})
    expect(table.stdout).toMatch(new RegExp(`would remove\\s+clean ${OLD_CLEAN}`))
    const refused = await haadm(args, {env: p.env})
    expect(refused.code).toBe(4)
    expect(await p.files()).toEqual(before)

    const backup = join(base, `purge-${seq++}.json`)
    const res = await haadm([...args, '--yes', '--backup', backup, '--json'], {env: p.env})
    expect(res.code, res.stdout).toBe(0)
    expect(res.json.result.outcome).toMatchObject({removed: 1, absent: 0, failed: 0, skipped: 1, backup: {file: backup, files: 1}})
    expect(await p.get(`${OLD_CLEAN}.json`)).toBeUndefined()
    expect(await p.get(`${OLD_DIRTY}_DIRTY.json`)).toBeDefined()
    const doc = JSON.parse(readFileSync(backup, 'utf8'))
    expect(doc.jobResults).toEqual({
      path: p.jrs,
      files: [{relative: `${OLD_CLEAN}.json`, size: bytes.get(`${OLD_CLEAN}.json`)!.length, mtime: expect.any(String), data: bytes.get(`${OLD_CLEAN}.json`)!.toString('base64')}],
    })
    expect(readdirSync(dirname(backup)).filter((n) => n.includes('.tmp'))).toEqual([])

    const again = await haadm([...args, '--yes', '--backup', backup, '--json'], {env: p.env})
    expect(again.code).toBe(0)
    expect(again.json.result.outcome).toMatchObject({removed: 0, failed: 0})
    // A backup is never overwritten.
    await p.put(`${'e'.repeat(32)}.json`, bytes.get(`${OLD_CLEAN}.json`)!, 50)
    const exists = await haadm([...args, '--yes', '--backup', backup], {env: p.env})
    expect(exists.code).toBe(2)
    expect(exists.stderr).toContain(`the backup file ${backup} exists`)
    expect(await p.get(`${'e'.repeat(32)}.json`)).toBeDefined()
  })

  it('purge --include-dirty removes dirty entries and warns that Flink will not clean up those jobs', async () => {
    const p = make()
    await withEntries(p)
    // With no HA store to ask, haadm cannot tell whether the Dispatcher is alive: refused without --force.
    const refused = await haadm(['jobs', 'purge', '--jrs-path', p.jrs, '--job', OLD_DIRTY, '--include-dirty', '--yes', '--json'], {env: p.env})
    expect(refused.code).toBe(4)
    expect(await p.get(`${OLD_DIRTY}_DIRTY.json`)).toBeDefined()
    const res = await haadm(['jobs', 'purge', '--jrs-path', p.jrs, '--job', OLD_DIRTY, '--include-dirty', '--force', '--yes', '--json'], {env: p.env})
    expect(res.code, res.stdout).toBe(0)
    expect(res.json.result.plan.dirtyJobIds).toEqual([OLD_DIRTY])
    expect(res.json.result.ha).toMatchObject({status: 'unavailable'})
    expect(res.json.warnings).toEqual([
      `job ${OLD_DIRTY}: removing its dirty entry means Flink will no longer clean up its artifacts`,
      expect.stringMatching(/^could not list what these jobs keep in the HA store \(no ZooKeeper quorum is configured/),
    ])
    expect(await p.get(`${OLD_DIRTY}_DIRTY.json`)).toBeUndefined()
  })

  it("purge --prune-stale-dirs removes the Operator's old directories, keeping the newest and the current one", async () => {
    const current = '7d3c1a6e-4b1f-4a57-9d2e-2b8f0a7c9e11'
    const p = make(`job-result-store/app/${current}`)
    const dir = (n: number) => `0a6e1f4b-0000-4c2d-8e3f-00000000000${n}`
    await p.put(`${CLEAN}.json`, bytes.get(`${CLEAN}.json`)!, 30) // current, but not the newest
    await p.put(`../${dir(1)}/${OLD_CLEAN}.json`, bytes.get(`${OLD_CLEAN}.json`)!, 1)
    await p.put(`../${dir(2)}/${OLD_CLEAN}.json`, bytes.get(`${OLD_CLEAN}.json`)!, 5)
    await p.put(`../${dir(2)}/${CLEAN}.json`, bytes.get(`${CLEAN}.json`)!, 6)
    await p.put(`../${dir(3)}/${OLD_DIRTY}_DIRTY.json`, bytes.get(`${OLD_DIRTY}_DIRTY.json`)!, 10)
    await p.put(`../${dir(4)}/${DIRTY}.json`, bytes.get(`${DIRTY}_DIRTY.json`)!, 40)
    const backup = join(base, `prune-${seq++}.json`)
    const res = await haadm(['jobs', 'purge', '--jrs-path', p.jrs, '--prune-stale-dirs', '--keep', '1', '--yes', '--backup', backup, '--json'], {env: p.env})
    expect(res.code, res.stdout).toBe(0)
    const parent = p.jrs.slice(0, -current.length - 1)
    expect(res.json.result.plan.remove.map((i: any) => i.name)).toEqual([dir(2), dir(4)])
    expect(Object.fromEntries(res.json.result.plan.skip.map((i: any) => [i.name, i.reason]))).toEqual({
      [dir(1)]: 'one of the newest 1 (--keep)',
      [dir(3)]: 'holds 1 dirty entry whose cleanup never finished (--include-dirty removes it)',
      [current]: 'the current job-result-store.storage-path',
    })
    expect(res.json.result.outcome.items).toEqual([
      {kind: 'operator-dir', path: `${parent}/${dir(2)}`, status: 'removed', files: 2},
      {kind: 'operator-dir', path: `${parent}/${dir(4)}`, status: 'removed', files: 1},
    ])
    expect(await p.files()).toEqual([`${current}/${CLEAN}.json`, `${dir(1)}/${OLD_CLEAN}.json`, `${dir(3)}/${OLD_DIRTY}_DIRTY.json`].sort())
    if (kind === 'local') expect(existsSync(join(parent, dir(2)))).toBe(false)
    const doc = JSON.parse(readFileSync(backup, 'utf8'))
    expect(doc.storageFiles.map((f: any) => f.uri).sort()).toEqual([`${parent}/${dir(2)}/${CLEAN}.json`, `${parent}/${dir(2)}/${OLD_CLEAN}.json`, `${parent}/${dir(4)}/${DIRTY}.json`])
    const again = await haadm(['jobs', 'purge', '--jrs-path', p.jrs, '--prune-stale-dirs', '--yes', '--json'], {env: p.env})
    expect(again.code).toBe(0)
    expect(again.json.result.outcome).toMatchObject({removed: 0, failed: 0})
  })

  it('bad input: a missing location is exit 3, a missing path or selector exit 2, and nothing changes', async () => {
    const p = make()
    await withEntries(p)
    const before = await p.files()
    if (kind === 'local') {
      const missing = await haadm(['jobs', 'results', '--jrs-path', `${p.jrs}-nope`, '--json'], {env: p.env})
      expect(missing.code).toBe(3)
      expect(missing.json.error).toMatchObject({code: 'STORAGE_NOT_FOUND', message: `no such file or directory: ${p.jrs}-nope`})
      const purge = await haadm(['jobs', 'purge', '--jrs-path', `${p.jrs}-nope`, '--all', '--yes'], {env: p.env})
      expect(purge.code).toBe(3)
      expect(purge.stderr).toMatch(/^error: no such file or directory: .*\nhint: Check the path/)
    } else {
      const missing = await haadm(['jobs', 'results', '--jrs-path', 's3://no-such-bucket/ha/jrs', '--json'], {env: p.env})
      expect(missing.code).toBe(3)
      expect(missing.json.error).toMatchObject({code: 'STORAGE_NOT_FOUND', message: `bucket no-such-bucket does not exist (endpoint ${server.endpoint})`})
      const mark = await haadm(['jobs', 'mark-clean', DIRTY, '--jrs-path', 's3://no-such-bucket/ha/jrs', '--yes'], {env: p.env})
      expect(mark.code).toBe(3)
      expect(mark.stderr).toContain('error: bucket no-such-bucket does not exist')
      const wrong = await haadm(['jobs', 'purge', '--jrs-path', p.jrs, '--all', '--yes', '--json'], {env: {...p.env, HAADM_S3_ACCESS_KEY: 'WRONG'}})
      expect(wrong.code).toBe(3)
      expect(wrong.json.error).toMatchObject({code: 'STORAGE_FORBIDDEN', message: expect.stringMatching(/^S3 refused to list .*InvalidAccessKeyId/)})
      const down = await haadm(['jobs', 'results', '--jrs-path', p.jrs], {env: {...p.env, HAADM_S3_ENDPOINT: 'http://127.0.0.1:9'}})
      expect(down.code).toBe(3)
      expect(down.stderr).toMatch(/^error: cannot reach S3 at endpoint http:\/\/127.0.0.1:9: ECONNREFUSED\nhint: /)
      const empty = await haadm(['jobs', 'results', '--jrs-path', 's3://flink/nothing/here', '--json'], {env: p.env})
      expect(empty.code).toBe(0)
      expect(empty.json.warnings[0]).toMatch(/^nothing under s3:\/\/flink\/nothing\/here/)
    }
    const noPath = await haadm(['jobs', 'results', '--json'], {env: p.env})
    expect(noPath.code).toBe(2)
    expect(noPath.json.error.code).toBe('JRS_PATH_MISSING')
    const nothing = await haadm(['jobs', 'purge', '--jrs-path', p.jrs, '--yes'], {env: p.env})
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toContain('error: nothing selected')
    const age = await haadm(['jobs', 'purge', '--jrs-path', p.jrs, '--older-than', 'yesterday', '--yes'], {env: p.env})
    expect(age.code).toBe(2)
    const job = await haadm(['jobs', 'purge', '--jrs-path', p.jrs, '--job', '123', '--yes'], {env: p.env})
    expect(job.code).toBe(2)
    expect(await p.files()).toEqual(before)
  })
})

describe('help', () => {
  // Each command's --help: test/e2e/cli.test.ts.
  it('the jobs topic is listed', async () => {
    const res = await haadm(['jobs', '--help'])
    expect(res.code).toBe(0)
    expect(res.stdout).toMatch(/jobs results\s+List JobResultStore entries/)
    expect(res.stdout).toMatch(/jobs mark-clean\s+Mark dirty JobResultStore entries clean/)
    expect(res.stdout).toMatch(/jobs purge\s+Delete JobResultStore entries/)
  })
})
