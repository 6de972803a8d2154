// Serialized samples written by a real JVM with stand-ins of Flink's classes (test/java/stubs):
// SerializationSamples (Java serialization, leader information, state handles) and HaFileSamples
// (completedCheckpoint, submittedJobGraph / submittedExecutionPlan files). Plus the helpers the
// decoder tests share.

import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect} from 'vitest'
import type {DecodeResult} from '../../src/codec/index.js'
import {compileJava, runJava} from './java.js'

/** What the generator printed: per sample, its file, its length and facts to check decoders against. */
export type SampleManifest = Record<string, Record<string, unknown> & {file: string; length: number}>

/**
 * Writes the samples of one generator before the calling test file runs and removes them after.
 * `manifest` is filled in by then (the same object throughout); `sample(name)` reads one sample's bytes.
 */
export function jvmSamples(generator: 'SerializationSamples' | 'HaFileSamples'): {manifest: SampleManifest; sample(name: string): Uint8Array} {
  const manifest: SampleManifest = {}
  let dir = ''
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `haadm-${generator}-`))
    // compileJava builds into a temporary folder and renames it into place: parallel test files are safe.
    Object.assign(manifest, JSON.parse(runJava(compileJava(['stubs'], false), `haadm.fixtures.${generator}`, [dir]).toString('utf8')))
  })
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  return {manifest, sample: (name) => new Uint8Array(readFileSync(join(dir, manifest[name]!.file)))}
}

/** The decoded value, or the test fails with the decoder's error. */
export function value<T>(r: DecodeResult<T>): T {
  if (!r.ok) throw new Error(`decode failed at ${r.error.offset}: ${r.error.reason}`)
  return r.value
}

/** The decoder's error, or the test fails because it decoded. */
export function failure<T>(r: DecodeResult<T>) {
  if (r.ok) throw new Error(`expected a decode error, got ${JSON.stringify(r.value)}`)
  return r.error
}

/** Replaces the first occurrence of `from` by `to` (same length) in a copy. */
export function patch(bytes: Uint8Array, from: string | number[], to: string | number[]): Uint8Array {
  const buf = Buffer.from(bytes)
  const at = buf.indexOf(Buffer.from(from as string))
  expect(at, `${String(from)} in the sample`).toBeGreaterThan(0)
  Buffer.from(to as string).copy(buf, at)
  return new Uint8Array(buf)
}

/**
 * Cuts each sample at every length and decodes the prefix: each must give a typed error (an offset
 * within the prefix, a reason, never INTERNAL, and one of `codes` when given), never an exception and,
 * unless `allowOk` (a stream that may legitimately end early), never a success. Returns what broke
 * the rule, so the test shows every case at once.
 */
export function truncationProblems<T>(
  samples: Array<[name: string, bytes: Uint8Array]>,
  decode: (bytes: Uint8Array) => DecodeResult<T>,
  opts: {codes?: string[]; allowOk?: boolean; from?: number} = {},
): {problems: string[]; checked: number} {
  const problems: string[] = []
  let checked = 0
  for (const [name, bytes] of samples)
    for (let n = opts.from ?? 0; n < bytes.length; n++) {
      checked++
      let r: DecodeResult<T>
      try {
        r = decode(bytes.subarray(0, n))
      } catch (err) {
        problems.push(`${name} cut at ${n} threw ${(err as Error).message}`)
        continue
      }
      if (r.ok) {
        if (!opts.allowOk) problems.push(`${name} cut at ${n} decoded`)
        continue
      }
      const {offset, reason, code} = r.error
      const typed = Number.isInteger(offset) && offset >= 0 && offset <= n && reason.length > 0 && code !== 'INTERNAL' && (!opts.codes || opts.codes.includes(code ?? ''))
      if (!typed) problems.push(`${name} cut at ${n}: ${JSON.stringify(r.error)}`)
    }
  return {problems, checked}
}
