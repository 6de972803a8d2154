import {describe, expect, it} from 'vitest'
import {renderFailures} from '../../src/render/cleanup.js'

describe('renderFailures', () => {
  it('one line with a count for an error many items share, one line each for the rest', () => {
    const same = Array.from({length: 1078}, (_, i) => ({target: {key: `n${i}`, locator: `/flink/c/n${i}`}, status: 'failed' as const, error: 'CONNECTIONLOSS (connection closed)'}))
    const other = [{target: {key: 'x', locator: '/flink/c/x'}, status: 'failed' as const, error: 'NoAuth: not allowed to delete it'}]
    expect(renderFailures([...same, ...other])).toEqual(['failed: 1078 items: CONNECTIONLOSS (connection closed) (e.g. /flink/c/n0)', 'failed: /flink/c/x: NoAuth: not allowed to delete it'])
  })
})
