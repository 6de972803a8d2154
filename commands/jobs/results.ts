import {Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection, type JsonFailure} from '../../src/cli/base-command.js'
import {TARGET_ENV_HELP, targetFlags} from '../../src/cli/flags.js'
import {describeSource} from '../../src/config/target.js'
import {jrsPathOf, parseJobIds, parseOlderThan, parseStatuses} from '../../src/ops/jrs/inputs.js'
import {type EntryFilter, type JobResultRows, jobResultStoreReport, type JobResultStoreReport} from '../../src/ops/jrs/records.js'
import {jobResultRows, readJobResults} from '../../src/ops/jrs/results.js'
import {scanJobResultStore} from '../../src/ops/jrs/scan.js'
import {keepYoungGenerationSmall} from '../../src/cli/young-generation.js'
import {JOB_RESULT_COLUMNS, jobResultName, jobResultsJson, jobResultsLines} from '../../src/render/job-results.js'
import {jsonChunks} from '../../src/render/json-stream.js'
import {lineChunks, OUTPUT_HELP, outputFlags, writeChunks} from '../../src/render/output.js'
import {tableOptions, viewLines} from '../../src/render/table.js'
import type {Storage} from '../../src/storage/index.js'
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

  /** Whether the --json document has begun on stdout (its first chunk is written). */
  private streaming = false

  /**
   * --json: the document is written here, each entry as it is decoded, and nothing is returned for
   * oclif to print; -o yaml: the whole report is returned (YAML is written at once); text: a compact
   * row per shown entry, written out once all are read (the table's column widths need every row).
   */
  async run(): Promise<JobResultStoreReport | undefined> {
    const {flags} = await this.parse(JobsResults)
    const filter: EntryFilter = {
      state: flags.dirty ? ('dirty' as const) : flags.clean ? ('clean' as const) : undefined,
      statuses: parseStatuses(flags.status),
      olderThanMs: parseOlderThan(flags['older-than']),
      jobIds: flags.job ? parseJobIds(flags.job) : undefined,
    }
    const target = this.resolve(flags)
    const {path, from} = jrsPathOf(target)
    const ctx = {
      pathFrom: from,
      deleteOnCommit: target.jobResultStoreDeleteOnCommit.value,
      deleteOnCommitFrom: describeSource(target.jobResultStoreDeleteOnCommit.source),
      filter,
      now: new Date(),
    }
    const problemsWarning = (n: number) => n > 0 && this.addWarning(`${n} file(s) Flink cannot read or that are misnamed; see "problem"`)
    return withStorage(path, target, async (storage) => {
      if (this.format === 'yaml') {
        const scan = await scanJobResultStore(storage, path)
        this.warnIfEmpty(storage, path, scan.entries.length + scan.others.length + scan.operatorDirs.length)
        const report = jobResultStoreReport(scan, ctx)
        problemsWarning(report.counts.problems)
        return report
      }
      keepYoungGenerationSmall()
      const r = await readJobResults(storage, path, ctx)
      if (storage.kind === 's3') this.warnIfEmpty(storage, path, r.found)
      if (this.jsonEnabled()) {
        const doc = this.toSuccessJson(jobResultsJson(r, await r.operatorDirs(), (c) => problemsWarning(c.problems)))
        const chunks = jsonChunks(doc)
        await writeChunks(process.stdout, (async function* (cmd: JobsResults) {
          for await (const c of chunks) {
            cmd.streaming = true
            yield c
          }
        })(this))
        return undefined
      }
      const rows = await jobResultRows(r)
      problemsWarning(r.counts.problems)
      await this.writeText({...r.head, counts: r.counts, rows, operatorDirs: await r.operatorDirs(), others: r.others}, rows)
      return undefined
    })
  }

  /**
   * --json: the document is written as the entries are read, so an error after its first bytes (a bug,
   * the deadline's last resort) cannot be a document of its own on stdout: the output stops there,
   * unterminated (no reader takes it for a whole one), and the error goes to stderr as without --json.
   */
  protected override logJson(json: unknown): void {
    const failure = this.streaming ? (json as Partial<JsonFailure>).error : undefined
    if (!failure) return super.logJson(json)
    process.stderr.write(`error: ${failure.message}\n`)
    if (failure.hint) process.stderr.write(`hint: ${failure.hint}\n`)
  }

  private warnIfEmpty(storage: Storage, path: string, found: number): void {
    if (storage.kind === 's3' && found === 0) this.addWarning(`nothing under ${path}: object stores have no directories, so check the path if you expected entries`)
  }

  /** As the base command's show() prints a view: -o name, --no-headers, else the full text. */
  private async writeText(text: Parameters<typeof jobResultsLines>[0], rows: JobResultRows): Promise<void> {
    if (this.format === 'name') {
      if (rows.length > 0) await writeChunks(process.stdout, lineChunks((function* () {
          for (const e of rows) yield jobResultName(e)
        })()))
      return
    }
    if (!tableOptions().headers) {
      if (rows.length > 0) await writeChunks(process.stdout, lineChunks(viewLines(JOB_RESULT_COLUMNS, rows, tableOptions(), true)))
      return
    }
    await writeChunks(process.stdout, lineChunks(jobResultsLines(text)))
  }
}
