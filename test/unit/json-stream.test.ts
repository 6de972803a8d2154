import {describe, expect, it} from 'vitest'
import {JsonArrayStream, jsonChunks, JsonLater, writeJson} from '../../src/render/json-stream.js'

const written = (v: unknown) => {
  const parts: string[] = []
  writeJson(v, (t) => parts.push(t))
  return {text: parts.join(''), writes: parts.length}
}

describe('writeJson', () => {
  it('writes exactly what JSON.stringify(value, null, 2) writes, in chunks for large arrays', () => {
    const entry = (i: number) => ({
      jobId: i.toString(16).padStart(32, '0'),
      size: i,
      skippedUndefined: undefined,
      fn: () => 1,
      failure: i % 3 ? null : {className: 'a"b\nc', message: 'ü\u2028'},
      notes: i % 2 ? [] : ['x', {deep: [1, [2, {}]]}],
      when: new Date(1_700_000_000_000 + i),
    })
    const doc = {
      status: 0,
      result: {path: '/x', entries: Array.from({length: 5000}, (_, i) => entry(i)), small: [1, 2, 3], empty: {}, emptyList: [], holes: Array.from({length: 100}, (_, i) => (i % 2 ? undefined : i))},
      warnings: [],
    }
    const out = written(doc)
    expect(out.text).toBe(`${JSON.stringify(doc, null, 2)}\n`)
    expect(out.writes).toBeGreaterThan(5)
    for (const v of [null, 1, 'a', [], {}, {a: []}, [[1, 2]], {a: {b: Array.from({length: 70}, () => ({c: 1}))}}, Array.from({length: 70}, () => [])])
      expect(written(v).text).toBe(`${JSON.stringify(v, null, 2)}\n`)
  })
})

describe('jsonChunks', () => {
  const text = async (v: unknown) => {
    let out = ''
    for await (const c of jsonChunks(v)) out += c
    return out
  }

  it('writes a streamed array and later values as JSON.stringify writes the finished document', async () => {
    const items = Array.from({length: 3000}, (_, i) => ({jobId: i.toString(16).padStart(32, '0'), notes: i % 2 ? [] : ['a\nb'], failure: i % 5 ? null : {m: 'ü'}, skip: undefined}))
    const counts = {total: 0}
    const batches = async function* () {
      for (let i = 0; i < items.length; i += 32) {
        counts.total += Math.min(32, items.length - i)
        yield items.slice(i, i + 32)
      }
    }
    const doc = {status: 0, result: {path: '/x', entries: new JsonArrayStream(batches), counts: new JsonLater(() => ({...counts})), others: []}, warnings: []}
    const expected = {status: 0, result: {path: '/x', entries: items, counts: {total: 3000}, others: []}, warnings: []}
    expect(await text(doc)).toBe(`${JSON.stringify(expected, null, 2)}\n`)
    // An empty stream is an empty array.
    expect(await text({a: new JsonArrayStream(() => [[]]), b: 1})).toBe(`${JSON.stringify({a: [], b: 1}, null, 2)}\n`)
    expect(await text({a: {b: new JsonArrayStream(() => [[1], [2, 3]])}})).toBe(`${JSON.stringify({a: {b: [1, 2, 3]}}, null, 2)}\n`)
  })
})
