import {Flags} from '@oclif/core'
import {kubernetesFlags} from '../backends/kubernetes/flags.js'
import {zookeeperFlags} from '../backends/zookeeper/flags.js'

/**
 * Target selection, spelled the same on every command: the shared flags here, each backend's own from
 * its folder. Environment variables are read by the resolver.
 */
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
  ...zookeeperFlags,
  timeout: Flags.string({
    summary: 'Deadline of the whole run for network calls (30s, 2min; HAADM_TIMEOUT; default: none, each request still times out).',
    helpGroup: 'TARGET',
  }),
  'cluster-id': Flags.string({summary: 'Flink cluster id (high-availability.cluster-id, default /default).', helpGroup: 'TARGET'}),
  'storage-dir': Flags.string({summary: 'HA storage directory (high-availability.storageDir).', helpGroup: 'TARGET'}),
  'jrs-path': Flags.string({summary: 'JobResultStore directory (job-result-store.storage-path).', helpGroup: 'TARGET'}),
  snapshot: Flags.string({summary: 'Read from a file written by haadm export (or cleanup --backup) instead of a live store.', helpGroup: 'TARGET'}),
  ...kubernetesFlags,
  's3-endpoint': Flags.string({summary: 'S3: endpoint URL for s3:// paths (s3.endpoint).', helpGroup: 'S3'}),
  's3-path-style': Flags.boolean({summary: 'S3: path-style access (s3.path.style.access).', allowNo: true, helpGroup: 'S3'}),
  's3-region': Flags.string({summary: 'S3: region (AWS_REGION; default us-east-1).', helpGroup: 'S3'}),
}

export const TARGET_ENV_HELP = `The target is read from flags, then HAADM_* environment variables (HAADM_FLINK_CONF, HAADM_BACKEND, HAADM_ZK_QUORUM, HAADM_ZK_ROOT, HAADM_ZK_AUTH, HAADM_ZK_TIMEOUT, HAADM_TIMEOUT, HAADM_CLUSTER_ID, HAADM_STORAGE_DIR, HAADM_JRS_PATH, HAADM_SNAPSHOT, HAADM_NAMESPACE, HAADM_S3_ENDPOINT, HAADM_S3_ACCESS_KEY, HAADM_S3_SECRET_KEY; KUBECONFIG and AWS_* as their tools read them), then the Flink configuration file, then Flink's defaults. 'haadm target' shows the result and where each value came from.`
