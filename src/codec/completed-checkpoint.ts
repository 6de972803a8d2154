/**
 * The `completedCheckpoint<12 hex>` files in high-availability.storageDir: a Java-serialized
 * org.apache.flink.runtime.checkpoint.CompletedCheckpoint (serialVersionUID -8360248179615702014 in
 * every version), written by FileSystemStateStorageHelper. Decoded best effort: the fields that
 * tell an operator what the checkpoint is (job, id, trigger and completion time, the external
 * pointer: the `chk-<id>` directory whose `_metadata` restores it). Fields Flink added or renamed
 * over time are looked up by name: `completionTimestamp` (1.14+) or `duration` (before).
 */
import {type JavaObject, type JavaSerializationOptions, describeJavaValue, getField, isJavaObject, readJavaObject} from './java-serialization.js'
import {jobIdText} from './job-id.js'
import {FieldProblems, shortClassName} from './object-fields.js'
import {type DecodeResult, fail, ok} from './result.js'
import {percentDecode} from './state-handle.js'

export const COMPLETED_CHECKPOINT_CLASS = 'org.apache.flink.runtime.checkpoint.CompletedCheckpoint'
export const COMPLETED_CHECKPOINT_SERIAL_VERSION_UID = -8360248179615702014n

export interface CompletedCheckpointInfo {
  className: string
  jobId: string | null
  checkpointId: number | null
  /** When the checkpoint was triggered, ms since the epoch (`timestamp`). */
  triggerTimestamp: number | null
  /** When it completed, ms since the epoch (`completionTimestamp`, or `timestamp + duration` before 1.14). */
  completionTimestamp: number | null
  /** Where the checkpoint lives, for a file-system checkpoint storage the `chk-<id>` directory. */
  externalPointer: string | null
  /** `props.checkpointType`: "Checkpoint", "Full Checkpoint", "Savepoint", ... (an enum constant before 1.15). */
  checkpointType: string | null
  /** `metadataHandle`'s file (the `_metadata` file) as Flink prints the path, when it is a file handle. */
  metadataPath: string | null
  /** Fields that were missing or of another type than Flink writes; empty when all decoded. */
  problems: string[]
}

/**
 * Decodes a completedCheckpoint file. Fails only when the bytes are not a Java serialization
 * stream of one object, or that object is not a CompletedCheckpoint; odd fields are listed in
 * `problems`.
 */
export function decodeCompletedCheckpoint(
  bytes: Uint8Array,
  options?: JavaSerializationOptions,
): DecodeResult<CompletedCheckpointInfo> {
  const decoded = readJavaObject(bytes, options)
  if (!decoded.ok) return decoded
  const root = decoded.value
  if (!isJavaObject(root)) return fail(`expected a ${COMPLETED_CHECKPOINT_CLASS}, found ${describeJavaValue(root)}`, 4, 'UNEXPECTED')
  if (root.className !== COMPLETED_CHECKPOINT_CLASS) {
    return fail(`unknown class ${root.className}: not a ${shortClassName(COMPLETED_CHECKPOINT_CLASS)}`, root.offset, 'UNEXPECTED')
  }
  try {
    return ok(checkpointInfo(root))
  } catch (e) {
    return fail(`internal decoder error: ${e instanceof Error ? e.message : String(e)}`, root.offset, 'INTERNAL')
  }
}

function checkpointInfo(root: JavaObject): CompletedCheckpointInfo {
  const p = new FieldProblems('CompletedCheckpoint')
  if (root.serialVersionUID !== COMPLETED_CHECKPOINT_SERIAL_VERSION_UID) {
    p.add(`serialVersionUID ${root.serialVersionUID} differs from Flink's ${COMPLETED_CHECKPOINT_SERIAL_VERSION_UID}: Flink cannot read this file`)
  }
  let jobId: string | null = null
  const job = getField(root, 'job')
  if (job === undefined || job === null) p.add(`CompletedCheckpoint.job is ${job === null ? 'null' : 'missing'}`)
  else {
    const text = jobIdText(job, 'CompletedCheckpoint.job')
    if (text.ok) jobId = text.value
    else p.add(text.error.reason)
  }
  const checkpointId = p.long(root, 'checkpointID', true)
  const triggerTimestamp = p.long(root, 'timestamp', true)
  let completionTimestamp: number | null = null
  if (getField(root, 'completionTimestamp') !== undefined) completionTimestamp = p.long(root, 'completionTimestamp', true)
  else if (getField(root, 'duration') !== undefined) {
    const duration = p.long(root, 'duration', true)
    completionTimestamp = triggerTimestamp !== null && duration !== null ? triggerTimestamp + duration : null
  } else p.add('CompletedCheckpoint has neither completionTimestamp nor duration')
  const externalPointer = p.string(root, 'externalPointer', false)

  let checkpointType: string | null = null
  const props = p.object(root, 'props', true)
  if (props) {
    const type = getField(props, 'checkpointType')
    if (type !== undefined && type !== null) {
      if (typeof type === 'object' && type.kind === 'enum') checkpointType = type.constant
      else if (isJavaObject(type)) checkpointType = new FieldProblems(shortClassName(type.className)).string(type, 'name', false)
      if (checkpointType === null) p.add(`CheckpointProperties.checkpointType is ${describeJavaValue(type)} without a name`)
    }
  }

  let metadataPath: string | null = null
  const metadata = getField(root, 'metadataHandle')
  if (isJavaObject(metadata)) {
    const path = getField(metadata, 'filePath')
    const uri = isJavaObject(path) ? getField(path, 'uri') : undefined
    const text = isJavaObject(uri) ? getField(uri, 'string') : undefined
    if (typeof text === 'string') metadataPath = percentDecode(text)
  }

  return {
    className: root.className,
    jobId,
    checkpointId,
    triggerTimestamp,
    completionTimestamp,
    externalPointer,
    checkpointType,
    metadataPath,
    problems: p.list,
  }
}
