import {Flags} from '@oclif/core'

/** The ZooKeeper backend's flags (its settings are resolved with Flink's high-availability.zookeeper.* keys). */
export const zookeeperFlags = {
  'zk-quorum': Flags.string({summary: 'ZooKeeper quorum, host:port[,host:port].', helpGroup: 'TARGET'}),
  'zk-root': Flags.string({summary: 'ZooKeeper root node (high-availability.zookeeper.path.root, default /flink).', helpGroup: 'TARGET'}),
  'zk-auth': Flags.string({summary: 'ZooKeeper authentication, scheme:credentials (digest:user:password).', helpGroup: 'TARGET'}),
  'zk-timeout': Flags.string({summary: 'How long to wait for a ZooKeeper connection, and for each answer (15000, 15 s, 1 min).', helpGroup: 'TARGET'}),
}
