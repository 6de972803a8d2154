import {beforeAll, describe, expect, it} from 'vitest'
import {type DecodeResult, decodeLeaderInformation, decodeStateHandlePointer, readJavaStream} from '../../src/codec/index.js'
import {jvmSamples} from '../support/jvm-samples.js'
import {prng} from '../support/prng.js'

// Mutation fuzzing of the three decoders, seeded from real JVM streams. Every input must produce a
// typed result (never an exception, never an INTERNAL error), quickly, whatever lengths it claims.

const jvm = jvmSamples('SerializationSamples')
let samples: {name: string; bytes: Uint8Array}[] = []
beforeAll(() => {
  samples = Object.keys(jvm.manifest).map((name) => ({name, bytes: jvm.sample(name)}))
})

const SEED = Number(process.env['HAADM_FUZZ_SEED'] ?? 0x5eed_2024)
const ITERATIONS = 3000
// Not a speed target (those are benchmarks): a guard against inputs whose claimed lengths make a
// decoder loop or allocate without bound. Generous, so a slow machine does not fail it.
const PER_CALL_MS = 500

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, ...Array.from({length: 15}, (_, i) => 0x70 + i)]
const LENGTH_CODES = new Set([0x74, 0x7c, 0x77, 0x7a, 0x75, 0x71])
const HUGE: number[][] = [
  [0xff, 0xff],
  [0x7f, 0xff, 0xff, 0xff],
  [0xff, 0xff, 0xff, 0xff],
  [0x40, 0x00, 0x00, 0x00],
  [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00],
  [0x00, 0x7e, 0x00, 0x00],
]

type Mutation = (b: number[], rnd: () => number) => void
const pick = <T,>(xs: readonly T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)]!
const at = (b: number[], rnd: () => number) => Math.floor(rnd() * Math.max(1, b.length))

const MUTATIONS: [string, Mutation][] = [
  ['flip bit', (b, rnd) => void (b.length && (b[at(b, rnd)]! ^= 1 << Math.floor(rnd() * 8)))],
  ['random byte', (b, rnd) => void (b.length && (b[at(b, rnd)] = Math.floor(rnd() * 256)))],
  ['interesting byte', (b, rnd) => void (b.length && (b[at(b, rnd)] = pick(INTERESTING, rnd)))],
  ['insert', (b, rnd) => b.splice(at(b, rnd), 0, ...Array.from({length: 1 + Math.floor(rnd() * 8)}, () => Math.floor(rnd() * 256)))],
  ['delete', (b, rnd) => void b.splice(at(b, rnd), 1 + Math.floor(rnd() * 16))],
  ['truncate', (b, rnd) => void (b.length = at(b, rnd))],
  [
    'duplicate range',
    (b, rnd) => {
      const from = at(b, rnd)
      b.splice(at(b, rnd), 0, ...b.slice(from, from + 1 + Math.floor(rnd() * 64)))
    },
  ],
  [
    'huge length anywhere',
    (b, rnd) => {
      const value = pick(HUGE, rnd)
      const p = at(b, rnd)
      for (let k = 0; k < value.length && p + k < b.length; k++) b[p + k] = value[k]!
    },
  ],
  [
    'huge length after a type code',
    (b, rnd) => {
      const positions = b.flatMap((x, i) => (LENGTH_CODES.has(x) ? [i] : []))
      if (positions.length === 0) return
      const p = pick(positions, rnd) + 1
      const value = pick(HUGE, rnd)
      for (let k = 0; k < value.length && p + k < b.length; k++) b[p + k] = value[k]!
    },
  ],
]

type Decoder = [string, (bytes: Uint8Array) => DecodeResult<unknown>]
const DECODERS: Decoder[] = [
  ['readJavaStream', readJavaStream],
  ['decodeLeaderInformation', decodeLeaderInformation],
  ['decodeStateHandlePointer', decodeStateHandlePointer],
]

/** Undefined when the result is well-typed; otherwise what is wrong with it. */
function problem(result: DecodeResult<unknown>, length: number): string | undefined {
  if (typeof result !== 'object' || result === null) return 'not an object'
  if (result.ok === true) return undefined
  if (result.ok !== false) return 'ok is not a boolean'
  const {reason, offset, code} = result.error
  if (typeof reason !== 'string' || reason.length === 0) return 'no reason'
  if (!Number.isInteger(offset) || offset < 0 || offset > length) return `offset ${offset} outside 0..${length}`
  if (code === 'INTERNAL') return `internal error: ${reason}`
  return undefined
}

function timed(decode: Decoder[1], bytes: Uint8Array): {result: DecodeResult<unknown>; ms: number} {
  const started = performance.now()
  const result = decode(bytes)
  return {result, ms: performance.now() - started}
}

describe('decoder fuzzing', () => {
  it(`survives ${ITERATIONS} mutated JVM streams (seed ${SEED})`, () => {
    const rnd = prng(SEED)
    // Warm up so that compilation does not count against the per-call bound.
    for (const {bytes} of samples) for (const [, decode] of DECODERS) decode(bytes)

    const problems: string[] = []
    const counts = {ok: 0, failed: 0}
    const codes = new Map<string, number>()
    let slowest = 0
    for (let i = 0; i < ITERATIONS; i++) {
      const source = pick(samples, rnd)
      const mutated = Array.from(source.bytes)
      const applied: string[] = []
      const n = 1 + Math.floor(rnd() * 4)
      for (let k = 0; k < n; k++) {
        const [name, mutate] = pick(MUTATIONS, rnd)
        mutate(mutated, rnd)
        applied.push(name)
      }
      const bytes = Uint8Array.from(mutated)
      for (const [decoderName, decode] of DECODERS) {
        const where = `#${i} ${decoderName}(${source.name} + ${applied.join(', ')})`
        let run: {result: DecodeResult<unknown>; ms: number}
        try {
          run = timed(decode, bytes)
          // A garbage collection can land in any call; a slow call must be slow twice to count.
          if (run.ms > PER_CALL_MS) {
            const again = timed(decode, bytes)
            run = {result: again.result, ms: Math.min(run.ms, again.ms)}
          }
        } catch (e) {
          problems.push(`${where} threw ${String(e)}`)
          continue
        }
        slowest = Math.max(slowest, run.ms)
        if (run.ms > PER_CALL_MS) problems.push(`${where} took ${run.ms.toFixed(1)} ms`)
        const wrong = problem(run.result, bytes.length)
        if (wrong !== undefined) problems.push(`${where}: ${wrong}`)
        if (run.result.ok) counts.ok++
        else {
          counts.failed++
          const code = run.result.error.code ?? 'none'
          codes.set(code, (codes.get(code) ?? 0) + 1)
        }
      }
    }

    expect(problems.slice(0, 20)).toEqual([])
    expect(slowest).toBeLessThan(PER_CALL_MS)
    // The mutations must reach past the header: both outcomes and several kinds of errors occur.
    expect(counts.ok).toBeGreaterThan(100)
    expect(counts.failed).toBeGreaterThan(1000)
    for (const code of ['TRUNCATED', 'MALFORMED', 'UNEXPECTED', 'TRAILING_DATA']) expect(codes.get(code), code).toBeGreaterThan(0)
  })

  it('answers huge declared lengths in the real streams quickly and without big allocations', () => {
    // Overwrite the length after every string, block data and array type code of every sample.
    const problems: string[] = []
    let tried = 0
    const before = process.memoryUsage().arrayBuffers
    for (const {name, bytes} of samples) {
      if (bytes.length > 10_000) continue
      for (let p = 4; p < bytes.length - 1; p++) {
        if (!LENGTH_CODES.has(bytes[p]!)) continue
        for (const value of HUGE) {
          const mutated = Uint8Array.from(bytes)
          mutated.set(value.slice(0, mutated.length - p - 1), p + 1)
          for (const [decoderName, decode] of DECODERS) {
            tried++
            try {
              const run = timed(decode, mutated)
              const wrong = problem(run.result, mutated.length)
              if (wrong !== undefined) problems.push(`${decoderName}(${name} @${p}): ${wrong}`)
              if (run.ms > PER_CALL_MS && timed(decode, mutated).ms > PER_CALL_MS) {
                problems.push(`${decoderName}(${name} @${p}) took ${run.ms.toFixed(1)} ms`)
              }
            } catch (e) {
              problems.push(`${decoderName}(${name} @${p}) threw ${String(e)}`)
            }
          }
        }
      }
    }
    expect(problems.slice(0, 20)).toEqual([])
    expect(tried).toBeGreaterThan(1000)
    // A single honoured 2 GiB length would show here (or as an INTERNAL error above).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(256 << 20)
  })
})
