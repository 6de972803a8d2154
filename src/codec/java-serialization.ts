/**
 * A bounded, strict reader of the Java Object Serialization Stream Protocol (version 5, magic
 * AC ED 00 05), the format of `ObjectOutputStream`. Flink writes its HA metadata with it: leader
 * information (`writeUTF` + a `java.util.UUID`) and state-handle pointers (a small object graph).
 *
 * The reader needs no Java classes: it decodes what the stream itself describes (class
 * descriptors with their serializable fields) into a plain object model. It is meant for untrusted
 * bytes: every length is checked against the remaining input before anything is allocated,
 * nesting depth, handle count, string and array lengths are bounded, and no public function
 * throws; failures are `DecodeResult` errors with the byte offset where the problem was found.
 *
 * Protocol reference: "Java Object Serialization Specification", chapter 6 (grammar in 6.4), and
 * OpenJDK's java.io.ObjectInputStream, whose checks this reader follows where the spec is silent.
 *
 * Not supported (reported as UNSUPPORTED): proxy class descriptors (TC_PROXYCLASSDESC), serialized
 * exceptions (TC_EXCEPTION), and externalizable data written with protocol version 1 (without
 * SC_BLOCK_DATA), which cannot be parsed without the class's own readExternal.
 */
import {type DecodeError, type DecodeErrorCode, type DecodeResult, ok} from './result.js'

// ---------------------------------------------------------------------------------------------
// Constants

export const STREAM_MAGIC = 0xaced
export const STREAM_VERSION = 5
/** Handles are numbered from here, in order of appearance, for TC_REFERENCE back-references. */
export const BASE_WIRE_HANDLE = 0x7e0000

/** Type codes of the stream grammar (java.io.ObjectStreamConstants). */
export const TypeCode = {
  NULL: 0x70,
  REFERENCE: 0x71,
  CLASSDESC: 0x72,
  OBJECT: 0x73,
  STRING: 0x74,
  ARRAY: 0x75,
  CLASS: 0x76,
  BLOCKDATA: 0x77,
  ENDBLOCKDATA: 0x78,
  RESET: 0x79,
  BLOCKDATALONG: 0x7a,
  EXCEPTION: 0x7b,
  LONGSTRING: 0x7c,
  PROXYCLASSDESC: 0x7d,
  ENUM: 0x7e,
} as const

/** Bits of a class descriptor's flags byte. */
export const ClassDescFlag = {
  /** The class has a writeObject method: its class data ends with an annotation. */
  WRITE_METHOD: 0x01,
  SERIALIZABLE: 0x02,
  EXTERNALIZABLE: 0x04,
  /** Externalizable data is written as block data (protocol version 2, the default since JDK 1.2). */
  BLOCK_DATA: 0x08,
  ENUM: 0x10,
} as const

const TC = TypeCode
const SC = ClassDescFlag

const TYPE_CODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(TypeCode).map(([name, code]) => [code, `TC_${name}`]),
)

function typeCodeName(tc: number): string {
  const hex = `0x${tc.toString(16).padStart(2, '0')}`
  const name = TYPE_CODE_NAMES[tc]
  return name === undefined ? `unknown type code ${hex}` : `${name} (${hex})`
}

// ---------------------------------------------------------------------------------------------
// Limits

export interface JavaSerializationLimits {
  /** Largest input accepted at all. */
  maxInputBytes: number
  /** Deepest nesting of objects, class descriptors and superclass chains. */
  maxDepth: number
  /** Most handles (objects, strings, arrays, enums, classes, class descriptors) in one stream, resets included. */
  maxHandles: number
  /** Longest string, in bytes of modified UTF-8. */
  maxStringBytes: number
  /** Longest array, in elements. */
  maxArrayLength: number
  /**
   * Most per-class data sections over all objects (an object has one per serializable class in
   * its hierarchy). Bounds the output when a deep class hierarchy is reused by reference from many
   * small objects, the one place where output can grow faster than input.
   */
  maxClassDataSections: number
}

export type JavaSerializationOptions = Partial<JavaSerializationLimits>

/**
 * Defaults sized for Flink HA metadata: ZooKeeper nodes and ConfigMap values are at most about
 * 1 MiB, and the object graphs there are a handful of objects deep.
 */
export const DEFAULT_JAVA_SERIALIZATION_LIMITS: Readonly<JavaSerializationLimits> = Object.freeze({
  maxInputBytes: 8 * 1024 * 1024,
  maxDepth: 100,
  maxHandles: 100_000,
  maxStringBytes: 4 * 1024 * 1024,
  maxArrayLength: 8 * 1024 * 1024,
  maxClassDataSections: 200_000,
})

function resolveLimits(options: JavaSerializationOptions | undefined): Readonly<JavaSerializationLimits> {
  if (options === undefined) return DEFAULT_JAVA_SERIALIZATION_LIMITS
  const limits = {...DEFAULT_JAVA_SERIALIZATION_LIMITS}
  for (const key of Object.keys(limits) as (keyof JavaSerializationLimits)[]) {
    const value = options[key]
    if (typeof value === 'number' && !Number.isNaN(value)) limits[key] = value
  }
  return limits
}

// ---------------------------------------------------------------------------------------------
// Output model

export type PrimitiveTypeCode = 'B' | 'C' | 'D' | 'F' | 'I' | 'J' | 'S' | 'Z'
export type FieldTypeCode = PrimitiveTypeCode | 'L' | '['

const PRIMITIVE_TYPE_CODES: ReadonlySet<string> = new Set(['B', 'C', 'D', 'F', 'I', 'J', 'S', 'Z'])

/** One serializable field as a class descriptor declares it. */
export interface JavaFieldDesc {
  name: string
  typeCode: FieldTypeCode
  /** JVM type descriptor: the type code itself for primitives, e.g. `Ljava/lang/String;` or `[B` for objects. */
  signature: string
}

/** TC_CLASSDESC: the stream's description of a class. Shared by every object of that class. */
export interface JavaClassDesc {
  kind: 'classDesc'
  /** Binary name, e.g. `java.util.UUID`, `[B`, `[Ljava.lang.String;`. */
  className: string
  serialVersionUID: bigint
  /** ClassDescFlag bits. */
  flags: number
  /** In stream order: primitive fields first, then object fields, each group sorted by name. */
  fields: JavaFieldDesc[]
  /** Written by ObjectOutputStream.annotateClass; empty for the JDK's own stream. */
  annotations: JavaContent[]
  /** The nearest serializable superclass, or null. */
  superClass: JavaClassDesc | null
  /** Offset of the TC_CLASSDESC byte. */
  offset: number
}

/** The data one class of an object's hierarchy contributed. */
export interface JavaClassData {
  className: string
  serialVersionUID: bigint
  flags: number
  /**
   * Serializable field values by name (prototype-less, so any Java identifier is a safe key).
   * Values by type code: B S I F D → number, J → bigint, Z → boolean, C → one-unit string,
   * L and [ → any JavaValue.
   */
  fields: Record<string, JavaValue>
  /**
   * What the class's writeObject wrote after its fields (SC_WRITE_METHOD), or an externalizable
   * object's writeExternal data: block data and objects up to TC_ENDBLOCKDATA, with consecutive
   * block data records merged (their boundaries carry no meaning). Empty otherwise.
   */
  annotations: JavaContent[]
}

/** TC_OBJECT. */
export interface JavaObject {
  kind: 'object'
  className: string
  serialVersionUID: bigint
  classDesc: JavaClassDesc
  /**
   * One entry per class in the hierarchy, from the topmost serializable superclass down to the
   * object's own class, as the stream orders them. An externalizable object has a single entry,
   * for its own class, holding the external data in `annotations`.
   */
  classes: JavaClassData[]
  /** Offset of the TC_OBJECT byte. */
  offset: number
}

interface JavaArrayOf<C extends FieldTypeCode, E> {
  kind: 'array'
  /** e.g. `[B`, `[[I`, `[Ljava.lang.String;`. */
  className: string
  classDesc: JavaClassDesc
  componentType: C
  elements: E
  /** Offset of the TC_ARRAY byte. */
  offset: number
}

/** TC_ARRAY: primitive arrays become typed arrays (byte[] as raw bytes), object arrays JS arrays. */
export type JavaArray =
  | JavaArrayOf<'B', Uint8Array>
  | JavaArrayOf<'C', Uint16Array>
  | JavaArrayOf<'D', Float64Array>
  | JavaArrayOf<'F', Float32Array>
  | JavaArrayOf<'I', Int32Array>
  | JavaArrayOf<'J', BigInt64Array>
  | JavaArrayOf<'S', Int16Array>
  | JavaArrayOf<'Z', boolean[]>
  | JavaArrayOf<'L' | '[', JavaValue[]>

/** TC_ENUM: an enum constant, by name. */
export interface JavaEnum {
  kind: 'enum'
  className: string
  classDesc: JavaClassDesc
  constant: string
  offset: number
}

/** TC_CLASS: a java.lang.Class object. */
export interface JavaClass {
  kind: 'class'
  className: string
  classDesc: JavaClassDesc
  offset: number
}

/** Primitive data (writeInt, writeUTF, write(byte[]) ...) outside objects' fields. */
export interface JavaBlockData {
  kind: 'blockdata'
  bytes: Uint8Array
  /** Offset of the first block data record's type code. */
  offset: number
}

/**
 * A value in the object graph. Strings are JS strings (decoded from modified UTF-8, surrogate
 * pairs intact). A back-reference yields the very same JS object as the first occurrence, so the
 * graph may share nodes and may contain cycles (an object can refer to itself).
 */
export type JavaValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JavaObject
  | JavaArray
  | JavaEnum
  | JavaClass
  | JavaClassDesc

/** What may appear at the top level of a stream or in an annotation. */
export type JavaContent = JavaValue | JavaBlockData

// ---------------------------------------------------------------------------------------------
// Helpers on the model

export function isJavaObject(value: unknown, className?: string): value is JavaObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as {kind?: unknown}).kind === 'object' &&
    (className === undefined || (value as JavaObject).className === className)
  )
}

function isClassDesc(value: JavaContent): value is JavaClassDesc {
  return typeof value === 'object' && value !== null && value.kind === 'classDesc'
}

/** The data a given class of the hierarchy contributed, if the object has that class. */
export function getClassData(object: JavaObject, className: string): JavaClassData | undefined {
  return object.classes.find((c) => c.className === className)
}

/**
 * A serializable field's value. Without `className`, the most derived class declaring a field of
 * that name wins, as Java's field hiding does. Undefined when no class has the field.
 */
export function getField(object: JavaObject, name: string, className?: string): JavaValue | undefined {
  for (let i = object.classes.length - 1; i >= 0; i--) {
    const data = object.classes[i]!
    if (className !== undefined && data.className !== className) continue
    if (Object.hasOwn(data.fields, name)) return data.fields[name]
  }
  return undefined
}

/** A short description for error messages: `null`, `string`, `long`, `object java.util.UUID`, ... */
export function describeJavaValue(value: JavaContent | undefined): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return 'string'
    case 'bigint':
      return 'long'
    case 'number':
      return 'number'
    case 'boolean':
      return 'boolean'
    default:
      switch (value.kind) {
        case 'object':
          return `object ${value.className}`
        case 'array':
          return `array ${value.className}`
        case 'enum':
          return `enum ${value.className}.${value.constant}`
        case 'class':
          return `class ${value.className}`
        case 'classDesc':
          return `class descriptor ${value.className}`
        case 'blockdata':
          return `${value.bytes.length} bytes of block data`
      }
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Thrown inside the reader only; every public entry point turns it into a DecodeResult. Not an
 * Error subclass: a stack trace is never shown, and capturing one dominates the cost of rejecting
 * a short corrupt input.
 */
class StreamError {
  constructor(
    readonly code: DecodeErrorCode,
    readonly reason: string,
    readonly offset: number,
  ) {}
}

function toDecodeError(e: unknown, offset: number): DecodeError {
  if (e instanceof StreamError) return {code: e.code, reason: e.reason, offset: e.offset}
  // A stack overflow can only come from nesting, if a caller raised maxDepth beyond what the JS stack holds.
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return {code: 'LIMIT', reason: 'nesting too deep for the JavaScript stack', offset}
  }
  const message = e instanceof Error ? e.message : String(e)
  return {code: 'INTERNAL', reason: `internal decoder error: ${message}`, offset}
}

// ---------------------------------------------------------------------------------------------
// Modified UTF-8

const CHUNK = 0x2000

/**
 * Java's modified UTF-8 (DataInput.readUTF): 1 to 3 bytes per UTF-16 code unit, NUL as C0 80,
 * supplementary characters as two 3-byte surrogates (CESU-8). Decoding per code unit keeps pairs
 * (and even lone surrogates, which Java strings may hold) exactly. Accepts what the JDK accepts.
 */
function decodeMutf8(bytes: Uint8Array, start: number, end: number): string {
  let i = start
  while (i < end && bytes[i]! < 0x80) i++
  if (i === end) return fromCodeUnits(bytes, start, end)
  const units = new Uint16Array(end - start)
  units.set(bytes.subarray(start, i))
  let n = i - start
  while (i < end) {
    const b = bytes[i]!
    if (b < 0x80) {
      units[n++] = b
      i += 1
    } else if ((b & 0xe0) === 0xc0) {
      if (i + 2 > end) throw new StreamError('MALFORMED', 'modified UTF-8: partial character at end of string', i)
      const b2 = bytes[i + 1]!
      if ((b2 & 0xc0) !== 0x80) throw new StreamError('MALFORMED', 'modified UTF-8: bad continuation byte', i + 1)
      units[n++] = ((b & 0x1f) << 6) | (b2 & 0x3f)
      i += 2
    } else if ((b & 0xf0) === 0xe0) {
      if (i + 3 > end) throw new StreamError('MALFORMED', 'modified UTF-8: partial character at end of string', i)
      const b2 = bytes[i + 1]!
      const b3 = bytes[i + 2]!
      if ((b2 & 0xc0) !== 0x80) throw new StreamError('MALFORMED', 'modified UTF-8: bad continuation byte', i + 1)
      if ((b3 & 0xc0) !== 0x80) throw new StreamError('MALFORMED', 'modified UTF-8: bad continuation byte', i + 2)
      units[n++] = ((b & 0x0f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)
      i += 3
    } else {
      throw new StreamError('MALFORMED', `modified UTF-8: invalid byte 0x${b.toString(16)}`, i)
    }
  }
  return fromCodeUnits(units, 0, n)
}

function fromCodeUnits(units: Uint8Array | Uint16Array, start: number, end: number): string {
  let out = ''
  for (let k = start; k < end; k += CHUNK) {
    // apply takes any array-like; chunks keep the argument count far below engine limits.
    out += String.fromCharCode.apply(null, units.subarray(k, Math.min(end, k + CHUNK)) as unknown as number[])
  }
  return out
}

/** Decodes bytes of Java's modified UTF-8 (without the length prefix). */
export function decodeModifiedUtf8(bytes: Uint8Array): DecodeResult<string> {
  try {
    return ok(decodeMutf8(bytes, 0, bytes.length))
  } catch (e) {
    return {ok: false, error: toDecodeError(e, 0)}
  }
}

// ---------------------------------------------------------------------------------------------
// The parser

/**
 * Holds the whole state of one stream: position, handle table, nesting depth and, for the
 * primitive-data API, how much of the current block data record is still unread. Its methods
 * throw StreamError; JavaObjectInput is the non-throwing face.
 */
class StreamParser {
  pos = 4
  private readonly end: number
  private readonly view: DataView
  private handles: JavaValue[] = []
  private handleCount = 0
  private depth = 0
  private classDataCount = 0
  /** Descriptors whose definition is still being read: a reference to one is malformed. */
  private readonly incomplete = new Set<JavaClassDesc>()
  /** Unread bytes of the current block data record (top-level primitive reads only). */
  blockRemaining = 0

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: Readonly<JavaSerializationLimits>,
  ) {
    this.end = bytes.length
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  // --- raw reads -------------------------------------------------------------------------

  private fail(code: DecodeErrorCode, reason: string, offset: number = this.pos): never {
    throw new StreamError(code, reason, offset)
  }

  private need(n: number, what: string): void {
    const left = this.end - this.pos
    if (n > left) this.fail('TRUNCATED', `${what}: needs ${n} bytes, ${left} left`)
  }

  private u8(what: string): number {
    this.need(1, what)
    return this.bytes[this.pos++]!
  }

  private i16(what: string): number {
    this.need(2, what)
    const v = this.view.getInt16(this.pos)
    this.pos += 2
    return v
  }

  private u16(what: string): number {
    this.need(2, what)
    const v = this.view.getUint16(this.pos)
    this.pos += 2
    return v
  }

  private i32(what: string): number {
    this.need(4, what)
    const v = this.view.getInt32(this.pos)
    this.pos += 4
    return v
  }

  private i64(what: string): bigint {
    this.need(8, what)
    const v = this.view.getBigInt64(this.pos)
    this.pos += 8
    return v
  }

  private utfBody(length: number, what: string): string {
    if (length > this.limits.maxStringBytes) {
      this.fail('LIMIT', `${what}: ${length} bytes exceeds the limit of ${this.limits.maxStringBytes}`)
    }
    this.need(length, what)
    const start = this.pos
    this.pos += length
    return decodeMutf8(this.bytes, start, start + length)
  }

  /** A u16 length and modified UTF-8: class and field names. */
  private utf(what: string): string {
    return this.utfBody(this.u16(`${what} length`), what)
  }

  // --- handles ---------------------------------------------------------------------------

  private assignHandle(value: JavaValue, at: number): void {
    if (this.handleCount >= this.limits.maxHandles) {
      this.fail('LIMIT', `more than ${this.limits.maxHandles} handles`, at)
    }
    this.handles.push(value)
    this.handleCount++
  }

  private lookupHandle(at: number): JavaValue {
    const handle = this.i32('handle')
    const index = handle - BASE_WIRE_HANDLE
    if (index < 0 || index >= this.handles.length) {
      this.fail('MALFORMED', `reference to unknown handle 0x${(handle >>> 0).toString(16)}`, at)
    }
    return this.handles[index]!
  }

  private reset(): void {
    this.handles = []
  }

  private nested<T>(at: number, read: () => T): T {
    if (this.depth >= this.limits.maxDepth) this.fail('LIMIT', `nesting deeper than ${this.limits.maxDepth}`, at)
    this.depth++
    try {
      return read()
    } finally {
      this.depth--
    }
  }

  // --- the `object` production -----------------------------------------------------------

  /** Reads one object (anything but block data). TC_RESET is only legal outside any object. */
  readObject(): JavaValue {
    let at = this.pos
    let tc = this.u8('type code')
    while (tc === TC.RESET) {
      if (this.depth > 0) this.fail('MALFORMED', 'TC_RESET inside an object', at)
      this.reset()
      at = this.pos
      tc = this.u8('type code')
    }
    return this.nested(at, () => {
      switch (tc) {
        case TC.NULL:
          return null
        case TC.REFERENCE:
          return this.lookupHandle(at)
        case TC.CLASSDESC:
          return this.readNewClassDesc(at)
        case TC.OBJECT:
          return this.readNewObject(at)
        case TC.STRING:
          return this.readNewString(false, at)
        case TC.LONGSTRING:
          return this.readNewString(true, at)
        case TC.ARRAY:
          return this.readNewArray(at)
        case TC.ENUM:
          return this.readNewEnum(at)
        case TC.CLASS:
          return this.readNewClass(at)
        case TC.PROXYCLASSDESC:
          return this.fail('UNSUPPORTED', 'proxy class descriptors (TC_PROXYCLASSDESC) are not supported', at)
        case TC.EXCEPTION:
          return this.fail('UNSUPPORTED', 'serialized exceptions (TC_EXCEPTION) are not supported', at)
        case TC.BLOCKDATA:
        case TC.BLOCKDATALONG:
          return this.fail('UNEXPECTED', 'block data where an object was expected', at)
        case TC.ENDBLOCKDATA:
          return this.fail('UNEXPECTED', 'TC_ENDBLOCKDATA where an object was expected', at)
        default:
          return this.fail('MALFORMED', typeCodeName(tc), at)
      }
    })
  }

  private readNewString(long: boolean, at: number): string {
    let value: string
    if (long) {
      const lengthAt = this.pos
      const length = this.i64('long string length')
      if (length < 0n) this.fail('MALFORMED', `negative long string length ${length}`, lengthAt)
      if (length > BigInt(this.limits.maxStringBytes)) {
        this.fail('LIMIT', `string of ${length} bytes exceeds the limit of ${this.limits.maxStringBytes}`, lengthAt)
      }
      value = this.utfBody(Number(length), 'long string')
    } else {
      value = this.utf('string')
    }
    this.assignHandle(value, at)
    return value
  }

  // --- class descriptors -----------------------------------------------------------------

  /** The `classDesc` production: a new descriptor, a reference to one, or null. */
  private readClassDesc(what: string): JavaClassDesc | null {
    const at = this.pos
    const tc = this.u8(what)
    switch (tc) {
      case TC.NULL:
        return null
      case TC.CLASSDESC:
        return this.nested(at, () => this.readNewClassDesc(at))
      case TC.REFERENCE: {
        const value = this.lookupHandle(at)
        if (value === null || !isClassDesc(value)) {
          return this.fail('MALFORMED', `${what}: reference to ${describeJavaValue(value)}`, at)
        }
        if (this.incomplete.has(value)) {
          return this.fail('MALFORMED', `${what}: reference to class descriptor ${value.className} before its end`, at)
        }
        return value
      }
      case TC.PROXYCLASSDESC:
        return this.fail('UNSUPPORTED', 'proxy class descriptors (TC_PROXYCLASSDESC) are not supported', at)
      default:
        return this.fail('MALFORMED', `${what}: expected a class descriptor, found ${typeCodeName(tc)}`, at)
    }
  }

  private readNewClassDesc(at: number): JavaClassDesc {
    const className = this.utf('class name')
    const serialVersionUID = this.i64('serialVersionUID')
    const desc: JavaClassDesc = {
      kind: 'classDesc',
      className,
      serialVersionUID,
      flags: 0,
      fields: [],
      annotations: [],
      superClass: null,
      offset: at,
    }
    this.assignHandle(desc, at)
    this.incomplete.add(desc)

    const flagsAt = this.pos
    const flags = this.u8('class descriptor flags')
    desc.flags = flags
    if (flags & SC.SERIALIZABLE && flags & SC.EXTERNALIZABLE) {
      this.fail('MALFORMED', `${className}: serializable and externalizable flags conflict`, flagsAt)
    }
    const isEnum = (flags & SC.ENUM) !== 0
    if (isEnum && serialVersionUID !== 0n) {
      this.fail('MALFORMED', `${className}: enum descriptor has non-zero serialVersionUID`, flagsAt)
    }

    const countAt = this.pos
    const count = this.i16('field count')
    if (count < 0) this.fail('MALFORMED', `${className}: negative field count ${count}`, countAt)
    if (isEnum && count !== 0) this.fail('MALFORMED', `${className}: enum descriptor has fields`, countAt)
    const names = new Set<string>()
    let sawObjectField = false
    for (let i = 0; i < count; i++) {
      const fieldAt = this.pos
      const typeCode = String.fromCharCode(this.u8('field type code'))
      const name = this.utf('field name')
      if (names.has(name)) this.fail('MALFORMED', `${className}: duplicate field ${name}`, fieldAt)
      names.add(name)
      if (PRIMITIVE_TYPE_CODES.has(typeCode)) {
        // ObjectStreamClass rejects this too ("illegal field order"): values are read in this order.
        if (sawObjectField) this.fail('MALFORMED', `${className}: primitive field ${name} after an object field`, fieldAt)
        desc.fields.push({name, typeCode: typeCode as PrimitiveTypeCode, signature: typeCode})
      } else if (typeCode === 'L' || typeCode === '[') {
        const signature = this.readTypeString(`${className}.${name} type`)
        const wellFormed =
          signature[0] === typeCode && (typeCode === '[' ? signature.length >= 2 : signature.length >= 3 && signature.endsWith(';'))
        if (!wellFormed) this.fail('MALFORMED', `${className}.${name}: invalid type signature ${JSON.stringify(signature)}`, fieldAt)
        sawObjectField = true
        desc.fields.push({name, typeCode, signature})
      } else {
        this.fail('MALFORMED', `${className}: invalid field type code 0x${typeCode.charCodeAt(0).toString(16)}`, fieldAt)
      }
    }

    desc.annotations = this.readAnnotation(`class annotation of ${className}`)
    desc.superClass = this.readClassDesc(`superclass descriptor of ${className}`)
    this.incomplete.delete(desc)
    return desc
  }

  /** An object field's type descriptor (className1): a new string or a reference to one. */
  private readTypeString(what: string): string {
    const at = this.pos
    const tc = this.u8(what)
    switch (tc) {
      case TC.STRING:
        return this.readNewString(false, at)
      case TC.LONGSTRING:
        return this.readNewString(true, at)
      case TC.REFERENCE: {
        const value = this.lookupHandle(at)
        if (typeof value !== 'string') this.fail('MALFORMED', `${what}: reference to ${describeJavaValue(value)}, not a string`, at)
        return value
      }
      default:
        return this.fail('MALFORMED', `${what}: expected a string, found ${typeCodeName(tc)}`, at)
    }
  }

  /** Superclass chain from the topmost serializable class down to `desc`. */
  private hierarchy(desc: JavaClassDesc, at: number): JavaClassDesc[] {
    const chain: JavaClassDesc[] = []
    for (let d: JavaClassDesc | null = desc; d !== null; d = d.superClass) {
      if (chain.length >= this.limits.maxDepth) {
        this.fail('LIMIT', `class hierarchy of ${desc.className} deeper than ${this.limits.maxDepth}`, at)
      }
      chain.push(d)
    }
    return chain.reverse()
  }

  // --- annotations and block data --------------------------------------------------------

  /** `contents endBlockData`: what annotateClass, writeObject or writeExternal wrote. */
  private readAnnotation(what: string): JavaContent[] {
    const out: JavaContent[] = []
    for (;;) {
      if (this.pos >= this.end) this.fail('TRUNCATED', `${what}: stream ended before TC_ENDBLOCKDATA`)
      const tc = this.bytes[this.pos]!
      if (tc === TC.ENDBLOCKDATA) {
        this.pos++
        return out
      }
      out.push(tc === TC.BLOCKDATA || tc === TC.BLOCKDATALONG ? this.readBlockDataRun() : this.readObject())
    }
  }

  /** Reads a block data record header at pos; returns the payload length, checked against the input. */
  private readBlockHeader(): number {
    const at = this.pos
    const tc = this.u8('block data')
    let length: number
    if (tc === TC.BLOCKDATA) {
      length = this.u8('block data length')
    } else if (tc === TC.BLOCKDATALONG) {
      length = this.i32('block data length')
      if (length < 0) this.fail('MALFORMED', `negative block data length ${length}`, at)
    } else {
      return this.fail('UNEXPECTED', `expected block data, found ${typeCodeName(tc)}`, at)
    }
    if (length > this.end - this.pos) this.fail('TRUNCATED', `block data record of ${length} bytes, ${this.end - this.pos} left`, at)
    return length
  }

  /**
   * Consecutive block data records (plus whatever is left of the current one) as one byte run.
   * ObjectOutputStream cuts its buffer every 1024 bytes, so a single write may span records.
   */
  private readBlockDataRun(): JavaBlockData {
    const offset = this.pos
    const pieces: [number, number][] = []
    let total = 0
    if (this.blockRemaining > 0) {
      pieces.push([this.pos, this.blockRemaining])
      total += this.blockRemaining
      this.pos += this.blockRemaining
      this.blockRemaining = 0
    }
    while (this.pos < this.end) {
      const tc = this.bytes[this.pos]!
      if (tc !== TC.BLOCKDATA && tc !== TC.BLOCKDATALONG) break
      const length = this.readBlockHeader()
      pieces.push([this.pos, length])
      total += length
      this.pos += length
    }
    const bytes = new Uint8Array(total)
    let filled = 0
    for (const [start, length] of pieces) {
      bytes.set(this.bytes.subarray(start, start + length), filled)
      filled += length
    }
    return {kind: 'blockdata', bytes, offset}
  }

  // --- objects ---------------------------------------------------------------------------

  private readNewObject(at: number): JavaObject {
    const desc = this.readClassDesc('class descriptor of an object')
    if (desc === null) return this.fail('MALFORMED', 'TC_OBJECT with a null class descriptor', at)
    const {className, serialVersionUID, flags} = desc
    if (className.startsWith('[')) this.fail('MALFORMED', `TC_OBJECT with array class ${className}`, at)
    if (flags & SC.ENUM) this.fail('MALFORMED', `TC_OBJECT with enum class ${className}`, at)
    const externalizable = (flags & SC.EXTERNALIZABLE) !== 0
    if (!externalizable && !(flags & SC.SERIALIZABLE)) {
      this.fail('MALFORMED', `TC_OBJECT of ${className}, which is neither serializable nor externalizable`, at)
    }
    const object: JavaObject = {kind: 'object', className, serialVersionUID, classDesc: desc, classes: [], offset: at}
    this.assignHandle(object, at)

    if (externalizable) {
      if (!(flags & SC.BLOCK_DATA)) {
        this.fail('UNSUPPORTED', `${className}: externalizable data without SC_BLOCK_DATA (protocol version 1)`, at)
      }
      this.countClassData(at)
      object.classes.push({
        className,
        serialVersionUID,
        flags,
        fields: Object.create(null) as Record<string, JavaValue>,
        annotations: this.readAnnotation(`external data of ${className}`),
      })
      return object
    }

    for (const d of this.hierarchy(desc, at)) {
      if (d.flags & SC.EXTERNALIZABLE) {
        this.fail('MALFORMED', `externalizable ${d.className} in the hierarchy of serializable ${className}`, at)
      }
      this.countClassData(at)
      const data: JavaClassData = {
        className: d.className,
        serialVersionUID: d.serialVersionUID,
        flags: d.flags,
        fields: Object.create(null) as Record<string, JavaValue>,
        annotations: [],
      }
      // Pushed before reading so that a back-reference to this object from inside sees it.
      object.classes.push(data)
      for (const field of d.fields) data.fields[field.name] = this.readFieldValue(field)
      if (d.flags & SC.WRITE_METHOD) data.annotations = this.readAnnotation(`writeObject data of ${d.className}`)
    }
    return object
  }

  private countClassData(at: number): void {
    if (++this.classDataCount > this.limits.maxClassDataSections) {
      this.fail('LIMIT', `more than ${this.limits.maxClassDataSections} class data sections`, at)
    }
  }

  private readFieldValue(field: JavaFieldDesc): JavaValue {
    const what = `field ${field.name}`
    switch (field.typeCode) {
      case 'B':
        this.need(1, what)
        return this.view.getInt8(this.pos++)
      case 'C':
        return String.fromCharCode(this.u16(what))
      case 'D': {
        this.need(8, what)
        const v = this.view.getFloat64(this.pos)
        this.pos += 8
        return v
      }
      case 'F': {
        this.need(4, what)
        const v = this.view.getFloat32(this.pos)
        this.pos += 4
        return v
      }
      case 'I':
        return this.i32(what)
      case 'J':
        return this.i64(what)
      case 'S':
        return this.i16(what)
      case 'Z':
        return this.u8(what) !== 0
      case 'L':
      case '[':
        return this.readObject()
    }
  }

  private readNewArray(at: number): JavaArray {
    const desc = this.readClassDesc('class descriptor of an array')
    if (desc === null) return this.fail('MALFORMED', 'TC_ARRAY with a null class descriptor', at)
    const className = desc.className
    const component = className.charAt(1)
    const validName =
      className.charAt(0) === '[' &&
      (PRIMITIVE_TYPE_CODES.has(component)
        ? className.length === 2
        : component === '['
          ? className.length > 2
          : component === 'L' && className.length > 3 && className.endsWith(';'))
    if (!validName) this.fail('MALFORMED', `TC_ARRAY with non-array class ${JSON.stringify(className)}`, at)

    const sizeAt = this.pos
    const size = this.i32('array length')
    if (size < 0) this.fail('MALFORMED', `negative array length ${size}`, sizeAt)
    if (size > this.limits.maxArrayLength) {
      this.fail('LIMIT', `array of ${size} elements exceeds the limit of ${this.limits.maxArrayLength}`, sizeAt)
    }
    const base = {kind: 'array' as const, className, classDesc: desc, offset: at}

    if (component === 'L' || component === '[') {
      // Every element takes at least one byte: check before allocating anything for a huge size.
      this.need(size, `${size} array elements`)
      const elements: JavaValue[] = []
      const array: JavaArray = {...base, componentType: component, elements}
      this.assignHandle(array, at)
      for (let i = 0; i < size; i++) elements.push(this.readObject())
      return array
    }

    // Primitive elements cannot hold references, so taking the handle after them numbers it the same.
    const width = {B: 1, Z: 1, C: 2, S: 2, I: 4, F: 4, J: 8, D: 8}[component as PrimitiveTypeCode]
    this.need(size * width, `${size} array elements`)
    const p = this.pos
    const v = this.view
    let array: JavaArray
    switch (component as PrimitiveTypeCode) {
      case 'B':
        array = {...base, componentType: 'B', elements: this.bytes.slice(p, p + size)}
        break
      case 'Z':
        array = {...base, componentType: 'Z', elements: Array.from(this.bytes.subarray(p, p + size), (b) => b !== 0)}
        break
      case 'C':
        array = {...base, componentType: 'C', elements: Uint16Array.from({length: size}, (_, i) => v.getUint16(p + 2 * i))}
        break
      case 'S':
        array = {...base, componentType: 'S', elements: Int16Array.from({length: size}, (_, i) => v.getInt16(p + 2 * i))}
        break
      case 'I':
        array = {...base, componentType: 'I', elements: Int32Array.from({length: size}, (_, i) => v.getInt32(p + 4 * i))}
        break
      case 'F':
        array = {...base, componentType: 'F', elements: Float32Array.from({length: size}, (_, i) => v.getFloat32(p + 4 * i))}
        break
      case 'J': {
        const elements = new BigInt64Array(size)
        for (let i = 0; i < size; i++) elements[i] = v.getBigInt64(p + 8 * i)
        array = {...base, componentType: 'J', elements}
        break
      }
      case 'D':
        array = {...base, componentType: 'D', elements: Float64Array.from({length: size}, (_, i) => v.getFloat64(p + 8 * i))}
        break
    }
    this.pos += size * width
    this.assignHandle(array, at)
    return array
  }

  private readNewEnum(at: number): JavaEnum {
    const desc = this.readClassDesc('class descriptor of an enum')
    if (desc === null) return this.fail('MALFORMED', 'TC_ENUM with a null class descriptor', at)
    if (!(desc.flags & SC.ENUM)) this.fail('MALFORMED', `TC_ENUM with non-enum class ${desc.className}`, at)
    const value: JavaEnum = {kind: 'enum', className: desc.className, classDesc: desc, constant: '', offset: at}
    this.assignHandle(value, at)
    // ObjectOutputStream.writeEnum always writes the name as a new string, never a reference.
    const nameAt = this.pos
    const tc = this.u8('enum constant name')
    if (tc === TC.STRING) value.constant = this.readNewString(false, nameAt)
    else if (tc === TC.LONGSTRING) value.constant = this.readNewString(true, nameAt)
    else this.fail('MALFORMED', `enum constant name: expected a string, found ${typeCodeName(tc)}`, nameAt)
    return value
  }

  private readNewClass(at: number): JavaClass {
    const desc = this.readClassDesc('class descriptor of a class')
    if (desc === null) return this.fail('MALFORMED', 'TC_CLASS with a null class descriptor', at)
    const value: JavaClass = {kind: 'class', className: desc.className, classDesc: desc, offset: at}
    this.assignHandle(value, at)
    return value
  }

  // --- top level: contents and primitive data --------------------------------------------

  atEnd(): boolean {
    return this.blockRemaining === 0 && this.pos >= this.end
  }

  /** Reads everything left: objects and (merged) block data, as ObjectInputStream would see it. */
  readContents(): JavaContent[] {
    const out: JavaContent[] = []
    while (!this.atEnd()) {
      const tc = this.bytes[this.pos]!
      if (this.blockRemaining > 0 || tc === TC.BLOCKDATA || tc === TC.BLOCKDATALONG) {
        out.push(this.readBlockDataRun())
      } else if (tc === TC.RESET) {
        this.pos++
        this.reset()
      } else {
        out.push(this.readObject())
      }
    }
    return out
  }

  /** readObject at the top level, where ObjectInputStream refuses to skip unread primitive data. */
  readTopLevelObject(): JavaValue {
    if (this.blockRemaining > 0) {
      this.fail('UNEXPECTED', `${this.blockRemaining} bytes of primitive data unread where an object was expected`)
    }
    return this.readObject()
  }

  /**
   * Checks, without consuming anything, that `n` bytes of primitive data follow: so that a huge or
   * lying length fails before it allocates, and a truncated read fails before it copies.
   */
  private checkBlockData(n: number, what: string): void {
    let have = this.blockRemaining
    let p = this.pos + this.blockRemaining
    while (have < n) {
      if (p >= this.end) {
        this.fail('TRUNCATED', `${what}: stream ended after ${have} of ${n} bytes of primitive data`, p)
      }
      const tc = this.bytes[p]!
      let length: number
      if (tc === TC.BLOCKDATA) {
        if (p + 2 > this.end) this.fail('TRUNCATED', 'block data header', p)
        length = this.bytes[p + 1]!
        p += 2
      } else if (tc === TC.BLOCKDATALONG) {
        if (p + 5 > this.end) this.fail('TRUNCATED', 'block data header', p)
        length = this.view.getInt32(p + 1)
        if (length < 0) this.fail('MALFORMED', `negative block data length ${length}`, p)
        p += 5
      } else if (tc === TC.RESET) {
        p += 1
        continue
      } else {
        const found = TYPE_CODE_NAMES[tc] === undefined ? 'MALFORMED' : 'UNEXPECTED'
        this.fail(found, `${what}: primitive data ends after ${have} of ${n} bytes, found ${typeCodeName(tc)}`, p)
      }
      if (length > this.end - p) this.fail('TRUNCATED', `block data record of ${length} bytes, ${this.end - p} left`, p)
      have += length
      p += length
    }
  }

  /** `n` bytes of primitive data, concatenated across block data records. May alias the input. */
  readPrimitive(n: number, what: string): Uint8Array {
    this.checkBlockData(n, what)
    if (n <= this.blockRemaining) {
      const out = this.bytes.subarray(this.pos, this.pos + n)
      this.pos += n
      this.blockRemaining -= n
      return out
    }
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      while (this.blockRemaining === 0) {
        if (this.bytes[this.pos] === TC.RESET) {
          this.pos++
          this.reset()
        } else {
          this.blockRemaining = this.readBlockHeader()
        }
      }
      const take = Math.min(n - filled, this.blockRemaining)
      out.set(this.bytes.subarray(this.pos, this.pos + take), filled)
      filled += take
      this.pos += take
      this.blockRemaining -= take
    }
    return out
  }

  readPrimitiveView(n: number, what: string): DataView {
    const b = this.readPrimitive(n, what)
    return new DataView(b.buffer, b.byteOffset, b.byteLength)
  }

  readUTF(): string {
    const length = this.readPrimitiveView(2, 'readUTF length').getUint16(0)
    const at = this.pos
    if (length > this.limits.maxStringBytes) {
      this.fail('LIMIT', `readUTF: ${length} bytes exceeds the limit of ${this.limits.maxStringBytes}`, at)
    }
    const body = this.readPrimitive(length, 'readUTF')
    try {
      return decodeMutf8(body, 0, body.length)
    } catch (e) {
      // Offsets inside a string that spans records do not map back simply; report where it began.
      if (e instanceof StreamError) this.fail(e.code, `readUTF: ${e.reason} (string byte ${e.offset})`, at)
      throw e
    }
  }

  expectEnd(): void {
    if (!this.atEnd()) {
      const extra = this.blockRemaining > 0 ? `${this.blockRemaining} unread bytes of block data` : `${this.end - this.pos} bytes`
      this.fail('TRAILING_DATA', `${extra} after the end of the expected content`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * A stateful reader over one stream, mirroring ObjectInputStream: primitive reads (readUTF,
 * readInt, ...) consume block data, readObject reads the next object. Every method returns a
 * DecodeResult and never throws. After the first failure the reader is spent: every later call
 * returns that same error, since the position inside a broken stream means nothing.
 */
export class JavaObjectInput {
  private failure: DecodeError | undefined

  private constructor(private readonly parser: StreamParser) {}

  /** Checks size and header (magic AC ED, version 5) and positions the reader after them. */
  static open(bytes: Uint8Array, options?: JavaSerializationOptions): DecodeResult<JavaObjectInput> {
    try {
      const limits = resolveLimits(options)
      if (bytes.length > limits.maxInputBytes) {
        return err('LIMIT', `input of ${bytes.length} bytes exceeds the limit of ${limits.maxInputBytes}`, 0)
      }
      if (bytes.length === 0) return err('TRUNCATED', 'empty input: no stream header', 0)
      const header = [0xac, 0xed, 0x00, STREAM_VERSION]
      for (let i = 0; i < header.length; i++) {
        if (i >= bytes.length) return err('TRUNCATED', 'stream header: needs 4 bytes', 0)
        if (bytes[i] !== header[i]) {
          const got = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')
          return i < 2
            ? err('MALFORMED', `not a Java serialization stream (magic ac ed expected, found ${got})`, 0)
            : err('UNSUPPORTED', `unsupported serialization stream version (00 05 expected, found ${got.slice(6)})`, 2)
        }
      }
      return ok(new JavaObjectInput(new StreamParser(bytes, limits)))
    } catch (e) {
      return {ok: false, error: toDecodeError(e, 0)}
    }
  }

  /** Byte offset of the next unread byte. */
  get offset(): number {
    return this.parser.pos
  }

  /** The error that spent this reader, if any. */
  get error(): DecodeError | undefined {
    return this.failure
  }

  private run<T>(read: (p: StreamParser) => T): DecodeResult<T> {
    if (this.failure !== undefined) return {ok: false, error: this.failure}
    try {
      return ok(read(this.parser))
    } catch (e) {
      this.failure = toDecodeError(e, this.parser.pos)
      return {ok: false, error: this.failure}
    }
  }

  /** The next object; fails if primitive data is left unread before it, as Java does. */
  readObject(): DecodeResult<JavaValue> {
    return this.run((p) => p.readTopLevelObject())
  }

  /** A u16 length then modified UTF-8, both possibly spanning block data records. */
  readUTF(): DecodeResult<string> {
    return this.run((p) => p.readUTF())
  }

  readBoolean(): DecodeResult<boolean> {
    return this.run((p) => p.readPrimitive(1, 'readBoolean')[0] !== 0)
  }

  readByte(): DecodeResult<number> {
    return this.run((p) => p.readPrimitiveView(1, 'readByte').getInt8(0))
  }

  readUnsignedByte(): DecodeResult<number> {
    return this.run((p) => p.readPrimitiveView(1, 'readUnsignedByte').getUint8(0))
  }

  readShort(): DecodeResult<number> {
    return this.run((p) => p.readPrimitiveView(2, 'readShort').getInt16(0))
  }

  readUnsignedShort(): DecodeResult<number> {
    return this.run((p) => p.readPrimitiveView(2, 'readUnsignedShort').getUint16(0))
  }

  /** One UTF-16 code unit, as a one-character string. */
  readChar(): DecodeResult<string> {
    return this.run((p) => String.fromCharCode(p.readPrimitiveView(2, 'readChar').getUint16(0)))
  }

  readInt(): DecodeResult<number> {
    return this.run((p) => p.readPrimitiveView(4, 'readInt').getInt32(0))
  }

  readLong(): DecodeResult<bigint> {
    return this.run((p) => p.readPrimitiveView(8, 'readLong').getBigInt64(0))
  }

  readFloat(): DecodeResult<number> {
    return this.run((p) => p.readPrimitiveView(4, 'readFloat').getFloat32(0))
  }

  readDouble(): DecodeResult<number> {
    return this.run((p) => p.readPrimitiveView(8, 'readDouble').getFloat64(0))
  }

  /** Exactly `length` bytes of primitive data (a copy). */
  readFully(length: number): DecodeResult<Uint8Array> {
    return this.run((p) => {
      if (!Number.isSafeInteger(length) || length < 0) throw new StreamError('MALFORMED', `readFully: bad length ${length}`, p.pos)
      return p.readPrimitive(length, 'readFully').slice()
    })
  }

  /** Everything left in the stream: objects and merged runs of block data. */
  readRemaining(): DecodeResult<JavaContent[]> {
    return this.run((p) => p.readContents())
  }

  /** True when nothing is left: no unread block data and no more bytes. */
  atEnd(): boolean {
    return this.failure === undefined && this.parser.atEnd()
  }

  /** Fails with TRAILING_DATA if anything is left. */
  expectEnd(): DecodeResult<void> {
    return this.run((p) => p.expectEnd())
  }
}

function err<T>(code: DecodeErrorCode, reason: string, offset: number): DecodeResult<T> {
  return {ok: false, error: {code, reason, offset}}
}

/** Opens a stream for the primitive-data API; see JavaObjectInput. */
export function openJavaObjectInput(bytes: Uint8Array, options?: JavaSerializationOptions): DecodeResult<JavaObjectInput> {
  return JavaObjectInput.open(bytes, options)
}

/** Decodes a whole stream: every top-level object and run of block data, in order. */
export function readJavaStream(bytes: Uint8Array, options?: JavaSerializationOptions): DecodeResult<JavaContent[]> {
  const input = JavaObjectInput.open(bytes, options)
  return input.ok ? input.value.readRemaining() : input
}

/** Decodes a stream that holds exactly one object (what InstantiationUtil.serializeObject writes). */
export function readJavaObject(bytes: Uint8Array, options?: JavaSerializationOptions): DecodeResult<JavaValue> {
  const input = JavaObjectInput.open(bytes, options)
  if (!input.ok) return input
  const value = input.value.readObject()
  if (!value.ok) return value
  const end = input.value.expectEnd()
  return end.ok ? value : end
}
