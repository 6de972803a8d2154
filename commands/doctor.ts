import {Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import {ExitCode, HaadmError} from '../src/errors.js'
import {type DoctorReport, SEVERITIES, type Severity} from '../src/ops/doctor.js'
import {readDoctor} from '../src/ops/doctor-read.js'
import {renderDoctor} from '../src/render/doctor.js'

export default class Doctor extends HaadmCommand {
  static override summary = 'Check one cluster end to end: will it recover, and what is leaking? Each finding with its evidence and the haadm command that fixes it.'

  static override description = `Runs every check on one cluster (ZooKeeper, Kubernetes or a snapshot) and prints one verdict: "healthy", "recovers, with N warnings" or "will not recover: N errors", then the findings grouped by severity. Each finding has a stable id, the items it concerns, the evidence, what Flink does because of it, and the haadm command that fixes it (or "no fix: …" with where to restore from). Read-only.

Errors (the cluster or a job does not recover):
  plan-file-missing, plan-file-unreadable    an execution plan whose file is missing, of another size, or does not decode
  checkpoint-file-missing, checkpoint-file-unreadable   a retained checkpoint whose file is missing or does not decode (Flink reads every retained checkpoint on recovery), with whether an older retained checkpoint is intact
  counter-not-ahead                          the checkpoint id counter is at or below the highest retained checkpoint id
  undecodable                                bytes that do not decode anywhere (entries, counters, JobResultStore files), with the decoder's reason
  unreadable-lease                           a Kubernetes leader annotation without leaseDuration, acquireTime or renewTime: fabric8 reads no record, so no JobManager can take that leadership
Warnings (leaks, or a recovery that does something else than expected):
  dirty-job-result                           a dirty JobResultStore entry on a cluster with no live JobManager, with what of the job is left
  clean-job-result-with-plan                 a clean entry for a job whose execution plan still exists (Flink does not run it again)
  job-leftovers                              leader records, checkpoint stores, blob/job_<id> and <jobId>/job-events of jobs with no plan and no dirty entry
  marked-for-deletion                        entries whose removal never finished
  upgrade-leftovers                          plans in both jobgraphs and execution-plans (or jobGraph- and executionPlan- keys), a job leader under both <jobId> and job-<jobId>
  stale-leader                               on a live cluster, a leader record whose writer does not hold the latch, or whose lease expired
Notes:
  orphan-files                               submittedJobGraph*, submittedExecutionPlan*, completedCheckpoint* files no entry points to (count and bytes)
  operator-jrs-dirs                          Flink Kubernetes Operator JobResultStore <uuid> directories beyond the newest --keep-operator-dirs
  checks-skipped                             storage or JobResultStore checks that could not run, and why

Storage checks (plan-files, checkpoint-files, orphan-files, job-storage-leftovers) need the storageDir (--storage-dir, high-availability.storageDir; local or S3) and read and decode every pointed file; the JobResultStore checks need its path (--jrs-path, or derived from the storageDir). When they cannot run they are listed as skipped, with the reason, as a checks-skipped note: never a silent pass.

--fail-on error|warning|info (default error): exit 6 when a finding at or above that level exists, else 0 (also with --json, whose status field says 6). A cluster id that does not exist is exit 3.

JSON (--json): {status, result: {backend, clusterId, root, scannedAt, verdict: healthy|recovers with warnings|will not recover, summary, counts: {error, warning, info}, alive, findings: [{id, severity: error|warning|info, jobId, items: [string], evidence, effect, fix}], checks: [string], skipped: [{check, reason}], failOn, failed}, warnings}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'The cluster a Flink configuration points at, with its storage:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf'},
    {description: 'On Kubernetes with the files on S3:', command: '<%= config.bin %> <%= command.id %> --backend kubernetes --cluster-id my-flink -n flink --storage-dir s3://flink/ha --s3-endpoint http://minio:9000 --s3-path-style'},
    {description: 'In a script, failing on warnings too:', command: '<%= config.bin %> <%= command.id %> --zk-quorum zk:2181 --cluster-id /app --storage-dir file:///mnt/flink/ha --fail-on warning --json'},
  ]

  static override flags = {
    ...targetFlags,
    'fail-on': Flags.string({summary: 'Exit 6 when a finding at or above this level exists: error (default), warning or info.', default: 'error'}),
    'keep-operator-dirs': Flags.integer({summary: 'How many Operator JobResultStore <uuid> directories are normal (default 3).', default: 3, min: 1}),
  }

  async run(): Promise<DoctorReport> {
    const {flags} = await this.parse(Doctor)
    const failOn = flags['fail-on'].toLowerCase()
    if (!(SEVERITIES as readonly string[]).includes(failOn))
      throw new HaadmError('USAGE', `--fail-on ${JSON.stringify(flags['fail-on'])} is not a level`, {exit: ExitCode.USAGE, hint: 'Use error, warning or info.'})
    const report = await readDoctor(this.resolve(flags), {failOn: failOn as Severity, keepOperatorDirs: flags['keep-operator-dirs']})
    if (report.failed) process.exitCode = ExitCode.FINDINGS
    if (!this.jsonEnabled()) this.log(renderDoctor(report))
    return report
  }
}
