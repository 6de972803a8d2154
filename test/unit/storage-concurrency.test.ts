import {describe, expect, it} from 'vitest'
import {collect, mapConcurrent} from '../../src/storage/concurrency.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('mapConcurrent', () => {
  it('keeps at most `limit` calls in flight and yields in completion order', async () => {
    let inFlight = 0
    let most = 0
    const out = await collect(
      mapConcurrent([30, 5, 20, 1, 10, 2], 3, async (ms) => {
        inFlight++
        most = Math.max(most, inFlight)
        await sleep(ms)
        inFlight--
        return ms
      }),
    )
    expect(most).toBe(3)
    expect(out.sort((a, b) => a - b)).toEqual([1, 2, 5, 10, 20, 30])
    expect(out).not.toEqual([30, 5, 20, 1, 10, 2])
  })

  it('pulls an async source lazily: no more than `limit` items ahead of the consumer', async () => {
    let pulled = 0
    async function* source() {
      for (let i = 0; i < 1000; i++) {
        pulled++
        yield i
      }
    }
    const it = mapConcurrent(source(), 4, async (x) => x)
    const first = await it.next()
    expect(first.done).toBe(false)
    expect(pulled).toBeLessThanOrEqual(5)
    await it.return(undefined)
  })

  it('throws the first failure', async () => {
    const run = collect(
      mapConcurrent([1, 2, 3], 2, async (x) => {
        if (x === 2) throw new Error('boom')
        return x
      }),
    )
    await expect(run).rejects.toThrow('boom')
  })

  it('handles an empty source and a limit below 1', async () => {
    expect(await collect(mapConcurrent([], 0, async (x) => x))).toEqual([])
    expect(await collect(mapConcurrent([1, 2], 0, async (x) => x * 2))).toEqual([2, 4])
  })
})
