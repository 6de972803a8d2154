// Hand-built Java serialization streams for pure unit tests, from the documented templates
// (zookeeper-layout.md §4). Tests that need the JVM's own bytes use test/java instead.

const ascii = (s: string) => Array.from(Buffer.from(s, 'utf8'))
const u16 = (n: number) => [n >> 8, n & 0xff]
const str = (s: string) => [...u16(Buffer.byteLength(s)), ...ascii(s)]
const hex = (h: string) => Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'))
const i64 = (v: bigint) => Array.from({length: 8}, (_, k) => Number((BigInt.asUintN(64, v) >> BigInt(56 - 8 * k)) & 0xffn))

/** A RetrievableStreamStateHandle → FileStateHandle → Path → URI stream, as Flink's ZooKeeper entries hold. */
export function pointer(uri: string, stateSize: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from([
    ...hex('AC ED 00 05'),
    ...[0x73, 0x72, ...str('org.apache.flink.runtime.state.RetrievableStreamStateHandle'), ...hex('00 01 1E 18 F1 55 97 2B')],
    ...[0x02, 0x00, 0x01, 0x4c, ...str('wrappedStreamStateHandle'), 0x74, ...str('Lorg/apache/flink/runtime/state/StreamStateHandle;'), 0x78, 0x70],
    ...[0x73, 0x72, ...str('org.apache.flink.runtime.state.filesystem.FileStateHandle'), ...hex('04 DC 75 D8 62 BD 1B B3')],
    ...[0x02, 0x00, 0x02, 0x4a, ...str('stateSize'), 0x4c, ...str('filePath'), 0x74, ...str('Lorg/apache/flink/core/fs/Path;'), 0x78, 0x70],
    ...i64(BigInt(stateSize)),
    ...[0x73, 0x72, ...str('org.apache.flink.core.fs.Path'), ...hex('00 00 00 00 00 00 00 01')],
    ...[0x02, 0x00, 0x01, 0x4c, ...str('uri'), 0x74, ...str('Ljava/net/URI;'), 0x78, 0x70],
    ...[0x73, 0x72, ...str('java.net.URI'), ...hex('AC 01 78 2E 43 9E 49 AB')],
    ...[0x03, 0x00, 0x01, 0x4c, ...str('string'), 0x74, ...str('Ljava/lang/String;'), 0x78, 0x70],
    0x74,
    ...str(uri),
    0x78,
  ])
}
