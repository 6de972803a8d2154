import {describe, expect, it} from 'vitest'
import {JOB_GRAPH_CLASS, STREAM_GRAPH_CLASS, decodeExecutionPlan} from '../../src/codec/index.js'
import {failure, jvmSamples, patch, truncationProblems, value} from '../support/jvm-samples.js'

// submittedJobGraph / submittedExecutionPlan files written by a real JVM with stand-ins of Flink's
// JobGraph and StreamGraph (test/java/stubs/haadm/fixtures/HaFileSamples.java).
const {manifest, sample} = jvmSamples('HaFileSamples')

const PLANS = ['jobgraph-streaming', 'jobgraph-batch-savepoint', 'streamgraph']

describe('decodeExecutionPlan', () => {
  it.each(PLANS)('decodes %s as the JVM wrote it', (name) => {
    const m = manifest[name]!
    expect(value(decodeExecutionPlan(sample(name)))).toEqual({
      className: m['className'],
      kind: (m['className'] as string).slice((m['className'] as string).lastIndexOf('.') + 1),
      jobId: m['jobId'],
      jobName: m['jobName'],
      jobType: m['jobType'],
      savepointPath: m['savepointPath'],
      problems: [],
    })
  })

  it("knows JobGraph's jobID and 2.x StreamGraph's jobId", () => {
    expect(value(decodeExecutionPlan(sample('jobgraph-streaming'))).className).toBe(JOB_GRAPH_CLASS)
    expect(value(decodeExecutionPlan(sample('streamgraph'))).className).toBe(STREAM_GRAPH_CLASS)
    // Non-ASCII job names survive modified UTF-8.
    expect(value(decodeExecutionPlan(sample('jobgraph-streaming'))).jobName).toBe('WordCount über €')
  })

  it('reports an unknown class by name, and a non-object', () => {
    const uuid = failure(decodeExecutionPlan(sample('not-a-plan-uuid')))
    expect(uuid).toMatchObject({code: 'UNEXPECTED', offset: 4})
    expect(uuid.reason).toBe('unknown class java.util.UUID: not a JobGraph or StreamGraph')
    expect(failure(decodeExecutionPlan(sample('checkpoint-file'))).reason).toMatch(/unknown class org\.apache\.flink\.runtime\.checkpoint\.CompletedCheckpoint/)
    expect(failure(decodeExecutionPlan(sample('not-a-plan-string'))).reason).toMatch(/found string/)
    expect(failure(decodeExecutionPlan(sample('counter-11'))).code).toBe('MALFORMED')
  })

  it('keeps decoding when a field is odd, and says which', () => {
    const original = sample('jobgraph-batch-savepoint')
    const noName = value(decodeExecutionPlan(patch(original, 'jobName', 'jobNamf')))
    expect(noName.jobName).toBeNull()
    expect(noName.problems).toContain('JobGraph.jobName is missing')
    expect(noName.jobId).toBe('fedcba9876543210fedcba9876543210')

    const noId = value(decodeExecutionPlan(patch(original, '\x00\x05jobID', '\x00\x05jobIX')))
    expect(noId.jobId).toBeNull()
    expect(noId.problems).toContain('JobGraph.jobID is missing')

    const noType = value(decodeExecutionPlan(patch(original, 'jobType', 'jobTypf')))
    expect(noType.jobType).toBeNull()
    expect(noType.problems).toEqual([])

    const noRestore = value(decodeExecutionPlan(patch(original, 'restorePath', 'restorePatX')))
    expect(noRestore.savepointPath).toBeNull()

    const wrongUid = value(decodeExecutionPlan(patch(original, [0x4a, 0x6f, 0x62, 0x47, 0x72, 0x61, 0x70, 0x68, 0, 0, 0, 0, 0, 0, 0, 1], [0x4a, 0x6f, 0x62, 0x47, 0x72, 0x61, 0x70, 0x68, 0, 0, 0, 0, 0, 0, 0, 2])))
    expect(wrongUid.problems.join()).toMatch(/serialVersionUID 2 differs from Flink's 1/)
  })

  it('returns a typed error for every truncation, never an exception', () => {
    expect(truncationProblems(PLANS.map((n) => [n, sample(n)]), decodeExecutionPlan, {codes: ['TRUNCATED', 'MALFORMED']}).problems).toEqual([])
  })

  it('survives corrupted bytes: every single-byte change gives a typed result', () => {
    for (const name of PLANS) {
      const bytes = sample(name)
      let errors = 0
      for (let i = 0; i < bytes.length; i++) {
        for (const b of [0x00, 0x70, 0x71, 0x7e, 0xff]) {
          const copy = Uint8Array.from(bytes)
          copy[i] = b
          const r = decodeExecutionPlan(copy)
          if (!r.ok) {
            errors++
            expect(r.error.code).not.toBe('INTERNAL')
          } else expect(Array.isArray(r.value.problems)).toBe(true)
        }
      }
      expect(errors).toBeGreaterThan(0)
    }
    expect(failure(decodeExecutionPlan(new Uint8Array(0))).code).toBe('TRUNCATED')
  })
})
