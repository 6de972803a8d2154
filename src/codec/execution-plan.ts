/**
 * The `submittedJobGraph<12 hex>` (1.x) and `submittedExecutionPlan<12 hex>` (2.x) files in
 * high-availability.storageDir: a Java-serialized JobGraph, or in 2.x any ExecutionPlan (a JobGraph
 * or a StreamGraph), written by FileSystemStateStorageHelper. Decoded best effort: job id, job
 * name, job type, and the savepoint the job was submitted to restore from.
 */
import {type JavaObject, type JavaSerializationOptions, describeJavaValue, getField, isJavaObject, readJavaObject} from './java-serialization.js'
import {jobIdText} from './job-id.js'
import {FieldProblems, shortClassName} from './object-fields.js'
import {type DecodeResult, fail, ok} from './result.js'

export const JOB_GRAPH_CLASS = 'org.apache.flink.runtime.jobgraph.JobGraph'
export const STREAM_GRAPH_CLASS = 'org.apache.flink.streaming.api.graph.StreamGraph'

/** Classes a plan file may hold, with their serialVersionUIDs and the name of their job id field. */
const PLAN_CLASSES: Readonly<Record<string, {suid: bigint; jobIdField: string}>> = {
  [JOB_GRAPH_CLASS]: {suid: 1n, jobIdField: 'jobID'},
  [STREAM_GRAPH_CLASS]: {suid: 1n, jobIdField: 'jobId'},
}

export interface ExecutionPlanInfo {
  className: string
  /** `JobGraph` or `StreamGraph`. */
  kind: string
  jobId: string | null
  jobName: string | null
  /** `STREAMING` or `BATCH` (JobType), null when the class has no such field (before 1.13). */
  jobType: string | null
  /** savepointRestoreSettings.restorePath: the savepoint or checkpoint the job was submitted with. */
  savepointPath: string | null
  problems: string[]
}

export function decodeExecutionPlan(bytes: Uint8Array, options?: JavaSerializationOptions): DecodeResult<ExecutionPlanInfo> {
  const decoded = readJavaObject(bytes, options)
  if (!decoded.ok) return decoded
  const root = decoded.value
  if (!isJavaObject(root)) return fail(`expected a JobGraph or StreamGraph, found ${describeJavaValue(root)}`, 4, 'UNEXPECTED')
  const known = PLAN_CLASSES[root.className]
  if (!known) return fail(`unknown class ${root.className}: not a JobGraph or StreamGraph`, root.offset, 'UNEXPECTED')
  try {
    return ok(planInfo(root, known))
  } catch (e) {
    return fail(`internal decoder error: ${e instanceof Error ? e.message : String(e)}`, root.offset, 'INTERNAL')
  }
}

function planInfo(root: JavaObject, known: {suid: bigint; jobIdField: string}): ExecutionPlanInfo {
  const kind = shortClassName(root.className)
  const p = new FieldProblems(kind)
  if (root.serialVersionUID !== known.suid) {
    p.add(`serialVersionUID ${root.serialVersionUID} differs from Flink's ${known.suid}: Flink cannot read this file`)
  }
  let jobId: string | null = null
  const id = getField(root, known.jobIdField)
  if (id === undefined || id === null) p.add(`${kind}.${known.jobIdField} is ${id === null ? 'null' : 'missing'}`)
  else {
    const text = jobIdText(id, `${kind}.${known.jobIdField}`)
    if (text.ok) jobId = text.value
    else p.add(text.error.reason)
  }
  const jobName = p.string(root, 'jobName', true)
  const jobType = p.enumName(root, 'jobType')
  let savepointPath: string | null = null
  const settings = p.object(root, 'savepointRestoreSettings', false)
  if (settings) savepointPath = new FieldProblems('SavepointRestoreSettings').string(settings, 'restorePath', false)
  return {className: root.className, kind, jobId, jobName, jobType, savepointPath, problems: p.list}
}
