import {describe, expect, it} from 'vitest'
import {
  BASE_WIRE_HANDLE,
  ClassDescFlag,
  type JavaArray,
  type JavaBlockData,
  type JavaClass,
  type JavaClassDesc,
  type JavaContent,
  type JavaEnum,
  type JavaObject,
  type JavaValue,
  decodeModifiedUtf8,
  describeJavaValue,
  getClassData,
  getField,
  isJavaObject,
  openJavaObjectInput,
  readJavaObject,
  readJavaStream,
} from '../../src/codec/index.js'
import {failure, jvmSamples, truncationProblems, value} from '../support/jvm-samples.js'

// ------------------------------------------------------------------------------------------------
// Samples written by a real JVM (test/java/stubs/haadm/fixtures/SerializationSamples.java)

const {manifest, sample} = jvmSamples('SerializationSamples')

// ------------------------------------------------------------------------------------------------
// Helpers

function stream(bytes: Uint8Array): JavaContent[] {
  return value(readJavaStream(bytes))
}

function asObject(v: JavaContent | undefined, className?: string): JavaObject {
  if (!isJavaObject(v, className)) throw new Error(`expected object ${className ?? ''}, got ${describeJavaValue(v)}`)
  return v
}

function asArray(v: JavaContent | undefined): JavaArray {
  if (typeof v !== 'object' || v === null || v.kind !== 'array') throw new Error(`expected array, got ${describeJavaValue(v)}`)
  return v
}

function asBlock(v: JavaContent | undefined): JavaBlockData {
  if (typeof v !== 'object' || v === null || v.kind !== 'blockdata') throw new Error(`expected block data, got ${describeJavaValue(v)}`)
  return v
}

/** A tiny writer for hand-made streams (ASCII names only). */
class Bytes {
  private readonly parts: number[] = []
  static stream(): Bytes {
    return new Bytes().u8(0xac, 0xed, 0x00, 0x05)
  }
  u8(...bs: number[]): this {
    this.parts.push(...bs)
    return this
  }
  u16(n: number): this {
    return this.u8((n >> 8) & 0xff, n & 0xff)
  }
  i32(n: number): this {
    return this.u8((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
  }
  i64(n: bigint): this {
    const v = BigInt.asUintN(64, n)
    for (let s = 56n; s >= 0n; s -= 8n) this.u8(Number((v >> s) & 0xffn))
    return this
  }
  utf(s: string): this {
    this.u16(s.length)
    for (const c of s) this.u8(c.charCodeAt(0))
    return this
  }
  /** TC_CLASSDESC name suid flags fields... TC_ENDBLOCKDATA, then the caller writes the superclass. */
  classDesc(name: string, suid: bigint, flags: number, fields: [string, string, string?][]): this {
    this.u8(0x72).utf(name).i64(suid).u8(flags).u16(fields.length)
    for (const [code, fieldName, signature] of fields) {
      this.u8(code.charCodeAt(0)).utf(fieldName)
      if (signature !== undefined) this.u8(0x74).utf(signature)
    }
    return this.u8(0x78)
  }
  get(): Uint8Array {
    return Uint8Array.from(this.parts)
  }
}

const OBJECT_ARRAY = '[Ljava.lang.Object;'
const OBJECT_ARRAY_SUID = -8012369246846506644n // what JDK 17 writes for Object[]

// ------------------------------------------------------------------------------------------------

describe('readJavaStream on JVM-written streams', () => {
  it('resolves back-references to the very same objects, strings and shared Paths', () => {
    const [first, second, ...rest] = stream(sample('generic-backrefs'))
    expect(rest).toEqual([])
    const array = asArray(first)
    expect(array.className).toBe(OBJECT_ARRAY)
    expect(array.componentType).toBe('L')
    const elements = array.elements as JavaValue[]
    expect(elements).toHaveLength(5)
    const h1 = asObject(elements[0], 'org.apache.flink.runtime.state.RetrievableStreamStateHandle')
    expect(elements[1]).toBe(h1)
    const h2 = asObject(elements[2], 'org.apache.flink.runtime.state.RetrievableStreamStateHandle')
    expect(h2).not.toBe(h1)
    expect(elements[3]).toBe('dup')
    expect(elements[4]).toBe('dup')
    // Two FileStateHandles, one shared Path object.
    const f1 = asObject(getField(h1, 'wrappedStreamStateHandle'))
    const f2 = asObject(getField(h2, 'wrappedStreamStateHandle'))
    expect(f1).not.toBe(f2)
    expect(getField(f1, 'stateSize')).toBe(1n)
    expect(getField(f2, 'stateSize')).toBe(2n)
    expect(getField(f2, 'filePath')).toBe(getField(f1, 'filePath'))
    const uri = asObject(getField(asObject(getField(f1, 'filePath')), 'uri'), 'java.net.URI')
    expect(getField(uri, 'string')).toBe(manifest['generic-backrefs']!['uri'])
    // Class descriptors are shared too.
    expect(h2.classDesc).toBe(h1.classDesc)

    // ArrayList: writeObject writes its size as block data and its elements as objects.
    const list = asObject(second, 'java.util.ArrayList')
    expect(getField(list, 'size')).toBe(3)
    const data = getClassData(list, 'java.util.ArrayList')!
    expect(data.flags & ClassDescFlag.WRITE_METHOD).toBeTruthy()
    expect(data.annotations).toHaveLength(4)
    expect(Array.from(asBlock(data.annotations[0]).bytes)).toEqual([0, 0, 0, 3])
    expect(data.annotations[1]).toBe(h2)
    expect(data.annotations[2]).toBe(h1)
    expect(data.annotations[3]).toBe('dup')
  })

  it('decodes arrays of every primitive type, of objects and of arrays', () => {
    const contents = stream(sample('generic-arrays'))
    const arrays = contents.map(asArray)
    const byName = arrays.map((a) => [a.className, a.componentType])
    expect(byName).toEqual([
      ['[B', 'B'],
      ['[I', 'I'],
      ['[J', 'J'],
      ['[S', 'S'],
      ['[C', 'C'],
      ['[Z', 'Z'],
      ['[F', 'F'],
      ['[D', 'D'],
      ['[Ljava.lang.String;', 'L'],
      ['[[I', '['],
      ['[B', 'B'],
      ['[B', 'B'],
    ])
    expect(arrays[0]!.elements).toBeInstanceOf(Uint8Array)
    expect(Array.from(arrays[0]!.elements as Uint8Array)).toEqual([0x80, 0, 127, 1])
    expect(Array.from(arrays[1]!.elements as Int32Array)).toEqual([-2147483648, -1, 0, 2147483647])
    expect(Array.from(arrays[2]!.elements as BigInt64Array)).toEqual([-(2n ** 63n), 2n ** 63n - 1n])
    expect(Array.from(arrays[3]!.elements as Int16Array)).toEqual([-32768, 32767])
    expect(String.fromCharCode(...(arrays[4]!.elements as Uint16Array))).toBe('aü€')
    expect(arrays[5]!.elements).toEqual([true, false, true])
    expect(Array.from(arrays[6]!.elements as Float32Array)).toEqual([1.5, -0])
    expect(Object.is((arrays[6]!.elements as Float32Array)[1], -0)).toBe(true)
    expect(Array.from(arrays[7]!.elements as Float64Array)).toEqual([-0.25, 1e300])
    expect(arrays[8]!.elements).toEqual(['a', null, 'b'])
    const nested = (arrays[9]!.elements as JavaValue[]).map((a) => Array.from(asArray(a).elements as Int32Array))
    expect(nested).toEqual([[1], [2, 3]])
    // Both int[] rows share one class descriptor, sent once.
    const rows = (arrays[9]!.elements as JavaValue[]).map(asArray)
    expect(rows[0]!.classDesc).toBe(rows[1]!.classDesc)
    expect(rows[0]!.classDesc).toBe(arrays[1]!.classDesc)
    expect((arrays[10]!.elements as Uint8Array).length).toBe(0)
    expect((arrays[11]!.elements as Uint8Array).length).toBe(5000)
    expect(arrays[11]!.classDesc).toBe(arrays[0]!.classDesc)
  })

  it('reads class data from the top superclass down, keeping shadowed fields apart', () => {
    const [derivedValue, childValue] = stream(sample('generic-hierarchy'))
    const derived = asObject(derivedValue, 'haadm.fixtures.SerializationSamples$Derived')
    expect(derived.classes.map((c) => c.className)).toEqual([
      'haadm.fixtures.SerializationSamples$Base',
      'haadm.fixtures.SerializationSamples$Derived',
    ])
    expect(derived.classes.map((c) => c.serialVersionUID)).toEqual([11n, 12n])
    expect(derived.classDesc.superClass?.className).toBe('haadm.fixtures.SerializationSamples$Base')
    expect(derived.classDesc.superClass?.superClass).toBeNull()
    expect(getField(derived, 'name')).toBe('derived-name')
    expect(getField(derived, 'name', 'haadm.fixtures.SerializationSamples$Base')).toBe('base-name')
    expect(getField(derived, 'baseValue')).toBe(1)
    expect(getField(derived, 'derivedValue')).toBe(2n)
    expect(getField(derived, 'missing')).toBeUndefined()

    // A non-serializable superclass has no descriptor and no data in the stream.
    const child = asObject(childValue, 'haadm.fixtures.SerializationSamples$SerializableChild')
    expect(child.classes).toHaveLength(1)
    expect(child.classDesc.superClass).toBeNull()
    expect({...child.classes[0]!.fields}).toEqual({childValue: 9})
  })

  it('decodes a field of every type code', () => {
    const [object] = stream(sample('generic-primitives'))
    const o = asObject(object)
    expect(o.classDesc.fields.map((f) => `${f.typeCode} ${f.name} ${f.signature}`)).toEqual([
      'B b B',
      'C c C',
      'D d D',
      'F f F',
      'I i I',
      'J j J',
      'S s S',
      'Z z Z',
      '[ ints [I',
      'L obj Ljava/lang/Object;',
      'L str Ljava/lang/String;',
    ])
    const fields = o.classes[0]!.fields
    expect(fields['b']).toBe(-128)
    expect(fields['c']).toBe('€')
    expect(fields['d']).toBe(-0.1)
    expect(fields['f']).toBe(1.5)
    expect(fields['i']).toBe(-2147483648)
    expect(fields['j']).toBe(-(2n ** 63n))
    expect(fields['s']).toBe(-32768)
    expect(fields['z']).toBe(true)
    expect(Array.from(asArray(fields['ints']).elements as Int32Array)).toEqual([1, 2])
    expect(fields['obj']).toBeNull()
    expect(fields['str']).toBe('s')
  })

  it('keeps custom writeObject data as annotations, block data runs merged across the 1024-byte cut', () => {
    const bytes = sample('generic-custom')
    const o = asObject(stream(bytes)[0])
    const data = o.classes[0]!
    expect(data.flags).toBe(ClassDescFlag.SERIALIZABLE | ClassDescFlag.WRITE_METHOD)
    expect({...data.fields}).toEqual({plain: 3}) // the transient field is not in the stream
    expect(data.annotations).toHaveLength(3)
    const head = asBlock(data.annotations[0])
    expect(Array.from(head.bytes)).toEqual([0, 0, 0, 42, 0, 5, ...Buffer.from('extra')])
    expect(Array.from(asArray(data.annotations[1]).elements as Int32Array)).toEqual([1, 2, 3])
    const tail = asBlock(data.annotations[2])
    expect(tail.bytes.length).toBe(1508)
    for (let k = 0; k < 1500; k++) expect(tail.bytes[k]).toBe(k & 0xff)
    expect(Buffer.from(tail.bytes.subarray(1500)).readBigInt64BE()).toBe(-7n)
    // The JVM did cut it: a TC_BLOCKDATALONG of exactly 1024 bytes is in the stream.
    expect(Buffer.from(bytes).includes(Buffer.from([0x7a, 0x00, 0x00, 0x04, 0x00]))).toBe(true)
  })

  it('reads externalizable data (SC_BLOCK_DATA) as the annotation of one class section', () => {
    const o = asObject(stream(sample('generic-externalizable'))[0], 'haadm.fixtures.SerializationSamples$ExternalThing')
    expect(o.classDesc.flags).toBe(ClassDescFlag.EXTERNALIZABLE | ClassDescFlag.BLOCK_DATA)
    expect(o.classes).toHaveLength(1)
    const [block, obj] = o.classes[0]!.annotations
    expect(Array.from(asBlock(block).bytes)).toEqual([0, 0, 0, 7, 0, 3, ...Buffer.from('ext')])
    expect(obj).toBe('obj')
  })

  it('decodes enums, class objects and bare class descriptors', () => {
    const [green, green2, red, stringClass, colorClass, desc] = stream(sample('generic-enum-class')) as [
      JavaEnum,
      JavaEnum,
      JavaEnum,
      JavaClass,
      JavaClass,
      JavaClassDesc,
    ]
    expect(green.kind).toBe('enum')
    expect(green.className).toBe('haadm.fixtures.SerializationSamples$Color')
    expect(green.constant).toBe('GREEN')
    expect(green2).toBe(green)
    expect(red.constant).toBe('RED')
    expect(red.classDesc).toBe(green.classDesc)
    expect(green.classDesc.flags & ClassDescFlag.ENUM).toBeTruthy()
    expect(green.classDesc.superClass?.className).toBe('java.lang.Enum')
    expect(stringClass).toMatchObject({kind: 'class', className: 'java.lang.String'})
    expect(colorClass.kind).toBe('class')
    expect(colorClass.classDesc).toBe(green.classDesc)
    expect(desc.kind).toBe('classDesc')
    expect(desc.className).toBe('haadm.fixtures.SerializationSamples$Base')
    expect(desc.serialVersionUID).toBe(11n)
    expect(desc.fields.map((f) => f.name)).toEqual(['baseValue', 'name'])
  })

  it('forgets handles at TC_RESET', () => {
    const [a, b, c] = stream(sample('generic-reset')).map((v) => asObject(v))
    expect(b).toBe(a)
    expect(c).not.toBe(a)
    expect(getField(c!, 'label')).toBe('same')
    expect(c!.classDesc).not.toBe(a!.classDesc)
  })

  it('decodes modified UTF-8: NUL, supplementary characters, lone surrogates and TC_LONGSTRING', () => {
    const bytes = sample('generic-strings')
    expect(stream(bytes)).toEqual(manifest['generic-strings']!['strings'])
    const buf = Buffer.from(bytes)
    expect(buf.includes(Buffer.from([0xc0, 0x80]))).toBe(true)
    expect(buf.includes(Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]))).toBe(true) // U+1F600 as CESU-8
    expect(buf.includes(Buffer.from([0x7c, 0, 0, 0, 0, 0, 0x01, 0x86, 0xa0]))).toBe(true) // TC_LONGSTRING 100000
  })

  it('represents cycles by identity', () => {
    const [a, self] = stream(sample('generic-cycle'))
    const nodeA = asObject(a)
    const nodeB = asObject(getField(nodeA, 'next'))
    expect(getField(nodeB, 'label')).toBe('b')
    expect(getField(nodeB, 'next')).toBe(nodeA)
    const array = asArray(self)
    expect((array.elements as JavaValue[])[0]).toBe(array)
  })

  it('returns top-level primitive data as merged block data', () => {
    const contents = stream(sample('generic-blockdata'))
    expect(contents).toHaveLength(3)
    expect(asBlock(contents[0]).bytes.length).toBe(4 + 8 + 1 + 2 + 2 + 4 + 8 + 1 + (2 + 8) + 2000 + (2 + 3000))
    expect(contents[1]).toBe('after')
    expect(Array.from(asBlock(contents[2]).bytes)).toEqual([0, 0, 0, 99])
  })

  it('reads a single-object stream with readJavaObject', () => {
    const o = asObject(value(readJavaObject(sample('handle-hdfs'))))
    expect(o.className).toBe('org.apache.flink.runtime.state.RetrievableStreamStateHandle')
    expect(o.offset).toBe(4)
    expect(failure(readJavaObject(sample('generic-arrays')))).toMatchObject({code: 'TRAILING_DATA'})
  })
})

describe('JavaObjectInput (primitive data API)', () => {
  it('reads primitives across block data records like ObjectInputStream', () => {
    const input = value(openJavaObjectInput(sample('generic-blockdata')))
    expect(value(input.readInt())).toBe(0x01020304)
    expect(value(input.readLong())).toBe(-2n)
    expect(value(input.readBoolean())).toBe(true)
    expect(value(input.readShort())).toBe(-3)
    expect(value(input.readChar())).toBe('€')
    expect(value(input.readFloat())).toBe(1.5)
    expect(value(input.readDouble())).toBe(-0.25)
    expect(value(input.readByte())).toBe(-1)
    expect(value(input.readUTF())).toBe('hello ü')
    const pattern = value(input.readFully(2000))
    expect(pattern.length).toBe(2000)
    for (let k = 0; k < 2000; k++) expect(pattern[k]).toBe((k * 7) & 0xff)
    expect(value(input.readUTF())).toBe(manifest['generic-blockdata']!['utf3000'])
    expect(input.atEnd()).toBe(false)
    expect(value(input.readObject())).toBe('after')
    expect(value(input.readUnsignedShort())).toBe(0)
    expect(value(input.readUnsignedByte())).toBe(0)
    expect(value(input.readUnsignedByte())).toBe(99)
    expect(input.atEnd()).toBe(true)
    expect(value(input.expectEnd())).toBeUndefined()
  })

  it('refuses to read an object over unread primitive data, and stays failed afterwards', () => {
    const input = value(openJavaObjectInput(sample('generic-blockdata')))
    expect(value(input.readShort())).toBe(0x0102)
    const error = failure(input.readObject())
    expect(error.code).toBe('UNEXPECTED')
    expect(error.reason).toMatch(/primitive data unread/)
    expect(failure(input.readInt())).toBe(error)
    expect(input.error).toBe(error)
    expect(input.atEnd()).toBe(false)
  })

  it('reports primitive reads that run into an object', () => {
    const input = value(openJavaObjectInput(sample('leader-uuid-only')))
    const error = failure(input.readUTF())
    expect(error).toMatchObject({code: 'UNEXPECTED', offset: 4})
    expect(error.reason).toMatch(/TC_OBJECT/)
  })

  it('reports trailing data', () => {
    const input = value(openJavaObjectInput(sample('generic-blockdata')))
    expect(value(input.readInt())).toBe(0x01020304)
    expect(failure(input.expectEnd())).toMatchObject({code: 'TRAILING_DATA', offset: 13})
    expect(failure(value(openJavaObjectInput(sample('leader-short'))).readFully(-1))).toMatchObject({code: 'MALFORMED'})
  })

  it('does not copy or allocate for a primitive read longer than the data', () => {
    const input = value(openJavaObjectInput(sample('generic-blockdata')))
    const error = failure(input.readFully(2 ** 40))
    expect(error.code).toBe('UNEXPECTED')
  })
})

describe('decodeModifiedUtf8', () => {
  const decode = (...bytes: number[]) => decodeModifiedUtf8(Uint8Array.from(bytes))
  it('decodes the forms Java writes', () => {
    expect(value(decode(0x41, 0xc0, 0x80, 0x42))).toBe('A\0B')
    expect(value(decode(0xc3, 0xbc, 0xe2, 0x82, 0xac))).toBe('ü€')
    expect(value(decode(0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80))).toBe('😀')
    expect(value(decode(0xed, 0xa0, 0x80))).toBe('\ud800')
    expect(value(decode())).toBe('')
  })
  it('rejects what Java rejects, with the offset of the bad byte', () => {
    expect(failure(decode(0x41, 0x80))).toMatchObject({code: 'MALFORMED', offset: 1})
    expect(failure(decode(0xf0, 0x9f, 0x98, 0x80))).toMatchObject({code: 'MALFORMED', offset: 0})
    expect(failure(decode(0x41, 0xe2, 0x82))).toMatchObject({code: 'MALFORMED', offset: 1})
    expect(failure(decode(0xc3, 0x41))).toMatchObject({code: 'MALFORMED', offset: 1})
    expect(failure(decode(0xe2, 0x82, 0x41))).toMatchObject({code: 'MALFORMED', offset: 2})
  })
})

describe('malformed and hostile streams', () => {
  it('rejects empty input, bad magic, other versions and unknown type codes with offsets', () => {
    expect(failure(readJavaStream(new Uint8Array(0)))).toMatchObject({code: 'TRUNCATED', offset: 0})
    expect(failure(readJavaStream(Uint8Array.from([0xac, 0xed, 0x00])))).toMatchObject({code: 'TRUNCATED', offset: 0})
    expect(failure(readJavaStream(Uint8Array.from([0xca, 0xfe, 0xba, 0xbe])))).toMatchObject({code: 'MALFORMED', offset: 0})
    expect(failure(readJavaStream(Uint8Array.from([0x7b, 0x22])))).toMatchObject({code: 'MALFORMED', offset: 0})
    expect(failure(readJavaStream(Uint8Array.from([0xac, 0xed, 0x00, 0x04])))).toMatchObject({code: 'UNSUPPORTED', offset: 2})
    expect(failure(readJavaStream(Bytes.stream().u8(0x42).get()))).toMatchObject({code: 'MALFORMED', offset: 4})
    expect(failure(readJavaStream(Bytes.stream().u8(0x70, 0x00).get()))).toMatchObject({code: 'MALFORMED', offset: 5})
    expect(failure(readJavaStream(Bytes.stream().u8(0x78).get()))).toMatchObject({code: 'UNEXPECTED', offset: 4})
    expect(value(readJavaStream(Bytes.stream().get()))).toEqual([])
  })

  it('reports proxy classes and exceptions as unsupported', () => {
    expect(failure(readJavaStream(Bytes.stream().u8(0x7d).get()))).toMatchObject({code: 'UNSUPPORTED', offset: 4})
    expect(failure(readJavaStream(Bytes.stream().u8(0x73, 0x7d).get()))).toMatchObject({code: 'UNSUPPORTED', offset: 5})
    expect(failure(readJavaStream(Bytes.stream().u8(0x7b).get()))).toMatchObject({code: 'UNSUPPORTED', offset: 4})
  })

  it('checks references', () => {
    const unknown = Bytes.stream().u8(0x71).i32(BASE_WIRE_HANDLE + 5).get()
    expect(failure(readJavaStream(unknown))).toMatchObject({code: 'MALFORMED', offset: 4})
    const below = Bytes.stream().u8(0x71).i32(-1).get()
    expect(failure(readJavaStream(below))).toMatchObject({code: 'MALFORMED', offset: 4})
    // A string handle used where a class descriptor must be.
    const stringAsDesc = Bytes.stream().u8(0x74).utf('x').u8(0x73, 0x71).i32(BASE_WIRE_HANDLE).get()
    expect(failure(readJavaStream(stringAsDesc))).toMatchObject({code: 'MALFORMED', offset: 9})
    // A descriptor that names itself as its superclass: referenced before its definition ends.
    const selfSuper = Bytes.stream().classDesc('A', 1n, 0x02, []).u8(0x71).i32(BASE_WIRE_HANDLE).get()
    expect(failure(readJavaStream(selfSuper)).reason).toMatch(/before its end/)
    // A field signature that is a reference to a non-string.
    const badSignature = Bytes.stream()
      .u8(0x72)
      .utf('A')
      .i64(1n)
      .u8(0x02)
      .u16(1)
      .u8(0x4c)
      .utf('f')
      .u8(0x71)
      .i32(BASE_WIRE_HANDLE)
      .get()
    expect(failure(readJavaStream(badSignature))).toMatchObject({code: 'MALFORMED'})
  })

  it('checks class descriptors the way ObjectStreamClass does', () => {
    const withFields = (fields: [string, string, string?][], flags = 0x02, suid = 1n) =>
      Bytes.stream().classDesc('A', suid, flags, fields).u8(0x70).get()
    expect(value(readJavaStream(withFields([['I', 'x']])))).toHaveLength(1)
    expect(failure(readJavaStream(withFields([['I', 'x'], ['J', 'x']]))).reason).toMatch(/duplicate field x/)
    expect(failure(readJavaStream(withFields([['L', 'o', 'Ljava/lang/Object;'], ['I', 'x']]))).reason).toMatch(
      /primitive field x after an object field/,
    )
    expect(failure(readJavaStream(withFields([['Q', 'x']]))).reason).toMatch(/invalid field type code/)
    expect(failure(readJavaStream(withFields([['L', 'o', 'java/lang/Object']]))).reason).toMatch(/invalid type signature/)
    expect(failure(readJavaStream(withFields([['[', 'o', 'Ljava/lang/Object;']]))).reason).toMatch(/invalid type signature/)
    expect(failure(readJavaStream(withFields([], 0x06))).reason).toMatch(/flags conflict/)
    expect(failure(readJavaStream(withFields([], 0x12, 5n))).reason).toMatch(/enum descriptor has non-zero serialVersionUID/)
    const negativeCount = Bytes.stream().u8(0x72).utf('A').i64(1n).u8(0x02).u16(0x8000).get()
    expect(failure(readJavaStream(negativeCount))).toMatchObject({code: 'MALFORMED', offset: 17})
    // Class annotation without its TC_ENDBLOCKDATA.
    const unterminated = Bytes.stream().u8(0x72).utf('A').i64(1n).u8(0x02).u16(0).get()
    expect(failure(readJavaStream(unterminated))).toMatchObject({code: 'TRUNCATED', offset: 19})
  })

  it('checks what objects, arrays and enums may be built from', () => {
    expect(failure(readJavaStream(Bytes.stream().u8(0x73, 0x70).get())).reason).toMatch(/null class descriptor/)
    const notSerializable = Bytes.stream().u8(0x73).classDesc('A', 1n, 0x00, []).u8(0x70).get()
    expect(failure(readJavaStream(notSerializable)).reason).toMatch(/neither serializable nor externalizable/)
    const arrayAsObject = Bytes.stream().u8(0x73).classDesc('[I', 1n, 0x02, []).u8(0x70).get()
    expect(failure(readJavaStream(arrayAsObject)).reason).toMatch(/array class/)
    const objectAsArray = Bytes.stream().u8(0x75).classDesc('A', 1n, 0x02, []).u8(0x70).i32(0).get()
    expect(failure(readJavaStream(objectAsArray)).reason).toMatch(/non-array class/)
    const negativeLength = Bytes.stream().u8(0x75).classDesc('[I', 1n, 0x02, []).u8(0x70).i32(-1).get()
    expect(failure(readJavaStream(negativeLength))).toMatchObject({code: 'MALFORMED', offset: 23})
    const enumWithoutFlag = Bytes.stream().u8(0x7e).classDesc('E', 0n, 0x02, []).u8(0x70).u8(0x74).utf('X').get()
    expect(failure(readJavaStream(enumWithoutFlag)).reason).toMatch(/non-enum class/)
    const enumNameReference = Bytes.stream().u8(0x7e).classDesc('E', 0n, 0x12, []).u8(0x70).u8(0x71).i32(BASE_WIRE_HANDLE).get()
    expect(failure(readJavaStream(enumNameReference)).reason).toMatch(/enum constant name/)
    const externalV1 = Bytes.stream().u8(0x73).classDesc('X', 1n, 0x04, []).u8(0x70).get()
    expect(failure(readJavaStream(externalV1))).toMatchObject({code: 'UNSUPPORTED', offset: 4})
    const resetInside = Bytes.stream()
      .u8(0x75)
      .classDesc(OBJECT_ARRAY, OBJECT_ARRAY_SUID, 0x02, [])
      .u8(0x70)
      .i32(1)
      .u8(0x79)
      .get()
    expect(failure(readJavaStream(resetInside)).reason).toMatch(/TC_RESET inside an object/)
  })

  it('enforces the input, handle, string, array and class data limits', () => {
    const hdfs = sample('handle-hdfs')
    expect(failure(readJavaStream(hdfs, {maxInputBytes: 100}))).toMatchObject({code: 'LIMIT', offset: 0})
    // 4 class descriptors, 4 field signatures, 4 objects and the URI string.
    expect(value(readJavaStream(hdfs, {maxHandles: 13}))).toHaveLength(1)
    expect(failure(readJavaStream(hdfs, {maxHandles: 12}))).toMatchObject({code: 'LIMIT'})
    expect(failure(readJavaStream(sample('generic-strings'), {maxStringBytes: 1000}))).toMatchObject({code: 'LIMIT'})
    expect(failure(readJavaStream(sample('generic-arrays'), {maxArrayLength: 100}))).toMatchObject({code: 'LIMIT'})
    expect(value(readJavaStream(sample('generic-hierarchy'), {maxClassDataSections: 3}))).toHaveLength(2)
    expect(failure(readJavaStream(sample('generic-hierarchy'), {maxClassDataSections: 2}))).toMatchObject({code: 'LIMIT'})
    // Handle-hdfs nests 4 objects, each with its class descriptor, and the URI string.
    expect(failure(readJavaStream(hdfs, {maxDepth: 4}))).toMatchObject({code: 'LIMIT'})
    expect(value(readJavaStream(hdfs, {maxDepth: 5}))).toHaveLength(1)
    // Options left undefined keep their defaults.
    expect(value(readJavaStream(hdfs, {maxDepth: undefined}))).toHaveLength(1)
  })

  it('stops a deeply nested stream at maxDepth', () => {
    // Object[]{Object[]{Object[]{...}}}: 100000 levels, the descriptor sent once then referenced.
    const b = Bytes.stream().u8(0x75).classDesc(OBJECT_ARRAY, OBJECT_ARRAY_SUID, 0x02, []).u8(0x70).i32(1)
    for (let i = 0; i < 100_000; i++) b.u8(0x75, 0x71).i32(BASE_WIRE_HANDLE).i32(1)
    b.u8(0x70)
    const bytes = b.get()
    const error = failure(readJavaStream(bytes))
    expect(error.code).toBe('LIMIT')
    expect(error.reason).toMatch(/nesting deeper than 100/)
    expect(error.offset).toBeGreaterThan(4)
    // Even a caller who lifts the limit gets a typed error rather than a stack overflow.
    const unlimited = readJavaStream(bytes, {maxDepth: Number.MAX_SAFE_INTEGER, maxHandles: 1e9})
    expect(unlimited.ok).toBe(false)
  })

  it('bounds class hierarchies reused by reference', () => {
    // 200 descriptors, each the superclass of the next by reference: no nesting while reading them.
    const b = Bytes.stream()
    for (let i = 0; i < 200; i++) {
      b.classDesc(`C${i}`, 1n, 0x02, [])
      if (i === 0) b.u8(0x70)
      else b.u8(0x71).i32(BASE_WIRE_HANDLE + i - 1)
    }
    const descs = value(readJavaStream(b.get()))
    expect(descs).toHaveLength(200)
    b.u8(0x73, 0x71).i32(BASE_WIRE_HANDLE + 199)
    expect(failure(readJavaStream(b.get())).reason).toMatch(/class hierarchy of C199 deeper than 100/)
  })

  it('checks huge declared lengths against the input before allocating', () => {
    const cases: [string, Uint8Array, string][] = [
      ['long string 2^62', Bytes.stream().u8(0x7c).i64(2n ** 62n).get(), 'LIMIT'],
      ['long string above input', Bytes.stream().u8(0x7c).i64(1000n).u8(0x41).get(), 'TRUNCATED'],
      ['negative long string', Bytes.stream().u8(0x7c).i64(-1n).get(), 'MALFORMED'],
      ['string above input', Bytes.stream().u8(0x74).u16(0xffff).get(), 'TRUNCATED'],
      ['block data 2^31-1', Bytes.stream().u8(0x7a).i32(0x7fffffff).get(), 'TRUNCATED'],
      ['negative block data', Bytes.stream().u8(0x7a).i32(-5).get(), 'MALFORMED'],
      ['long[] 2^31-1', Bytes.stream().u8(0x75).classDesc('[J', 1n, 0x02, []).u8(0x70).i32(0x7fffffff).get(), 'LIMIT'],
      [
        'Object[] 5M',
        Bytes.stream().u8(0x75).classDesc(OBJECT_ARRAY, OBJECT_ARRAY_SUID, 0x02, []).u8(0x70).i32(5_000_000).u8(0x70).get(),
        'TRUNCATED',
      ],
    ]
    for (const [name, bytes, code] of cases) {
      const before = process.memoryUsage().arrayBuffers
      const started = performance.now()
      const result = readJavaStream(bytes, {maxArrayLength: name === 'Object[] 5M' ? 1e9 : undefined})
      expect(performance.now() - started, name).toBeLessThan(50)
      expect(process.memoryUsage().arrayBuffers - before, name).toBeLessThan(16 << 20)
      expect(failure(result).code, name).toBe(code)
    }
    const hugeLongArray = Bytes.stream().u8(0x75).classDesc('[J', 1n, 0x02, []).u8(0x70).i32(0x7fffffff).get()
    expect(failure(readJavaStream(hugeLongArray, {maxArrayLength: 2 ** 31})).code).toBe('TRUNCATED')
  })

  it('returns a typed error for every truncation of every JVM sample', () => {
    const names = Object.keys(manifest)
    for (const name of names) expect(readJavaStream(sample(name)).ok, name).toBe(true)
    // A prefix may be a complete stream of fewer objects: success is allowed, a wrong error is not.
    const {problems, checked} = truncationProblems(names.map((n) => [n, sample(n)]), (b) => readJavaStream(b), {allowOk: true})
    expect(problems).toEqual([])
    expect(checked).toBeGreaterThan(200_000)
  })

  it('fails every strict prefix of a single-object stream', () => {
    for (const name of ['handle-hdfs', 'generic-custom', 'generic-primitives', 'generic-externalizable']) {
      const bytes = sample(name)
      for (let n = 0; n < bytes.length; n++) {
        const result = readJavaObject(bytes.subarray(0, n))
        expect(result.ok, `${name} cut at ${n}`).toBe(false)
      }
    }
  })
})
