// leaderChanges: which leader records changed between two reports (the pure part of leaders --watch).
import {describe, expect, it} from 'vitest'
import type {LeaderRecord, LeadersReport} from '../../src/model/ha.js'
import {leaderChanges} from '../../src/ops/leaders-watch.js'

const rec = (component: LeaderRecord['component'], jobId: string | null, o: Partial<LeaderRecord> = {}): LeaderRecord => ({
  component,
  jobId,
  layout: '1.15+' as LeaderRecord['layout'],
  key: `leader/${component}/connection_info`,
  locator: `/flink/c/leader/${component}/connection_info`,
  status: 'leader',
  address: 'pekko://a',
  sessionId: 's1',
  owner: '100',
  since: null,
  alive: true,
  evidence: '',
  latch: null,
  lease: null,
  problem: null,
  ...o,
})
const report = (leaders: LeaderRecord[]): LeadersReport => ({backend: 'zookeeper', clusterId: 'c', root: '/flink/c', scannedAt: '', leaders, latches: [], leases: []})

describe('leaderChanges', () => {
  it('nothing changed: no change; the evidence text or since alone is no change', () => {
    expect(leaderChanges(report([rec('dispatcher', null)]), report([rec('dispatcher', null, {evidence: 'other words', since: 'x'})]), 't')).toEqual([])
  })

  it('a new leader, a lost one, a new job, a job gone, liveness alone', () => {
    const J = '0123456789abcdef0123456789abcdef'
    const before = report([rec('dispatcher', null), rec('resource_manager', null), rec('rest_server', null), rec('job_master', 'f'.repeat(32))])
    const after = report([
      rec('dispatcher', null, {address: 'pekko://b', sessionId: 's2', owner: '200'}),
      rec('resource_manager', null, {status: 'no-leader', address: null, sessionId: null, owner: null, alive: false}),
      rec('rest_server', null, {alive: false}),
      rec('job_master', J),
    ])
    const changes = leaderChanges(before, after, 't')
    expect(changes.map((c) => [c.component, c.jobId, c.from?.owner ?? null, c.to?.owner ?? null, c.to?.alive ?? null])).toEqual([
      ['dispatcher', null, '100', '200', true],
      ['resource_manager', null, '100', null, false],
      ['rest_server', null, '100', '100', false],
      ['job_master', 'f'.repeat(32), '100', null, null],
      ['job_master', J, null, '100', true],
    ])
    expect(changes.every((c) => c.time === 't')).toBe(true)
  })
})
