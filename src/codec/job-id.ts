/**
 * Flink's JobID (org.apache.flink.api.common.JobID extends org.apache.flink.util.AbstractID): two
 * longs, `lowerPart` and `upperPart`. Its text form (JobID.toString(), the znode and ConfigMap key
 * names) is 32 lowercase hex characters: lowerPart big-endian, then upperPart big-endian.
 */
import {type JavaValue, describeJavaValue, getField, isJavaObject} from './java-serialization.js'
import {type DecodeResult, fail, ok} from './result.js'

export const JOB_ID_CLASS = 'org.apache.flink.api.common.JobID'
export const ABSTRACT_ID_CLASS = 'org.apache.flink.util.AbstractID'
/** JobID and AbstractID both declare serialVersionUID 1. */
export const JOB_ID_SERIAL_VERSION_UID = 1n

const JOB_ID_TEXT = /^[0-9a-f]{32}$/

/** True for JobID.toString()'s form: 32 lowercase hex characters. */
export function isJobIdText(text: string): boolean {
  return JOB_ID_TEXT.test(text)
}

/** JobID.toString() from the two halves. */
export function formatJobId(lowerPart: bigint, upperPart: bigint): string {
  const hex = (v: bigint) => BigInt.asUintN(64, v).toString(16).padStart(16, '0')
  return hex(lowerPart) + hex(upperPart)
}

/**
 * The text of a deserialized JobID (or any AbstractID subclass with Flink's fields). `what` names
 * the field for the error message.
 */
export function jobIdText(value: JavaValue | undefined, what: string): DecodeResult<string> {
  if (!isJavaObject(value)) return fail(`${what} is ${describeJavaValue(value)}, not a ${JOB_ID_CLASS}`, 0, 'UNEXPECTED')
  const lower = getField(value, 'lowerPart')
  const upper = getField(value, 'upperPart')
  if (typeof lower !== 'bigint' || typeof upper !== 'bigint') {
    return fail(`${what} (${value.className}) has no long fields lowerPart and upperPart`, value.offset, 'UNEXPECTED')
  }
  return ok(formatJobId(lower, upper))
}
