import {usageError} from '../errors.js'
import {checkClusterId, checkZooKeeperRoot} from './cluster-id.js'
import {parseDurationMs} from './duration.js'
import {type FlinkConf, loadFlinkConf} from './flink-conf.js'
import type {BackendKind, Resolved, Source, Target, ZkAuth} from './target.js'
import {generateZookeeperPath} from './zk-path.js'

/** The target-selection flags every command shares, as oclif parsed them. */
export interface TargetFlags {
  'flink-conf'?: string
  backend?: string
  'zk-quorum'?: string
  'zk-root'?: string
  'zk-auth'?: string
  'zk-timeout'?: string
  'cluster-id'?: string
  'storage-dir'?: string
  'jrs-path'?: string
  namespace?: string
  kubeconfig?: string
  context?: string
  's3-endpoint'?: string
  's3-path-style'?: boolean
  's3-region'?: string
  snapshot?: string
}

type FlagName = Exclude<keyof TargetFlags, 's3-path-style'>

/** One setting: flag, then HAADM_* variable, then Flink keys (first wins, deprecated keys last). */
interface Setting {
  flag?: FlagName
  env?: string
  keys: string[]
}

const S = {
  backend: {flag: 'backend', env: 'HAADM_BACKEND', keys: ['high-availability.type', 'high-availability', 'recovery.mode']},
  quorum: {flag: 'zk-quorum', env: 'HAADM_ZK_QUORUM', keys: ['high-availability.zookeeper.quorum', 'recovery.zookeeper.quorum']},
  root: {flag: 'zk-root', env: 'HAADM_ZK_ROOT', keys: ['high-availability.zookeeper.path.root', 'recovery.zookeeper.path.root']},
  clusterId: {
    flag: 'cluster-id',
    env: 'HAADM_CLUSTER_ID',
    keys: ['high-availability.cluster-id', 'high-availability.zookeeper.path.namespace', 'recovery.zookeeper.path.namespace'],
  },
  k8sClusterId: {keys: ['kubernetes.cluster-id']},
  namespace: {flag: 'namespace', env: 'HAADM_NAMESPACE', keys: ['kubernetes.namespace']},
  jobGraphs: {env: 'HAADM_ZK_JOBGRAPHS_PATH', keys: ['high-availability.zookeeper.path.jobgraphs', 'recovery.zookeeper.path.jobgraphs']},
  executionPlans: {env: 'HAADM_ZK_EXECUTION_PLANS_PATH', keys: ['high-availability.zookeeper.path.execution-plans']},
  executionTarget: {keys: ['execution.target']},
  storageDir: {
    flag: 'storage-dir',
    env: 'HAADM_STORAGE_DIR',
    keys: ['high-availability.storageDir', 'high-availability.zookeeper.storageDir', 'recovery.zookeeper.storageDir'],
  },
  jrsPath: {flag: 'jrs-path', env: 'HAADM_JRS_PATH', keys: ['job-result-store.storage-path']},
  jrsDeleteOnCommit: {env: 'HAADM_JRS_DELETE_ON_COMMIT', keys: ['job-result-store.delete-on-commit']},
  sessionTimeout: {env: 'HAADM_ZK_SESSION_TIMEOUT', keys: ['high-availability.zookeeper.client.session-timeout', 'recovery.zookeeper.client.session-timeout']},
  connectionTimeout: {
    flag: 'zk-timeout',
    env: 'HAADM_ZK_TIMEOUT',
    keys: ['high-availability.zookeeper.client.connection-timeout', 'recovery.zookeeper.client.connection-timeout'],
  },
  snapshot: {flag: 'snapshot', env: 'HAADM_SNAPSHOT', keys: []},
  acl: {env: 'HAADM_ZK_ACL', keys: ['high-availability.zookeeper.client.acl']},
  kubeconfig: {flag: 'kubeconfig', env: 'KUBECONFIG', keys: ['kubernetes.config.file']},
  context: {flag: 'context', env: 'HAADM_KUBE_CONTEXT', keys: ['kubernetes.context']},
  s3Endpoint: {flag: 's3-endpoint', env: 'HAADM_S3_ENDPOINT', keys: ['s3.endpoint', 'fs.s3a.endpoint']},
  s3PathStyle: {env: 'HAADM_S3_PATH_STYLE', keys: ['s3.path.style.access', 'fs.s3a.path.style.access']},
  s3Region: {flag: 's3-region', env: 'AWS_REGION', keys: ['s3.region', 'fs.s3a.endpoint.region']},
  s3AccessKey: {env: 'HAADM_S3_ACCESS_KEY', keys: ['s3.access-key', 's3.access.key', 'fs.s3a.access.key']},
  s3SecretKey: {env: 'HAADM_S3_SECRET_KEY', keys: ['s3.secret-key', 's3.secret.key', 'fs.s3a.secret.key']},
  auth: {flag: 'zk-auth', env: 'HAADM_ZK_AUTH', keys: ['high-availability.zookeeper.client.authorization']},
} satisfies Record<string, Setting>

const AUTH_KEY = 'high-availability.zookeeper.client.authorization'

/** What a snapshot file records about its cluster: the defaults a target read from it starts from. */
export interface SnapshotDefaults {
  backend?: string | null
  clusterId?: string | null
  jobResultStorePath?: string | null
  /** job-result-store.delete-on-commit as the snapshot's target recorded it ("true"/"false"). */
  jobResultStoreDeleteOnCommit?: string | null
}

export interface ResolveInput {
  flags: TargetFlags
  env: Record<string, string | undefined>
  /**
   * Reads a snapshot's recorded backend, cluster id and JobResultStore path. Injected by the caller
   * (the CLI passes the snapshot module's reader), so configuration does not depend on snapshots.
   */
  snapshotDefaults?: (file: string) => SnapshotDefaults
  /** Commands over every cluster of a root or namespace (clusters, cleanup --all-dead): no cluster id is resolved. */
  anyCluster?: boolean
}

/** flags → HAADM_* environment → Flink configuration file → Flink's defaults. */
export function resolveTarget({flags, env, snapshotDefaults, anyCluster}: ResolveInput): Target {
  const confPath = nonEmpty(flags['flink-conf']) ?? nonEmpty(env.HAADM_FLINK_CONF)
  const conf = confPath ? loadFlinkConf(confPath) : undefined

  const lookup = (s: Setting): Resolved<string> | undefined => {
    const fromFlag = s.flag ? nonEmpty(flags[s.flag]) : undefined
    if (fromFlag !== undefined) return {value: fromFlag, source: {kind: 'flag', name: s.flag!}}
    const fromEnv = s.env ? nonEmpty(env[s.env]) : undefined
    if (fromEnv !== undefined) return {value: fromEnv, source: {kind: 'env', name: s.env!}}
    return fromConf(conf, s.keys)
  }

  const snapshot = lookup(S.snapshot)
  // A snapshot names its backend, cluster and JobResultStore path; flags may still say otherwise.
  const snap = snapshot && snapshotDefaults ? snapshotDefaults(snapshot.value) : undefined
  const fromSnap = (value: string | null | undefined, what: string): Resolved<string> | undefined =>
    value ? {value, source: {kind: 'derived', note: `${what} recorded in the snapshot`}} : undefined
  const backend = resolveBackend(lookup(S.backend) ?? fromSnap(snap?.backend, 'backend'))
  const clusterId: Resolved<string> = anyCluster
    ? {value: '*', source: {kind: 'default', note: 'every cluster of the root or namespace'}}
    : resolveClusterId(
    backend.value,
    lookup(S.clusterId) ?? fromSnap(snap?.clusterId, 'cluster id'),
    fromConf(conf, S.k8sClusterId.keys),
    fromConf(conf, S.executionTarget.keys),
  )
  checkClusterId(clusterId, backend.value)

  const root = lookup(S.root) ?? {value: '/flink', source: {kind: 'default'}}
  if (backend.value === 'zookeeper') checkZooKeeperRoot(root)
  // Where execution plans are: the ZooKeeper layout reads these with what the store holds (a value
  // without a leading "/" is kept: the layout says where Flink would put those plans).
  const jobGraphs = lookup(S.jobGraphs) ?? {value: '/jobgraphs', source: {kind: 'default', note: 'Flink 1.x; with neither path set, haadm looks for /jobgraphs and /execution-plans'}}
  const executionPlans = lookup(S.executionPlans)

  const storageDir = lookup(S.storageDir)
  let jobResultStorePath = lookup(S.jrsPath) ?? fromSnap(snap?.jobResultStorePath, 'JobResultStore path')
  if (!jobResultStorePath && storageDir) {
    // FileSystemJobResultStore.createDefaultJobResultStorePath: plain concatenation; Flink's Path folds the `//`.
    jobResultStorePath = {
      value: foldSlashes(`${storageDir.value}/job-result-store/${clusterId.value}`),
      source: {kind: 'derived', note: '<storageDir>/job-result-store/<cluster-id>'},
    }
  }

  const quorumRaw = lookup(S.quorum)
  // ZooKeeperUtils.getZooKeeperEnsemble strips all white space.
  const quorum = quorumRaw && {value: quorumRaw.value.replace(/\s+/g, ''), source: quorumRaw.source}

  return {
    backend,
    clusterId,
    zookeeper: {
      quorum,
      root,
      jobGraphsPath: jobGraphs,
      executionPlansPath: executionPlans,
      sessionTimeoutMs: duration(lookup(S.sessionTimeout), 60_000),
      connectionTimeoutMs: duration(lookup(S.connectionTimeout), 15_000),
      auth: resolveAuth(lookup(S.auth), conf),
      acl: lookup(S.acl) ?? {value: 'open', source: {kind: 'default'}},
      clusterPath: generateZookeeperPath(root.value, clusterId.value),
    },
    kubernetes: {kubeconfig: lookup(S.kubeconfig), context: lookup(S.context), namespace: lookup(S.namespace)},
    s3: {
      endpoint: lookup(S.s3Endpoint),
      pathStyleAccess:
        flags['s3-path-style'] !== undefined
          ? {value: flags['s3-path-style'], source: {kind: 'flag', name: flags['s3-path-style'] ? 's3-path-style' : 'no-s3-path-style'}}
          : optionalBool(lookup(S.s3PathStyle)),
      region: lookup(S.s3Region),
      accessKey: lookup(S.s3AccessKey),
      secretKey: lookup(S.s3SecretKey),
    },
    storageDir,
    jobResultStorePath,
    jobResultStoreDeleteOnCommit: bool(lookup(S.jrsDeleteOnCommit) ?? fromSnap(snap?.jobResultStoreDeleteOnCommit, 'delete-on-commit'), true),
    flinkConf: conf && {file: conf.file, format: conf.format, ...(conf.warnings.length > 0 ? {warnings: conf.warnings} : {})},
    snapshot,
  }
}

function fromConf(conf: FlinkConf | undefined, keys: string[]): Resolved<string> | undefined {
  if (!conf) return undefined
  for (const key of keys) {
    const e = conf.entries.get(key)
    if (e) return {value: e.value, source: {kind: 'config', key, file: conf.file, line: e.line}}
  }
  return undefined
}

function resolveBackend(r: Resolved<string> | undefined): Resolved<BackendKind> {
  if (!r) return {value: 'zookeeper', source: {kind: 'default', note: 'no high-availability.type given'}}
  const v = r.value.trim()
  const lower = v.toLowerCase()
  if (lower === 'zookeeper') return {value: 'zookeeper', source: r.source}
  if (lower === 'kubernetes' || v === 'org.apache.flink.kubernetes.highavailability.KubernetesHaServicesFactory')
    return {value: 'kubernetes', source: r.source}
  if (lower === 'none')
    throw usageError(
      `high availability is off (${sourceText(r.source)} is NONE): the cluster keeps no HA metadata`,
      'Use the configuration of a cluster that runs with high-availability.type: zookeeper or kubernetes.',
      'CONFIG_INVALID',
    )
  throw usageError(
    `unknown HA backend ${JSON.stringify(v)} (${sourceText(r.source)})`,
    'haadm knows zookeeper and kubernetes; custom HaServicesFactory classes are not supported.',
    'BACKEND_UNSUPPORTED',
  )
}

const KUBERNETES_TARGETS = ['kubernetes-session', 'kubernetes-application']
/** execution.target values Flink knows besides the Kubernetes ones (DeploymentOptions.TARGET). */
const OTHER_TARGETS = ['remote', 'local', 'yarn-per-job', 'yarn-session', 'yarn-application', 'embedded']

/**
 * The HA cluster id as Flink uses it. On a native Kubernetes deployment KubernetesClusterDescriptor
 * (and the Flink Kubernetes Operator) overwrite high-availability.cluster-id with kubernetes.cluster-id
 * whenever HA is on, whatever the HA type: so a configuration that names a Kubernetes deployment
 * (execution.target kubernetes-session / kubernetes-application, or kubernetes.cluster-id together
 * with Kubernetes HA) gets kubernetes.cluster-id. A flag or variable still wins.
 */
function resolveClusterId(
  backend: BackendKind,
  ha: Resolved<string> | undefined,
  k8s: Resolved<string> | undefined,
  executionTarget: Resolved<string> | undefined,
): Resolved<string> {
  if (ha && ha.source.kind !== 'config') return ha
  const target = executionTarget?.value.trim()
  if (target && !KUBERNETES_TARGETS.includes(target) && !OTHER_TARGETS.includes(target))
    throw usageError(
      `unknown execution.target ${JSON.stringify(target)} (${sourceText(executionTarget!.source)})`,
      `Flink knows ${[...OTHER_TARGETS, ...KUBERNETES_TARGETS].join(', ')}; haadm reads it to decide whether kubernetes.cluster-id names the HA cluster id.`,
      'CONFIG_INVALID',
    )
  const nativeK8s = target !== undefined && KUBERNETES_TARGETS.includes(target)
  if (k8s && (nativeK8s || backend === 'kubernetes')) {
    const why = nativeK8s
      ? `execution.target ${target} is a native Kubernetes deployment: Flink sets high-availability.cluster-id to kubernetes.cluster-id (${sourceText(k8s.source)})`
      : `Kubernetes HA names its ConfigMaps after kubernetes.cluster-id (${sourceText(k8s.source)})`
    if (ha && ha.source.kind === 'config' && ha.value.replace(/^\/+|\/+$/g, '') !== k8s.value.replace(/^\/+|\/+$/g, ''))
      return {value: k8s.value, source: {kind: 'derived', note: `${why}; ${ha.source.key} ${JSON.stringify(ha.value)} at ${sourceText(ha.source)} is overwritten on deploy`}}
    return {value: k8s.value, source: {kind: 'derived', note: why}}
  }
  if (ha) return ha
  if (backend === 'kubernetes')
    throw usageError('no cluster id: Kubernetes HA needs one', 'Pass --cluster-id or set kubernetes.cluster-id in the Flink configuration.')
  if (k8s) {
    // KubernetesClusterDescriptor sets high-availability.cluster-id to kubernetes.cluster-id on deploy.
    return {value: k8s.value, source: {kind: 'derived', note: `kubernetes.cluster-id at ${sourceText(k8s.source)}`}}
  }
  return {value: '/default', source: {kind: 'default'}}
}

function resolveAuth(r: Resolved<string> | undefined, conf: FlinkConf | undefined): Resolved<ZkAuth[]> {
  if (r) return {value: parseAuthMap(r.value, r.source), source: r.source}
  // The map option may also be written as prefixed keys (`...authorization.digest: user:pw`), which is
  // what Flink 2's nested YAML flattens to.
  if (conf) {
    const list: ZkAuth[] = []
    let first: Source | undefined
    for (const [key, e] of conf.entries) {
      if (!key.startsWith(`${AUTH_KEY}.`)) continue
      list.push({scheme: key.slice(AUTH_KEY.length + 1), auth: unquote(e.value)})
      first ??= {kind: 'config', key, file: conf.file, line: e.line}
    }
    if (list.length > 0) return {value: list, source: first!}
  }
  return {value: [], source: {kind: 'default', note: 'no authentication'}}
}

/**
 * `scheme:auth[,scheme:auth]` as Flink's map options are written (quotes protect `:` and `,`);
 * haadm's own `--zk-auth digest:user:password` is the same with one pair.
 */
export function parseAuthMap(text: string, source: Source): ZkAuth[] {
  const out: ZkAuth[] = []
  for (const part of splitUnquoted(text, ',')) {
    const idx = indexOfUnquoted(part, ':')
    const scheme = unquote(part.slice(0, Math.max(idx, 0)).trim())
    const auth = unquote(part.slice(idx + 1).trim())
    if (idx <= 0 || scheme === '' || auth === '')
      throw usageError(
        `ZooKeeper authorization ${JSON.stringify(redact(part))} (${sourceText(source)}) is not scheme:credentials`,
        'Write it as digest:user:password.',
      )
    out.push({scheme, auth})
  }
  return out
}

function splitUnquoted(text: string, sep: string): string[] {
  const parts: string[] = []
  let cur = ''
  let quote: string | undefined
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined
      cur += ch
    } else if (ch === "'" || ch === '"') {
      quote = ch
      cur += ch
    } else if (ch === sep) {
      parts.push(cur)
      cur = ''
    } else cur += ch
  }
  parts.push(cur)
  return parts.filter((p) => p.trim() !== '')
}

function indexOfUnquoted(text: string, ch: string): number {
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') quote = c
    else if (c === ch) return i
  }
  return -1
}

function unquote(s: string): string {
  const t = s.trim()
  if (t.length >= 2 && (t[0] === "'" || t[0] === '"') && t.at(-1) === t[0]) return t.slice(1, -1)
  return t
}

const redact = (s: string) => s.replace(/:(.*)$/, ':***')

function duration(r: Resolved<string> | undefined, fallbackMs: number): Resolved<number> {
  if (!r) return {value: fallbackMs, source: {kind: 'default'}}
  const ms = parseDurationMs(r.value)
  if (ms === undefined || ms <= 0)
    throw usageError(`${JSON.stringify(r.value)} (${sourceText(r.source)}) is not a duration`, 'Write e.g. 15000, 15 s or 1 min.', 'CONFIG_INVALID')
  return {value: ms, source: r.source}
}

function bool(r: Resolved<string> | undefined, fallback: boolean): Resolved<boolean> {
  if (!r) return {value: fallback, source: {kind: 'default'}}
  const v = r.value.trim().toLowerCase()
  if (v !== 'true' && v !== 'false')
    throw usageError(`${JSON.stringify(r.value)} (${sourceText(r.source)}) is not true or false`, undefined, 'CONFIG_INVALID')
  return {value: v === 'true', source: r.source}
}

function optionalBool(r: Resolved<string> | undefined): Resolved<boolean> | undefined {
  return r && bool(r, false)
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === '' ? undefined : s.trim()
}

function foldSlashes(path: string): string {
  // Keep the `//` after a URI scheme (s3://bucket) and fold the others.
  return path.replace(/([^:/])\/{2,}/g, '$1/')
}

function sourceText(s: Source): string {
  switch (s.kind) {
    case 'flag':
      return `--${s.name}`
    case 'env':
      return s.name
    case 'config':
      return `${s.file}:${s.line}`
    default:
      return s.kind
  }
}

