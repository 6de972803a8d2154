import {Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import {parseJobIds} from '../src/ops/job-ids.js'
import {type RestorePointReport, readRestorePoint} from '../src/ops/restore-point.js'
import {renderRestorePoint} from '../src/render/restore-point.js'

export default class RestorePoint extends HaadmCommand {
  static override summary = 'Print, per job, the checkpoint to restore from: the path for execution.savepoint.path or initialSavepointPath.'

  static override description = `Per job, the checkpoint Flink would restore from: the highest retained checkpoint of the HA store that is not marked for deletion and whose file decodes, and its external pointer (the chk-<n> directory from the decoded CompletedCheckpoint), checked for its _metadata when the storage is reachable. Paste the path into execution.savepoint.path (flink run -s) or the Flink Kubernetes Operator's initialSavepointPath. Read-only.

When the HA metadata is already gone (the Operator's "HA metadata not available ... Manual restore required"), --storage-dir (high-availability.storageDir) decodes the completedCheckpoint* files left in <storageDir>/<cluster-id>/, and --checkpoint-dir (state.checkpoints.dir) finds the retained <dir>/<jobId>/chk-<n>/_metadata; the newest per job is picked by its decoded checkpoint id, never by file time, and only if its _metadata exists. While the HA store holds a usable entry for the job, that entry wins (it is what Flink restores from). Every candidate is listed with where it came from and why the chosen one wins.

Local paths and S3 (s3://, s3a://, s3p://; --s3-endpoint, --s3-path-style) are read.

JSON (--json): {status, result: {clusterId, haMetadata: found|not-found|not-read, haNote, storageDir, checkpointDir, jobs: [{jobId, chosen: candidate | null, why, candidates: [candidate]}]}, warnings}; candidate: {jobId, checkpointId, source: ha-entry|storage-file|checkpoint-dir, from, externalPointer, metadataPath, metadata: found|missing|not-checked, usable, problem}.

Exit status: a malformed --job is exit 2; a cluster whose HA metadata is gone, without --storage-dir or --checkpoint-dir, is exit 3; --job with no checkpoint anywhere is exit 3.

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'While the HA metadata is there:', command: '<%= config.bin %> <%= command.id %> --zk-quorum zk:2181 --cluster-id /app --storage-dir s3://flink/ha --job 0123456789abcdef0123456789abcdef'},
    {
      description: 'After "HA metadata not available": from the storage alone:',
      command: '<%= config.bin %> <%= command.id %> --backend kubernetes --cluster-id my-flink -n flink --storage-dir s3://flink/ha --checkpoint-dir s3://flink/checkpoints',
    },
    {description: 'The path only, for a script:', command: "<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf --json | jq -r '.result.jobs[] | .chosen.externalPointer'"},
  ]

  static override flags = {
    ...targetFlags,
    job: Flags.string({summary: 'Only this job (32 hex characters); repeat the flag or separate ids with commas.', multiple: true}),
    'checkpoint-dir': Flags.string({summary: "Flink's state.checkpoints.dir: also look for retained <dir>/<jobId>/chk-<n>/_metadata."}),
  }

  async run(): Promise<RestorePointReport> {
    const {flags} = await this.parse(RestorePoint)
    const jobs = parseJobIds(flags.job)
    const report = await readRestorePoint(this.resolve(flags), {jobs, checkpointDir: flags['checkpoint-dir']})
    for (const j of report.jobs) if (!j.chosen) this.addWarning(`job ${j.jobId}: no restore point: ${j.why}`)
    if (!this.jsonEnabled()) this.log(renderRestorePoint(report))
    return report
  }
}
