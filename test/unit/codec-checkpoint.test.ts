import {describe, expect, it} from 'vitest'
import {
  COMPLETED_CHECKPOINT_CLASS,
  checkpointEntryName,
  checkpointIdFromName,
  decodeCheckpointIdCounter,
  decodeCompletedCheckpoint,
  formatJobId,
  parseCheckpointIdCounterText,
} from '../../src/codec/index.js'
import {failure, jvmSamples, patch, truncationProblems, value} from '../support/jvm-samples.js'

// completedCheckpoint<12 hex> files and checkpoint_id_counter bytes written by a real JVM with
// stand-ins of Flink's classes (test/java/stubs/haadm/fixtures/HaFileSamples.java).
const {manifest, sample} = jvmSamples('HaFileSamples')

const CHECKPOINTS = ['checkpoint-file', 'checkpoint-s3', 'checkpoint-first']

describe('decodeCompletedCheckpoint', () => {
  it.each(CHECKPOINTS)('decodes %s as the JVM wrote it', (name) => {
    const m = manifest[name]!
    const info = value(decodeCompletedCheckpoint(sample(name)))
    expect(info).toMatchObject({
      className: COMPLETED_CHECKPOINT_CLASS,
      jobId: m['jobId'],
      checkpointId: Number(m['checkpointId']),
      triggerTimestamp: Number(m['timestamp']),
      completionTimestamp: Number(m['completionTimestamp']),
      externalPointer: m['externalPointer'],
      checkpointType: m['checkpointType'],
      problems: [],
    })
    expect(info.metadataPath).toBe(`${m['externalPointer']}/_metadata`)
  })

  it('formats the JobID as Flink prints it: lowerPart then upperPart', () => {
    expect(formatJobId(0x0123456789abcdefn, 0x00112233445566ffn)).toBe('0123456789abcdef00112233445566ff')
    expect(formatJobId(-1n, -0x7fffffffffffffffn)).toBe('ffffffffffffffff8000000000000001')
    expect(value(decodeCompletedCheckpoint(sample('checkpoint-s3'))).jobId).toBe('ffffffffffffffff8000000000000001')
  })

  it('reads the completion time from the duration that Flink before 1.14 kept', () => {
    const legacy = sample('checkpoint-legacy-duration')
    // The stand-in has another class name (it lives beside the 1.16+ stub): splice Flink's in.
    const from = Buffer.from(manifest['checkpoint-legacy-duration']!['className'] as string)
    const to = Buffer.from(COMPLETED_CHECKPOINT_CLASS)
    const buf = Buffer.from(legacy)
    const at = buf.indexOf(from)
    expect(buf.readUInt16BE(at - 2)).toBe(from.length)
    const spliced = Buffer.concat([buf.subarray(0, at - 2), Buffer.from([to.length >> 8, to.length & 0xff]), to, buf.subarray(at + from.length)])
    expect(value(decodeCompletedCheckpoint(new Uint8Array(spliced)))).toMatchObject({
      checkpointId: 5,
      triggerTimestamp: 1600000000000,
      completionTimestamp: 1600000000777,
      externalPointer: 'hdfs://nn/ckpt/chk-5',
      checkpointType: 'Checkpoint',
      metadataPath: null,
      problems: [],
    })
    expect(failure(decodeCompletedCheckpoint(legacy)).reason).toMatch(/unknown class haadm\.fixtures\.LegacyCompletedCheckpoint/)
  })

  it('reports a class that is not a CompletedCheckpoint, by name', () => {
    const uuid = failure(decodeCompletedCheckpoint(sample('not-a-plan-uuid')))
    expect(uuid).toMatchObject({code: 'UNEXPECTED', offset: 4})
    expect(uuid.reason).toMatch(/unknown class java\.util\.UUID/)
    expect(failure(decodeCompletedCheckpoint(sample('jobgraph-streaming'))).reason).toMatch(/unknown class org\.apache\.flink\.runtime\.jobgraph\.JobGraph/)
    expect(failure(decodeCompletedCheckpoint(sample('not-a-plan-string'))).reason).toMatch(/found string/)
  })

  it('keeps decoding when one field is odd, and says which', () => {
    const original = sample('checkpoint-file')
    const renamed = value(decodeCompletedCheckpoint(patch(original, 'checkpointID', 'checkpointIX')))
    expect(renamed.checkpointId).toBeNull()
    expect(renamed.problems).toContain('CompletedCheckpoint.checkpointID is missing')
    expect(renamed.externalPointer).toBe(manifest['checkpoint-file']!['externalPointer'])

    const noCompletion = value(decodeCompletedCheckpoint(patch(original, 'completionTimestamp', 'completionTimestamX')))
    expect(noCompletion.completionTimestamp).toBeNull()
    expect(noCompletion.problems.join()).toMatch(/neither completionTimestamp nor duration/)

    const wrongUid = value(decodeCompletedCheckpoint(patch(original, [0x8b, 0xfa, 0x6e, 0x93, 0x3b, 0xe6, 0x64, 0x02], [0x8b, 0xfa, 0x6e, 0x93, 0x3b, 0xe6, 0x64, 0x03])))
    expect(wrongUid.problems.join()).toMatch(/serialVersionUID .* differs from Flink's -8360248179615702014/)
    expect(wrongUid.checkpointId).toBe(42)

    const badJob = value(decodeCompletedCheckpoint(patch(original, 'lowerPart', 'lowerPars')))
    expect(badJob.jobId).toBeNull()
    expect(badJob.problems.join()).toMatch(/CompletedCheckpoint\.job .* has no long fields lowerPart and upperPart/)
  })

  it('returns a typed error for every truncation, never an exception', () => {
    const codes = ['TRUNCATED', 'MALFORMED']
    expect(truncationProblems(CHECKPOINTS.map((n) => [n, sample(n)]), decodeCompletedCheckpoint, {codes}).problems).toEqual([])
  })

  it('survives corrupted bytes: every single-byte change gives a typed result', () => {
    const bytes = sample('checkpoint-file')
    let errors = 0
    for (let i = 0; i < bytes.length; i++) {
      for (const b of [0x00, 0x70, 0x71, 0x7a, 0xff]) {
        const copy = Uint8Array.from(bytes)
        copy[i] = b
        const r = decodeCompletedCheckpoint(copy)
        if (!r.ok) {
          errors++
          expect(r.error.code).not.toBe('INTERNAL')
          expect(typeof r.error.reason).toBe('string')
        } else expect(Array.isArray(r.value.problems)).toBe(true)
      }
    }
    expect(errors).toBeGreaterThan(0)
    expect(failure(decodeCompletedCheckpoint(new Uint8Array(0))).code).toBe('TRUNCATED')
    expect(failure(decodeCompletedCheckpoint(Uint8Array.from([...bytes, 0x70]))).code).toBe('TRAILING_DATA')
  })
})

describe('checkpoint id counter and entry names', () => {
  it.each([1, 11, 2147483647, -1])('decodes the SharedCount bytes of %i', (v) => {
    const name = `counter-${v < 0 ? 'minus1' : v}`
    expect(manifest[name]!['value']).toBe(v)
    expect(decodeCheckpointIdCounter(sample(name))).toEqual({ok: true, value: v})
  })

  it('rejects counters that are not exactly 4 bytes', () => {
    expect(failure(decodeCheckpointIdCounter(Uint8Array.from([0, 0, 1]))).code).toBe('TRUNCATED')
    expect(failure(decodeCheckpointIdCounter(Uint8Array.from([0, 0, 0, 1, 0]))).reason).toMatch(/5 byte\(s\), expected 4/)
    expect(failure(decodeCheckpointIdCounter(new Uint8Array(0))).code).toBe('TRUNCATED')
  })

  it('reads the Kubernetes decimal counter', () => {
    expect(parseCheckpointIdCounterText('42')).toEqual({ok: true, value: 42})
    expect(parseCheckpointIdCounterText('4x2').ok).toBe(false)
    expect(parseCheckpointIdCounterText('99999999999999999999').ok).toBe(false)
  })

  it('parses entry names as Flink does (optional slash, Long.parseLong) and writes %019d', () => {
    expect(checkpointEntryName(42)).toBe('0000000000000000042')
    expect(checkpointIdFromName('0000000000000000042')).toEqual({ok: true, value: 42})
    expect(checkpointIdFromName('/0000000000000000007')).toEqual({ok: true, value: 7})
    expect(checkpointIdFromName('17')).toEqual({ok: true, value: 17})
    expect(checkpointIdFromName('locks').ok).toBe(false)
    expect(checkpointIdFromName('').ok).toBe(false)
    expect(failure(checkpointIdFromName('99999999999999999999')).reason).toMatch(/out of range for a long/)
    expect(failure(checkpointIdFromName('9223372036854775807')).code).toBe('LIMIT')
    for (const id of [0, 1, 123456789, 2147483647]) expect(checkpointIdFromName(checkpointEntryName(id))).toEqual({ok: true, value: id})
  })
})
