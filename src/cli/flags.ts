import {Flags} from '@oclif/core'

/** Target selection, spelled the same on every command. Environment variables are read by the resolver. */
export const targetFlags = {
  'flink-conf': Flags.string({
    summary: "Flink configuration: flink-conf.yaml, config.yaml, or Flink's conf directory.",
    helpGroup: 'TARGET',
  }),
  backend: Flags.string({
    summary: 'Where the HA metadata lives (default: high-availability.type from the Flink configuration).',
    options: ['zookeeper', 'kubernetes'],
    helpGroup: 'TARGET',
  }),
  'zk-quorum': Flags.string({summary: 'ZooKeeper quorum, host:port[,host:port].', helpGroup: 'TARGET'}),
  'zk-root': Flags.string({summary: 'ZooKeeper root node (high-availability.zookeeper.path.root, default /flink).', helpGroup: 'TARGET'}),
  'zk-auth': Flags.string({summary: 'ZooKeeper authentication, scheme:credentials (digest:user:password).', helpGroup: 'TARGET'}),
  'zk-timeout': Flags.string({summary: 'How long to wait for a ZooKeeper connection (15000, 15 s, 1 min).', helpGroup: 'TARGET'}),
  'cluster-id': Flags.string({summary: 'Flink cluster id (high-availability.cluster-id, default /default).', helpGroup: 'TARGET'}),
  'storage-dir': Flags.string({summary: 'HA storage directory (high-availability.storageDir).', helpGroup: 'TARGET'}),
  'jrs-path': Flags.string({summary: 'JobResultStore directory (job-result-store.storage-path).', helpGroup: 'TARGET'}),
}

export const TARGET_ENV_HELP = `The target is read from flags, then HAADM_* environment variables (HAADM_FLINK_CONF, HAADM_BACKEND, HAADM_ZK_QUORUM, HAADM_ZK_ROOT, HAADM_ZK_AUTH, HAADM_ZK_TIMEOUT, HAADM_CLUSTER_ID, HAADM_STORAGE_DIR, HAADM_JRS_PATH), then the Flink configuration file, then Flink's defaults. 'haadm target' shows the result and where each value came from.`
