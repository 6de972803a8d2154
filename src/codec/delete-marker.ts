/**
 * State-handle entries of Flink's Kubernetes HA services (`jobGraph-`, `executionPlan-` and
 * `checkpointID-` ConfigMap keys): `Base64(InstantiationUtil.serializeObject(wrapper))`, where the
 * wrapper is, since 1.15 (FLINK-26286), `KubernetesStateHandleStore$StateHandleWithDeleteMarker
 * {boolean markedForDeletion; RetrievableStateHandle inner}`, and before that the bare handle. A
 * marked entry is one Flink has started to delete (kubernetes-layout.md §3): readers skip it.
 */
import {
  type JavaObject,
  type JavaValue,
  describeJavaValue,
  getField,
  isJavaObject,
  readJavaObject,
} from './java-serialization.js'
import {type DecodeResult, fail, ok} from './result.js'
import {
  FILE_STATE_HANDLE_CLASS,
  FLINK_PATH_CLASS,
  JAVA_NET_URI_CLASS,
  RETRIEVABLE_STREAM_STATE_HANDLE_CLASS,
  STATE_HANDLE_SERIAL_VERSION_UIDS,
  type StateHandlePointer,
  invalidJavaUri,
  percentDecode,
} from './state-handle.js'

export const STATE_HANDLE_WITH_DELETE_MARKER_CLASS =
  'org.apache.flink.kubernetes.highavailability.KubernetesStateHandleStore$StateHandleWithDeleteMarker'
/**
 * What the JVM computes for Flink's class (it declares none). Informational only: a different value
 * is not an error here, because the computed value can change with the class's members.
 */
export const STATE_HANDLE_WITH_DELETE_MARKER_SUID = -6953210432246692993n

export interface KubernetesStateHandle {
  /** False for an entry written without the wrapper (Flink ≤1.14). */
  wrapped: boolean
  /** Flink has begun removing the entry (releaseAndTryRemove step 1); readers treat it as deleted. */
  markedForDeletion: boolean
  pointer: StateHandlePointer
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Strict standard Base64 (java.util.Base64.getEncoder()): no whitespace, no URL alphabet, padded. */
export function decodeBase64(text: string): DecodeResult<Uint8Array> {
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    const bad = [...text].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c))
    return fail(
      bad >= 0 ? `not Base64: character ${JSON.stringify(text[bad])} at ${bad}` : `not Base64: length ${text.length} is not a multiple of 4`,
      Math.max(bad, 0),
      'MALFORMED',
    )
  }
  return ok(new Uint8Array(Buffer.from(text, 'base64')))
}

/** Decodes a ConfigMap value (Base64 text) into the state handle it holds. Never throws. */
export function decodeKubernetesStateHandleValue(text: string): DecodeResult<KubernetesStateHandle> {
  const bytes = decodeBase64(text)
  if (!bytes.ok) return bytes
  return decodeKubernetesStateHandle(bytes.value)
}

/** Decodes the Java-serialized bytes of a state-handle entry, with or without the delete-marker wrapper. */
export function decodeKubernetesStateHandle(bytes: Uint8Array): DecodeResult<KubernetesStateHandle> {
  const decoded = readJavaObject(bytes)
  if (!decoded.ok) return decoded
  const root = decoded.value
  try {
    if (isJavaObject(root, STATE_HANDLE_WITH_DELETE_MARKER_CLASS)) {
      const marked = getField(root, 'markedForDeletion')
      if (typeof marked !== 'boolean')
        throw new Unexpected(`StateHandleWithDeleteMarker.markedForDeletion is ${describeJavaValue(marked)}, not a boolean`, root.offset)
      return ok({wrapped: true, markedForDeletion: marked, pointer: pointerOf(getField(root, 'inner'), root.offset)})
    }
    return ok({wrapped: false, markedForDeletion: false, pointer: pointerOf(root, 4)})
  } catch (e) {
    if (e instanceof Unexpected) return fail(e.message, e.offset, 'UNEXPECTED')
    return fail(`internal decoder error: ${e instanceof Error ? e.message : String(e)}`, 0, 'INTERNAL')
  }
}

class Unexpected extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
  }
}

/** RetrievableStreamStateHandle → FileStateHandle → Path → URI, or a bare FileStateHandle. */
function pointerOf(handle: JavaValue | undefined, offset: number): StateHandlePointer {
  if (!isJavaObject(handle)) throw new Unexpected(`expected a state handle object, found ${describeJavaValue(handle)}`, offset)
  let file: JavaObject = handle
  if (handle.className === RETRIEVABLE_STREAM_STATE_HANDLE_CLASS) {
    checkSuid(handle)
    const wrapped = getField(handle, 'wrappedStreamStateHandle')
    if (!isJavaObject(wrapped)) throw new Unexpected(`RetrievableStreamStateHandle.wrappedStreamStateHandle is ${describeJavaValue(wrapped)}`, handle.offset)
    file = wrapped
  }
  if (file.className !== FILE_STATE_HANDLE_CLASS) throw new Unexpected(`unsupported state handle class ${file.className}`, file.offset)
  checkSuid(file)
  const size = getField(file, 'stateSize')
  if (typeof size !== 'bigint' || size < -1n || size > BigInt(Number.MAX_SAFE_INTEGER))
    throw new Unexpected(`FileStateHandle.stateSize is ${describeJavaValue(size)}, not a valid size`, file.offset)
  const path = getField(file, 'filePath')
  if (!isJavaObject(path, FLINK_PATH_CLASS)) throw new Unexpected(`FileStateHandle.filePath is ${describeJavaValue(path)}`, file.offset)
  checkSuid(path)
  const uriObject = getField(path, 'uri')
  if (!isJavaObject(uriObject, JAVA_NET_URI_CLASS)) throw new Unexpected(`Path.uri is ${describeJavaValue(uriObject)}`, path.offset)
  checkSuid(uriObject)
  const uri = getField(uriObject, 'string')
  if (typeof uri !== 'string') throw new Unexpected(`java.net.URI.string is ${describeJavaValue(uri)}, not a string`, uriObject.offset)
  const invalid = invalidJavaUri(uri)
  if (invalid !== undefined) throw new Unexpected(invalid, uriObject.offset)
  return {handleClass: handle.className, uri, path: percentDecode(uri), stateSize: Number(size)}
}

function checkSuid(o: JavaObject): void {
  const expected = STATE_HANDLE_SERIAL_VERSION_UIDS[o.className]
  if (expected !== undefined && o.serialVersionUID !== expected)
    throw new Unexpected(`${o.className} has serialVersionUID ${o.serialVersionUID}, Flink's is ${expected}`, o.offset)
}
