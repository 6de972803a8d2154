// JobResultStore files written and read by a JVM the way Flink does (test/java/jrs: Jackson, a
// replica of Flink's JsonJobResultEntry/JobResultSerializer/JobResultDeserializer, and a stand-in
// org.apache.flink.util.SerializedThrowable serialized by the JDK).

import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {compileJava, runJava} from '../support/java.js'

export interface JrsSpec {
  /** File name, e.g. `<id>_DIRTY.json`. */
  file: string
  id: string
  /** `1.x` (Flink 1.15-2.2) or `2.3` (adds name, application-id, start-time, end-time). */
  layout?: '1.x' | '2.3'
  status?: 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'UNKNOWN'
  netRuntime?: number
  /** A failure-cause: JobException("Recovery is suppressed ...") caused by IllegalStateException(failure). */
  failure?: string
  /** Accumulator name → a Long, Java-serialized. */
  accumulators?: Record<string, number>
  name?: string
  applicationId?: string
  startTime?: number
  endTime?: number
}

let classpath: string | undefined
const cp = () => (classpath ??= compileJava(['jrs']))

/** Writes the files into `dir` (Jackson, as Flink). */
export function writeJrsFiles(dir: string, specs: JrsSpec[]): void {
  runJava(cp(), 'haadm.fixtures.JrsFiles', ['write', dir], JSON.stringify(specs))
}

/** The files' bytes as Flink writes them, by file name (for uploading to S3). */
export function jrsFileBytes(specs: JrsSpec[]): Map<string, Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'haadm-jrs-java-'))
  try {
    writeJrsFiles(dir, specs)
    return new Map(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n))]))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

export interface FlinkReadResult {
  file: string
  ok: boolean
  id?: string
  status?: string
  failureClass?: string | null
  error?: string
}

/** What Flink (before 2.3, or 2.3) makes of each file: read with Jackson and Flink's deserializer loop. */
export function readLikeFlink(generation: 'pre-2.3' | '2.3', files: string[]): FlinkReadResult[] {
  return JSON.parse(runJava(cp(), 'haadm.fixtures.JrsFiles', ['read', generation, ...files]).toString('utf8'))
}
