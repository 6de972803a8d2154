/**
 * The backend registry: one line per metadata store. Each entry opens its store (the client library
 * is loaded only then, on demand) and builds its layout, the module that knows where Flink keeps what
 * on that store. A new backend (a plain directory, etcd) is one folder with its backend and layout,
 * plus one line here.
 */
import type {BackendKind, Resolved, Target} from '../config/target.js'
import {KubernetesLayout} from './kubernetes/ha-layout.js'
import type {HaLayout} from './layout.js'
import type {Backend, Inventory} from './types.js'
import {ZooKeeperLayout} from './zookeeper/layout.js'

export interface BackendSetting {
  setting: string
  value: Resolved<string | number | boolean> | undefined
  /** How to show the value (credentials masked); default: as it is. */
  show?: (v: string | number | boolean) => string
}

export interface BackendModule {
  readonly kind: BackendKind
  /** Connects to the store the target names. */
  open(target: Target): Promise<Backend>
  /** The layout with the target's settings (ZooKeeper: configured plan directories; Kubernetes: namespace). */
  layout(target: Target | undefined, inv?: Inventory): HaLayout
  /** Why the target cannot reach this store at all (a setting is missing), or null. */
  missingSetting(target: Target): string | null
  /** The target with connection attempts bounded to `ms` where the user did not choose a bound. */
  quick(target: Target, ms: number): Target
  /** The backend's own settings as `haadm target` lists them (name, resolved value, shown as). */
  settings(target: Target): BackendSetting[]
  /** Where the store is, for a snapshot's or backup's record (no credentials). */
  whereabouts(target: Target): {zookeeperQuorum: string | null; kubernetesNamespace: string | null}
  /** The target narrowed to one cluster a fleet scan found (its cluster id, and where it is: its znode, its namespace). */
  forCluster(target: Target, inv: Inventory): Target
}

const REGISTRY: Record<BackendKind, BackendModule> = {
  zookeeper: {
    kind: 'zookeeper',
    open: async (target) => (await import('./zookeeper.js')).ZooKeeperBackend.connect(target),
    layout: (target, inv) => {
      const zk = target?.zookeeper
      return new ZooKeeperLayout({
        clusterPath: inv?.root ?? zk?.clusterPath ?? '/flink/default',
        jobGraphs: zk && zk.jobGraphsPath.source.kind !== 'default' ? zk.jobGraphsPath : undefined,
        executionPlans: zk?.executionPlansPath,
      })
    },
    whereabouts: (target) => ({zookeeperQuorum: target.zookeeper.quorum?.value ?? null, kubernetesNamespace: null}),
    forCluster: (target, inv) => ({
      ...target,
      clusterId: {value: inv.clusterId, source: {kind: 'derived', note: `found under ${target.zookeeper.root.value}`}},
      zookeeper: {...target.zookeeper, clusterPath: inv.root},
    }),
    missingSetting: (target) => (target.zookeeper.quorum ? null : 'no ZooKeeper quorum is configured (--zk-quorum, --flink-conf)'),
    settings: (t) => {
      const auth = t.zookeeper.auth
      return [
        {setting: 'zookeeper.quorum', value: t.zookeeper.quorum},
        {setting: 'zookeeper.root', value: t.zookeeper.root},
        {setting: 'zookeeper.cluster-path', value: {value: t.zookeeper.clusterPath, source: {kind: 'derived', note: 'generateZookeeperPath(root, cluster-id)'}}},
        {setting: 'zookeeper.jobgraphs-path', value: t.zookeeper.jobGraphsPath},
        {setting: 'zookeeper.execution-plans-path', value: t.zookeeper.executionPlansPath},
        {setting: 'zookeeper.session-timeout-ms', value: t.zookeeper.sessionTimeoutMs},
        {setting: 'zookeeper.connection-timeout-ms', value: t.zookeeper.connectionTimeoutMs},
        {
          setting: 'zookeeper.auth',
          value: auth.value.length === 0 ? {value: '', source: auth.source} : {value: auth.value.map((a) => `${a.scheme}:${a.auth.replace(/:.*$/, ':***')}`).join(','), source: auth.source},
        },
        {setting: 'zookeeper.acl', value: t.zookeeper.acl},
      ]
    },
    quick: (target, ms) =>
      target.zookeeper.connectionTimeoutMs.source.kind === 'default'
        ? {...target, zookeeper: {...target.zookeeper, connectionTimeoutMs: {value: ms, source: target.zookeeper.connectionTimeoutMs.source}}}
        : target,
  },
  kubernetes: {
    kind: 'kubernetes',
    open: async (target) => (await import('./kubernetes.js')).KubernetesBackend.connect(target),
    layout: (target, inv) => new KubernetesLayout({namespace: inv?.k8s?.namespace ?? (inv ? inv.root : (target?.kubernetes.namespace?.value ?? null))}),
    whereabouts: (target) => ({zookeeperQuorum: null, kubernetesNamespace: target.kubernetes.namespace?.value ?? null}),
    forCluster: (target, inv) => ({
      ...target,
      clusterId: {value: inv.clusterId, source: {kind: 'derived', note: `app label of HA ConfigMaps in namespace ${inv.root}`}},
      kubernetes: {...target.kubernetes, namespace: {value: inv.k8s?.namespace ?? inv.root, source: {kind: 'derived', note: 'where the cluster was found'}}},
    }),
    missingSetting: () => null,
    settings: (t) => [
      {setting: 'kubernetes.kubeconfig', value: t.kubernetes.kubeconfig},
      {setting: 'kubernetes.context', value: t.kubernetes.context},
      {setting: 'kubernetes.namespace', value: t.kubernetes.namespace},
    ],
    quick: (target) => target,
  },
}

export function backendModule(kind: BackendKind): BackendModule {
  return REGISTRY[kind]
}

/** Every backend's settings, in registry order. */
export function backendSettings(target: Target): BackendSetting[] {
  return (Object.keys(REGISTRY) as BackendKind[]).flatMap((k) => REGISTRY[k].settings(target))
}

/** The registry entry of the target's backend. */
export function moduleOf(target: Target): BackendModule {
  return REGISTRY[target.backend.value]
}

/** The target narrowed to one cluster that a fleet scan found. */
export function targetForCluster(target: Target, inv: Inventory): Target {
  const t = REGISTRY[inv.backend].forCluster(target, inv)
  // The JobResultStore path derived from the storageDir names the cluster: derive it again for this one.
  if (t.storageDir && (!t.jobResultStorePath || t.jobResultStorePath.source.kind === 'derived'))
    t.jobResultStorePath = {
      value: `${t.storageDir.value}/job-result-store/${inv.clusterId}`.replace(/([^:/])\/{2,}/g, '$1/'),
      source: {kind: 'derived', note: '<storageDir>/job-result-store/<cluster-id>'},
    }
  return t
}

/** Where the target's store is, for a snapshot's or backup's record. */
export function whereabouts(target: Target): {zookeeperQuorum: string | null; kubernetesNamespace: string | null} {
  return REGISTRY[target.backend.value].whereabouts(target)
}

/** The layout of the store the target names, before any scan. */
export function targetLayout(target: Target): HaLayout {
  return REGISTRY[target.backend.value].layout(target)
}

/** The layout that reads this inventory (a snapshot's inventory says which backend wrote it). */
export function layoutOf(inv: Inventory, target?: Target): HaLayout {
  return REGISTRY[inv.backend].layout(target && target.backend.value === inv.backend ? target : undefined, inv)
}

/** Connects to the target's store: a snapshot file when one is named, else the target's backend. */
export async function openBackend(target: Target): Promise<Backend> {
  if (target.snapshot) {
    const {SnapshotBackend} = await import('./snapshot.js')
    return SnapshotBackend.open(target.snapshot.value, target)
  }
  return REGISTRY[target.backend.value].open(target)
}

/** Opens the backend, runs `fn`, and always closes it, so no client keeps the process alive. */
export async function withBackend<T>(target: Target, fn: (backend: Backend) => Promise<T>): Promise<T> {
  const backend = await openBackend(target)
  try {
    return await fn(backend)
  } finally {
    await backend.close()
  }
}
