/**
 * JSON.stringify(value, null, 2) written in chunks: the same text, but a large array (a JobResultStore
 * of 100,000 entries, a cleanup plan) is serialised element by element, so the whole document never
 * exists as one string beside the objects it describes.
 */

/** Arrays longer than this are written element by element; shorter values in one JSON.stringify. */
const STREAM_ARRAYS_OVER = 64
/** Characters gathered before one write. */
const CHUNK = 64 * 1024

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
  const indented = (text: string, indent: string) => (indent === '' || !text.includes('\n') ? text : text.replace(/\n/g, `\n${indent}`))
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
  walk(value, '')
  emit('\n')
  if (buf) write(buf)
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
