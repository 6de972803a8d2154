/**
 * Best-effort field access on a deserialized object for the storageDir decoders: a field that is
 * absent or of the wrong type becomes a problem in words and a null value, so one odd field never
 * hides the others.
 */
import {type JavaObject, type JavaValue, describeJavaValue, getField, isJavaObject} from './java-serialization.js'

export class FieldProblems {
  readonly list: string[] = []

  constructor(private readonly owner: string) {}

  add(message: string): void {
    this.list.push(message)
  }

  private has(object: JavaObject, name: string): boolean {
    return object.classes.some((c) => Object.hasOwn(c.fields, name))
  }

  /** A long (or int) field as a JS number; null when absent, of another type, or beyond 2^53. */
  long(object: JavaObject, name: string, required: boolean): number | null {
    const v = getField(object, name)
    if (v === undefined) {
      if (required) this.add(`${this.owner}.${name} is missing`)
      return null
    }
    if (typeof v === 'bigint') {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
        this.add(`${this.owner}.${name} = ${v} is beyond 2^53`)
        return null
      }
      return Number(v)
    }
    if (typeof v === 'number' && Number.isInteger(v)) return v
    this.add(`${this.owner}.${name} is ${describeJavaValue(v)}, not a long`)
    return null
  }

  /** A String field; null when absent (a problem if required), null in the stream, or not a string. */
  string(object: JavaObject, name: string, required: boolean): string | null {
    const v = getField(object, name)
    if (v === undefined || v === null) {
      if (required) this.add(`${this.owner}.${name} is ${v === null ? 'null' : 'missing'}`)
      return null
    }
    if (typeof v === 'string') return v
    this.add(`${this.owner}.${name} is ${describeJavaValue(v)}, not a string`)
    return null
  }

  /** An object field; null when absent (a problem if required) or null. */
  object(object: JavaObject, name: string, required: boolean): JavaObject | null {
    const v: JavaValue | undefined = getField(object, name)
    if (v === undefined || v === null) {
      if (required) this.add(`${this.owner}.${name} is ${v === null ? 'null' : 'missing'}`)
      return null
    }
    if (isJavaObject(v)) return v
    this.add(`${this.owner}.${name} is ${describeJavaValue(v)}, not an object`)
    return null
  }

  /** An enum field's constant name; null when absent or null. */
  enumName(object: JavaObject, name: string): string | null {
    if (!this.has(object, name)) return null
    const v = getField(object, name)
    if (v === null || v === undefined) return null
    if (typeof v === 'object' && v.kind === 'enum') return v.constant
    this.add(`${this.owner}.${name} is ${describeJavaValue(v)}, not an enum`)
    return null
  }
}

export function shortClassName(className: string): string {
  return className.slice(className.lastIndexOf('.') + 1)
}
