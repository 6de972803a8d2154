import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import {STORAGE_HELP, stateHandleFlags} from '../src/cli/state-handle-flags.js'
import {ExitCode} from '../src/errors.js'
import type {CheckpointsReport} from '../src/ops/checkpoints.js'
import {parseJobIds} from '../src/ops/job-ids.js'
import {checkpointWarnings} from '../src/ops/state-handle-warnings.js'
import {readCheckpoints} from '../src/ops/state-handles-read.js'
import {CHECKPOINT_COLUMNS, renderCheckpoints, checkpointsView} from '../src/render/checkpoints.js'
import {OUTPUT_HELP, outputFlags} from '../src/render/output.js'

export default class Checkpoints extends HaadmCommand {
  static override summary = 'List each job\'s retained checkpoints, the checkpoint Flink restores from, and the checkpoint id counter.'

  static override description = `Per job: every retained completed checkpoint (ZooKeeper jobs/<jobId>/checkpoints/<id, 19 digits>; Kubernetes checkpointID-<id, 19 digits> keys of <cluster-id>-<jobId>-config-map), with the file it points to in high-availability.storageDir (completedCheckpoint<12 hex>) and its recorded size, its lock holders, whether it is marked for deletion, and when it was written; the checkpoint Flink restores from (the highest id not marked for deletion); and the checkpoint id counter (ZooKeeper jobs/<jobId>/checkpoint_id_counter, a 4-byte big-endian int; Kubernetes the counter key, a decimal string) shown as the next id Flink hands out (absent: 1). Kubernetes entries have no locks (locks: null, state "stored"); their deletion marker is the StateHandleWithDeleteMarker flag. Read-only.

Jobs are cross-checked against the execution-plan store: checkpoint data without an execution plan is never read again (no JobManager recovers the job), and a plan without checkpoint data starts the job without a checkpoint. Flink's recovery reads every retained checkpoint of a job; one whose file is missing makes the recovery fail (--verify-storage finds those).

${STORAGE_HELP}

JSON (--json): {status, result: {backend, clusterId, root, scannedAt, jobs: [{jobId, plan: {present, status: ok|undecodable|null, markedForDeletion, key}, counter: {present, status: ok|absent|undecodable, nextCheckpointId, key, locator, modified, problem}, checkpoints: [{checkpointId, jobId, name, key, locator, status: ok|undecodable, problem, pointer: {handleClass, uri, path, stateSize}, fileName, locks: {count, live, holders: [{lockId, owner, alive, since, locator}]} (null on backends without lock nodes), markedForDeletion, state: locked|unlocked|marked-for-deletion|stored, recoverable, evidence, created, modified, version, storage: {status, size, reason} (with --verify-storage), content: {status: decoded|undecodable|not-read, problem, decoded: {className, jobId, checkpointId, triggerTimestamp, completionTimestamp, externalPointer, checkpointType, metadataPath, problems}} (with --deep), kubernetes: {configMap, dataKey, wrapped} (Kubernetes only)}], restoreFrom, notes}], notes: [{jobId, kind: checkpoints-without-plan|plan-without-checkpoints|counter-not-ahead, message}], storage: {storageDir, clusterDir, reachable, problem, counts: {ok, missing, size-mismatch, unreachable, error, not-checked}, outsideClusterDir, orphans: [{name, path, kind, size, modified}], orphansNote, partial, jobEvents: [{jobId, path, files, bytes}] (Flink 1.20+ batch job recovery, <cluster dir>/<jobId>/job-events)} (with --verify-storage, else null)}, warnings}

Exit status: --job with a malformed job id is exit 2, and exit 3 when a job has neither an execution plan nor checkpoint data (the error names the jobs that do); with --verify-storage or --deep, exit 5 when the storageDir cannot be reached or a file check fails with an I/O error (the metadata is still shown), while missing files and orphans are findings (exit 0, with warnings).

Columns (--columns): ${CHECKPOINT_COLUMNS.join(', ')} (storage with --verify-storage); -o name prints <jobId>/<checkpoint id>; --no-headers prints one table led by the job id (text mode shows a table per job).

${OUTPUT_HELP}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'All jobs of the cluster a Flink configuration points at:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf'},
    {description: 'On Kubernetes, with the files on S3:', command: '<%= config.bin %> <%= command.id %> --backend kubernetes --cluster-id my-flink -n flink --storage-dir s3://flink/ha --s3-endpoint http://minio:9000 --s3-path-style --verify-storage'},
    {description: 'One job, checking and decoding the checkpoint files:', command: '<%= config.bin %> <%= command.id %> --zk-quorum zk1:2181 --job 8f2b6a1c4d3e5f60718293a4b5c6d7e8 --storage-dir file:///mnt/flink/ha --deep'},
    {description: 'The checkpoint each job restores from, for a script:', command: "<%= config.bin %> <%= command.id %> --json | jq -r '.result.jobs[] | \"\\(.jobId) \\(.restoreFrom)\"'"},
  ]

  static override flags = {...targetFlags, ...stateHandleFlags, ...outputFlags}
  static override columns = CHECKPOINT_COLUMNS

  async run(): Promise<CheckpointsReport> {
    const {flags} = await this.parse(Checkpoints)
    const jobs = parseJobIds(flags.job)
    const target = this.resolve(flags)
    const report = await readCheckpoints(target, {jobs, verifyStorage: flags['verify-storage'], deep: flags.deep})
    this.warnings.push(...checkpointWarnings(report))
    if (report.storage?.partial) {
      process.exitCode = ExitCode.PARTIAL
      if (!this.jsonEnabled()) process.stderr.write(`warning: storage verification incomplete: ${report.storage.problem ?? 'I/O errors (see the STORAGE column)'}\n`)
    }
    this.show(() => renderCheckpoints(report), checkpointsView(report))
    return report
  }
}
