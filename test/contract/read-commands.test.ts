// Contract: the same Flink cluster written into ZooKeeper (by the Curator fixture, as Flink's
// ZooKeeper HA services write it) and into Kubernetes (ConfigMaps loaded with kubectl apply, as
// Flink's Kubernetes HA services write them) gives the same records from every read command.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {FlinkFixture} from '../support/flink-fixture.js'
import {haadm} from '../support/cli.js'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'
import {type FlinkClusterSpec, READ_COMMANDS, backends, seedKubernetes, seedZooKeeper, spec} from './backends.js'

let zk: ZkServer
let env: K8sEnv
const live: FlinkFixture[] = []
beforeAll(async () => {
  ;[zk, env] = await Promise.all([startZooKeeper(), startK8sEnv()])
})
afterAll(async () => {
  await Promise.all(live.map((f) => f.close().catch(() => f.kill())))
  await Promise.all([zk?.stop(), env?.stop()])
})

const BACKENDS = backends(
  () => zk.connectString,
  () => env,
)

const CLUSTERS: Array<{name: string; spec: () => FlinkClusterSpec}> = [
  {name: 'Flink 1.18+ (job-<id> leaders), two jobs', spec: () => spec('1.18')},
  {name: 'Flink 1.15-1.17 (<id> leaders), no REST leader', spec: () => spec('1.15', {noRest: true})},
  {name: 'legacy layout (use-old-ha-services), one job', spec: () => spec('legacy-1.15', {jobs: [spec('1.18').jobs[0]]})},
  {name: 'Flink 1.18+ with revoked (empty) leader information', spec: () => spec('1.18', {jobs: [], emptyLeader: ['rest_server']})},
]

describe.each(CLUSTERS)('$name', ({spec: makeSpec}) => {
  const s = makeSpec()
  beforeAll(async () => {
    const published = await seedZooKeeper(zk.connectString, s, live)
    await seedKubernetes(env, s, published)
  })

  it.each(READ_COMMANDS)('haadm $name returns the same records on every backend', async (cmd) => {
    const results = await Promise.all(BACKENDS.map((b) => haadm([...cmd.args, ...b.targetArgs(s), '--json'])))
    for (const [i, res] of results.entries()) {
      expect(res.stderr, BACKENDS[i].name).toBe('')
      expect(res.code, BACKENDS[i].name).toBe(0)
      expect(res.json.result.backend).toBe(BACKENDS[i].name)
    }
    const [reference, ...others] = results.map((r) => cmd.records(r.json.result))
    expect(reference.length).toBeGreaterThan(0)
    for (const [i, records] of others.entries()) expect(records, `${BACKENDS[i + 1].name} vs ${BACKENDS[0].name}`).toEqual(reference)
    // Both report the JSON fields of the scripting contract, whatever the backend.
    const keys = results.map((r) => r.json.result.leaders.map((l: any) => Object.keys(l).sort().join(',')))
    expect(keys[1]).toEqual(keys[0])
    expect(Object.keys(results[1].json.result).sort()).toEqual(Object.keys(results[0].json.result).sort())
  })
})
