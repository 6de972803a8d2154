import {Args, Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../../src/cli/base-command.js'
import {confirmRemoval, destructiveFlags} from '../../src/cli/confirm.js'
import {refuseSnapshotChange} from '../../src/snapshot/read-only.js'
import {TARGET_ENV_HELP, targetFlags} from '../../src/cli/flags.js'
import {describeSource} from '../../src/config/target.js'
import {ExitCode, HaadmError} from '../../src/errors.js'
import {applyMarkClean, type BackupSummary, type MarkCleanOutcome, totalFailure} from '../../src/ops/jrs/apply.js'
import {checkBackupTarget} from '../../src/ops/jrs/backup.js'
import {jrsPathOf, parseJobIds} from '../../src/ops/jrs/inputs.js'
import {type MarkCleanAction, planMarkClean} from '../../src/ops/jrs/mark-clean-plan.js'
import {CLEAN_SUFFIX, DIRTY_SUFFIX} from '../../src/ops/jrs/scan.js'
import {renderMarkCleanOutcome, renderMarkCleanPlan} from '../../src/render/job-results.js'
import {joinUri, withStorage} from '../../src/storage/index.js'

export interface MarkCleanResult {
  path: string
  deleteOnCommit: boolean
  deleteOnCommitFrom: string
  dryRun: boolean
  actions: MarkCleanAction[]
  outcomes: MarkCleanOutcome[]
  backup: BackupSummary | null
}

export default class JobsMarkClean extends HaadmCommand {
  static override summary = "Mark dirty JobResultStore entries clean, exactly as Flink's markResultAsClean does."

  static override description = `For each job id, what Flink does once a job's cleanup has succeeded: nothing if <jobId>.json exists; an error if <jobId>_DIRTY.json does not; otherwise delete the dirty file (job-result-store.delete-on-commit true, the default) or rename it to <jobId>.json (false). File contents are never rewritten. Use it when Flink gave up cleaning up a job ("The cleanup of job ... failed") and you cleaned up its artifacts by hand.

On S3 a rename is a copy, verified (size and ETag, else the bytes), then a delete of the dirty object.

It changes state: --dry-run shows what it would do; on a terminal it asks; without a terminal it needs --yes (else exit 4, nothing changed). --backup <file> saves the dirty files first. Ids that have no entry make the command exit 3 when nothing else is done, 5 when other ids were marked.

JSON (--json): {status, result: {path, deleteOnCommit, deleteOnCommitFrom, dryRun, actions: [{jobId, action: delete|rename|already-clean|missing, dirtyPath, cleanPath, size, reason, warning}], outcomes: [{jobId, action, status: done|nothing-to-do|absent|missing|failed, dirtyPath, cleanPath, error}], backup: {file, files, bytes} | null}, warnings}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'See what would happen:', command: '<%= config.bin %> <%= command.id %> 3f2a9c1e5b7d4e0fa1b2c3d4e5f60718 --flink-conf /opt/flink/conf --dry-run'},
    {description: 'In a script, keeping the clean entry (as the Kubernetes Operator configures Flink):', command: '<%= config.bin %> <%= command.id %> 3f2a9c1e5b7d4e0fa1b2c3d4e5f60718 --jrs-path s3://flink/ha/job-result-store/my-app --no-delete-on-commit --yes'},
  ]

  static override strict = false

  static override args = {
    jobId: Args.string({description: 'Job id(s): 32 hex characters each.', required: true}),
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
    const jobIds = parseJobIds(argv as string[])
    const target = this.resolve(flags)
    refuseSnapshotChange(target, flags['dry-run'])
    const {path} = jrsPathOf(target)
    const deleteOnCommit = flags['delete-on-commit'] ?? target.jobResultStoreDeleteOnCommit.value
    const deleteOnCommitFrom =
      flags['delete-on-commit'] === undefined
        ? describeSource(target.jobResultStoreDeleteOnCommit.source)
        : `flag --${flags['delete-on-commit'] ? '' : 'no-'}delete-on-commit`

    return withStorage(path, target, async (storage) => {
      const inputs = await Promise.all(
        jobIds.map(async (jobId) => {
          const dirtyPath = joinUri(path, `${jobId}${DIRTY_SUFFIX}`)
          const cleanPath = joinUri(path, `${jobId}${CLEAN_SUFFIX}`)
          const [dirty, clean] = await Promise.all([storage.stat(dirtyPath), storage.stat(cleanPath)])
          const state = (e: typeof dirty) => (e && e.kind === 'file' ? {path: e.uri, size: e.size, mtime: e.mtime} : undefined)
          return {jobId, dirtyPath, cleanPath, dirty: state(dirty), clean: state(clean)}
        }),
      )
      if (storage.kind === 'local' && !(await storage.stat(path)))
        throw new HaadmError('STORAGE_NOT_FOUND', `no such directory: ${path}`, {
          exit: ExitCode.UNREACHABLE,
          hint: 'Check --jrs-path (job-result-store.storage-path), or --storage-dir and --cluster-id.',
          details: {path},
        })
      const actions = planMarkClean(inputs, deleteOnCommit)
      for (const a of actions) if (a.warning) this.addWarning(a.warning)
      const result: MarkCleanResult = {path, deleteOnCommit, deleteOnCommitFrom, dryRun: Boolean(flags['dry-run']), actions, outcomes: [], backup: null}
      const human = !this.jsonEnabled()
      if (human) this.log(`JobResultStore ${path}; delete-on-commit ${deleteOnCommit} (${deleteOnCommitFrom})`)
      if (human) this.log(renderMarkCleanPlan(actions, result.dryRun))

      const changing = actions.filter((a) => a.action === 'delete' || a.action === 'rename')
      const missing = actions.filter((a) => a.action === 'missing')
      if (result.dryRun) return result
      if (changing.length === 0 && missing.length > 0)
        throw new HaadmError(
          'JRS_ENTRY_NOT_FOUND',
          missing.length === 1
            ? `no dirty entry for job ${missing[0].jobId} in ${path}: nothing to mark clean`
            : `no dirty entries for jobs ${missing.map((m) => m.jobId).join(', ')} in ${path}: nothing to mark clean`,
          {
            exit: ExitCode.UNREACHABLE,
            hint: "Check the job id and the path ('haadm jobs results' lists the entries). Flink fails the same way.",
            details: {actions},
          },
        )
      if (changing.length > 0) {
        if (flags.backup !== undefined) checkBackupTarget(flags.backup)
        await confirmRemoval({
          summary: changing.map((a) => (a.action === 'delete' ? `delete ${a.dirtyPath}` : `rename ${a.dirtyPath} -> ${a.cleanPath}`)).join('\n'),
          yes: Boolean(flags.yes),
        })
      }
      const {outcomes, backup} = await applyMarkClean(storage, actions, {backup: flags.backup, source: path})
      result.outcomes = outcomes
      result.backup = backup
      const failed = outcomes.filter((o) => o.status === 'failed')
      const total = totalFailure(failed, outcomes.filter((o) => o.status === 'done' || o.status === 'absent').length, {actions, outcomes})
      if (total) throw total
      const bad = outcomes.filter((o) => o.status === 'failed' || o.status === 'missing')
      for (const o of bad) this.addWarning(`${o.jobId}: ${o.error}`)
      if (bad.length > 0) process.exitCode = ExitCode.PARTIAL
      if (human) this.log(renderMarkCleanOutcome(outcomes, backup))
      return result
    })
  }
}
