import {Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../../src/cli/base-command.js'
import {TARGET_ENV_HELP, targetFlags} from '../../src/cli/flags.js'
import {describeSource} from '../../src/config/target.js'
import {jrsPathOf, parseJobIds, parseOlderThan, parseStatuses} from '../../src/ops/jrs/inputs.js'
import {jobResultStoreReport, type JobResultStoreReport} from '../../src/ops/jrs/records.js'
import {scanJobResultStore} from '../../src/ops/jrs/scan.js'
import {JOB_RESULT_COLUMNS, jobResultsView, renderJobResults} from '../../src/render/job-results.js'
import {OUTPUT_HELP, outputFlags} from '../../src/render/output.js'
import {withStorage} from '../../src/storage/index.js'

export default class JobsResults extends HaadmCommand {
  static override summary = 'List JobResultStore entries: which jobs finished, dirty or clean, and files Flink cannot read.'

  static override description = `Reads the JobResultStore directory (job-result-store.storage-path, else <high-availability.storageDir>/job-result-store/<cluster-id>) on a local filesystem or S3 (s3://, s3a://, s3p://). Read-only.

A dirty entry (<jobId>_DIRTY.json) means the job reached a globally terminal state and Flink's cleanup of its artifacts is pending or failed; a clean entry (<jobId>.json) is kept only when job-result-store.delete-on-commit is false. Either one makes Flink refuse to run the same job id again: an application cluster with a fixed job id then runs nothing.

Files Flink would not read (not JSON, unknown top-level keys, no id or net-runtime, wrong token types, a failure-cause that is not a serialized SerializedThrowable) and files whose name disagrees with the job id inside are listed as problems. A dirty file Flink cannot read stops the Dispatcher from recovering. The Flink Kubernetes Operator's per-deploy <uuid> directories under the cluster's directory are listed with their entry count and newest time ('haadm jobs purge --prune-stale-dirs' removes old ones).

JSON (--json): {status, result: {path, pathFrom, deleteOnCommit, deleteOnCommitFrom, clusterDir, layout: flat|operator, scannedAt, entries: [{jobId, state: dirty|clean, file, path, size, mtime, applicationStatus, netRuntimeMs, jobName, applicationId, startTime, endTime, failure: {className, message}, valid, problem, notes}], counts: {total, shown, dirty, clean, problems}, operatorDirs: [{path, name, entries, dirtyEntries, dirtyJobIds, bytes, newest, current}], others: [{path, name, kind, size, mtime, note}]}, warnings}

Columns (--columns): ${JOB_RESULT_COLUMNS.map((c) => c.id).join(', ')}; -o name prints the job ids.

${OUTPUT_HELP}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'Entries of the cluster a Flink configuration points at:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf'},
    {description: 'Dirty entries older than a day, on MinIO:', command: '<%= config.bin %> <%= command.id %> --jrs-path s3://flink/ha/job-result-store/my-app --s3-endpoint http://minio:9000 --s3-path-style --dirty --older-than 1d'},
    {description: 'Files Flink cannot read, for a script:', command: "<%= config.bin %> <%= command.id %> --storage-dir /var/flink/ha --cluster-id my-app --json | jq '.result.entries[] | select(.valid | not)'"},
  ]

  static override columns = JOB_RESULT_COLUMNS.map((c) => c.id)

  static override flags = {
    ...targetFlags,
    ...outputFlags,
    dirty: Flags.boolean({summary: 'Only dirty entries (cleanup pending).', exclusive: ['clean'], helpGroup: 'FILTER'}),
    clean: Flags.boolean({summary: 'Only clean entries.', exclusive: ['dirty'], helpGroup: 'FILTER'}),
    status: Flags.string({summary: 'Only this application status: SUCCEEDED, FAILED, CANCELED or UNKNOWN (repeatable).', multiple: true, helpGroup: 'FILTER'}),
    'older-than': Flags.string({summary: 'Only entries whose file is older than this (7d, 12h, 30 min).', helpGroup: 'FILTER'}),
    job: Flags.string({summary: 'Only this job id (repeatable).', multiple: true, helpGroup: 'FILTER'}),
  }

  async run(): Promise<JobResultStoreReport> {
    const {flags} = await this.parse(JobsResults)
    const filter = {
      state: flags.dirty ? ('dirty' as const) : flags.clean ? ('clean' as const) : undefined,
      statuses: parseStatuses(flags.status),
      olderThanMs: parseOlderThan(flags['older-than']),
      jobIds: flags.job ? parseJobIds(flags.job) : undefined,
    }
    const target = this.resolve(flags)
    const {path, from} = jrsPathOf(target)
    const report = await withStorage(path, target, async (storage) => {
      const scan = await scanJobResultStore(storage, path)
      if (storage.kind === 's3' && scan.entries.length + scan.others.length + scan.operatorDirs.length === 0)
        this.addWarning(`nothing under ${path}: object stores have no directories, so check the path if you expected entries`)
      return jobResultStoreReport(scan, {
        pathFrom: from,
        deleteOnCommit: target.jobResultStoreDeleteOnCommit.value,
        deleteOnCommitFrom: describeSource(target.jobResultStoreDeleteOnCommit.source),
        filter,
        now: new Date(),
      })
    })
    if (report.counts.problems > 0) this.addWarning(`${report.counts.problems} file(s) Flink cannot read or that are misnamed; see "problem"`)
    this.show(() => renderJobResults(report), jobResultsView(report))
    return report
  }
}
