import {describe, expect, it} from 'vitest'
import {decodeLeaderInformation, formatUuid} from '../../src/codec/index.js'
import {failure, jvmSamples, truncationProblems} from '../support/jvm-samples.js'

// Samples written by a real JVM, exactly as ZooKeeperUtils.writeLeaderInformationToZooKeeper does.
const {manifest, sample} = jvmSamples('SerializationSamples')

const LEADER_SAMPLES = ['leader-short', 'leader-nil-uuid', 'leader-long-address', 'leader-non-ascii', 'leader-max-address']

/** Modified UTF-8 of a JS string, as DataOutputStream.writeUTF encodes it (without the length). */
function mutf8(text: string): number[] {
  const out: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 1 && c < 0x80) out.push(c)
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f))
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f))
  }
  return out
}

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0))
const u16 = (n: number) => [n >> 8, n & 0xff]
const i64 = (v: bigint) => Array.from({length: 8}, (_, k) => Number((BigInt.asUintN(64, v) >> BigInt(56 - 8 * k)) & 0xffn))

describe('decodeLeaderInformation', () => {
  it.each(LEADER_SAMPLES)('decodes %s as the JVM wrote it', (name) => {
    const expected = manifest[name]!
    const result = decodeLeaderInformation(sample(name))
    expect(result).toEqual({ok: true, value: {address: expected['address'], sessionId: expected['sessionId']}})
  })

  it('matches the byte layout documented in zookeeper-layout.md §3', () => {
    const m = manifest['leader-short']!
    const address = m['address'] as string
    const body = [...u16(address.length), ...ascii(address)]
    const expected = [
      ...[0xac, 0xed, 0x00, 0x05],
      ...[0x77, body.length, ...body],
      ...[0x73, 0x72, ...u16(14), ...ascii('java.util.UUID'), 0xbc, 0x99, 0x03, 0xf7, 0x98, 0x6d, 0x85, 0x2f],
      ...[0x02, 0x00, 0x02, 0x4a, ...u16(12), ...ascii('leastSigBits'), 0x4a, ...u16(11), ...ascii('mostSigBits'), 0x78, 0x70],
      ...i64(BigInt(m['leastSigBits'] as string)),
      ...i64(BigInt(m['mostSigBits'] as string)),
    ]
    expect(Array.from(sample('leader-short'))).toEqual(expected)
  })

  it('concatenates an address split into 1024-byte block data records', () => {
    const bytes = sample('leader-long-address')
    const address = manifest['leader-long-address']!['address'] as string
    expect(address.length).toBeGreaterThan(1024)
    // TC_BLOCKDATALONG of 1024 (the u16 length and 1022 address bytes), then the rest.
    expect(Array.from(bytes.subarray(4, 9))).toEqual([0x7a, 0, 0, 4, 0])
    expect(Array.from(bytes.subarray(9, 11))).toEqual(u16(address.length))
    expect(Array.from(bytes.subarray(4 + 5 + 1024, 4 + 5 + 1024 + 5))).toEqual([0x7a, 0, 0, 4, 0])
    expect(decodeLeaderInformation(bytes)).toMatchObject({ok: true, value: {address}})
  })

  it('decodes the longest address writeUTF allows, with characters cut across records', () => {
    const bytes = sample('leader-max-address')
    const address = manifest['leader-max-address']!['address'] as string
    expect(mutf8(address)).toHaveLength(65535)
    expect(Array.from(bytes.subarray(9, 11))).toEqual([0xff, 0xff])
    // 65537 bytes of block data: 64 full records plus one of 1 byte, the last a TC_BLOCKDATA.
    expect(Array.from(bytes.subarray(4 + 64 * 1029, 4 + 64 * 1029 + 2))).toEqual([0x77, 1])
    expect(decodeLeaderInformation(bytes)).toMatchObject({ok: true, value: {address}})
  })

  it('decodes NUL as C0 80 and supplementary characters as CESU-8', () => {
    const bytes = sample('leader-non-ascii')
    const address = manifest['leader-non-ascii']!['address'] as string
    expect(address).toContain('\0')
    expect(address).toContain('😀')
    expect(address).toContain('€')
    expect(address).toContain('ü')
    const body = Array.from(bytes.subarray(8, 8 + mutf8(address).length))
    expect(body).toEqual(mutf8(address))
    expect(Buffer.from(bytes).includes(Buffer.from([0xc0, 0x80]))).toBe(true)
    expect(Buffer.from(bytes).includes(Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]))).toBe(true)
    expect(decodeLeaderInformation(bytes)).toMatchObject({ok: true, value: {address}})
  })

  it('reads zero bytes as "no leader"', () => {
    expect(decodeLeaderInformation(new Uint8Array(0))).toEqual({ok: true, value: null})
  })

  it('rejects a UUID without the address before it', () => {
    const error = failure(decodeLeaderInformation(sample('leader-uuid-only')))
    expect(error).toMatchObject({code: 'UNEXPECTED', offset: 4})
  })

  it('rejects an address without a UUID after it', () => {
    const bytes = sample('leader-address-only')
    expect(failure(decodeLeaderInformation(bytes))).toMatchObject({code: 'TRUNCATED', offset: bytes.length})
  })

  it('rejects another object in place of the UUID, naming what it found', () => {
    const bytes = sample('leader-wrong-class')
    const error = failure(decodeLeaderInformation(bytes))
    expect(error.code).toBe('UNEXPECTED')
    expect(error.reason).toMatch(/expected java\.util\.UUID, found string/)
    expect(error.offset).toBe(4 + 2 + bytes[5]!) // the TC_STRING after the block data
  })

  it('rejects another class name, serialVersionUID or field names', () => {
    const original = sample('leader-short')
    const replace = (from: string | number[], to: string | number[]) => {
      const buf = Buffer.from(original)
      const at = buf.indexOf(Buffer.from(from))
      expect(at).toBeGreaterThan(0)
      Buffer.from(to).copy(buf, at)
      return new Uint8Array(buf)
    }
    const otherClass = failure(decodeLeaderInformation(replace('java.util.UUID', 'java.util.UUIX')))
    expect(otherClass).toMatchObject({code: 'UNEXPECTED', offset: 4 + 2 + original[5]!})
    expect(otherClass.reason).toMatch(/found object java\.util\.UUIX/)
    const otherSuid = failure(decodeLeaderInformation(replace([0xbc, 0x99, 0x03, 0xf7], [0xbc, 0x99, 0x03, 0xf8])))
    expect(otherSuid.reason).toMatch(/serialVersionUID/)
    const otherField = failure(decodeLeaderInformation(replace('mostSigBits', 'mostSigBitz')))
    expect(otherField.reason).toMatch(/mostSigBits and leastSigBits/)
  })

  it('rejects trailing bytes after the UUID', () => {
    const original = sample('leader-short')
    for (const extra of [[0x70], [0x77, 0x01, 0x00], [0x00]]) {
      const bytes = Uint8Array.from([...original, ...extra])
      expect(failure(decodeLeaderInformation(bytes))).toMatchObject({code: 'TRAILING_DATA', offset: original.length})
    }
  })

  it('rejects bad magic and garbage', () => {
    expect(failure(decodeLeaderInformation(Buffer.from('pekko.tcp://flink@host:6123')))).toMatchObject({
      code: 'MALFORMED',
      offset: 0,
    })
    expect(failure(decodeLeaderInformation(Uint8Array.from([0xac, 0xed, 0x00, 0x05, 0x99])))).toMatchObject({
      code: 'MALFORMED',
      offset: 4,
    })
  })

  it('gives a typed error for every truncation', () => {
    expect(truncationProblems(LEADER_SAMPLES.map((n) => [n, sample(n)]), decodeLeaderInformation, {from: 1}).problems).toEqual([])
  })
})

describe('formatUuid', () => {
  it('prints most then least significant bits, unsigned, zero-padded', () => {
    expect(formatUuid(0n, 0n)).toBe('00000000-0000-0000-0000-000000000000')
    expect(formatUuid(-1n, -1n)).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff')
    expect(formatUuid(0x0123456789abcdefn, 0x7edcba9876543210n)).toBe('01234567-89ab-cdef-7edc-ba9876543210')
    expect(formatUuid(-568210367123287600n, -6384696206158828554n)).toBe('f81d4fae-7dec-11d0-a765-00a0c91e6bf6')
  })
  it('agrees with java.util.UUID.toString for every sample', () => {
    for (const name of LEADER_SAMPLES) {
      const m = manifest[name]!
      expect(formatUuid(BigInt(m['mostSigBits'] as string), BigInt(m['leastSigBits'] as string))).toBe(m['sessionId'])
    }
  })
})
