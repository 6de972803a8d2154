// Flink-shaped Kubernetes HA data for tests: the manifests come from the Java generator in
// test/java/k8s (JDK serialization of stand-in classes with Flink's names), and are loaded into the
// test API server with kubectl apply, as an operator would.

import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {FlinkFixtureReady} from './flink-fixture.js'
import {compileJava, runJava} from './java.js'
import {type K8sApiServer, type K8sApiServerOptions, startK8sApiServer} from './k8s-api-server.js'

/** kubectl to drive the test server with: HAADM_KUBECTL, else the one on PATH. */
export const KUBECTL = process.env.HAADM_KUBECTL ?? 'kubectl'

let classpath: string | undefined

/** Compiled once per process; compileJava renames a finished build into place, so parallel test files are safe. */
async function generatorClasspath(): Promise<string> {
  classpath ??= compileJava(['stubs', 'k8s'], false)
  return classpath
}

/**
 * Runs the generator on a spec (see FlinkK8sManifests.java for the directives) and returns the
 * manifest: a JSON `v1 List` of ConfigMaps.
 */
export async function flinkManifests(spec: string | string[]): Promise<any> {
  const text = Array.isArray(spec) ? spec.join('\n') : spec
  return JSON.parse(runJava(await generatorClasspath(), 'haadm.fixtures.FlinkK8sManifests', [], `${text}\n`).toString('utf8'))
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

export function run(cmd: string, args: string[], env: Record<string, string>, input?: string): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {env: {PATH: process.env.PATH ?? '', HOME: env.HOME ?? process.env.HOME ?? '/tmp', ...env}, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolvePromise({code, stdout, stderr})
    })
    child.stdin.end(input ?? '')
  })
}

export interface K8sEnv {
  server: K8sApiServer
  dir: string
  /** kubeconfig of the default token, context `test`, namespace `flink`. */
  kubeconfig: string
  /** Runs kubectl with that kubeconfig (or another one). */
  kubectl(args: string[], opts?: {kubeconfig?: string; input?: string}): Promise<RunResult>
  /** Generates the manifests of a spec and loads them with `kubectl apply -f`. */
  apply(spec: string | string[], opts?: {namespace?: string}): Promise<any>
  /** The flags that point haadm at this server. */
  flags(clusterId: string, namespace?: string): string[]
  stop(): Promise<void>
}

export async function startK8sEnv(opts: K8sApiServerOptions = {}): Promise<K8sEnv> {
  const server = await startK8sApiServer({namespaces: ['default', 'kube-system', 'flink'], ...opts})
  const dir = mkdtempSync(join(tmpdir(), 'haadm-k8s-'))
  const kubeconfig = server.writeKubeconfig(dir, {namespace: 'flink'})
  // kubectl keeps a discovery cache under HOME; keep it in the temp dir.
  const home = join(dir, 'home')
  mkdirSync(home)
  const kubectl: K8sEnv['kubectl'] = (args, o = {}) => run(KUBECTL, args, {KUBECONFIG: o.kubeconfig ?? kubeconfig, HOME: home}, o.input)
  let n = 0
  return {
    server,
    dir,
    kubeconfig,
    kubectl,
    async apply(spec, o = {}) {
      const manifest = await flinkManifests(spec)
      const file = join(dir, `manifest-${++n}.json`)
      writeFileSync(file, JSON.stringify(manifest))
      const res = await kubectl(['apply', '-f', file, ...(o.namespace ? ['-n', o.namespace] : [])])
      if (res.code !== 0) throw new Error(`kubectl apply failed (${res.code}): ${res.stderr}`)
      return manifest
    },
    flags: (clusterId, namespace = 'flink') => ['--backend', 'kubernetes', '--kubeconfig', kubeconfig, '--cluster-id', clusterId, '-n', namespace],
    async stop() {
      await server.stop()
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/** What k8sClusterSpec writes for one cluster. */
export interface K8sClusterSpec {
  /** '1.15' (1.15–1.17), '1.18', '1.19' (1.19–1.20), '2.x', 'legacy' (use-old-ha-services / ≤1.14). */
  version: '1.15' | '1.18' | '1.19' | '2.x' | 'legacy'
  clusterId: string
  /** Leader session UUID of every leader record, default a fixed one. */
  sessionId?: string
  /** Write leader records for dispatcher, resourcemanager and restserver (default true), with the version's default addresses. */
  leaders?: boolean
  /** Jobs with a JobMaster leader record. */
  jobLeaders?: string[]
  /** Jobs with an execution-plan pointer (jobGraph- / executionPlan-). */
  jobGraphs?: string[]
  /** Job id → checkpoint ids; the counter is set to the highest id + 1. */
  checkpoints?: Record<string, number[]>
  /** Job leader keys of the other naming left by an upgrade (not for legacy). */
  staleLeaders?: string[]
  /** 1.x `jobGraph-` keys left in a 2.x cluster map. */
  leftoverJobGraphs?: string[]
  /** The leader annotation on the leader maps (default true). */
  lease?: boolean
}

/** The FlinkK8sManifests lines of one cluster written as its Flink version writes it (`flink CID VERSION`). */
export function k8sClusterSpec(s: K8sClusterSpec): string[] {
  const uuid = s.sessionId ?? '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'
  const out = [`flink ${s.clusterId} ${s.version}`]
  if (s.leaders ?? true) for (const c of ['dispatcher', 'resourcemanager', 'restserver']) out.push(`leader ${c} ${uuid}`)
  for (const j of s.jobLeaders ?? []) out.push(`leader ${j} ${uuid}`)
  for (const j of s.staleLeaders ?? []) out.push(`stale-leader ${j} ${uuid}`)
  for (const j of s.jobGraphs ?? []) out.push(`jobgraph ${j}`)
  for (const j of s.leftoverJobGraphs ?? []) out.push(`jobgraph ${j} key=jobGraph`)
  for (const [j, ids] of Object.entries(s.checkpoints ?? {})) {
    for (const id of ids) out.push(`checkpoint ${j} ${id}`)
    out.push(`counter ${j} ${ids.length === 0 ? 1 : Math.max(...ids) + 1}`)
  }
  if (s.lease ?? true) out.push('lease *')
  return out
}

const K8S_COMPONENT = {dispatcher: 'dispatcher', resource_manager: 'resourcemanager', rest_server: 'restserver'} as const
const K8S_VERSION = {'1.15': '1.15', '1.18': '1.18', '1.19': '1.19', '2.x': '2.x', 'legacy-1.15': 'legacy'} as const

/**
 * The cluster a ZooKeeper fixture wrote (its READY, started with flinkVersion), as the Kubernetes HA
 * services of the same Flink version keep it: the same leader session ids and addresses (empty or
 * unpublished leaders have no key, as Kubernetes removes it), the same plan and checkpoint file URIs
 * and sizes (so both backends point at the same storageDir files), marks, counters, and the 1.x
 * leftover plans as `jobGraph-` keys. Not mirrored: ZooKeeper's leftover leader nodes (they hold no
 * leader information; on Kubernetes use stale-leader), locks, latches, job events (files only).
 * Ends with a lease held for 600 s on the leader maps. Load with env.apply().
 */
export function k8sSpecFromFixture(ready: FlinkFixtureReady, clusterId: string): string[] {
  if (ready.flinkVersion === null) throw new Error('k8sSpecFromFixture needs a fixture started with flinkVersion')
  const lines = [`flink ${clusterId} ${K8S_VERSION[ready.flinkVersion]}`]
  for (const [component, rec] of Object.entries(ready.components)) {
    if (!rec.published || rec.empty || rec.address === null) continue
    lines.push(`leader ${K8S_COMPONENT[component as keyof typeof K8S_COMPONENT]} ${rec.sessionId} ${rec.address}`)
  }
  for (const [jobId, rec] of Object.entries(ready.jobs)) {
    if (!rec.published || rec.empty || rec.address === null) continue
    lines.push(`leader ${jobId} ${rec.sessionId} ${rec.address}`)
  }
  const st = ready.store
  for (const [jobId, p] of Object.entries(st.plans ?? {})) {
    lines.push(`jobgraph ${jobId} file=${p.uri} size=${p.stateSize}${p.markedForDeletion ? ' marked' : ''}`)
  }
  for (const [jobId, p] of Object.entries(st.leftoverPlans ?? {})) {
    lines.push(`jobgraph ${jobId} key=jobGraph file=${p.uri} size=${p.stateSize}`)
  }
  for (const [jobId, cs] of Object.entries(st.checkpoints ?? {})) {
    for (const c of cs.checkpoints) lines.push(`checkpoint ${jobId} ${c.checkpointId} file=${c.uri} size=${c.stateSize}${c.markedForDeletion ? ' marked' : ''}`)
    lines.push(`counter ${jobId} ${cs.counter}`)
  }
  lines.push('lease * duration=600 transitions=1')
  return lines
}
