import {describe, expect, it} from 'vitest'
import type {Inventory, RawItem} from '../../src/backends/types.js'
import {latchSequence} from '../../src/backends/zookeeper/layout.js'
import {leaderRecords} from '../../src/ops/leaders.js'

/** Flink's connection_info bytes: ObjectOutputStream writeUTF(address) then writeObject(UUID). */
function leaderInfo(address: string, most: bigint, least: bigint): Uint8Array {
  const utf = Buffer.from(address, 'utf8')
  const block = Buffer.concat([Buffer.from([0x77, utf.length + 2, utf.length >> 8, utf.length & 0xff]), utf])
  const uuidDesc = Buffer.concat([
    Buffer.from([0x73, 0x72, 0x00, 0x0e]),
    Buffer.from('java.util.UUID'),
    Buffer.from('bc9903f7986d852f', 'hex'),
    Buffer.from([0x02, 0x00, 0x02, 0x4a, 0x00, 0x0c]),
    Buffer.from('leastSigBits'),
    Buffer.from([0x4a, 0x00, 0x0b]),
    Buffer.from('mostSigBits'),
    Buffer.from([0x78, 0x70]),
  ])
  const longs = Buffer.alloc(16)
  longs.writeBigInt64BE(least, 0)
  longs.writeBigInt64BE(most, 8)
  return new Uint8Array(Buffer.concat([Buffer.from([0xac, 0xed, 0x00, 0x05]), block, uuidDesc, longs]))
}

const SID = {most: 0x0011223344556677n, least: -0x1n}
const SID_TEXT = '00112233-4455-6677-ffff-ffffffffffff'
const JOB = '0123456789abcdef0123456789abcdef'

function node(key: string, owner = '0', data: Uint8Array = new Uint8Array(0)): RawItem {
  return {
    key,
    locator: `/flink/default/${key}`,
    data,
    zk: {ephemeralOwner: owner, ctime: '2026-01-01T00:00:00.000Z', mtime: '2026-01-01T00:00:00.000Z', version: 0, numChildren: 0, dataLength: data.length},
  }
}

const inv = (items: RawItem[]): Inventory => ({backend: 'zookeeper', clusterId: '/default', root: '/flink/default', scannedAt: 'now', items})
const info = (addr: string) => leaderInfo(addr, SID.most, SID.least)

describe('leaderRecords', () => {
  it('a 1.18+ cluster with a live leader and one standby', () => {
    const r = leaderRecords(
      inv([
        node('leader/latch/_c_aaaa-latch-0000000001', 'b2'),
        node('leader/latch/_c_bbbb-latch-0000000000', 'a1'),
        node('leader/dispatcher/connection_info', 'a1', info('pekko.tcp://flink@jm:6123/user/rpc/dispatcher_1')),
        node(`leader/job-${JOB}`),
        node(`leader/job-${JOB}/connection_info`, 'a1', info('pekko.tcp://flink@jm:6123/user/rpc/jobmanager_2')),
      ]),
    )
    const d = r.leaders.find((l) => l.component === 'dispatcher')!
    expect(d).toMatchObject({status: 'leader', address: 'pekko.tcp://flink@jm:6123/user/rpc/dispatcher_1', sessionId: SID_TEXT, owner: 'a1', alive: true, layout: '1.15+'})
    expect(d.latch).toEqual({key: 'leader/latch', contenders: 2, leaderOwner: 'a1'})
    expect(r.leaders.find((l) => l.component === 'resource_manager')).toMatchObject({status: 'no-leader', alive: false, owner: null})
    expect(r.leaders.find((l) => l.jobId === JOB)).toMatchObject({layout: '1.19+', alive: true, key: `leader/job-${JOB}/connection_info`})
    expect(r.latches[0].contenders.map((c) => c.node)).toEqual(['_c_bbbb-latch-0000000000', '_c_aaaa-latch-0000000001'])
  })

  it('a record whose session is alive but not the latch leader is not alive', () => {
    const r = leaderRecords(
      inv([
        node('leader/latch/_c_x-latch-0000000004', 'b2'),
        node('leader/latch/_c_y-latch-0000000007', 'a1'),
        node('leader/dispatcher/connection_info', 'a1', info('a')),
      ]),
    )
    const d = r.leaders[0]
    expect(d.alive).toBe(false)
    expect(d.evidence).toContain('latch leader is session 0xb2')
  })

  it('no latch contenders, a persistent record, an empty record', () => {
    const r = leaderRecords(
      inv([
        node('leader/dispatcher/connection_info', 'a1', info('a')),
        node('leader/resource_manager/connection_info', '0', info('b')),
        node('leader/rest_server/connection_info', 'a1'),
      ]),
    )
    expect(r.leaders[0]).toMatchObject({alive: false, status: 'leader'})
    expect(r.leaders[0].evidence).toContain('holds no latch node')
    expect(r.leaders[1]).toMatchObject({alive: false, owner: null})
    expect(r.leaders[1].evidence).toContain('not ephemeral')
    expect(r.leaders[2]).toMatchObject({status: 'no-leader', alive: false})
  })

  it('undecodable bytes become a problem, not an exception', () => {
    const r = leaderRecords(inv([node('leader/dispatcher/connection_info', 'a1', new Uint8Array([1, 2, 3]))]))
    expect(r.leaders[0].status).toBe('undecodable')
    expect(r.leaders[0].problem).toMatch(/at byte \d+/)
  })

  it('recognises 1.15-1.17 and legacy 1.15 job layouts and legacy per-component latches', () => {
    const r = leaderRecords(
      inv([
        node('leader/dispatcher/latch/_c_q-latch-0000000000', 'a1'),
        node('leader/dispatcher/connection_info', 'a1', info('d')),
        node(`leader/${JOB}`),
        node(`leader/${JOB}/connection_info`, 'a1', info('j1')),
        node(`jobs/${JOB}`),
        node(`jobs/${JOB}/leader`),
        node(`jobs/${JOB}/leader/latch/_c_z-latch-0000000003`, 'c3'),
        node(`jobs/${JOB}/leader/connection_info`, 'c3', info('j2')),
        node('leader/not-a-job'),
        node('jobs/ffffffffffffffffffffffffffffffff'),
      ]),
    )
    expect(r.leaders[0]).toMatchObject({component: 'dispatcher', layout: 'legacy-1.15', alive: true})
    const jobs = r.leaders.filter((l) => l.component === 'job_master')
    expect(jobs.map((j) => [j.layout, j.address, j.alive])).toEqual([
      ['1.15-1.18', 'j1', false],
      ['legacy-1.15', 'j2', true],
    ])
  })

  it('parses latch sequence numbers as Curator sorts them', () => {
    expect(latchSequence('_c_0f3e-4a1b-latch-0000000012')).toBe(12)
    expect(latchSequence('latch-0000000000')).toBe(0)
    expect(latchSequence('lock-1')).toBeUndefined()
  })
})
