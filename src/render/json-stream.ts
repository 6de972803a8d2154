/**
 * JSON.stringify(value, null, 2) written in chunks: the same text, but a large array (a JobResultStore
 * of 100,000 entries, a cleanup plan) is serialised element by element, so the whole document never
 * exists as one string beside the objects it describes.
 */

/** Arrays longer than this are written element by element; shorter values in one JSON.stringify. */
const STREAM_ARRAYS_OVER = 64
/** Characters gathered before one write. */
export const CHUNK = 64 * 1024

const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol'

export function writeJson(value: unknown, write: (text: string) => void): void {
  let buf = ''
  const emit = (s: string) => {
    buf += s
    if (buf.length >= CHUNK) {
      write(buf)
      buf = ''
    }
  }
  writeJsonIndented(value, '', emit)
  emit('\n')
  if (buf) write(buf)
}

const indented = (text: string, indent: string) => (indent === '' || !text.includes('\n') ? text : text.replace(/\n/g, `\n${indent}`))

/** `value` as JSON.stringify(value, null, 2) writes it, every line after the first indented by `indent`; large arrays element by element. */
function writeJsonIndented(value: unknown, indent: string, emit: (s: string) => void): void {
  const walk = (v: unknown, indent: string): void => {
    const inner = `${indent}  `
    if (Array.isArray(v) && v.length > STREAM_ARRAYS_OVER) {
      emit('[')
      for (let i = 0; i < v.length; i++) {
        emit(i === 0 ? `\n${inner}` : `,\n${inner}`)
        // In an array JSON.stringify writes null for what it leaves out of an object.
        walk(skipped(v[i]) ? null : v[i], inner)
      }
      emit(`\n${indent}]`)
      return
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as {toJSON?: unknown}).toJSON !== 'function' && hasLargeArray(v)) {
      const keys = Object.keys(v).filter((k) => !skipped((v as Record<string, unknown>)[k]))
      emit('{')
      keys.forEach((k, i) => {
        emit(`${i === 0 ? '\n' : ',\n'}${inner}${JSON.stringify(k)}: `)
        walk((v as Record<string, unknown>)[k], inner)
      })
      emit(keys.length === 0 ? '}' : `\n${indent}}`)
      return
    }
    emit(indented(JSON.stringify(v, null, 2) ?? 'undefined', indent))
  }
  walk(value, indent)
}

/** Whether an object holds, at any depth, an array long enough to stream (else one JSON.stringify is fastest). */
function hasLargeArray(v: object, depth = 0): boolean {
  if (depth > 4) return false
  for (const x of Object.values(v)) {
    if (Array.isArray(x)) {
      if (x.length > STREAM_ARRAYS_OVER) return true
    } else if (x !== null && typeof x === 'object' && hasLargeArray(x, depth + 1)) return true
  }
  return false
}

/**
 * An array whose elements are produced while the document is written (a JobResultStore's entries as
 * they are read): jsonChunks writes them as JSON.stringify would write the array, batch by batch.
 */
export class JsonArrayStream<T = unknown> {
  constructor(readonly batches: () => AsyncIterable<T[]> | Iterable<T[]>) {}
}

/** A value computed when the writer reaches it (after the streams before it are written: their counts, say). */
export class JsonLater {
  constructor(readonly value: () => unknown) {}
}

/**
 * writeJson's text as chunks of about 64 KiB, for a document holding JsonArrayStream and JsonLater
 * values (anything else is written as writeJson writes it). The caller writes each chunk, waiting for
 * the stream to drain when it asks to.
 */
export async function* jsonChunks(value: unknown): AsyncGenerator<string> {
  let buf = ''
  const chunks: string[] = []
  const emit = (s: string) => {
    buf += s
    if (buf.length >= CHUNK) {
      chunks.push(buf)
      buf = ''
    }
  }
  const plain = (v: unknown, indent: string) => writeJsonIndented(v, indent, emit)
  async function* walk(v: unknown, indent: string): AsyncGenerator<string> {
    const inner = `${indent}  `
    if (v instanceof JsonLater) v = v.value()
    if (v instanceof JsonArrayStream) {
      let first = true
      for await (const batch of v.batches()) {
        for (const item of batch) {
          emit(first ? `[\n${inner}` : `,\n${inner}`)
          first = false
          plain(skipped(item) ? null : item, inner)
        }
        yield* chunks.splice(0)
      }
      emit(first ? '[]' : `\n${indent}]`)
      return
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as {toJSON?: unknown}).toJSON !== 'function' && hasStream(v)) {
      const keys = Object.keys(v).filter((k) => !skipped((v as Record<string, unknown>)[k]))
      emit('{')
      for (let i = 0; i < keys.length; i++) {
        emit(`${i === 0 ? '\n' : ',\n'}${inner}${JSON.stringify(keys[i])}: `)
        yield* walk((v as Record<string, unknown>)[keys[i]], inner)
      }
      emit(keys.length === 0 ? '}' : `\n${indent}}`)
      return
    }
    plain(v, indent)
    yield* chunks.splice(0)
  }
  yield* walk(value, '')
  emit('\n')
  yield* chunks.splice(0)
  if (buf) yield buf
}

/** Whether an object holds, at any depth, a JsonArrayStream or JsonLater. */
function hasStream(v: object, depth = 0): boolean {
  if (depth > 4) return false
  for (const x of Object.values(v)) {
    if (x instanceof JsonArrayStream || x instanceof JsonLater) return true
    if (x !== null && typeof x === 'object' && !Array.isArray(x) && hasStream(x, depth + 1)) return true
  }
  return false
}
