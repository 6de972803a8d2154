// What each Flink version writes, as test expectations: names relative to the cluster node
// (ZooKeeper `/<root>/<cluster-id>`), to `<storageDir>/<cluster-id>` (files), and ConfigMap names and
// keys (Kubernetes). Written from ../shared/docs/flink/{zookeeper,kubernetes}-layout.md, independent
// of src/: the fixtures (flink-fixture.ts, k8s-fixture.ts) are checked against this, and contract
// tests compare haadm's records with it. Pure: no I/O.

/**
 * '1.15' = 1.15–1.17, '1.18' = 1.18, '1.19' = 1.19–1.20, '2.x' = 2.0+, 'legacy-1.15' = 1.15 with
 * `high-availability.use-old-ha-services=true` (ZooKeeperHaServices / the ≤1.14 Kubernetes maps).
 */
export type FlinkVersion = '1.15' | '1.18' | '1.19' | '2.x' | 'legacy-1.15'
/** The Kubernetes fixture's names: 'legacy' = `use-old-ha-services=true` in 1.15, and ≤1.14. */
export type K8sFlinkVersion = '1.15' | '1.18' | '1.19' | '2.x' | 'legacy'

export const FLINK_VERSIONS: readonly FlinkVersion[] = ['1.15', '1.18', '1.19', '2.x', 'legacy-1.15']
export const K8S_FLINK_VERSIONS: readonly K8sFlinkVersion[] = ['1.15', '1.18', '1.19', '2.x', 'legacy']

export type ZkComponent = 'dispatcher' | 'resource_manager' | 'rest_server'
export type K8sComponent = 'dispatcher' | 'resourcemanager' | 'restserver'

export const PLAN_KEY_JOBGRAPHS = 'high-availability.zookeeper.path.jobgraphs'
export const PLAN_KEY_EXECUTION_PLANS = 'high-availability.zookeeper.path.execution-plans'

const pad19 = (id: number | bigint) => String(id).padStart(19, '0')
const isV2 = (v: string) => v === '2.x'
const isLegacy = (v: string) => v === 'legacy-1.15' || v === 'legacy'
/** Per-job leader component id `job-<jobId>` from 1.19 (FLINK-32710), bare `<jobId>` before. */
const jobPrefixed = (v: string) => v === '1.19' || v === '2.x'

/** RPC address scheme: akka before the Pekko switch in 1.18. */
export function addressScheme(v: FlinkVersion | K8sFlinkVersion): 'akka.tcp' | 'pekko.tcp' {
  return v === '1.15' || isLegacy(v) ? 'akka.tcp' : 'pekko.tcp'
}

/** Flink's component id of a job's JobMaster leader election. */
export function jobLeaderComponentId(v: FlinkVersion | K8sFlinkVersion, jobId: string): string {
  return jobPrefixed(v) ? `job-${jobId}` : jobId
}

/** Files in `<storageDir>/<cluster-id>`. */
export interface StorageExpectation {
  planFilePrefix: 'submittedJobGraph' | 'submittedExecutionPlan'
  checkpointFilePrefix: 'completedCheckpoint'
  /** `<prefix><12 hex>` (FileUtils.getRandomFilename). */
  planFile: RegExp
  checkpointFile: RegExp
  /** The class the fixture puts in plan files by default (2.x may also hold a StreamGraph). */
  planClass: 'org.apache.flink.runtime.jobgraph.JobGraph'
  /** `<jobId>/job-events` (FileSystemJobEventStore, 1.20+ batch job recovery); null when the version writes none. */
  jobEventsDir(jobId: string): string | null
  /** `events.<n>` */
  jobEventFile(n: number): string
  /** Blob store directory, removed by Flink's cluster cleanup. */
  blobDir: 'blob'
}

export function storageLayout(v: FlinkVersion | K8sFlinkVersion): StorageExpectation {
  const planFilePrefix = isV2(v) ? 'submittedExecutionPlan' : 'submittedJobGraph'
  return {
    planFilePrefix,
    checkpointFilePrefix: 'completedCheckpoint',
    planFile: new RegExp(`^${planFilePrefix}[0-9a-f]{12}$`),
    checkpointFile: /^completedCheckpoint[0-9a-f]{12}$/,
    planClass: 'org.apache.flink.runtime.jobgraph.JobGraph',
    // '1.19' stands for 1.19–1.20: the fixture writes job events for it as 1.20 does.
    jobEventsDir: (jobId) => (v === '1.19' || isV2(v) ? `${jobId}/job-events` : null),
    jobEventFile: (n) => `events.${n}`,
    blobDir: 'blob',
  }
}

/** ZooKeeper, relative to `/<root>/<cluster-id>` (no leading slash). */
export interface ZkExpectation {
  version: FlinkVersion
  legacy: boolean
  addressScheme: 'akka.tcp' | 'pekko.tcp'
  /** The latch a component's leader is elected on: `leader/latch` (one per process), legacy `leader/<c>/latch`. */
  componentLatch(c: ZkComponent): string
  componentConnectionInfo(c: ZkComponent): string
  jobLeaderComponentId(jobId: string): string
  /** `leader/<jobId>` (≤1.18), `leader/job-<jobId>` (1.19+), legacy `jobs/<jobId>/leader`. */
  jobLeaderNode(jobId: string): string
  jobConnectionInfo(jobId: string): string
  jobLatch(jobId: string): string
  /** The node of the other naming an upgrade leaves behind (fixture's leftoverJobLeaders); null for legacy. */
  leftoverJobLeaderNode(jobId: string): string | null
  /** `jobgraphs` (1.x), `execution-plans` (2.x), or the configured path without its leading `/`. */
  planDir: string
  planConfigKey: typeof PLAN_KEY_JOBGRAPHS | typeof PLAN_KEY_EXECUTION_PLANS
  planEntry(jobId: string): string
  /** Where an upgraded 2.x cluster's 1.x job graphs stay (fixture's leftoverJobGraphs); null before 2.x. */
  leftoverPlanDir: string | null
  /** `<entry>/locks`, parent of the EPHEMERAL `<uuid>` lock nodes. */
  locks(entry: string): string
  jobNode(jobId: string): string
  checkpointsNode(jobId: string): string
  /** `jobs/<jobId>/checkpoints/<%019d>` */
  checkpointEntry(jobId: string, checkpointId: number | bigint): string
  counterNode(jobId: string): string
  files: StorageExpectation
}

/**
 * @param paths the Flink options the cluster was configured with (values start with `/`), resolved
 * as Flink does: 2.x `execution-plans ?? jobgraphs (deprecated fallback) ?? /execution-plans`,
 * 1.x `jobgraphs ?? /jobgraphs`.
 */
export function zkLayout(v: FlinkVersion, paths: {jobGraphsPath?: string; executionPlansPath?: string} = {}): ZkExpectation {
  const legacy = isLegacy(v)
  const strip = (p: string) => p.replace(/^\/+/, '')
  let planPath: string
  let planConfigKey: ZkExpectation['planConfigKey']
  if (isV2(v)) {
    planPath = paths.executionPlansPath ?? paths.jobGraphsPath ?? '/execution-plans'
    planConfigKey = paths.executionPlansPath === undefined && paths.jobGraphsPath !== undefined ? PLAN_KEY_JOBGRAPHS : PLAN_KEY_EXECUTION_PLANS
  } else {
    planPath = paths.jobGraphsPath ?? '/jobgraphs'
    planConfigKey = PLAN_KEY_JOBGRAPHS
  }
  const planDir = strip(planPath)
  const leftover = strip(paths.jobGraphsPath ?? '/jobgraphs')
  const jobLeaderNode = (jobId: string) => (legacy ? `jobs/${jobId}/leader` : `leader/${jobLeaderComponentId(v, jobId)}`)
  return {
    version: v,
    legacy,
    addressScheme: addressScheme(v),
    componentLatch: (c) => (legacy ? `leader/${c}/latch` : 'leader/latch'),
    componentConnectionInfo: (c) => `leader/${c}/connection_info`,
    jobLeaderComponentId: (jobId) => jobLeaderComponentId(v, jobId),
    jobLeaderNode,
    jobConnectionInfo: (jobId) => `${jobLeaderNode(jobId)}/connection_info`,
    jobLatch: (jobId) => (legacy ? `jobs/${jobId}/leader/latch` : 'leader/latch'),
    leftoverJobLeaderNode: (jobId) => (legacy ? null : `leader/${jobPrefixed(v) ? jobId : `job-${jobId}`}`),
    planDir,
    planConfigKey,
    planEntry: (jobId) => `${planDir}/${jobId}`,
    leftoverPlanDir: isV2(v) && leftover !== planDir ? leftover : null,
    locks: (entry) => `${entry}/locks`,
    jobNode: (jobId) => `jobs/${jobId}`,
    checkpointsNode: (jobId) => `jobs/${jobId}/checkpoints`,
    checkpointEntry: (jobId, id) => `jobs/${jobId}/checkpoints/${pad19(id)}`,
    counterNode: (jobId) => `jobs/${jobId}/checkpoint_id_counter`,
    files: storageLayout(v),
  }
}

/** Where a leader record lives on Kubernetes: a map and the keys that hold it. */
export interface K8sLeaderPlace {
  map: string
  /** New layout: one `org.apache.flink.k8s.leader.<id>` key (value `<uuid>,<address>`); legacy: `address` and `sessionId`. */
  keys: string[]
}

export interface K8sExpectation {
  version: K8sFlinkVersion
  legacy: boolean
  addressScheme: 'akka.tcp' | 'pekko.tcp'
  /** Labels on every HA map: app, type, and configmap-type up to 1.20 (2.x drops it, FLINK-36257). */
  labels: Record<string, string>
  /** `<cid>-cluster-config-map`; null in the legacy layout. */
  clusterMap: string | null
  /** Per-job map: `<cid>-<jobId>-config-map`, legacy `<cid>-<jobId>-jobmanager-leader`. */
  jobMap(jobId: string): string
  componentLeader(c: K8sComponent): K8sLeaderPlace
  /** `<jobId>` up to 1.18, `job-<jobId>` from 1.19 (the suffix of the leader key). */
  jobLeaderComponentId(jobId: string): string
  jobLeader(jobId: string): K8sLeaderPlace
  /** The stale key of the other naming an upgrade leaves in the cluster map (fixture's stale-leader); null for legacy. */
  staleJobLeaderKey(jobId: string): string | null
  /** The map holding plan pointers: the cluster map, legacy `<cid>-dispatcher-leader`. */
  planMap: string
  /** `jobGraph-<jobId>` (1.x, legacy), `executionPlan-<jobId>` (2.x). */
  planKey(jobId: string): string
  /** `checkpointID-<%019d>` in jobMap. */
  checkpointKey(checkpointId: number | bigint): string
  counterKey: 'counter'
  /** The fabric8 leader-election annotation (on leader maps only). */
  leaderAnnotation: 'control-plane.alpha.kubernetes.io/leader'
  /** Every HA map name for these jobs (per-job maps only for jobs that have one). */
  haMaps(jobIds: string[]): string[]
  files: StorageExpectation
}

export function k8sLayout(v: K8sFlinkVersion, clusterId: string): K8sExpectation {
  const legacy = isLegacy(v)
  const labels: Record<string, string> = {app: clusterId, type: 'flink-native-kubernetes'}
  if (!isV2(v)) labels['configmap-type'] = 'high-availability'
  const clusterMap = legacy ? null : `${clusterId}-cluster-config-map`
  const jobMap = (jobId: string) => (legacy ? `${clusterId}-${jobId}-jobmanager-leader` : `${clusterId}-${jobId}-config-map`)
  const LEADER = 'org.apache.flink.k8s.leader.'
  return {
    version: v,
    legacy,
    addressScheme: addressScheme(v),
    labels,
    clusterMap,
    jobMap,
    componentLeader: (c) => (legacy ? {map: `${clusterId}-${c}-leader`, keys: ['address', 'sessionId']} : {map: clusterMap!, keys: [LEADER + c]}),
    jobLeaderComponentId: (jobId) => jobLeaderComponentId(v, jobId),
    jobLeader: (jobId) => (legacy ? {map: jobMap(jobId), keys: ['address', 'sessionId']} : {map: clusterMap!, keys: [LEADER + jobLeaderComponentId(v, jobId)]}),
    staleJobLeaderKey: (jobId) => (legacy ? null : LEADER + (jobPrefixed(v) ? jobId : `job-${jobId}`)),
    planMap: legacy ? `${clusterId}-dispatcher-leader` : clusterMap!,
    planKey: (jobId) => (isV2(v) ? `executionPlan-${jobId}` : `jobGraph-${jobId}`),
    checkpointKey: (id) => `checkpointID-${pad19(id)}`,
    counterKey: 'counter',
    leaderAnnotation: 'control-plane.alpha.kubernetes.io/leader',
    haMaps: (jobIds) =>
      legacy
        ? [`${clusterId}-dispatcher-leader`, `${clusterId}-resourcemanager-leader`, `${clusterId}-restserver-leader`, ...jobIds.map(jobMap)]
        : [clusterMap!, ...jobIds.map(jobMap)],
    files: storageLayout(v),
  }
}
