import {describe, expect, it} from 'vitest'
import {progressLine, progressWriter} from '../../src/render/progress.js'

describe('progressLine', () => {
  it('draws a bar with counts and percent, fitted to the terminal', () => {
    expect(progressLine(0, 10_000)).toBe(`removing [${'.'.repeat(40)}]      0/10000    0%`)
    expect(progressLine(4100, 10_000)).toBe(`removing [${'#'.repeat(16)}${'.'.repeat(24)}]   4100/10000   41%`)
    expect(progressLine(10_000, 10_000)).toBe(`removing [${'#'.repeat(40)}]  10000/10000  100%`)
    for (const columns of [20, 40, 60, 80, 200]) expect(progressLine(5, 9, {columns}).length).toBeLessThan(Math.max(columns, 20))
    expect(progressLine(5, 9, {columns: 20})).toBe('removing 5/9 55%')
  })

  it('without a total (a scan), just the count', () => {
    expect(progressLine(41_000, undefined, {label: 'scanning'})).toBe('scanning  41000 items')
  })

  it('never goes past 100% when more outcomes than planned arrive (a reappearing node)', () => {
    expect(progressLine(12, 10)).toMatch(/12\/12  100%$/)
    expect(progressLine(0, 0)).toMatch(/0\/1 {4}0%$/)
  })
})

describe('progressWriter', () => {
  const fakeStream = () => {
    const writes: string[] = []
    return {writes, stream: {columns: 80, write: (s: string) => writes.push(s)} as unknown as NodeJS.WriteStream}
  }

  it('stays silent for a short removal', () => {
    let t = 0
    const {writes, stream} = fakeStream()
    const p = progressWriter(stream, {now: () => t})
    for (let i = 1; i <= 100; i++) {
      t += 2
      p.update(i, 100)
    }
    p.done()
    expect(writes).toEqual([])
  })

  it('after the delay, redraws at most every interval, then erases the line', () => {
    let t = 1000
    const {writes, stream} = fakeStream()
    const p = progressWriter(stream, {now: () => t, delayMs: 300, intervalMs: 100})
    for (let i = 1; i <= 1000; i++) {
      t += 1
      p.update(i, 1000)
    }
    p.done()
    // 1000 ms of updates: silent for the first 300 ms, then one redraw per 100 ms.
    expect(writes.length).toBe(8)
    expect(writes[0]).toMatch(/^\rremoving \[#+\.+\] +30[01]\/1000 +30%\x1b\[K$/)
    expect(writes.at(-1)).toBe('\r\x1b[K')
    // A second done() writes nothing more.
    p.done()
    expect(writes.length).toBe(8)
  })
})
