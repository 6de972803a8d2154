import {backendSettings, targetLayout} from '../backends/index.js'
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
  /** What the settings mean for where Flink keeps its data (the backend layout's reading of them). */
  notes: string[]
}

const row = <T extends string | number | boolean>(setting: string, r: Resolved<T> | undefined, show?: (v: T) => string): TargetSetting =>
  r
    ? {setting, value: show ? show(r.value) : r.value, source: r.source, from: describeSource(r.source)}
    : {setting, value: null, source: null, from: 'not set'}

/** Pure: the resolved target as rows, credentials hidden. */
export function targetReport(t: Target): TargetReport {
  return {
    backend: t.backend.value,
    clusterId: t.clusterId.value,
    flinkConf: t.flinkConf ?? null,
    zookeeperPath: t.zookeeper.clusterPath,
    settings: [
      row('snapshot', t.snapshot),
      row('backend', t.backend),
      row('cluster-id', t.clusterId),
      ...backendSettings(t).map((b) => (b.value && b.value.value === '' ? {setting: b.setting, value: null, source: b.value.source, from: describeSource(b.value.source)} : row(b.setting, b.value, b.show))),
      row('s3.endpoint', t.s3.endpoint),
      row('s3.path-style-access', t.s3.pathStyleAccess),
      row('s3.region', t.s3.region),
      row('s3.access-key', t.s3.accessKey),
      row('s3.secret-key', t.s3.secretKey, () => '***'),
      row('storage-dir', t.storageDir),
      row('job-result-store.path', t.jobResultStorePath),
      row('job-result-store.delete-on-commit', t.jobResultStoreDeleteOnCommit),
    ],
    notes: targetLayout(t).settingNotes(),
  }
}
