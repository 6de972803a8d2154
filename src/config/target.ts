/** Where a resolved value came from; `haadm target` prints it. */
export type Source =
  | {kind: 'flag'; name: string}
  | {kind: 'env'; name: string}
  | {kind: 'config'; key: string; file: string; line: number}
  | {kind: 'default'; note?: string}
  | {kind: 'derived'; note: string}

export interface Resolved<T> {
  value: T
  source: Source
}

export type BackendKind = 'zookeeper' | 'kubernetes'

export interface ZkAuth {
  scheme: string
  /** For `digest`: `user:password`. Never printed. */
  auth: string
}

export interface ZooKeeperTarget {
  quorum?: Resolved<string>
  root: Resolved<string>
  /** high-availability.zookeeper.path.jobgraphs (Flink 1.x; 2.x's deprecated fallback), default /jobgraphs. */
  jobGraphsPath: Resolved<string>
  /** high-availability.zookeeper.path.execution-plans (Flink 2.x), when configured; unset: detected from the store. */
  executionPlansPath?: Resolved<string>
  sessionTimeoutMs: Resolved<number>
  connectionTimeoutMs: Resolved<number>
  auth: Resolved<ZkAuth[]>
  acl: Resolved<string>
  /** `/<root>/<cluster-id>`, assembled as Flink's `ZooKeeperUtils.generateZookeeperPath`. */
  clusterPath: string
}

export interface KubernetesTarget {
  kubeconfig?: Resolved<string>
  context?: Resolved<string>
  /** Unset means: the kubeconfig context's namespace, then `default` (the backend decides). */
  namespace?: Resolved<string>
}

/** How to reach `s3://`, `s3a://` and `s3p://` paths; unset values fall back to the AWS SDK's own chain. */
export interface S3Target {
  endpoint?: Resolved<string>
  pathStyleAccess?: Resolved<boolean>
  region?: Resolved<string>
  accessKey?: Resolved<string>
  /** Never printed. */
  secretKey?: Resolved<string>
}

/** Everything a command needs to find one Flink cluster's HA metadata. */
export interface Target {
  backend: Resolved<BackendKind>
  clusterId: Resolved<string>
  zookeeper: ZooKeeperTarget
  kubernetes: KubernetesTarget
  s3: S3Target
  storageDir?: Resolved<string>
  jobResultStorePath?: Resolved<string>
  jobResultStoreDeleteOnCommit: Resolved<boolean>
  flinkConf?: {file: string; format: 'legacy' | 'yaml'; warnings?: string[]}
  /** Read from this exported snapshot instead of a live store. */
  snapshot?: Resolved<string>
}

export function describeSource(s: Source): string {
  switch (s.kind) {
    case 'flag':
      return `flag --${s.name}`
    case 'env':
      return `env ${s.name}`
    case 'config':
      return `${s.file}:${s.line} (${s.key})`
    case 'default':
      return s.note ? `default (${s.note})` : 'default'
    case 'derived':
      return `derived: ${s.note}`
  }
}
