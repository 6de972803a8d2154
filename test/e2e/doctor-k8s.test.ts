import {mkdirSync, unlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {type K8sEnv, k8sSpecFromFixture, startK8sEnv} from '../support/k8s-fixture.js'
import {tempDirs} from '../support/temp.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

// haadm doctor, restore-point and plans remove on the Kubernetes test API server: Flink 2.x clusters
// written by the Curator fixture (with their storageDir files) and mirrored onto ConfigMaps as
// Flink's Kubernetes HA services keep them, so both backends point at the same files.

let zk: ZkServer
let env: K8sEnv
beforeAll(async () => {
  ;[zk, env] = await Promise.all([startZooKeeper(), startK8sEnv()])
})
afterAll(async () => {
  await Promise.all([zk?.stop(), env?.stop()])
})
const tempDir = tempDirs('haadm-doctor-k8s-')
const ids = (res: any) => res.json.result.findings.map((f: any) => [f.id, f.jobId]).sort()

/** A Flink 2.x cluster written by the fixture, mirrored onto Kubernetes; `dead`: its lease expired an hour ago. */
async function mirrored(cid: string, storage: string, opts: Parameters<typeof startFlinkFixture>[1], dead: boolean) {
  const fixture = await startFlinkFixture(zk.connectString, {clusterId: `/${cid}`, flinkVersion: '2.x', contenders: 1, storageDir: storage, ...opts})
  await fixture.close()
  const spec = k8sSpecFromFixture(fixture.ready, cid)
  if (dead) spec[spec.length - 1] = 'lease * duration=15 renewed=3600 acquired=7200'
  await env.apply(spec)
  return fixture.ready.store
}

describe('doctor, restore-point and plans remove on Kubernetes', () => {
  it('a healthy live cluster has no finding; plans remove refuses it', {timeout: 180_000}, async () => {
    const storage = tempDir()
    const A = randomJobId()
    await mirrored('k8s-ok', storage, {jobs: [A], jobGraphs: [A], checkpoints: {[A]: 3}}, false)
    const res = await haadm(['doctor', ...env.flags('k8s-ok'), '--storage-dir', storage, '--jrs-path', tempDir(), '--json'])
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    expect(res.json.result).toMatchObject({backend: 'kubernetes', verdict: 'healthy', alive: true, findings: [], skipped: []})
    const refuse = await haadm(['plans', 'remove', A, ...env.flags('k8s-ok'), '--yes'])
    expect(refuse.code).toBe(4)
    expect(refuse.stderr).toMatch(/^error: refusing: cluster k8s-ok is alive: .*lease/)
    expect((await haadm(['doctor', ...env.flags('no-such-cluster'), '--json'])).code).toBe(3)
  })

  it('finds a missing checkpoint file, a marked entry, a leaked job map and 1.x keys left by the upgrade; restore-point and plans remove', {timeout: 180_000}, async () => {
    const storage = tempDir()
    const [C, L, O] = [randomJobId(), randomJobId(), randomJobId()]
    const store = await mirrored('k8s-bad', storage, {jobGraphs: [C], checkpoints: {[C]: 3, [L]: 2}, markDeleted: [`${C}/1`], leftoverJobGraphs: [O]}, true)
    const cps = store.checkpoints[C]!.checkpoints
    unlinkSync(cps[2]!.filePath)
    const f = env.flags('k8s-bad')
    const jrs = tempDir()
    const res = await haadm(['doctor', ...f, '--storage-dir', storage, '--jrs-path', jrs, '--json'])
    expect(res.code).toBe(6)
    expect(ids(res)).toEqual(
      [
        ['checkpoint-file-missing', C],
        ['marked-for-deletion', C],
        ['job-leftovers', L],
        ['upgrade-leftovers', null],
      ].sort(),
    )
    const by = (id: string) => res.json.result.findings.find((x: any) => x.id === id)
    expect(by('job-leftovers').items).toEqual([`flink/k8s-bad-${L}-config-map`, ...[1, 2].map((n) => `flink/k8s-bad-${L}-config-map/checkpointID-${String(n).padStart(19, '0')}`)])
    expect(by('upgrade-leftovers').items).toEqual([`flink/k8s-bad-cluster-config-map/jobGraph-${O}`, `flink/k8s-bad-cluster-config-map/executionPlan-${C}`])
    expect(by('checkpoint-file-missing').evidence).toMatch(/^checkpoint 3: no file .*; the older retained checkpoint 2 is intact$/)
    expect(by('job-leftovers').fix).toBe(`haadm cleanup --backend kubernetes --kubeconfig ${env.kubeconfig} --namespace flink --cluster-id k8s-bad --storage-dir ${storage} --jrs-path ${jrs} --job ${L}`)
    // The human output, failing on warnings too.
    expect((await haadm(['doctor', ...f, '--storage-dir', storage, '--fail-on', 'warning'])).code).toBe(6)

    // restore-point: 3's file is gone and 1 is marked, so 2.
    for (const cp of cps) {
      const p = join(cp.externalPointer.replace(/^file:/, ''), '_metadata')
      mkdirSync(join(p, '..'), {recursive: true})
      writeFileSync(p, 'm')
    }
    const rp = await haadm(['restore-point', ...f, '--storage-dir', storage, '--job', C, '--json'])
    expect(rp.code).toBe(0)
    expect(rp.json.result.jobs[0].chosen).toMatchObject({checkpointId: 2, source: 'ha-entry', externalPointer: cps[1]!.externalPointer})
    expect(rp.json.result.jobs[0].candidates.map((c: any) => [c.checkpointId, c.usable])).toEqual([
      [3, false],
      [2, true],
      [1, false],
    ])
    // Without storage the entry still names the checkpoint, but not its directory.
    const bare = await haadm(['restore-point', ...f, '--job', C])
    expect(bare.stdout).toContain('the checkpoint directory is unknown: pass --storage-dir')

    // plans remove: the executionPlan- key (with the map's resourceVersion) and its file; checkpoints stay.
    const removed = await haadm(['plans', 'remove', C, ...f, '--yes', '--json'])
    expect(removed.code).toBe(0)
    expect(removed.json.result.plan.metadata).toEqual([expect.objectContaining({key: `k8s-bad-cluster-config-map/executionPlan-${C}`, what: 'execution plan (job graph) pointer'})])
    expect(removed.json.result.outcomes.map((o: any) => o.status)).toEqual(['removed', 'removed'])
    const plans = await haadm(['plans', ...f, '--json'])
    expect(plans.json.result.plans.map((p: any) => p.jobId)).toEqual([O])
    const after = await haadm(['checkpoints', ...f, '--job', C, '--json'])
    expect(after.json.result.jobs[0].checkpoints.map((c: any) => c.checkpointId)).toEqual([1, 2, 3])
    expect(after.json.result.jobs[0].counter.nextCheckpointId).toBe(4)
    expect((await haadm(['plans', 'remove', C, ...f, '--yes'])).code).toBe(0)
  })
})
