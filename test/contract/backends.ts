// The shared contract: one Flink cluster, described once, written into every backend the way
// Flink writes it there; every read command must then return the same records on each.
//
// To add a read command (plans, checkpoints): add one entry to READ_COMMANDS with the haadm
// arguments and a `records` function that keeps the backend-neutral fields. To seed more of the
// cluster (job graphs, checkpoints), extend FlinkClusterSpec, the ZooKeeper seeding (the Java
// fixture) and `k8sSpecLines` (the Kubernetes manifest generator already writes jobgraph,
// checkpoint and counter entries).

import {randomJobId, startFlinkFixture, type FlinkFixture, type FlinkHaLayout, type FlinkFixtureReady} from '../support/flink-fixture.js'
import type {K8sEnv} from '../support/k8s-fixture.js'

export interface FlinkClusterSpec {
  /** Bare cluster id: `/<id>` on ZooKeeper, `<id>` (kubernetes.cluster-id) on Kubernetes. */
  id: string
  layout: FlinkHaLayout
  jobs: string[]
  noRest?: boolean
  /** Components whose leader information is revoked (empty): ZooKeeper writes zero bytes, Kubernetes removes the key. */
  emptyLeader?: Array<'dispatcher' | 'resource_manager' | 'rest_server'>
}

/** What the cluster's JobManagers published: the facts both backends must show. */
export type PublishedCluster = FlinkFixtureReady

export interface SeededBackend {
  name: 'zookeeper' | 'kubernetes'
  /** haadm arguments that point at this backend's copy of the cluster. */
  targetArgs(spec: FlinkClusterSpec): string[]
}

export function spec(layout: FlinkHaLayout, extra: Partial<FlinkClusterSpec> = {}): FlinkClusterSpec {
  return {id: `ct-${layout.replace(/\./g, '')}-${Math.random().toString(36).slice(2, 8)}`, layout, jobs: [randomJobId(), randomJobId()], ...extra}
}

/** ZooKeeper: the Java/Curator fixture, which keeps its JobManager sessions alive until closed. */
export async function seedZooKeeper(quorum: string, s: FlinkClusterSpec, live: FlinkFixture[]): Promise<PublishedCluster> {
  const fixture = await startFlinkFixture(quorum, {
    clusterId: `/${s.id}`,
    layout: s.layout,
    jobs: s.jobs,
    contenders: 2,
    noRest: s.noRest,
    emptyLeader: s.emptyLeader,
  })
  live.push(fixture)
  return fixture.ready
}

const K8S_COMPONENT = {dispatcher: 'dispatcher', resource_manager: 'resourcemanager', rest_server: 'restserver'} as const
const K8S_LAYOUT: Record<FlinkHaLayout, string> = {'1.18': '1.18', '1.15': '1.15', 'legacy-1.15': 'legacy'}

/**
 * The same published cluster as the Kubernetes HA services keep it, as generator directives: the
 * leader keys (or legacy maps) with the addresses and session ids the JobManagers published, and
 * a lease held by a live JobManager.
 */
export function k8sSpecLines(s: FlinkClusterSpec, published: PublishedCluster): string[] {
  const lines = [`cluster ${s.id} ${K8S_LAYOUT[s.layout]}`]
  for (const [component, rec] of Object.entries(published.components)) {
    // Empty leader information: Kubernetes removes the key (updateConfigMapWithLeaderInformation).
    if (!rec.published || rec.empty || rec.address === null) continue
    lines.push(`leader ${K8S_COMPONENT[component as keyof typeof K8S_COMPONENT]} ${rec.sessionId} ${rec.address}`)
  }
  for (const [jobId, rec] of Object.entries(published.jobs)) {
    if (!rec.published || rec.empty || rec.address === null) continue
    lines.push(`leader ${jobId} ${rec.sessionId} ${rec.address}`)
  }
  lines.push(`lease ${s.layout === 'legacy-1.15' ? '*' : 'cluster'} duration=600 transitions=1`)
  lines.push('flink-config', 'autoscaler')
  return lines
}

export async function seedKubernetes(env: K8sEnv, s: FlinkClusterSpec, published: PublishedCluster): Promise<void> {
  await env.apply(k8sSpecLines(s, published))
}

export function backends(quorum: () => string, env: () => K8sEnv): SeededBackend[] {
  return [
    {name: 'zookeeper', targetArgs: (s) => ['--zk-quorum', quorum(), '--cluster-id', `/${s.id}`]},
    {name: 'kubernetes', targetArgs: (s) => env().flags(s.id)},
  ]
}

/** A read command and the backend-neutral part of its records. */
export interface ReadCommand {
  name: string
  args: string[]
  records(result: any): unknown[]
}

export const READ_COMMANDS: ReadCommand[] = [
  {
    name: 'leaders',
    args: ['leaders'],
    // key, locator, owner, since, evidence, latch and lease are where each backend shows itself.
    records: (result) =>
      result.leaders.map((r: any) => ({
        component: r.component,
        jobId: r.jobId,
        layout: r.layout,
        status: r.status,
        address: r.address,
        sessionId: r.sessionId,
        alive: r.alive,
        problem: r.problem,
      })),
  },
]
