import {describe, expect, it} from 'vitest'
import {
  FILE_STATE_HANDLE_CLASS,
  RETRIEVABLE_STREAM_STATE_HANDLE_CLASS,
  decodeStateHandlePointer,
  percentDecode,
} from '../../src/codec/index.js'
import {failure, jvmSamples, truncationProblems} from '../support/jvm-samples.js'

// Samples written by a real JVM with stubs of Flink's classes, exactly as
// StateHandleStoreUtils.serializeOrDiscard (InstantiationUtil.serializeObject) does.
const {manifest, sample} = jvmSamples('SerializationSamples')

const HANDLE_SAMPLES = [
  'handle-hdfs',
  'handle-s3-escapes',
  'handle-file',
  'handle-plain-path',
  'handle-long-uri',
  'handle-direct-file',
  'handle-unknown-size',
]

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0))
const u16 = (n: number) => [n >> 8, n & 0xff]
const i64 = (v: bigint) => Array.from({length: 8}, (_, k) => Number((BigInt.asUintN(64, v) >> BigInt(56 - 8 * k)) & 0xffn))
const str = (s: string) => [...u16(s.length), ...ascii(s)]
const hex = (h: string) => Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'))

/** The template of zookeeper-layout.md §4 up to and including stateSize. */
function handleHead(stateSize: bigint): number[] {
  return [
    ...hex('AC ED 00 05'),
    ...[0x73, 0x72, ...str('org.apache.flink.runtime.state.RetrievableStreamStateHandle'), ...hex('00 01 1E 18 F1 55 97 2B')],
    ...[0x02, 0x00, 0x01, 0x4c, ...str('wrappedStreamStateHandle')],
    ...[0x74, ...str('Lorg/apache/flink/runtime/state/StreamStateHandle;'), 0x78, 0x70],
    ...[0x73, 0x72, ...str('org.apache.flink.runtime.state.filesystem.FileStateHandle'), ...hex('04 DC 75 D8 62 BD 1B B3')],
    ...[0x02, 0x00, 0x02, 0x4a, ...str('stateSize'), 0x4c, ...str('filePath')],
    ...[0x74, ...str('Lorg/apache/flink/core/fs/Path;'), 0x78, 0x70],
    ...i64(stateSize),
  ]
}

/** The Path and URI objects up to the URI's string field. */
const PATH_AND_URI_HEAD = [
  ...[0x73, 0x72, ...str('org.apache.flink.core.fs.Path'), ...hex('00 00 00 00 00 00 00 01')],
  ...[0x02, 0x00, 0x01, 0x4c, ...str('uri'), 0x74, ...str('Ljava/net/URI;'), 0x78, 0x70],
  ...[0x73, 0x72, ...str('java.net.URI'), ...hex('AC 01 78 2E 43 9E 49 AB')],
  ...[0x03, 0x00, 0x01, 0x4c, ...str('string'), 0x74, ...str('Ljava/lang/String;'), 0x78, 0x70],
]

/** The whole template of zookeeper-layout.md §4, for an ASCII URI shorter than 64 KiB. */
function documentedTemplate(stateSize: bigint, uri: string): number[] {
  return [...handleHead(stateSize), ...PATH_AND_URI_HEAD, 0x74, ...str(uri), 0x78]
}

describe('decodeStateHandlePointer', () => {
  it('reads the exact bytes the documented template describes', () => {
    const m = manifest['handle-hdfs']!
    const expected = documentedTemplate(BigInt(m['stateSize'] as string), m['uri'] as string)
    expect(Array.from(sample('handle-hdfs'))).toEqual(expected)
    // The same template with other values decodes too.
    const crafted = Uint8Array.from(documentedTemplate(42n, 'gs://bucket/ha/x/completedCheckpointaaaaaaaaaaaa'))
    expect(decodeStateHandlePointer(crafted)).toEqual({
      ok: true,
      value: {
        handleClass: RETRIEVABLE_STREAM_STATE_HANDLE_CLASS,
        uri: 'gs://bucket/ha/x/completedCheckpointaaaaaaaaaaaa',
        path: 'gs://bucket/ha/x/completedCheckpointaaaaaaaaaaaa',
        stateSize: 42,
      },
    })
  })

  it.each(HANDLE_SAMPLES)('decodes %s as the JVM wrote it', (name) => {
    const m = manifest[name]!
    expect(decodeStateHandlePointer(sample(name))).toEqual({
      ok: true,
      value: {handleClass: m['handleClass'], uri: m['uri'], path: m['path'], stateSize: Number(m['stateSize'])},
    })
  })

  it('percent-decodes the URI to the path Flink prints', () => {
    const m = manifest['handle-s3-escapes']!
    expect(m['uri']).toBe('s3://bucket/ha/my%20cluster/50%25/über/submittedJobGraph00aabbccddee')
    expect(m['path']).toBe('s3://bucket/ha/my cluster/50%/über/submittedJobGraph00aabbccddee')
    const file = manifest['handle-file']!
    // A file:/// storageDir loses its empty authority in Flink's Path.
    expect(file['uri']).toBe('file:/x/ha/default/submittedExecutionPlanb4778d6a85f2')
  })

  it('reads a URI longer than 65535 bytes (TC_LONGSTRING)', () => {
    const bytes = sample('handle-long-uri')
    const uri = manifest['handle-long-uri']!['uri'] as string
    expect(uri.length).toBeGreaterThan(65535)
    const at = bytes.length - 1 - uri.length - 9
    expect(Array.from(bytes.subarray(at, at + 9))).toEqual([0x7c, ...i64(BigInt(uri.length))])
    expect(decodeStateHandlePointer(bytes)).toMatchObject({ok: true, value: {uri}})
  })

  it('accepts a bare FileStateHandle and an unknown size of -1', () => {
    expect(decodeStateHandlePointer(sample('handle-direct-file'))).toMatchObject({
      ok: true,
      value: {handleClass: FILE_STATE_HANDLE_CLASS, stateSize: 5},
    })
    expect(decodeStateHandlePointer(sample('handle-unknown-size'))).toMatchObject({ok: true, value: {stateSize: -1}})
  })

  it('rejects a stateSize beyond Number.MAX_SAFE_INTEGER', () => {
    const error = failure(decodeStateHandlePointer(sample('handle-max-size')))
    expect(error.code).toBe('UNEXPECTED')
    expect(error.reason).toMatch(/stateSize 9223372036854775807 is out of range/)
  })

  it('names an unknown wrapped handle class', () => {
    const bytes = sample('handle-bytestream')
    const error = failure(decodeStateHandlePointer(bytes))
    expect(error.code).toBe('UNEXPECTED')
    expect(error.reason).toMatch(/unsupported state handle class org\.apache\.flink\.runtime\.state\.memory\.ByteStreamStateHandle/)
    expect(bytes[error.offset]).toBe(0x73) // points at the wrapped object
    expect(error.offset).toBeGreaterThan(4)
  })

  it('names an unknown top-level class', () => {
    const error = failure(decodeStateHandlePointer(sample('handle-uuid')))
    expect(error).toMatchObject({code: 'UNEXPECTED', offset: 4})
    expect(error.reason).toMatch(/unsupported state handle class java\.util\.UUID/)
    expect(failure(decodeStateHandlePointer(sample('generic-arrays'))).code).toBe('TRAILING_DATA')
    const onlyString = Uint8Array.from([0xac, 0xed, 0x00, 0x05, 0x74, ...str('hdfs://x')])
    expect(failure(decodeStateHandlePointer(onlyString)).reason).toMatch(/expected a state handle object, found string/)
  })

  it('rejects wrong class names and serialVersionUIDs anywhere in the chain', () => {
    const original = sample('handle-hdfs')
    const replace = (from: string | number[], to: string | number[]) => {
      const buf = Buffer.from(original)
      const at = buf.indexOf(Buffer.from(from))
      expect(at).toBeGreaterThan(0)
      Buffer.from(to).copy(buf, at)
      return new Uint8Array(buf)
    }
    const cases: [Uint8Array, RegExp][] = [
      [replace('java.net.URI', 'java.net.URX'), /filePath|uri is object java\.net\.URX, expected java\.net\.URI/],
      [replace('org.apache.flink.core.fs.Path', 'org.apache.flink.core.fs.Pat_'), /filePath is object .*Pat_/],
      [replace('filesystem.FileStateHandle', 'filesystem.FileStateHandlf'), /unsupported state handle class .*FileStateHandlf/],
      [replace('RetrievableStreamStateHandle', 'RetrievableStreamStateHandlf'), /unsupported state handle class .*Handlf/],
      [replace(hex('04 DC 75 D8 62 BD 1B B3'), hex('04 DC 75 D8 62 BD 1B B4')), /FileStateHandle has serialVersionUID/],
      [replace(hex('00 01 1E 18 F1 55 97 2B'), hex('00 01 1E 18 F1 55 97 2C')), /RetrievableStreamStateHandle has serialVersionUID/],
      [replace(hex('AC 01 78 2E 43 9E 49 AB'), hex('AC 01 78 2E 43 9E 49 AC')), /java\.net\.URI has serialVersionUID/],
      [replace('filePath', 'filePati'), /filePath is nothing/],
      [replace('stateSize', 'stateSizf'), /stateSize is nothing/],
      [replace('wrappedStreamStateHandle', 'wrappedStreamStateHandlf'), /wrappedStreamStateHandle is nothing/],
    ]
    for (const [bytes, reason] of cases) {
      const error = failure(decodeStateHandlePointer(bytes))
      expect(error.code).toBe('UNEXPECTED')
      expect(error.reason).toMatch(reason)
      expect(bytes[error.offset]).toBe(0x73)
    }
  })

  it('rejects a null URI string and a null path', () => {
    const nullString = Uint8Array.from([...handleHead(1n), ...PATH_AND_URI_HEAD, 0x70, 0x78])
    expect(failure(decodeStateHandlePointer(nullString)).reason).toMatch(/java\.net\.URI\.string is null/)
    const nullPath = Uint8Array.from([...handleHead(1n), 0x70])
    expect(failure(decodeStateHandlePointer(nullPath)).reason).toMatch(/FileStateHandle\.filePath is null/)
    const intactTemplate = Uint8Array.from([...handleHead(1n), ...PATH_AND_URI_HEAD, 0x74, ...str('/x'), 0x78])
    expect(decodeStateHandlePointer(intactTemplate)).toMatchObject({ok: true, value: {uri: '/x', stateSize: 1}})
  })

  it('rejects trailing bytes and empty input', () => {
    const original = sample('handle-hdfs')
    const withTrailing = Uint8Array.from([...original, 0x70])
    expect(failure(decodeStateHandlePointer(withTrailing))).toMatchObject({code: 'TRAILING_DATA', offset: original.length})
    expect(failure(decodeStateHandlePointer(new Uint8Array(0)))).toMatchObject({code: 'TRUNCATED', offset: 0})
  })

  it('gives a typed error for every truncation', () => {
    expect(truncationProblems(HANDLE_SAMPLES.map((n) => [n, sample(n)]), decodeStateHandlePointer).problems).toEqual([])
  })
})

describe('percentDecode', () => {
  it('decodes escapes as UTF-8', () => {
    expect(percentDecode('a%20b')).toBe('a b')
    expect(percentDecode('50%25')).toBe('50%')
    expect(percentDecode('%e2%82%AC')).toBe('€')
    expect(percentDecode('%F0%9F%98%80')).toBe('😀')
    expect(percentDecode('%EF%BB%BFx')).toBe('\ufeffx')
    expect(percentDecode('/%2F/')).toBe('///')
    expect(percentDecode('no escapes: ü')).toBe('no escapes: ü')
  })
  it('keeps malformed escapes and invalid UTF-8 as written, without throwing', () => {
    expect(percentDecode('%')).toBe('%')
    expect(percentDecode('%4')).toBe('%4')
    expect(percentDecode('%zz%41')).toBe('%zzA')
    expect(percentDecode('a%2')).toBe('a%2')
    expect(percentDecode('%ff')).toBe('%ff')
    expect(percentDecode('%C3')).toBe('%C3')
    expect(percentDecode('%C3%20')).toBe('%C3%20')
    expect(percentDecode('x%C3%BC%')).toBe('xü%')
  })
})
