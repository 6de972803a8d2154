import {describeSource, type Resolved, type Source, type Target} from '../config/target.js'

export interface TargetSetting {
  setting: string
  value: string | number | boolean | null
  source: Source | null
  /** `source` in words: `flag --zk-root`, `/opt/flink/conf/config.yaml:12 (high-availability.cluster-id)`, `default`. */
  from: string
}

export interface TargetReport {
  backend: string
  clusterId: string
  flinkConf: Target['flinkConf'] | null
  zookeeperPath: string
  settings: TargetSetting[]
}

const row = <T extends string | number | boolean>(setting: string, r: Resolved<T> | undefined, show?: (v: T) => string): TargetSetting =>
  r
    ? {setting, value: show ? show(r.value) : r.value, source: r.source, from: describeSource(r.source)}
    : {setting, value: null, source: null, from: 'not set'}

/** Pure: the resolved target as rows, credentials hidden. */
export function targetReport(t: Target): TargetReport {
  const auth = t.zookeeper.auth
  return {
    backend: t.backend.value,
    clusterId: t.clusterId.value,
    flinkConf: t.flinkConf ?? null,
    zookeeperPath: t.zookeeper.clusterPath,
    settings: [
      row('snapshot', t.snapshot),
      row('backend', t.backend),
      row('cluster-id', t.clusterId),
      row('zookeeper.quorum', t.zookeeper.quorum),
      row('zookeeper.root', t.zookeeper.root),
      {setting: 'zookeeper.cluster-path', value: t.zookeeper.clusterPath, source: {kind: 'derived', note: 'generateZookeeperPath(root, cluster-id)'}, from: 'derived: generateZookeeperPath(root, cluster-id)'},
      row('zookeeper.jobgraphs-path', t.zookeeper.jobGraphsPath),
      row('zookeeper.session-timeout-ms', t.zookeeper.sessionTimeoutMs),
      row('zookeeper.connection-timeout-ms', t.zookeeper.connectionTimeoutMs),
      {
        setting: 'zookeeper.auth',
        value: auth.value.length === 0 ? null : auth.value.map((a) => `${a.scheme}:${a.auth.replace(/:.*$/, ':***')}`).join(','),
        source: auth.source,
        from: describeSource(auth.source),
      },
      row('zookeeper.acl', t.zookeeper.acl),
      row('kubernetes.kubeconfig', t.kubernetes.kubeconfig),
      row('kubernetes.context', t.kubernetes.context),
      row('kubernetes.namespace', t.kubernetes.namespace),
      row('s3.endpoint', t.s3.endpoint),
      row('s3.path-style-access', t.s3.pathStyleAccess),
      row('s3.region', t.s3.region),
      row('s3.access-key', t.s3.accessKey),
      row('s3.secret-key', t.s3.secretKey, () => '***'),
      row('storage-dir', t.storageDir),
      row('job-result-store.path', t.jobResultStorePath),
      row('job-result-store.delete-on-commit', t.jobResultStoreDeleteOnCommit),
    ],
  }
}
