/**
 * Flink's layout of high-availability.storageDir, the same for every backend
 * (docs/flink/job-result-store-and-storage.md, zookeeper-layout.md §4, §7):
 *
 *   <storageDir>/<cluster-id>/submittedJobGraph<12 hex>       execution plan files, 1.x
 *   <storageDir>/<cluster-id>/submittedExecutionPlan<12 hex>  execution plan files, 2.x
 *   <storageDir>/<cluster-id>/completedCheckpoint<12 hex>     retained checkpoint metadata pointers
 *   <storageDir>/<cluster-id>/blob/[job_<jobId>/]              FileSystemBlobStore (HA blobs)
 *   <storageDir>/<cluster-id>/<jobId>/job-events/              1.20+ batch job recovery (FileSystemJobEventStore)
 *   <storageDir>/<cluster-id>/shuffleMaster-snapshot/<cluster-id>   2.0+ batch job recovery (ShuffleMasterSnapshotUtil);
 *                                                              Flink never removes it (docs/flink-source-checks.md §5)
 *   <storageDir>/job-result-store/<cluster-id>/<jobId>[_DIRTY].json   JobResultStore (default path)
 */
import {joinUri} from './uri.js'

export const HA_FILE_PREFIXES = ['completedCheckpoint', 'submittedJobGraph', 'submittedExecutionPlan'] as const
export type HaFilePrefix = (typeof HA_FILE_PREFIXES)[number]
/** Prefixes of execution-plan files: 1.x `submittedJobGraph`, 2.x `submittedExecutionPlan`. */
export const PLAN_FILE_PREFIXES: readonly HaFilePrefix[] = ['submittedJobGraph', 'submittedExecutionPlan']
export const CHECKPOINT_FILE_PREFIXES: readonly HaFilePrefix[] = ['completedCheckpoint']
/** `<prefix>` + FileUtils.getRandomFilename's 12 characters from [0-9a-f]. */
export const STATE_HANDLE_FILE = /^(completedCheckpoint|submittedJobGraph|submittedExecutionPlan)[0-9a-f]{12}$/
export const BLOB_DIR = 'blob'
export const JOB_EVENTS_DIR = 'job-events'
export const SHUFFLE_MASTER_SNAPSHOT_DIR = 'shuffleMaster-snapshot'

/** `<storageDir>/<cluster-id>` (HighAvailabilityServicesUtils.getClusterHighAvailableStoragePath). */
export function clusterStorageUri(storageDir: string, clusterId: string): string {
  return joinUri(storageDir, clusterId.replace(/^\/+|\/+$/g, ''))
}

/** `blob` of the cluster, or `blob/job_<jobId>` of one job (BlobUtils, FileSystemBlobStore). */
export function blobUri(clusterDir: string, jobId?: string): string {
  const root = joinUri(clusterDir, BLOB_DIR)
  return jobId ? joinUri(root, `job_${jobId}`) : root
}

/** `<cluster dir>/<jobId>`: the job's own directory, which holds only `job-events` (1.20+). */
export function jobDirUri(clusterDir: string, jobId: string): string {
  return joinUri(clusterDir, jobId)
}

/** `<cluster dir>/<jobId>/job-events` (FileSystemJobEventStore, Flink 1.20+ batch job recovery). */
export function jobEventsUri(clusterDir: string, jobId: string): string {
  return joinUri(jobDirUri(clusterDir, jobId), JOB_EVENTS_DIR)
}

/** `<cluster dir>/shuffleMaster-snapshot` (Flink 2.0+ batch job recovery; the cluster's, never a job's). */
export function shuffleMasterSnapshotUri(clusterDir: string): string {
  return joinUri(clusterDir, SHUFFLE_MASTER_SNAPSHOT_DIR)
}
