/**
 * Leader information as Flink's ZooKeeperUtils.writeLeaderInformationToZooKeeper stores it in a
 * `connection_info` node (and the Kubernetes HA services in ConfigMap data): an ObjectOutputStream
 * holding `writeUTF(leaderAddress)` and then `writeObject(leaderSessionID)`, a java.util.UUID.
 * Zero bytes mean that no leader is published (LeaderInformation.empty()).
 */
import {
  type JavaSerializationOptions,
  type JavaValue,
  describeJavaValue,
  getClassData,
  isJavaObject,
  openJavaObjectInput,
} from './java-serialization.js'
import {type DecodeResult, ok} from './result.js'

export interface LeaderInformation {
  /** RPC URL of the leader (`pekko.tcp://flink@host:port/user/rpc/...`) or the REST base URL. */
  address: string
  /** Leader session id: canonical lowercase UUID text, as java.util.UUID.toString() prints it. */
  sessionId: string
}

export const UUID_CLASS_NAME = 'java.util.UUID'
/** java.util.UUID's serialVersionUID; another value means a class Flink could not read either. */
export const UUID_SERIAL_VERSION_UID = -4856846361193249489n

/** UUID text from its two halves, each taken as an unsigned 64-bit number. */
export function formatUuid(mostSigBits: bigint, leastSigBits: bigint): string {
  const hex = (v: bigint) => BigInt.asUintN(64, v).toString(16).padStart(16, '0')
  const m = hex(mostSigBits)
  const l = hex(leastSigBits)
  return `${m.slice(0, 8)}-${m.slice(8, 12)}-${m.slice(12)}-${l.slice(0, 4)}-${l.slice(4)}`
}

/**
 * Decodes a `connection_info` payload. Returns null for zero bytes (no leader). Anything but
 * exactly an address and a UUID, with nothing after them, is an error.
 */
export function decodeLeaderInformation(
  bytes: Uint8Array,
  options?: JavaSerializationOptions,
): DecodeResult<LeaderInformation | null> {
  if (bytes.length === 0) return ok(null)
  const opened = openJavaObjectInput(bytes, options)
  if (!opened.ok) return opened
  const input = opened.value

  const address = input.readUTF()
  if (!address.ok) return address

  const objectAt = input.offset
  const object = input.readObject()
  if (!object.ok) return object
  const sessionId = uuidText(object.value, objectAt)
  if (!sessionId.ok) return sessionId

  const end = input.expectEnd()
  if (!end.ok) return end
  return ok({address: address.value, sessionId: sessionId.value})
}

function uuidText(value: JavaValue, offset: number): DecodeResult<string> {
  const unexpected = (reason: string): DecodeResult<string> => ({ok: false, error: {code: 'UNEXPECTED', reason, offset}})
  if (!isJavaObject(value, UUID_CLASS_NAME)) {
    return unexpected(`leader session id: expected ${UUID_CLASS_NAME}, found ${describeJavaValue(value)}`)
  }
  if (value.serialVersionUID !== UUID_SERIAL_VERSION_UID) {
    return unexpected(`leader session id: ${UUID_CLASS_NAME} with serialVersionUID ${value.serialVersionUID}`)
  }
  const data = getClassData(value, UUID_CLASS_NAME)
  const most = data?.fields['mostSigBits']
  const least = data?.fields['leastSigBits']
  if (typeof most !== 'bigint' || typeof least !== 'bigint') {
    return unexpected(`leader session id: ${UUID_CLASS_NAME} without long fields mostSigBits and leastSigBits`)
  }
  return ok(formatUuid(most, least))
}
