import {resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {haadm, REPO} from '../support/cli.js'

const snap = resolve(REPO, 'demo', 'demo-cluster.haadm.json.gz')

describe('the built-in demo snapshot (scripts/make-demo-snapshot.sh)', () => {
  it('every read command works on it with no service running', async () => {
    const leaders = await haadm(['leaders', '--snapshot', snap, '--json'])
    expect(leaders.code).toBe(0)
    expect(leaders.json.result.leaders.filter((l: any) => l.alive)).toHaveLength(5)
    const plans = await haadm(['plans', '--snapshot', snap, '--json'])
    expect(plans.code).toBe(0)
    expect(plans.stdout).toContain('submittedJobGraph')
    const checkpoints = await haadm(['checkpoints', '--snapshot', snap])
    expect(checkpoints.code).toBe(0)
    expect(checkpoints.stdout).toContain('restores from checkpoint 3')
    const results = await haadm(['jobs', 'results', '--snapshot', snap, '--json'])
    expect(results.code).toBe(0)
    expect(results.json.result.entries.map((e: any) => e.state).sort()).toEqual(['clean', 'dirty'])
  })

  it('a cleanup dry run shows the plan and exits 4: the snapshot was taken while the cluster lived', async () => {
    const res = await haadm(['cleanup', '--snapshot', snap, '--dry-run', '--json'])
    expect(res.code).toBe(4)
    expect(res.json.status).toBe(4)
    expect(res.json.result.plan.metadata.length).toBeGreaterThan(20)
    expect(res.json.result.plan.liveEvidence.length).toBeGreaterThan(0)
  })
})
