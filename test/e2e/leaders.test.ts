import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {type FlinkHaLayout, randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {connectZk} from '../support/zk-client.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

let zk: ZkServer
beforeAll(async () => {
  zk = await startZooKeeper()
})
afterAll(async () => {
  await zk?.stop()
})

const layouts: Array<{layout: FlinkHaLayout; jobKey: (id: string) => string; reported: string}> = [
  {layout: '1.18', jobKey: (id) => `leader/job-${id}/connection_info`, reported: '1.19+'},
  {layout: '1.15', jobKey: (id) => `leader/${id}/connection_info`, reported: '1.15-1.18'},
  {layout: 'legacy-1.15', jobKey: (id) => `jobs/${id}/leader/connection_info`, reported: 'legacy-1.15'},
]

describe.each(layouts)('haadm leaders on a Flink $layout layout', ({layout, jobKey, reported}) => {
  it('reports exactly what the JobManagers wrote, alive, then no leader once their sessions end', async () => {
    const clusterId = `/it-${layout}`
    const jobs = [randomJobId(), randomJobId()]
    const fixture = await startFlinkFixture(zk.connectString, {clusterId, layout, jobs, contenders: 2})
    try {
      const res = await haadm(['leaders', '--zk-quorum', zk.connectString, '--cluster-id', clusterId, '--json'])
      expect(res.stderr).toBe('')
      expect(res.code).toBe(0)
      const report = res.json.result
      expect(res.json.status).toBe(0)
      expect(report.root).toBe(`/flink/it-${layout}`)

      const leaderSession = fixture.ready.contenders.find((c) => c.leader)!.sessionId
      for (const component of ['dispatcher', 'resource_manager', 'rest_server'] as const) {
        const wrote = fixture.ready.components[component]
        const rec = report.leaders.find((r: any) => r.component === component)
        expect(rec, component).toMatchObject({
          jobId: null,
          status: 'leader',
          address: wrote.address,
          sessionId: wrote.sessionId,
          owner: leaderSession,
          alive: true,
          key: `leader/${component}/connection_info`,
          layout: layout === 'legacy-1.15' ? 'legacy-1.15' : '1.15+',
        })
        expect(rec.latch.contenders).toBe(2)
      }
      const jobRecords = report.leaders.filter((r: any) => r.component === 'job_master')
      expect(jobRecords.map((r: any) => r.jobId).sort()).toEqual([...jobs].sort())
      for (const id of jobs) {
        const rec = jobRecords.find((r: any) => r.jobId === id)
        expect(rec).toMatchObject({
          key: jobKey(id),
          layout: reported,
          status: 'leader',
          address: fixture.ready.jobs[id].address,
          sessionId: fixture.ready.jobs[id].sessionId,
          owner: leaderSession,
          alive: true,
        })
        expect(Date.parse(rec.since)).toBeGreaterThan(Date.now() - 120_000)
      }
      // The contenders in latch order: the leader first.
      const sharedLatch = report.latches.find((l: any) => l.key === (layout === 'legacy-1.15' ? 'leader/dispatcher/latch' : 'leader/latch'))
      expect(sharedLatch.contenders.map((c: any) => c.owner)).toEqual([
        leaderSession,
        ...fixture.ready.contenders.filter((c) => !c.leader).map((c) => c.sessionId),
      ])

      // The table says the same in words.
      const table = await haadm(['leaders', '--zk-quorum', zk.connectString, '--cluster-id', clusterId])
      expect(table.code).toBe(0)
      expect(table.stdout).toContain(fixture.ready.components.dispatcher.address!)
      expect(table.stdout).toContain(`job ${jobs[0]}`)
      expect(table.stdout).toMatch(/alive/)
    } finally {
      await fixture.close()
    }

    const after = await haadm(['leaders', '--zk-quorum', zk.connectString, '--cluster-id', clusterId, '--json'])
    expect(after.code).toBe(0)
    for (const rec of after.json.result.leaders) {
      expect(rec.alive, rec.key).toBe(false)
      expect(rec.status).toBe('no-leader')
      expect(rec.address).toBeNull()
    }
    expect(after.json.result.latches.every((l: any) => l.contenders.length === 0)).toBe(true)
  })
})

describe('failover', () => {
  it('marks the old leader record dead until the new leader writes its own', async () => {
    const clusterId = '/it-failover'
    const fixture = await startFlinkFixture(zk.connectString, {clusterId, layout: '1.18', jobs: [], contenders: 2})
    try {
      await fixture.closeLeader()
      const between = await haadm(['leaders', '--zk-quorum', zk.connectString, '--cluster-id', clusterId, '--json'])
      expect(between.code).toBe(0)
      const dispatcher = between.json.result.leaders.find((r: any) => r.component === 'dispatcher')
      expect(dispatcher.alive).toBe(false)
      expect(between.json.result.latches[0].contenders).toHaveLength(1)

      const now = await fixture.takeOver()
      const after = await haadm(['leaders', '--zk-quorum', zk.connectString, '--cluster-id', clusterId, '--json'])
      const d2 = after.json.result.leaders.find((r: any) => r.component === 'dispatcher')
      expect(d2).toMatchObject({alive: true, sessionId: now.components.dispatcher.sessionId, owner: now.contenders.find((c) => c.leader)!.sessionId})
    } finally {
      await fixture.close()
    }
  })

  it('shows a revoked (empty) leader record as no leader', async () => {
    const clusterId = '/it-empty'
    const fixture = await startFlinkFixture(zk.connectString, {clusterId, layout: '1.18', jobs: [], emptyLeader: 'rest_server'})
    try {
      const res = await haadm(['leaders', '--zk-quorum', zk.connectString, '--cluster-id', clusterId, '--json'])
      const rest = res.json.result.leaders.find((r: any) => r.component === 'rest_server')
      expect(rest).toMatchObject({status: 'no-leader', alive: false, address: null})
      expect(rest.evidence).toContain('empty')
    } finally {
      await fixture.close()
    }
  })
})

describe('bad input and broken stores', () => {
  it('a cluster id that does not exist: exit 3, naming the ids that do', async () => {
    const fixture = await startFlinkFixture(zk.connectString, {clusterId: '/present', layout: '1.18', jobs: []})
    try {
      const res = await haadm(['leaders', '--zk-quorum', zk.connectString, '--cluster-id', '/absent'])
      expect(res.code).toBe(3)
      expect(res.stdout).toBe('')
      expect(res.stderr).toMatch(/^error: no cluster \/absent under \/flink/)
      expect(res.stderr).toContain('present')
      expect(res.stderr).not.toMatch(/at .*\.js:\d+/)
      const json = await haadm(['leaders', '--zk-quorum', zk.connectString, '--cluster-id', '/absent', '--json'])
      expect(json.code).toBe(3)
      expect(json.json.status).toBe(3)
      expect(json.json.error.code).toBe('CLUSTER_NOT_FOUND')
      expect(json.json.error.details.clusterIds).toContain('present')
    } finally {
      await fixture.close()
    }
  })

  it('a root that does not exist: exit 3', async () => {
    const res = await haadm(['leaders', '--zk-quorum', zk.connectString, '--zk-root', '/no-such-root', '--json'])
    expect(res.code).toBe(3)
    expect(res.json.error.code).toBe('ROOT_NOT_FOUND')
  })

  it('an unreachable quorum fails within the timeout with exit 3', async () => {
    const res = await haadm(['leaders', '--zk-quorum', '127.0.0.1:1', '--zk-timeout', '1500ms'])
    expect(res.code).toBe(3)
    expect(res.stderr).toContain('cannot reach ZooKeeper at 127.0.0.1:1 within 1500 ms')
    expect(res.stderr).toContain('hint:')
    expect(res.ms).toBeLessThan(10_000)
  })

  it('no quorum at all is a usage error', async () => {
    const res = await haadm(['leaders'])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('no ZooKeeper quorum')
  })

  it('an unknown flag is a usage error without a stack trace', async () => {
    const res = await haadm(['leaders', '--zk-qourum', 'x'])
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/^error: /)
    expect(res.stderr).not.toMatch(/\n\s+at /)
  })

  it('corrupt znode bytes are shown as undecodable, with the reason, and the rest still decodes', async () => {
    const clusterId = '/it-corrupt'
    const fixture = await startFlinkFixture(zk.connectString, {clusterId, layout: '1.18', jobs: [], noRest: true})
    const client = (await connectZk(zk.connectString)).raw
    try {
      await client.create('/flink/it-corrupt/leader/rest_server', Buffer.alloc(0), 0).catch(() => undefined)
      await client.create('/flink/it-corrupt/leader/rest_server/connection_info', Buffer.from([0xac, 0xed, 0x00, 0x05, 0x77, 0x09, 0x00, 0x20]), 0)
      const res = await haadm(['leaders', '--zk-quorum', zk.connectString, '--cluster-id', clusterId, '--json'])
      expect(res.code).toBe(0)
      const rest = res.json.result.leaders.find((r: any) => r.component === 'rest_server')
      expect(rest.status).toBe('undecodable')
      expect(rest.problem).toMatch(/at byte \d+/)
      expect(res.json.warnings.join('\n')).toContain('leader/rest_server/connection_info')
      const dispatcher = res.json.result.leaders.find((r: any) => r.component === 'dispatcher')
      expect(dispatcher.alive).toBe(true)
      const table = await haadm(['leaders', '--zk-quorum', zk.connectString, '--cluster-id', clusterId])
      expect(table.stdout).toContain('undecodable')
    } finally {
      client.close()
      await fixture.close()
    }
  })

  it('NoAuth on a creator-ACL cluster: exit 3 with a hint; the right digest reads it', async () => {
    const fixture = await startFlinkFixture(zk.connectString, {root: '/secure', clusterId: '/acl', layout: '1.18', jobs: [], digest: 'flink:s3cret'})
    try {
      const denied = await haadm(['leaders', '--zk-quorum', zk.connectString, '--zk-root', '/secure', '--cluster-id', '/acl'])
      expect(denied.code).toBe(3)
      expect(denied.stderr).toContain('NoAuth')
      expect(denied.stderr).toContain('--zk-auth')
      const wrong = await haadm(['leaders', '--zk-quorum', zk.connectString, '--zk-root', '/secure', '--cluster-id', '/acl', '--zk-auth', 'digest:flink:wrong'])
      expect(wrong.code).toBe(3)
      const ok = await haadm(['leaders', '--zk-quorum', zk.connectString, '--zk-root', '/secure', '--cluster-id', '/acl', '--json'], {
        env: {HAADM_ZK_AUTH: 'digest:flink:s3cret'},
      })
      expect(ok.code).toBe(0)
      expect(ok.json.result.leaders.find((r: any) => r.component === 'dispatcher').alive).toBe(true)
    } finally {
      await fixture.close()
    }
  })
})
