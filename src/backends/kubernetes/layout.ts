/**
 * Flink's Kubernetes HA layout (docs/flink/kubernetes-layout.md), as pure functions: which
 * ConfigMaps of a cluster id hold HA data, what their keys mean, the leader annotation. No I/O and
 * no client library here, so records and tests can use it freely.
 */

export const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader'
/** `KubernetesUtils.LEADER_PREFIX`: `org.apache.flink.k8s.leader.<componentId>` in the cluster map. */
export const LEADER_KEY_PREFIX = 'org.apache.flink.k8s.leader.'
export const JOB_GRAPH_KEY_PREFIX = 'jobGraph-'
export const EXECUTION_PLAN_KEY_PREFIX = 'executionPlan-'
export const CHECKPOINT_KEY_PREFIX = 'checkpointID-'
export const COUNTER_KEY = 'counter'
/** Legacy (≤1.14, `use-old-ha-services`) leader maps keep these two keys. */
export const LEGACY_ADDRESS_KEY = 'address'
export const LEGACY_SESSION_ID_KEY = 'sessionId'
export const HA_LABEL = 'configmap-type'
export const HA_LABEL_VALUE = 'high-availability'
/** KubernetesUtils.getCommonLabels: on every map Flink makes for a cluster, HA or not. */
export const COMMON_LABELS = (clusterId: string) => ({app: clusterId, type: 'flink-native-kubernetes'})

/**
 * The label selectors that take a cluster's HA maps and nothing else, narrowest first: Flink 1.15–1.20
 * label them `app`, `type` and `configmap-type=high-availability` (KubernetesUtils.getConfigMapLabels;
 * the selector of Flink's own label delete in 1.15.x, 1.16.x, 1.17.0–1.17.1 and 1.18.0); 2.x drops
 * `configmap-type` (FLINK-36257), so only `app` and `type` remain, which `flink-config-<cid>` and other
 * maps of a running deployment carry too: a caller must check that every match is an HA map.
 */
export function haLabelSelectors(clusterId: string): Array<Record<string, string>> {
  return [{...COMMON_LABELS(clusterId), [HA_LABEL]: HA_LABEL_VALUE}, COMMON_LABELS(clusterId)]
}

const JOB_ID = '[0-9a-f]{32}'

/** What a ConfigMap of the cluster is, by name (Flink's naming; see kubernetes-layout.md §1). */
export type HaMapKind =
  /** `<cid>-cluster-config-map` (1.15+): leaders, job graphs / execution plans. */
  | {kind: 'cluster'}
  /** `<cid>-<jobId>-config-map` (1.15+): checkpoints and counter of one job. */
  | {kind: 'job'; jobId: string}
  /** `<cid>-{dispatcher,resourcemanager,restserver}-leader` (legacy). */
  | {kind: 'legacy-leader'; component: LegacyComponent}
  /** `<cid>-<jobId>-jobmanager-leader` (legacy): job leader, checkpoints and counter. */
  | {kind: 'legacy-job'; jobId: string}
  /** Labelled `configmap-type=high-availability` but not named as Flink names its maps. */
  | {kind: 'other-ha'}

export type LegacyComponent = 'dispatcher' | 'resourcemanager' | 'restserver'

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The kind of an HA map from its name, or undefined when Flink does not name maps that way. */
export function haMapKind(clusterId: string, name: string): HaMapKind | undefined {
  const cid = escape(clusterId)
  if (name === `${clusterId}-cluster-config-map`) return {kind: 'cluster'}
  let m = new RegExp(`^${cid}-(${JOB_ID})-config-map$`).exec(name)
  if (m) return {kind: 'job', jobId: m[1]}
  m = new RegExp(`^${cid}-(dispatcher|resourcemanager|restserver)-leader$`).exec(name)
  if (m) return {kind: 'legacy-leader', component: m[1] as LegacyComponent}
  m = new RegExp(`^${cid}-(${JOB_ID})-jobmanager-leader$`).exec(name)
  if (m) return {kind: 'legacy-job', jobId: m[1]}
  return undefined
}

export interface OwnerReference {
  apiVersion?: string
  kind?: string
  name?: string
  uid?: string
  controller?: boolean
}

export interface MapVerdict {
  ha: boolean
  kind?: HaMapKind
  /** Why a map labelled with the cluster id is not HA data. */
  skipped?: string
}

/**
 * The selection rule of kubernetes-layout.md §7: among the maps labelled `app=<cid>`, keep those
 * named as Flink names HA maps or labelled `configmap-type=high-availability`; never the operator's
 * autoscaler state (`component=autoscaler`) or a map owned by a Deployment (`flink-config-<cid>`,
 * `pod-template-<cid>`, …), whatever their names or labels say.
 */
export function classifyMap(
  clusterId: string,
  name: string,
  labels: Record<string, string> = {},
  ownerReferences: OwnerReference[] = [],
): MapVerdict {
  if (labels.component === 'autoscaler') return {ha: false, skipped: 'autoscaler state of the Flink operator (component=autoscaler)'}
  const deployment = ownerReferences.find((o) => o.kind === 'Deployment')
  if (deployment) return {ha: false, skipped: `owned by Deployment ${deployment.name ?? '?'}: not HA data`}
  const kind = haMapKind(clusterId, name)
  if (kind) return {ha: true, kind}
  if (labels[HA_LABEL] === HA_LABEL_VALUE) return {ha: true, kind: {kind: 'other-ha'}}
  return {ha: false, skipped: `not an HA map (no ${HA_LABEL}=${HA_LABEL_VALUE} label, not named like one)`}
}

/** The component a leader key names: `dispatcher`, `resourcemanager`, `restserver`, `job-<id>` or `<id>`. */
export type LeaderKeyComponent =
  | {component: 'dispatcher' | 'resource_manager' | 'rest_server'; jobId: null; layout: '1.15+'}
  | {component: 'job_master'; jobId: string; layout: '1.15-1.18' | '1.19+'}

export function leaderKeyComponent(key: string): LeaderKeyComponent | undefined {
  if (!key.startsWith(LEADER_KEY_PREFIX)) return undefined
  const id = key.slice(LEADER_KEY_PREFIX.length)
  if (id === 'dispatcher') return {component: 'dispatcher', jobId: null, layout: '1.15+'}
  if (id === 'resourcemanager') return {component: 'resource_manager', jobId: null, layout: '1.15+'}
  if (id === 'restserver') return {component: 'rest_server', jobId: null, layout: '1.15+'}
  if (/^job-[0-9a-f]{32}$/.test(id)) return {component: 'job_master', jobId: id.slice(4), layout: '1.19+'}
  if (/^[0-9a-f]{32}$/.test(id)) return {component: 'job_master', jobId: id, layout: '1.15-1.18'}
  return undefined
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

/**
 * `"<leaderSessionUUID>,<leaderAddress>"` (KubernetesUtils.encodeLeaderInformation), split on the
 * first comma. Flink itself treats a malformed value as empty; haadm reports why.
 */
export function parseLeaderValue(value: string): {ok: true; sessionId: string; address: string} | {ok: false; reason: string} {
  const comma = value.indexOf(',')
  if (comma < 0) return {ok: false, reason: 'no "," between the leader session id and the address'}
  const sessionId = value.slice(0, comma)
  const address = value.slice(comma + 1)
  if (!UUID.test(sessionId)) return {ok: false, reason: `leader session id ${JSON.stringify(sessionId.slice(0, 40))} is not a UUID`}
  if (address === '') return {ok: false, reason: 'empty leader address'}
  return {ok: true, sessionId: sessionId.toLowerCase(), address}
}

/** The legacy pair of keys (`address`, `sessionId`). */
export function parseLegacyLeader(
  address: string | undefined,
  sessionId: string | undefined,
): {ok: true; value: {sessionId: string; address: string} | null} | {ok: false; reason: string} {
  if ((address === undefined || address === '') && (sessionId === undefined || sessionId === '')) return {ok: true, value: null}
  if (!address) return {ok: false, reason: 'sessionId without address'}
  if (!sessionId) return {ok: false, reason: 'address without sessionId'}
  if (!UUID.test(sessionId)) return {ok: false, reason: `sessionId ${JSON.stringify(sessionId.slice(0, 40))} is not a UUID`}
  return {ok: true, value: {sessionId: sessionId.toLowerCase(), address}}
}

/** fabric8's LeaderElectionRecord, as ConfigMapLock keeps it in the leader annotation. */
export interface LeaderElectionRecord {
  /** Empty when the lock was released (`withReleaseOnCancel`). */
  holderIdentity: string | null
  leaseDurationSeconds: number | null
  acquireTime: string | null
  renewTime: string | null
  leaderTransitions: number | null
}

export function parseLeaderAnnotation(text: string): {ok: true; value: LeaderElectionRecord} | {ok: false; reason: string} {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return {ok: false, reason: `${LEADER_ANNOTATION} is not JSON`}
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {ok: false, reason: `${LEADER_ANNOTATION} is not a JSON object`}
  const r = raw as Record<string, unknown>
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null)
  const time = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : null)
  return {
    ok: true,
    value: {
      holderIdentity: str(r.holderIdentity),
      // Jackson writes the Duration as seconds (15.000000000); it also reads a string of seconds or ISO-8601 (PT15S).
      leaseDurationSeconds: typeof r.leaseDuration === 'number' ? r.leaseDuration : typeof r.leaseDuration === 'string' ? durationSeconds(r.leaseDuration) : null,
      acquireTime: time(r.acquireTime),
      renewTime: time(r.renewTime),
      leaderTransitions: typeof r.leaderTransitions === 'number' ? r.leaderTransitions : null,
    },
  }
}

/**
 * A Duration as Jackson's JavaTimeModule reads it from a string: decimal seconds (`15.000000000`) or
 * ISO-8601 as java.time.Duration.parse takes it (`PT15S`, `PT1M30S`, `P1DT2H`, `PT0.5S`). Null otherwise.
 * fabric8 maps LeaderElectionRecord with Jackson's JavaTimeModule (docs/flink-source-checks.md §4).
 */
export function durationSeconds(text: string): number | null {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text)
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d{1,9})?)S)?)?$/i.exec(text)
  if (!m || text.toUpperCase().endsWith('T') || m.slice(1).every((g) => g === undefined)) return null
  const [d, h, min, sec] = m.slice(1).map((g) => (g === undefined ? 0 : Number(g.replace(',', '.'))))
  return d * 86400 + h * 3600 + min * 60 + sec
}

/** `checkpointID-%019d` → the id; undefined for keys Flink would reject (INVALID_CHECKPOINT_ID). */
export function checkpointIdOf(key: string): bigint | undefined {
  if (!key.startsWith(CHECKPOINT_KEY_PREFIX)) return undefined
  const digits = key.slice(CHECKPOINT_KEY_PREFIX.length)
  return /^\d{1,19}$/.test(digits) ? BigInt(digits) : undefined
}
