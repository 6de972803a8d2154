import {mkdtempSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {setDeadlineIn} from '../../src/deadline.js'
import {HaadmError} from '../../src/errors.js'
import {jobResultRows, readJobResults} from '../../src/ops/jrs/results.js'
import type {ReportContext} from '../../src/ops/jrs/records.js'
import {LocalStorage} from '../../src/storage/local.js'

const ID = (n: number) => n.toString(16).padStart(32, '0')
const entry = (n: number) => JSON.stringify({result: {id: ID(n), 'application-status': 'SUCCEEDED', 'accumulator-results': {}, 'net-runtime': 10 + n}, version: 1})
const ctx = (filter: ReportContext['filter'] = {}): ReportContext => ({pathFrom: 'test', deleteOnCommit: true, deleteOnCommitFrom: 'default', filter, now: new Date()})

describe('readJobResults (jobs results, local)', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'haadm-jrs-results-'))
    // Written out of order; times oldest first: 3, 1, 2, bad.
    for (const [name, text, t] of [
      [`${ID(1)}.json`, entry(1), 2000],
      [`${ID(2)}_DIRTY.json`, entry(2), 3000],
      [`${ID(3)}.json`, entry(3), 1000],
      [`${ID(4)}.json`, '{"result":', 4000],
    ] as const) {
      writeFileSync(join(dir, name), text)
      utimesSync(join(dir, name), t, t)
    }
    writeFileSync(join(dir, 'README'), 'not an entry')
    mkdirSync(join(dir, 'sub'))
    // A dangling symlink: gone for Flink as for the listing.
    symlinkSync(join(dir, 'nowhere.json'), join(dir, `${ID(5)}.json`))
  })
  afterEach(() => {
    setDeadlineIn(undefined)
    rmSync(dir, {recursive: true, force: true})
  })

  it('reads the entries oldest first, filtered and counted batch by batch', async () => {
    const r = await readJobResults(new LocalStorage(), dir, ctx({state: 'clean'}))
    expect(r.found).toBe(6)
    expect(r.others.map((o) => o.name)).toEqual(['README', 'sub'])
    const shown: string[] = []
    for await (const b of r.batches()) for (const e of b.shown) shown.push(e.file)
    expect(shown).toEqual([`${ID(3)}.json`, `${ID(1)}.json`, `${ID(4)}.json`])
    expect(r.counts).toEqual({total: 4, shown: 3, dirty: 0, clean: 3, problems: 1})
    expect(await r.operatorDirs()).toEqual([])
  })

  it('keeps a compact row per shown entry for the text', async () => {
    const r = await readJobResults(new LocalStorage(), dir, ctx())
    const rows = [...(await jobResultRows(r))]
    expect(rows.map((e) => [e.jobId, e.state, e.valid, e.netRuntimeMs])).toEqual([
      [ID(3), 'clean', true, 13],
      [ID(1), 'clean', true, 11],
      [ID(2), 'dirty', true, 12],
      [ID(4), 'clean', false, null],
    ])
    expect(rows[0].path).toBe(join(dir, `${ID(3)}.json`))
  })

  it('stops with DEADLINE_EXCEEDED (exit 3) once the run\'s deadline has passed', async () => {
    const r = await readJobResults(new LocalStorage(), dir, ctx())
    setDeadlineIn(1)
    await new Promise((resolve) => setTimeout(resolve, 5))
    const err = await (async () => {
      for await (const _ of r.batches());
    })().catch((e) => e)
    expect(err).toBeInstanceOf(HaadmError)
    expect(err.code).toBe('DEADLINE_EXCEEDED')
    expect(err.exit).toBe(3)
    expect(err.message).toContain('0 of 4 entries read')
  })
})
