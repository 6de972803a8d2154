import {describe, expect, it} from 'vitest'
import {decodeJacksonBase64, decodeJobResultFile, flinkIdFromHex} from '../../src/codec/job-result.js'

const ID = '3f2a9c1e5b7d4e0fa1b2c3d4e5f60718'
const decode = (text: string) => decodeJobResultFile(new TextEncoder().encode(text))
const wrap = (result: string, extra = '') => `{"result":${result},"version":1${extra}}`
const reason = (text: string) => {
  const d = decode(text)
  return d.ok ? 'ok' : d.error.reason
}

describe('decodeJobResultFile: what Flink writes', () => {
  it('reads a 1.15-2.2 entry', () => {
    const d = decode(wrap(`{"id":"${ID}","application-status":"CANCELED","accumulator-results":{},"net-runtime":134090}`))
    expect(d).toEqual({
      ok: true,
      value: {
        jobId: ID,
        applicationStatus: 'CANCELED',
        netRuntimeMs: 134090,
        accumulatorNames: [],
        failure: null,
        jobName: null,
        applicationId: null,
        startTime: null,
        endTime: null,
        version: 1,
        notes: [],
      },
    })
  })

  it('reads a 2.3 entry: name, application-id, start and end time (-1 is unknown)', () => {
    const d = decode(
      wrap(`{"id":"${ID}","name":"my-job","application-status":"SUCCEEDED","accumulator-results":{"n":"rO0ABXNy"},"net-runtime":5,"application-id":"${'a'.repeat(32)}","start-time":1767000000000,"end-time":-1}`),
    )
    expect(d.ok && d.value).toMatchObject({jobName: 'my-job', applicationId: 'a'.repeat(32), startTime: 1767000000000, endTime: null, accumulatorNames: ['n']})
  })

  it('also reads job-name, and status in any case (Flink upper-cases it)', () => {
    const d = decode(wrap(`{"id":"${ID}","job-name":"x","application-status":"failed","net-runtime":0}`))
    expect(d.ok && d.value).toMatchObject({jobName: 'x', applicationStatus: 'FAILED'})
  })

  it('defaults a missing application-status to UNKNOWN, as Flink', () => {
    const d = decode(wrap(`{"id":"${ID}","net-runtime":1}`))
    expect(d.ok && d.value.applicationStatus).toBe('UNKNOWN')
  })

  it('accepts keys in any order, white space, a trailing newline and a BOM', () => {
    expect(reason(`\ufeff { "version" : 1 ,\n "result" : { "net-runtime" : 7 , "id" : "${ID}" } }\n`)).toBe('ok')
  })

  it('notes data after the object (Jackson ignores trailing tokens) and an odd version', () => {
    const d = decode(`{"result":{"id":"${ID}","net-runtime":1},"version":2} trailing`)
    expect(d.ok && d.value.notes).toEqual(['data after the JSON object (Flink ignores it)', 'version is 2, not 1 (Flink ignores it)'])
  })

  it('takes the JobID as Flink parses it: upper case is folded', () => {
    const d = decode(wrap(`{"id":"${ID.toUpperCase()}","net-runtime":1}`))
    expect(d.ok && d.value.jobId).toBe(ID)
  })
})

describe('decodeJobResultFile: what Flink refuses', () => {
  it.each([
    ['empty file', '', 'not JSON: the file is empty'],
    ['not JSON', 'hello', 'not JSON: unexpected character "h"'],
    ['truncated', wrap(`{"id":"${ID}","net-runtime":1`).slice(0, 40), 'not JSON: unterminated string'],
    ['trailing comma', `{"result":{"id":"${ID}","net-runtime":1,}}`, 'not JSON: expected a field name, found character "}"'],
    ['a leading zero', `{"result":{"id":"${ID}","net-runtime":01}}`, 'not JSON: malformed number "01"'],
    ['an array', '[]', 'expected a JSON object, found an array'],
    ['unknown top-level key', wrap(`{"id":"${ID}","net-runtime":1}`, ',"extra":true'), 'unknown top-level key "extra": Flink\'s reader fails on it (only "result" and "version" are allowed)'],
    ['no result', '{"version":1}', 'no "result" key'],
    ['result null', '{"result":null,"version":1}', 'result is null'],
    ['result not an object', '{"result":"x","version":1}', 'result: expected an object, found a string'],
    ['no id', wrap('{"net-runtime":1}'), 'result has no id: Flink cannot build a JobResult without a job id'],
    ['id not a string', wrap('{"id":12,"net-runtime":1}'), 'result.id: expected a string, found an integer'],
    ['id not hex', wrap('{"id":"xyz","net-runtime":1}'), 'result.id "xyz" is not a job id (32 hex characters)'],
    ['no net-runtime', wrap(`{"id":"${ID}"}`), 'result has no net-runtime: Flink requires one (>= 0)'],
    ['net-runtime negative', wrap(`{"id":"${ID}","net-runtime":-5}`), 'result.net-runtime -5 is negative'],
    ['net-runtime a decimal', wrap(`{"id":"${ID}","net-runtime":1.0}`), 'result.net-runtime: expected an integer, found a decimal number'],
    ['net-runtime a string', wrap(`{"id":"${ID}","net-runtime":"1"}`), 'result.net-runtime: expected an integer, found a string'],
    ['net-runtime beyond a long', wrap(`{"id":"${ID}","net-runtime":9223372036854775808}`), 'result.net-runtime 9223372036854775808 is out of the range of a long'],
    ['unknown status', wrap(`{"id":"${ID}","application-status":"RUNNING","net-runtime":1}`), 'result.application-status "RUNNING" is not one of SUCCEEDED, FAILED, CANCELED, UNKNOWN'],
    ['accumulators not an object', wrap(`{"id":"${ID}","accumulator-results":[],"net-runtime":1}`), 'result.accumulator-results: expected an object, found an array'],
    ['accumulator not base64', wrap(`{"id":"${ID}","accumulator-results":{"a":"!!"},"net-runtime":1}`), 'result.accumulator-results.a is not base64'],
    ['an unknown key with an object value', wrap(`{"id":"${ID}","x":{"y":1},"net-runtime":1}`), "result holds a key Flink does not know whose value is an object; Flink's reader cannot skip it"],
    ['an unknown key with a null value', wrap(`{"id":"${ID}","x":null,"net-runtime":1}`), "result holds a key Flink does not know whose value is null; Flink's reader cannot skip it"],
    ['a value that names a key', wrap(`{"id":"${ID}","x":"net-runtime","net-runtime":1}`), 'result: the value "net-runtime" of an unknown key is read by Flink as the key "net-runtime"'],
    ['a 2.3 key typed wrong', wrap(`{"id":"${ID}","start-time":"soon","net-runtime":1}`), 'result.start-time: expected an integer, found a string (Flink 2.3+ reads it)'],
    ['failure-cause without serialized-throwable', wrap(`{"id":"${ID}","net-runtime":1,"failure-cause":{"class":"x"}}`), 'result.failure-cause has no serialized-throwable: Flink cannot read the failure back'],
    ['failure-cause not Java', wrap(`{"id":"${ID}","net-runtime":1,"failure-cause":{"serialized-throwable":"AAAA"}}`), 'result.failure-cause.serialized-throwable is not a Java-serialized object: '],
  ])('%s', (_name, text, expected) => {
    const d = decode(text)
    expect(d.ok).toBe(false)
    if (!d.ok) expect(d.error.reason.startsWith(expected), d.error.reason).toBe(true)
  })

  it('reports invalid UTF-8', () => {
    const d = decodeJobResultFile(new Uint8Array([0x7b, 0xff, 0x7d]))
    expect(d.ok || d.error.reason).toBe('not JSON: the file is not UTF-8 text')
  })

  it('never throws on deep nesting', () => {
    const deep = `{"result":${'['.repeat(5000)}`
    expect(decode(deep).ok).toBe(false)
  })
})

describe('helpers', () => {
  it('flinkIdFromHex mirrors JobID.fromHexString', () => {
    expect(flinkIdFromHex(ID)).toBe(ID)
    expect(flinkIdFromHex(`${ID}f`)).toBe(ID) // 33 chars: hexStringToByte ignores the last one
    expect(flinkIdFromHex(ID.slice(0, 30))).toBeUndefined()
    expect(flinkIdFromHex(`zz${ID.slice(2)}`)).toBeUndefined()
  })

  it('decodeJacksonBase64 wants padding and the standard alphabet', () => {
    expect(decodeJacksonBase64('rO0ABQ==')).toEqual(new Uint8Array([0xac, 0xed, 0x00, 0x05]))
    expect(decodeJacksonBase64('rO0ABQ')).toBeUndefined()
    expect(decodeJacksonBase64('rO0A_Q==')).toBeUndefined()
  })
})
