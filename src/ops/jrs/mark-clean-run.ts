/**
 * `haadm jobs mark-clean` as one operation, shaped like runCleanup: resolve → read each job's dirty and
 * clean entry → plan (pure, Flink's markResultAsClean) → confirmation → backup → apply.
 */
import {describeSource, type Target} from '../../config/target.js'
import {ExitCode, type ExitCodeValue, HaadmError} from '../../errors.js'
import {refuseSnapshotChange} from '../../snapshot/read-only.js'
import {joinUri, withStorage} from '../../storage/index.js'
import {applyMarkClean, type BackupSummary, type MarkCleanOutcome, totalFailure} from './apply.js'
import {backupHeader, checkBackup} from '../../snapshot/backup.js'
import {jrsPathOf} from './inputs.js'
import {type MarkCleanAction, planMarkClean} from './mark-clean-plan.js'
import {CLEAN_SUFFIX, DIRTY_SUFFIX} from './records.js'

export interface MarkCleanResult {
  path: string
  deleteOnCommit: boolean
  deleteOnCommitFrom: string
  dryRun: boolean
  actions: MarkCleanAction[]
  outcomes: MarkCleanOutcome[]
  backup: BackupSummary | null
}

export interface MarkCleanRunOptions {
  jobIds: string[]
  /** --[no-]delete-on-commit; undefined: the target's job-result-store.delete-on-commit. */
  deleteOnCommit: boolean | undefined
  dryRun: boolean
  backup: string | undefined
  /** --backup-overwrite: replace an existing backup file. */
  backupOverwrite?: boolean
  /** Written into the backup's header. */
  haadmVersion?: string
  warn(message: string): void
  /** Shows what will happen before anything changes (a dry run stops after it). */
  showPlan(result: MarkCleanResult): void
  confirm(summary: string): Promise<void>
}

export async function runMarkClean(target: Target, opts: MarkCleanRunOptions): Promise<{result: MarkCleanResult; exit: ExitCodeValue}> {
  refuseSnapshotChange(target, opts.dryRun)
  const {path} = jrsPathOf(target)
  const deleteOnCommit = opts.deleteOnCommit ?? target.jobResultStoreDeleteOnCommit.value
  const deleteOnCommitFrom =
    opts.deleteOnCommit === undefined ? describeSource(target.jobResultStoreDeleteOnCommit.source) : `flag --${opts.deleteOnCommit ? '' : 'no-'}delete-on-commit`

  return withStorage(path, target, async (storage) => {
    const inputs = await Promise.all(
      opts.jobIds.map(async (jobId) => {
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
    for (const a of actions) if (a.warning) opts.warn(a.warning)
    const result: MarkCleanResult = {path, deleteOnCommit, deleteOnCommitFrom, dryRun: opts.dryRun, actions, outcomes: [], backup: null}
    opts.showPlan(result)

    const changing = actions.filter((a) => a.action === 'delete' || a.action === 'rename')
    const missing = actions.filter((a) => a.action === 'missing')
    if (opts.dryRun) return {result, exit: ExitCode.OK}
    if (changing.length === 0 && missing.length > 0)
      throw new HaadmError(
        'JRS_ENTRY_NOT_FOUND',
        missing.length === 1
          ? `no dirty entry for job ${missing[0].jobId} in ${path}: nothing to mark clean`
          : `no dirty entries for jobs ${missing.map((m) => m.jobId).join(', ')} in ${path}: nothing to mark clean`,
        {exit: ExitCode.UNREACHABLE, hint: "Check the job id and the path ('haadm jobs results' lists the entries). Flink fails the same way.", details: {actions}},
      )
    if (changing.length > 0) {
      if (opts.backup !== undefined) for (const w of checkBackup({file: opts.backup, overwrite: Boolean(opts.backupOverwrite)})) opts.warn(w)
      await opts.confirm(changing.map((a) => (a.action === 'delete' ? `delete ${a.dirtyPath}` : `rename ${a.dirtyPath} -> ${a.cleanPath}`)).join('\n'))
    }
    const {outcomes, backup} = await applyMarkClean(storage, actions, {
      backup: opts.backup === undefined ? undefined : {file: opts.backup, overwrite: Boolean(opts.backupOverwrite), header: backupHeader(target, 'jobs mark-clean', opts.haadmVersion ?? 'unknown')},
      source: path,
    })
    result.outcomes = outcomes
    result.backup = backup
    const failed = outcomes.filter((o) => o.status === 'failed')
    const total = totalFailure(failed, outcomes.filter((o) => o.status === 'done' || o.status === 'absent').length, {actions, outcomes})
    if (total) throw total
    const bad = outcomes.filter((o) => o.status === 'failed' || o.status === 'missing')
    for (const o of bad) opts.warn(`${o.jobId}: ${o.error}`)
    return {result, exit: bad.length > 0 ? ExitCode.PARTIAL : ExitCode.OK}
  })
}
