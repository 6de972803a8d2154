/**
 * State-handle pointers: what Flink's ZooKeeperStateHandleStore (and the Kubernetes one) keeps in
 * a job graph / execution plan, checkpoint or application entry. The entry holds a serialized
 * RetrievableStreamStateHandle → FileStateHandle (stateSize, filePath) → Flink Path (uri) →
 * java.net.URI (string); the payload itself lives in that file under high-availability.storageDir.
 */
import {
  type JavaObject,
  type JavaSerializationOptions,
  type JavaValue,
  describeJavaValue,
  getField,
  isJavaObject,
  readJavaObject,
} from './java-serialization.js'
import {javaUriSyntaxError} from './java-uri.js'
import {type DecodeResult, ok} from './result.js'

export interface StateHandlePointer {
  /** Class of the serialized handle: RetrievableStreamStateHandle, or FileStateHandle when written bare. */
  handleClass: string
  /** URI.toString() as stored: the escaped form, e.g. `s3://b/ha/my%20cluster/completedCheckpoint…`. */
  uri: string
  /** `uri` percent-decoded: the path as Flink prints it (malformed escapes are kept as written). */
  path: string
  /** Length of the file in bytes as recorded when it was written; -1 means unknown to Flink. */
  stateSize: number
}

export const RETRIEVABLE_STREAM_STATE_HANDLE_CLASS = 'org.apache.flink.runtime.state.RetrievableStreamStateHandle'
export const FILE_STATE_HANDLE_CLASS = 'org.apache.flink.runtime.state.filesystem.FileStateHandle'
export const FLINK_PATH_CLASS = 'org.apache.flink.core.fs.Path'
export const JAVA_NET_URI_CLASS = 'java.net.URI'

/**
 * serialVersionUIDs of the chain (zookeeper-layout.md §4). A different value means a class that
 * Flink's own ObjectInputStream would refuse, so it is reported rather than guessed at.
 */
export const STATE_HANDLE_SERIAL_VERSION_UIDS: Readonly<Record<string, bigint>> = Object.freeze({
  [RETRIEVABLE_STREAM_STATE_HANDLE_CLASS]: 314567453677355n,
  [FILE_STATE_HANDLE_CLASS]: 350284443258002355n,
  [FLINK_PATH_CLASS]: 1n,
  [JAVA_NET_URI_CLASS]: -6052424284110960213n,
})

/** Offset of the first content after the 4-byte stream header, for values that carry none. */
const FIRST_CONTENT_OFFSET = 4

class Unexpected {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {}
}

/** Decodes a state-handle entry into the file it points to. */
export function decodeStateHandlePointer(
  bytes: Uint8Array,
  options?: JavaSerializationOptions,
): DecodeResult<StateHandlePointer> {
  const decoded = readJavaObject(bytes, options)
  if (!decoded.ok) return decoded
  try {
    return ok(pointerFrom(decoded.value))
  } catch (e) {
    if (e instanceof Unexpected) return {ok: false, error: {code: 'UNEXPECTED', reason: e.reason, offset: e.offset}}
    const message = e instanceof Error ? e.message : String(e)
    return {ok: false, error: {code: 'INTERNAL', reason: `internal decoder error: ${message}`, offset: 0}}
  }
}

function pointerFrom(root: JavaValue): StateHandlePointer {
  if (!isJavaObject(root)) {
    throw new Unexpected(`expected a state handle object, found ${describeJavaValue(root)}`, FIRST_CONTENT_OFFSET)
  }
  let fileHandle: JavaObject
  if (root.className === RETRIEVABLE_STREAM_STATE_HANDLE_CLASS) {
    checkSerialVersionUID(root)
    const wrapped = getField(root, 'wrappedStreamStateHandle')
    if (!isJavaObject(wrapped)) {
      throw new Unexpected(`${shortName(root.className)}.wrappedStreamStateHandle is ${describeJavaValue(wrapped)}`, root.offset)
    }
    if (wrapped.className !== FILE_STATE_HANDLE_CLASS) {
      throw new Unexpected(`unsupported state handle class ${wrapped.className} (wrapped in ${shortName(root.className)})`, wrapped.offset)
    }
    fileHandle = wrapped
  } else if (root.className === FILE_STATE_HANDLE_CLASS) {
    fileHandle = root
  } else {
    throw new Unexpected(`unsupported state handle class ${root.className}`, root.offset)
  }

  checkSerialVersionUID(fileHandle)
  // getField searches the whole hierarchy, so a FileStateHandle variant that keeps the fields in a
  // superclass still decodes.
  const size = getField(fileHandle, 'stateSize')
  if (typeof size !== 'bigint') {
    throw new Unexpected(`${shortName(fileHandle.className)}.stateSize is ${describeJavaValue(size)}, not a long`, fileHandle.offset)
  }
  if (size < -1n || size > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Unexpected(`${shortName(fileHandle.className)}.stateSize ${size} is out of range`, fileHandle.offset)
  }
  const path = objectField(fileHandle, 'filePath', FLINK_PATH_CLASS)
  const uriObject = objectField(path, 'uri', JAVA_NET_URI_CLASS)
  const uri = getField(uriObject, 'string')
  if (typeof uri !== 'string') {
    throw new Unexpected(`java.net.URI.string is ${describeJavaValue(uri)}, not a string`, uriObject.offset)
  }
  const invalid = invalidJavaUri(uri)
  if (invalid !== undefined) throw new Unexpected(invalid, uriObject.offset)
  return {handleClass: root.className, uri, path: percentDecode(uri), stateSize: Number(size)}
}

/**
 * java.net.URI.readObject re-parses the string and throws InvalidObjectException("Invalid URI") when
 * it does not parse, so Flink cannot read such a pointer: it is undecodable, never "recoverable".
 */
export function invalidJavaUri(uri: string): string | undefined {
  const why = javaUriSyntaxError(uri)
  return why === undefined ? undefined : `invalid URI ${quoteVisible(uri)}: ${why} (Java's deserialization throws InvalidObjectException: Invalid URI)`
}

/** JSON-quoted, with the separators and C1 controls JSON leaves raw escaped too: a reason stays one visible line. */
function quoteVisible(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u00a0\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function objectField(owner: JavaObject, name: string, className: string): JavaObject {
  const value = getField(owner, name)
  if (!isJavaObject(value, className)) {
    throw new Unexpected(`${shortName(owner.className)}.${name} is ${describeJavaValue(value)}, expected ${className}`, owner.offset)
  }
  checkSerialVersionUID(value)
  return value
}

function checkSerialVersionUID(object: JavaObject): void {
  const expected = STATE_HANDLE_SERIAL_VERSION_UIDS[object.className]
  if (expected !== undefined && object.serialVersionUID !== expected) {
    throw new Unexpected(
      `${object.className} has serialVersionUID ${object.serialVersionUID}, Flink's is ${expected}`,
      object.offset,
    )
  }
}

function shortName(className: string): string {
  return className.slice(className.lastIndexOf('.') + 1)
}

const utf8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
}

/**
 * Decodes %XX escapes as UTF-8, like java.net.URI's getPath(). Never throws: a `%` that does not
 * start an escape stays as it is, and a run of escapes that is not valid UTF-8 is kept escaped
 * (Java would substitute U+FFFD; keeping the text loses nothing).
 */
export function percentDecode(text: string): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const pct = text.indexOf('%', i)
    if (pct < 0) {
      out += text.slice(i)
      break
    }
    out += text.slice(i, pct)
    const bytes: number[] = []
    let j = pct
    while (j + 2 < text.length && text.charCodeAt(j) === 0x25 && isHex(text.charCodeAt(j + 1)) && isHex(text.charCodeAt(j + 2))) {
      bytes.push(parseInt(text.slice(j + 1, j + 3), 16))
      j += 3
    }
    if (bytes.length === 0) {
      out += '%'
      i = pct + 1
      continue
    }
    try {
      out += utf8.decode(new Uint8Array(bytes))
    } catch {
      out += text.slice(pct, j)
    }
    i = j
  }
  return out
}
