/**
 * `haadm jobs purge` as one operation, shaped like runCleanup: resolve → scan the JobResultStore →
 * plan (pure) → what the dirty entries' jobs still have in the HA store → safety (a live Dispatcher,
 * confirmation) → backup → remove. The command only parses, calls this, and renders.
 */
import type {Target} from '../../config/target.js'
import {ExitCode, type ExitCodeValue, HaadmError, usageError} from '../../errors.js'
import {refuseSnapshotChange} from '../../snapshot/read-only.js'
import {withStorage} from '../../storage/index.js'
import {applyPurge, type PurgeOutcome, totalFailure} from './apply.js'
import {backupHeader, checkBackup} from '../../snapshot/backup.js'
import {type HaArtifactsReport, lookupHaArtifacts} from './ha-artifacts.js'
import {jrsPathOf} from './inputs.js'
import {type PurgeOptions, type PurgePlan, planPurge, selectsEntries} from './purge-plan.js'
import {jobResultEntries, operatorDirRecords} from './records.js'
import {scanJobResultStore} from './scan.js'

export interface PurgeResult {
  path: string
  dryRun: boolean
  plan: PurgePlan
  /** What the jobs whose dirty entries are removed still have in the HA store; null when no dirty entry is removed. */
  ha: HaArtifactsReport | null
  outcome: PurgeOutcome | null
}

export interface PurgeRunOptions extends Omit<PurgeOptions, 'keep'> {
  keep: number | undefined
  dryRun: boolean
  force: boolean
  backup: string | undefined
  /** --backup-overwrite: replace an existing backup file. */
  backupOverwrite?: boolean
  /** Written into the backup's header. */
  haadmVersion?: string
  /** Things to say that do not stop the run (stderr, and the JSON envelope's warnings). */
  warn(message: string): void
  /** Shows the plan before anything is removed (a dry run stops after it). */
  showPlan(path: string, plan: PurgePlan): void
  /** Asks the user (or checks --yes); throws to refuse. Called only when something will be removed. */
  confirm(summary: string): Promise<void>
}

/** Checks the selection before any I/O: a usage error names what is missing or contradictory. */
export function checkPurgeSelection(opts: Pick<PurgeRunOptions, 'olderThanMs' | 'jobIds' | 'all' | 'includeDirty' | 'pruneStaleDirs' | 'keep' | 'now'>): void {
  if (!selectsEntries({olderThanMs: opts.olderThanMs, jobIds: opts.jobIds, all: opts.all}) && !opts.pruneStaleDirs)
    throw usageError('nothing selected: give --older-than, --job, --all or --prune-stale-dirs', 'See --help; try --dry-run first.')
  if (opts.all && opts.jobIds !== undefined)
    throw usageError('--all and --job select different entries: give one of them', '--all takes every clean entry (narrowed by --older-than); --job takes the entries of the jobs named.')
  if (opts.keep !== undefined && !opts.pruneStaleDirs) throw usageError('--keep only applies with --prune-stale-dirs')
}

export async function runPurge(target: Target, opts: PurgeRunOptions): Promise<{result: PurgeResult; exit: ExitCodeValue}> {
  checkPurgeSelection(opts)
  refuseSnapshotChange(target, opts.dryRun)
  const {path} = jrsPathOf(target)
  const options: PurgeOptions = {...opts, keep: opts.keep ?? 1}
  return withStorage(path, target, async (storage) => {
    const scan = await scanJobResultStore(storage, path)
    const plan = planPurge(jobResultEntries(scan), operatorDirRecords(scan.operatorDirs), options)
    let ha: HaArtifactsReport | null = null
    if (plan.dirtyJobIds.length > 0) {
      for (const id of plan.dirtyJobIds) opts.warn(`job ${id}: removing its dirty entry means Flink will no longer clean up its artifacts`)
      ha = await lookupHaArtifacts(target, plan.dirtyJobIds)
    }
    const result: PurgeResult = {path, dryRun: opts.dryRun, plan, ha, outcome: null}
    // The Dispatcher works on dirty entries while it runs: removing one under it is never safe. Any doubt
    // (a store that could not be asked, no Dispatcher record to judge by) counts as possibly alive.
    const doubt = ha !== null && ha.dispatcherAlive === null
    const live = plan.dirtyJobIds.length > 0 && ha !== null && ha.dispatcherAlive !== false && !opts.force
    const why = doubt
      ? `haadm cannot tell whether the cluster's Dispatcher is alive (${ha!.reason ?? 'no Dispatcher leader record to judge by'}), and it may be cleaning up job(s) ${plan.dirtyJobIds.join(', ')}`
      : `the Dispatcher of ${ha?.store} is alive and may be cleaning up job(s) ${plan.dirtyJobIds.join(', ')}`
    if (live && !opts.dryRun)
      throw new HaadmError('LIVE_CLUSTER', `refusing: ${why}`, {
        exit: ExitCode.REFUSED,
        hint: doubt
          ? 'Give the HA store (--zk-quorum, --flink-conf, --backend kubernetes) so haadm can check, or --force if you know the cluster is stopped.'
          : 'Stop the cluster first, or wait for its cleanup to mark the entries clean; --force removes them anyway.',
        details: {store: ha!.store, dirtyJobIds: plan.dirtyJobIds, dispatcherAlive: ha!.dispatcherAlive},
      })
    opts.showPlan(path, plan)
    if (opts.dryRun) {
      if (!live) return {result, exit: ExitCode.OK}
      opts.warn(`${doubt ? 'the Dispatcher may be alive' : 'the Dispatcher is alive'}: a real run would refuse (exit 4) without --force`)
      return {result, exit: ExitCode.REFUSED}
    }
    if (plan.remove.length === 0) {
      result.outcome = {removed: 0, absent: 0, failed: 0, skipped: plan.skip.length, items: [], backup: null}
      return {result, exit: ExitCode.OK}
    }
    if (opts.backup !== undefined) for (const w of checkBackup({file: opts.backup, overwrite: Boolean(opts.backupOverwrite)})) opts.warn(w)
    const entries = plan.remove.filter((i) => i.kind === 'entry').length
    const dirs = plan.remove.length - entries
    await opts.confirm(
      `Remove ${entries} entr${entries === 1 ? 'y' : 'ies'} and ${dirs} director${dirs === 1 ? 'y' : 'ies'} from ${path}${plan.dirtyJobIds.length ? `, including dirty entries of ${plan.dirtyJobIds.length} job(s)` : ''}.`,
    )
    const backup =
      opts.backup === undefined ? undefined : {file: opts.backup, overwrite: Boolean(opts.backupOverwrite), header: backupHeader(target, 'jobs purge', opts.haadmVersion ?? 'unknown')}
    const outcome = await applyPurge(storage, plan, {backup, source: path})
    result.outcome = outcome
    const failed = outcome.items.filter((i) => i.status === 'failed')
    const total = totalFailure(failed, outcome.removed + outcome.absent, {outcome})
    if (total) throw total
    for (const i of failed) opts.warn(`${i.path}: ${i.error}`)
    return {result, exit: failed.length > 0 ? ExitCode.PARTIAL : ExitCode.OK}
  })
}
