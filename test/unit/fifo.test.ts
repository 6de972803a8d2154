import {describe, expect, it} from 'vitest'
import {Fifo} from '../../src/backends/fifo.js'

describe('Fifo', () => {
  it('gives items back in order, across the compactions of its front', () => {
    const q = new Fifo<number>()
    expect(q.take()).toBeUndefined()
    let next = 0
    const taken: number[] = []
    // Interleave pushes and takes so the consumed front is dropped many times.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3000; i++) q.push(next++)
      for (let i = 0; i < 2500; i++) taken.push(q.take()!)
    }
    expect(q.length).toBe(next - taken.length)
    q.push(-1)
    q.push(-2)
    while (q.length > 2) taken.push(q.take()!)
    expect(taken).toEqual(Array.from({length: next}, (_, i) => i))
    expect([q.take(), q.take(), q.take()]).toEqual([-1, -2, undefined])
    expect(q.length).toBe(0)
  })
})
