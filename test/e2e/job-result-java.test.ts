// The decoder against a JVM: files written the way Flink writes them (Jackson, JDK serialization)
// must decode to what was written, and for a corpus of odd files haadm's verdict (readable or
// not) must match Jackson running Flink's JobResultDeserializer loop, for both reader generations.

import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {decodeJobResultFile} from '../../src/codec/job-result.js'
import {readLikeFlink, writeJrsFiles, type JrsSpec} from './job-result-java.js'

const dir = mkdtempSync(join(tmpdir(), 'haadm-jrs-java-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const ID = '3f2a9c1e5b7d4e0fa1b2c3d4e5f60718'
const APP = '0123456789abcdef0123456789abcdef'

describe('files Flink writes', () => {
  const specs: JrsSpec[] = [
    {file: `${ID}_DIRTY.json`, id: ID, status: 'FAILED', netRuntime: 134090, failure: 'Kafka broker went away: ünïcödé "quoted"\ttab'},
    {file: `${'0'.repeat(31)}1.json`, id: `${'0'.repeat(31)}1`, status: 'SUCCEEDED', netRuntime: 0, accumulators: {records: 42, bytes: 7}},
    {file: `${'0'.repeat(31)}2_DIRTY.json`, id: `${'0'.repeat(31)}2`, layout: '2.3', status: 'CANCELED', netRuntime: 5, name: 'my job', applicationId: APP, startTime: 1767000000000, endTime: 1767000000005},
    {file: `${'0'.repeat(31)}3_DIRTY.json`, id: `${'0'.repeat(31)}3`, layout: '2.3', status: 'FAILED', netRuntime: 9, failure: 'boom'},
  ]
  writeJrsFiles(dir, specs)

  it('are compact JSON {"result":{...},"version":1} with no trailing newline', () => {
    for (const s of specs) {
      const text = readFileSync(join(dir, s.file), 'utf8')
      expect(text.startsWith(`{"result":{"id":"${s.id}"`)).toBe(true)
      expect(text.endsWith('},"version":1}')).toBe(true)
      expect(text).not.toMatch(/\n$|\n {2}/)
    }
  })

  it('decode to exactly what was written, failure causes included', () => {
    const decoded = new Map(specs.map((s) => [s.file, decodeJobResultFile(readFileSync(join(dir, s.file)))]))
    const v = (f: string) => {
      const d = decoded.get(f)!
      if (!d.ok) throw new Error(d.error.reason)
      return d.value
    }
    expect(v(specs[0].file)).toMatchObject({
      jobId: ID,
      applicationStatus: 'FAILED',
      netRuntimeMs: 134090,
      failure: {
        className: 'org.apache.flink.runtime.JobException',
        originalClassName: 'org.apache.flink.runtime.JobException',
        message: 'Recovery is suppressed by NoRestartBackoffTimeStrategy',
        summary: 'org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy',
      },
      jobName: null,
      notes: [],
    })
    expect(v(specs[1].file)).toMatchObject({applicationStatus: 'SUCCEEDED', netRuntimeMs: 0, accumulatorNames: ['records', 'bytes'], failure: null})
    expect(v(specs[2].file)).toMatchObject({applicationStatus: 'CANCELED', jobName: 'my job', applicationId: APP, startTime: 1767000000000, endTime: 1767000000005})
    expect(v(specs[3].file)).toMatchObject({jobName: 'unknown', failure: {originalClassName: 'org.apache.flink.runtime.JobException'}})
  })

  it('are read by the JVM too (the fixture reads what it writes)', () => {
    for (const generation of ['pre-2.3', '2.3'] as const) {
      const res = readLikeFlink(generation, specs.map((s) => join(dir, s.file)))
      expect(res.map((r) => r.ok)).toEqual(specs.map(() => true))
    }
  })
})

describe('haadm refuses exactly what Flink refuses', () => {
  const w = (result: string, extra = '') => `{"result":${result},"version":1${extra}}`
  const st = Buffer.from(readFileSync(join(dir, `${ID}_DIRTY.json`), 'utf8').match(/"serialized-throwable":"([^"]+)"/)![1], 'base64').toString('base64')
  const corpus: Record<string, string> = {
    'valid-1x': w(`{"id":"${ID}","application-status":"FAILED","accumulator-results":{},"net-runtime":1}`),
    'valid-23': w(`{"id":"${ID}","name":"n","application-status":"FAILED","accumulator-results":{},"net-runtime":1,"application-id":"${APP}","start-time":1,"end-time":-1}`),
    'valid-failure': w(`{"id":"${ID}","net-runtime":1,"failure-cause":{"class":"x","stack-trace":"y","serialized-throwable":"${st}"}}`),
    'failure-not-serialized-throwable': w(`{"id":"${ID}","net-runtime":1,"failure-cause":{"serialized-throwable":"rO0ABXQAAWE="}}`),
    'failure-garbage': w(`{"id":"${ID}","net-runtime":1,"failure-cause":{"serialized-throwable":"AAAA"}}`),
    'failure-no-blob': w(`{"id":"${ID}","net-runtime":1,"failure-cause":{"class":"x"}}`),
    'failure-blob-number': w(`{"id":"${ID}","net-runtime":1,"failure-cause":{"serialized-throwable":5}}`),
    'failure-not-object': w(`{"id":"${ID}","net-runtime":1,"failure-cause":"x"}`),
    'unknown-object': w(`{"id":"${ID}","x":{"a":1},"net-runtime":1}`),
    'unknown-array': w(`{"id":"${ID}","x":[1],"net-runtime":1}`),
    'unknown-null': w(`{"id":"${ID}","x":null,"net-runtime":1}`),
    'unknown-scalars': w(`{"id":"${ID}","x":true,"y":1.5,"z":"q","net-runtime":1}`),
    'unknown-value-id': w(`{"id":"${ID}","x":"id","net-runtime":1}`),
    'unknown-value-start-time': w(`{"id":"${ID}","x":"start-time","net-runtime":1}`),
    'job-named-id': w(`{"id":"${ID}","name":"id","application-status":"FAILED","net-runtime":1}`),
    'id-upper': w(`{"id":"${ID.toUpperCase()}","net-runtime":1}`),
    'id-33': w(`{"id":"${ID}0","net-runtime":1}`),
    'id-30': w(`{"id":"${ID.slice(2)}","net-runtime":1}`),
    'id-number': w(`{"id":1,"net-runtime":1}`),
    'id-duplicate': w(`{"id":"zz","id":"${ID}","net-runtime":1}`),
    'no-id': w('{"net-runtime":1}'),
    'runtime-float': w(`{"id":"${ID}","net-runtime":1.0}`),
    'runtime-exp': w(`{"id":"${ID}","net-runtime":1e3}`),
    'runtime-string': w(`{"id":"${ID}","net-runtime":"1"}`),
    'runtime-negative': w(`{"id":"${ID}","net-runtime":-1}`),
    'runtime-huge': w(`{"id":"${ID}","net-runtime":9223372036854775808}`),
    'runtime-missing': w(`{"id":"${ID}"}`),
    'status-lower': w(`{"id":"${ID}","application-status":"canceled","net-runtime":1}`),
    'status-bad': w(`{"id":"${ID}","application-status":"RUNNING","net-runtime":1}`),
    'status-number': w(`{"id":"${ID}","application-status":1,"net-runtime":1}`),
    'acc-bad-base64': w(`{"id":"${ID}","accumulator-results":{"a":"!!"},"net-runtime":1}`),
    'acc-number': w(`{"id":"${ID}","accumulator-results":{"a":5},"net-runtime":1}`),
    'acc-array': w(`{"id":"${ID}","accumulator-results":[],"net-runtime":1}`),
    'start-time-string': w(`{"id":"${ID}","start-time":"soon","net-runtime":1}`),
    'name-number': w(`{"id":"${ID}","name":5,"net-runtime":1}`),
    'application-id-bad': w(`{"id":"${ID}","application-id":"zz","net-runtime":1}`),
    'top-extra': w(`{"id":"${ID}","net-runtime":1}`, ',"extra":1'),
    'top-version-object': `{"result":{"id":"${ID}","net-runtime":1},"version":{"a":[1]}}`,
    'no-version': `{"result":{"id":"${ID}","net-runtime":1}}`,
    'no-result': '{"version":1}',
    'result-null': '{"result":null}',
    'result-string': '{"result":"x","version":1}',
    'trailing-garbage': `${w(`{"id":"${ID}","net-runtime":1}`)}}}garbage`,
    'trailing-newline': `${w(`{"id":"${ID}","net-runtime":1}`)}\n`,
    'not-json': 'hello',
    'empty': '',
    'array': '[]',
    'trailing-comma': `{"result":{"id":"${ID}","net-runtime":1,},"version":1}`,
    'escapes': w(`{"id":"\\u0033f2a9c1e5b7d4e0fa1b2c3d4e5f60718","name":"\\"\\u00e9\\n","net-runtime":1}`),
  }
  const names = Object.keys(corpus)
  for (const n of names) writeFileSync(join(dir, `${n}.json`), corpus[n])
  const files = names.map((n) => join(dir, `${n}.json`))
  const pre = readLikeFlink('pre-2.3', files)
  const v23 = readLikeFlink('2.3', files)

  it.each(names.map((n, i) => [n, i] as const))('%s', (n, i) => {
    const flinkReads = pre[i].ok && v23[i].ok
    const d = decodeJobResultFile(readFileSync(files[i]))
    const why = `haadm: ${d.ok ? 'ok' : d.error.reason}; Flink<2.3: ${pre[i].ok ? 'ok' : pre[i].error}; Flink 2.3: ${v23[i].ok ? 'ok' : v23[i].error}`
    expect(d.ok, why).toBe(flinkReads)
    if (d.ok && pre[i].ok) expect(d.value.jobId, why).toBe(pre[i].id)
  })
})
