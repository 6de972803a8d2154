import {describe, expect, it} from 'vitest'
import {byCodeUnit, compareText} from '../../src/model/order.js'

/** Strings of `n` characters drawn from `alphabet`, of random length up to `max`, with shared prefixes. */
function strings(alphabet: string, n: number, max: number, seed = 7): string[] {
  let s = seed
  const rnd = (k: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % k)
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const base = out.length > 0 && rnd(3) === 0 ? out[rnd(out.length)].slice(0, rnd(max)) : ''
    let x = base
    for (let k = rnd(max) + 1; k > 0; k--) x += alphabet[rnd(alphabet.length)]
    out.push(x)
  }
  return out
}

const english = (a: string, b: string) => a.localeCompare(b, 'en')

describe('byCodeUnit', () => {
  it('orders what haadm sorts as localeCompare does in English', () => {
    const sets = {
      'hex job ids': strings('0123456789abcdef', 400, 32),
      'Kubernetes names': strings('abcdefghijklmnopqrstuvwxyz0123456789.-', 400, 20),
      'latch paths': ['leader/latch', 'leader/dispatcher/latch', 'leader/resource_manager/latch', 'leader/rest_server/latch', 'leader/3f2a9c1e000000000000000000000001/latch', 'jobs/3f2a9c1e000000000000000000000001/leader/latch', 'leader/job-3f2a9c1e000000000000000000000001/latch', 'leader'],
    }
    for (const [name, values] of Object.entries(sets)) {
      expect([...values].sort(byCodeUnit), name).toEqual([...values].sort(english))
    }
  })

  it('is not for labels with punctuation: English puts "-" before "+", code units the other way (layouts keep localeCompare)', () => {
    expect(['1.15-1.18', '1.15+'].sort(byCodeUnit)).toEqual(['1.15+', '1.15-1.18'])
    expect(['1.15-1.18', '1.15+'].sort(english)).toEqual(['1.15-1.18', '1.15+'])
  })

  it('does not follow the locale, unlike localeCompare', () => {
    expect(['aa', 'b', 'z'].sort(byCodeUnit)).toEqual(['aa', 'b', 'z'])
    expect(['aa', 'b', 'z'].sort((a, b) => a.localeCompare(b, 'da'))).toEqual(['b', 'z', 'aa'])
    expect(byCodeUnit('a', 'a')).toBe(0)
  })

  describe('compareText', () => {
    it('orders any ASCII keys exactly as localeCompare does in English', () => {
      const sets = {
        'Flink keys': strings('abcdefgGIPjkpo0123456789-', 600, 24),
        'mixed case and punctuation': strings('aAbBzZ09-_.:/+ ', 600, 10, 11),
        'map keys': ['jobGraph-3f2a', 'jobGraph-3F2A', 'executionPlan-3f2a', 'checkpointID-0000000000000000041', 'checkpointID-0000000000000000042', 'counter', 'org.apache.flink.k8s.leader.dispatcher', 'org.apache.flink.k8s.leader.job-3f2a', 'jobgraph-x', 'JobGraph-x', ''],
      }
      for (const [name, values] of Object.entries(sets)) {
        const sign = (n: number) => Math.sign(n)
        for (const a of values.slice(0, 120)) for (const b of values.slice(0, 120)) expect(sign(compareText(a, b)), `${name}: ${a} vs ${b}`).toBe(sign(english(a, b)))
        expect([...values].sort(compareText), name).toEqual([...values].sort(english))
      }
    })
  })
})
