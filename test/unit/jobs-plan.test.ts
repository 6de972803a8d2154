import {describe, expect, it} from 'vitest'
import {planMarkClean} from '../../src/ops/jrs/mark-clean-plan.js'
import {planPurge} from '../../src/ops/jrs/purge-plan.js'
import {entryRecord, jobResultEntries, jobResultStoreReport, operatorDirRecords, type ScannedFile} from '../../src/ops/jrs/records.js'
import type {JrsScan, ScannedOperatorDir} from '../../src/ops/jrs/scan.js'
import {decodeJobResultFile} from '../../src/codec/job-result.js'

const A = 'a'.repeat(32)
const B = 'b'.repeat(32)
const C = 'c'.repeat(32)
const now = new Date('2026-06-01T00:00:00Z')
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString()

function file(name: string, content: string, mtime: string): ScannedFile {
  const bytes = new TextEncoder().encode(content)
  return {uri: `/jrs/${name}`, name, size: bytes.length, mtime, decoded: decodeJobResultFile(bytes)}
}
const entry = (id: string, status = 'SUCCEEDED') => `{"result":{"id":"${id}","application-status":"${status}","accumulator-results":{},"net-runtime":10},"version":1}`

function scan(files: ScannedFile[], operatorDirs: ScannedOperatorDir[] = []): JrsScan {
  return {path: '/jrs', clusterDir: '/jrs', layout: 'flat', scannedAt: now.toISOString(), entries: files.map(entryRecord), others: [], operatorDirs}
}

describe('records', () => {
  const s = scan([
    file(`${A}_DIRTY.json`, entry(A, 'FAILED'), daysAgo(1)),
    file(`${B}.json`, entry(B), daysAgo(10)),
    file(`${C}.json`, entry(A), daysAgo(5)),
    file('not-an-id_DIRTY.json', entry(B), daysAgo(3)),
    file(`${C}_DIRTY.json`, 'garbage', daysAgo(2)),
    {uri: `/jrs/${B}_DIRTY.json`, name: `${B}_DIRTY.json`, size: 10, mtime: daysAgo(0), readError: 'permission denied'},
  ])

  it('lists every file oldest first, with state, status and problems', () => {
    const r = jobResultEntries(s)
    expect(r.map((e) => [e.file, e.jobId, e.state, e.valid])).toEqual([
      [`${B}.json`, B, 'clean', true],
      [`${C}.json`, C, 'clean', false],
      ['not-an-id_DIRTY.json', B, 'dirty', false],
      [`${C}_DIRTY.json`, C, 'dirty', false],
      [`${A}_DIRTY.json`, A, 'dirty', true],
      [`${B}_DIRTY.json`, B, 'dirty', false],
    ])
    const byFile = new Map(r.map((e) => [e.file, e]))
    expect(byFile.get(`${C}.json`)!.problem).toBe(`the name says job ${C} but the file holds job ${A}`)
    expect(byFile.get('not-an-id_DIRTY.json')!.problem).toMatch(/^the name is not <jobId>_DIRTY.json: Flink still recovers it/)
    expect(byFile.get(`${C}_DIRTY.json`)!.problem).toMatch(/^not JSON/)
    expect(byFile.get(`${B}_DIRTY.json`)!.problem).toBe('cannot read: permission denied')
    expect(byFile.get(`${A}_DIRTY.json`)).toMatchObject({applicationStatus: 'FAILED', netRuntimeMs: 10, problem: null})
  })

  it('filters by state, status, job and age', () => {
    const ctx = {pathFrom: 'x', deleteOnCommit: true, deleteOnCommitFrom: 'default', now}
    const pick = (filter: object) => jobResultStoreReport(s, {...ctx, filter}).entries.map((e) => e.file)
    expect(pick({state: 'clean'})).toEqual([`${B}.json`, `${C}.json`])
    expect(pick({statuses: ['FAILED']})).toEqual([`${A}_DIRTY.json`])
    expect(pick({jobIds: [B]})).toEqual([`${B}.json`, 'not-an-id_DIRTY.json', `${B}_DIRTY.json`])
    expect(pick({olderThanMs: 4 * 86_400_000})).toEqual([`${B}.json`, `${C}.json`])
    const r = jobResultStoreReport(s, {...ctx, filter: {state: 'dirty'}})
    expect(r.counts).toEqual({total: 6, shown: 4, dirty: 4, clean: 0, problems: 3})
  })
})

describe('planPurge', () => {
  const entries = jobResultEntries(
    scan([file(`${A}_DIRTY.json`, entry(A), daysAgo(40)), file(`${B}.json`, entry(B), daysAgo(40)), file(`${C}.json`, entry(C), daysAgo(1))]),
  )
  const base = {includeDirty: false, pruneStaleDirs: false, keep: 1, now}

  it('removes clean entries the filters select and keeps dirty ones', () => {
    const plan = planPurge(entries, [], {...base, olderThanMs: 30 * 86_400_000})
    expect(plan.remove.map((i) => i.path)).toEqual([`/jrs/${B}.json`])
    expect(plan.skip.map((i) => [i.path, i.reason])).toEqual([[`/jrs/${A}_DIRTY.json`, "dirty: Flink's cleanup of this job is pending (--include-dirty removes it)"]])
    expect(plan.dirtyJobIds).toEqual([])
    expect(plan.notSelected).toEqual({count: 1, reasons: {'newer than --older-than': 1}})
  })

  it('removes dirty entries only with --include-dirty, and names their jobs', () => {
    const plan = planPurge(entries, [], {...base, all: true, includeDirty: true})
    expect(plan.remove.map((i) => i.path).sort()).toEqual([`/jrs/${A}_DIRTY.json`, `/jrs/${B}.json`, `/jrs/${C}.json`])
    expect(plan.dirtyJobIds).toEqual([A])
  })

  it('--job narrows, and nothing is selected without a selector', () => {
    const narrowed = planPurge(entries, [], {...base, jobIds: [C]})
    expect(narrowed.remove.map((i) => i.path)).toEqual([`/jrs/${C}.json`])
    expect(narrowed.notSelected).toEqual({count: 2, reasons: {'another job than --job': 2}})
    expect(planPurge(entries, [], base)).toEqual({remove: [], skip: [], dirtyJobIds: [], selectsEntries: false, notSelected: {count: 0, reasons: {}}})
  })

  it('prunes Operator directories: keeps the newest n and the current one; dirty ones only with --include-dirty', () => {
    const dir = (name: string, days: number | null, dirty: string[] = [], current = false): ScannedOperatorDir => ({
      uri: `/c/${name}`, name, files: 2, dirtyJobIds: dirty, bytes: 20, newest: days === null ? null : daysAgo(days), current,
    })
    const dirs = operatorDirRecords([dir('d1', 30), dir('d2', 1), dir('d3', 10, [A]), dir('d4', 20, [], true), dir('d5', null)])
    const plan = planPurge([], dirs, {...base, pruneStaleDirs: true, keep: 1})
    expect(plan.remove.map((i) => i.path)).toEqual(['/c/d1', '/c/d5'])
    expect(Object.fromEntries(plan.skip.map((i) => [i.path, i.reason]))).toEqual({
      '/c/d2': 'one of the newest 1 (--keep)',
      '/c/d3': 'holds 1 dirty entry whose cleanup never finished (--include-dirty removes it)',
      '/c/d4': 'the current job-result-store.storage-path',
    })
    const all = planPurge([], dirs, {...base, pruneStaleDirs: true, keep: 2, includeDirty: true})
    expect(all.remove.map((i) => i.path)).toEqual(['/c/d1', '/c/d5'])
    expect(all.skip.map((i) => i.path)).toEqual(['/c/d2', '/c/d3', '/c/d4'])
    const keep1 = planPurge([], dirs, {...base, pruneStaleDirs: true, keep: 1, includeDirty: true})
    expect(keep1.remove.map((i) => i.path)).toEqual(['/c/d3', '/c/d1', '/c/d5'])
    expect(keep1.dirtyJobIds).toEqual([A])
  })
})

describe('planMarkClean mirrors markResultAsClean', () => {
  const f = {path: 'p', size: 3, mtime: null}
  const input = (dirty: boolean, clean: boolean) => ({jobId: A, dirtyPath: `/j/${A}_DIRTY.json`, cleanPath: `/j/${A}.json`, dirty: dirty ? f : undefined, clean: clean ? f : undefined})
  it.each([
    [true, false, true, 'delete'],
    [true, false, false, 'rename'],
    [false, true, true, 'already-clean'],
    [true, true, false, 'already-clean'],
    [false, false, true, 'missing'],
  ] as const)('dirty=%s clean=%s delete-on-commit=%s: %s', (dirty, clean, doc, action) => {
    const [a] = planMarkClean([input(dirty, clean)], doc)
    expect(a.action).toBe(action)
    expect(a.warning !== null).toBe(dirty && clean)
  })
})
