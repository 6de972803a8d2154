import {describe, expect, it} from 'vitest'
import {writeJson} from '../../src/render/json-stream.js'

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
