import {Args, Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../../src/cli/base-command.js'
import {confirmRemoval, destructiveFlags} from '../../src/cli/confirm.js'
import {TARGET_ENV_HELP, targetFlags} from '../../src/cli/flags.js'
import {ExitCode} from '../../src/errors.js'
import {parseJobIds} from '../../src/ops/jrs/inputs.js'
import {type MarkCleanResult, runMarkClean} from '../../src/ops/jrs/mark-clean-run.js'
import {renderMarkCleanOutcome, renderMarkCleanPlan} from '../../src/render/job-results.js'

export type {MarkCleanResult} from '../../src/ops/jrs/mark-clean-run.js'


export default class JobsMarkClean extends HaadmCommand {
  static override summary = "Mark dirty JobResultStore entries clean, exactly as Flink's markResultAsClean does."

  static override description = `For each job id, what Flink does once a job's cleanup has succeeded: nothing if <jobId>.json exists; an error if <jobId>_DIRTY.json does not; otherwise delete the dirty file (job-result-store.delete-on-commit true, the default) or rename it to <jobId>.json (false). File contents are never rewritten. Use it when Flink gave up cleaning up a job ("The cleanup of job ... failed") and you cleaned up its artifacts by hand.

On S3 a rename is a copy, verified (size and ETag, else the bytes), then a delete of the dirty object.

It changes state: --dry-run shows what it would do; on a terminal it asks; without a terminal it needs --yes (else exit 4, nothing changed). --backup <file> saves the dirty files first, in the snapshot format ('haadm restore' puts them back; an existing file is refused unless --backup-overwrite). Ids that have no entry make the command exit 3 when nothing else is done, 5 when other ids were marked.

JSON (--json): {status, result: {path, deleteOnCommit, deleteOnCommitFrom, dryRun, actions: [{jobId, action: delete|rename|already-clean|missing, dirtyPath, cleanPath, size, reason, warning}], outcomes: [{jobId, action, status: done|nothing-to-do|absent|missing|failed, dirtyPath, cleanPath, error}], backup: {file, files, bytes} | null}, warnings}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'See what would happen:', command: '<%= config.bin %> <%= command.id %> 3f2a9c1e5b7d4e0fa1b2c3d4e5f60718 --flink-conf /opt/flink/conf --dry-run'},
    {description: 'In a script, keeping the clean entry (as the Kubernetes Operator configures Flink):', command: '<%= config.bin %> <%= command.id %> 3f2a9c1e5b7d4e0fa1b2c3d4e5f60718 --jrs-path s3://flink/ha/job-result-store/my-app --no-delete-on-commit --yes'},
  ]

  static override strict = false

  static override args = {
    jobId: Args.string({description: 'Job id(s): 32 hex characters each.', required: true, ignoreStdin: true}),
  }

  static override flags = {
    ...targetFlags,
    ...destructiveFlags,
    'delete-on-commit': Flags.boolean({
      summary: 'Override job-result-store.delete-on-commit: delete the dirty file (true) or rename it clean (--no-delete-on-commit).',
      allowNo: true,
    }),
  }

  async run(): Promise<MarkCleanResult> {
    const {argv, flags} = await this.parse(JobsMarkClean)
    const human = !this.jsonEnabled()
    const {result, exit} = await runMarkClean(this.resolve(flags), {
      jobIds: parseJobIds(argv as string[]),
      deleteOnCommit: flags['delete-on-commit'],
      dryRun: Boolean(flags['dry-run']),
      backup: flags.backup,
      backupOverwrite: flags['backup-overwrite'],
      haadmVersion: this.config.version,
      warn: (m) => this.addWarning(m),
      showPlan: (r) => {
        if (human) this.log(`JobResultStore ${r.path}; delete-on-commit ${r.deleteOnCommit} (${r.deleteOnCommitFrom})\n${renderMarkCleanPlan(r.actions, r.dryRun)}`)
      },
      confirm: (summary) => confirmRemoval({summary, yes: Boolean(flags.yes)}),
    })
    if (exit !== ExitCode.OK) process.exitCode = exit
    if (human && !result.dryRun) this.log(renderMarkCleanOutcome(result.outcomes, result.backup))
    return result
  }
}
