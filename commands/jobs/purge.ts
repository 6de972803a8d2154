import {Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../../src/cli/base-command.js'
import {confirmRemoval, destructiveFlags} from '../../src/cli/confirm.js'
import {refuseSnapshotChange} from '../../src/snapshot/read-only.js'
import {TARGET_ENV_HELP, targetFlags} from '../../src/cli/flags.js'
import {ExitCode, HaadmError, usageError} from '../../src/errors.js'
import {applyPurge, type PurgeOutcome, totalFailure} from '../../src/ops/jrs/apply.js'
import {checkBackupTarget} from '../../src/ops/jrs/backup.js'
import {type HaArtifactsReport, lookupHaArtifacts} from '../../src/ops/jrs/ha-artifacts.js'
import {jrsPathOf, parseJobIds, parseOlderThan} from '../../src/ops/jrs/inputs.js'
import {type PurgePlan, planPurge, selectsEntries} from '../../src/ops/jrs/purge-plan.js'
import {jobResultEntries, operatorDirRecords} from '../../src/ops/jrs/records.js'
import {scanJobResultStore} from '../../src/ops/jrs/scan.js'
import {renderHaArtifacts, renderPurgeOutcome, renderPurgePlan} from '../../src/render/job-results.js'
import {withStorage} from '../../src/storage/index.js'

export interface PurgeResult {
  path: string
  dryRun: boolean
  plan: PurgePlan
  /** What the jobs whose dirty entries are removed still have in the HA store; null when no dirty entry is removed. */
  ha: HaArtifactsReport | null
  outcome: PurgeOutcome | null
}

export default class JobsPurge extends HaadmCommand {
  static override summary = 'Delete JobResultStore entries by filter, and old Kubernetes Operator JRS directories.'

  static override description = `Deletes clean entries (<jobId>.json) chosen by --older-than, --job or --all (the filters combine). Removing an entry lets the same job id run again: an application cluster with a fixed job id runs nothing while its entry exists.

Dirty entries (<jobId>_DIRTY.json) are kept unless --include-dirty: their job's cleanup is pending, and once the entry is gone Flink never cleans the job's artifacts (job graph, checkpoints, blobs), and recovers and re-runs the job if its job graph is still in the HA store. With --include-dirty haadm lists what those jobs still have in the HA store (ZooKeeper or Kubernetes) and in high-availability.storageDir (blob/job_<jobId>, the 1.20+ <jobId>/job-events) when it can reach them (a warning otherwise), and refuses (exit 4) while the cluster's Dispatcher is alive, since it may be cleaning up those very jobs: --force removes them anyway.

--prune-stale-dirs removes the per-deploy <uuid> directories the Flink Kubernetes Operator leaves under <storageDir>/job-result-store/<cluster-id>, keeping the newest --keep (default 1) and always the one the target points at; directories with dirty entries only with --include-dirty.

Safe to script: the plan is printed by --dry-run; on a terminal it asks; without one it needs --yes (else exit 4, nothing removed). --backup <file> saves every file's bytes first (JSON: {format, version, createdAt, command, source, files: [{path, size, mtime, base64}]}, written to a temporary name and renamed). Entries already gone count as done, so a second run removes nothing and exits 0. Some removals failing is exit 5; all failing exit 3.

JSON (--json): {status, result: {path, dryRun, plan: {remove: [item], skip: [item], dirtyJobIds, selectsEntries}, ha: {status: listed|unavailable, reason, store, dispatcherAlive, artifacts: [{jobId, kind, key, locator, children, pointer}]} | null, outcome: {removed, absent, failed, skipped, items: [{kind, path, status, files, error, errorCode}], backup: {file, files, bytes} | null} | null}, warnings}; item: {kind: entry, path, jobId, state, size, mtime, reason} or {kind: operator-dir, path, name, entries, dirtyJobIds, bytes, newest, reason}.

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'What would go: clean entries older than 30 days:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf --older-than 30d --dry-run'},
    {description: 'Let a fixed job id run again, in CI, with a backup:', command: '<%= config.bin %> <%= command.id %> --jrs-path s3://flink/ha/job-result-store/my-app --job 00000000000000000000000000000000 --backup jrs-backup.json --yes'},
    {description: "Prune the Operator's old per-deploy directories, keeping the newest two:", command: '<%= config.bin %> <%= command.id %> --storage-dir s3://flink/ha --cluster-id my-app --prune-stale-dirs --keep 2 --yes'},
  ]

  static override flags = {
    ...targetFlags,
    ...destructiveFlags,
    'older-than': Flags.string({summary: 'Entries whose file is older than this (7d, 12h, 30 min).', helpGroup: 'SELECT'}),
    job: Flags.string({summary: 'Entries of this job id (repeatable).', multiple: true, helpGroup: 'SELECT'}),
    all: Flags.boolean({summary: 'Every clean entry (narrowed by --older-than/--job when given).', helpGroup: 'SELECT'}),
    'include-dirty': Flags.boolean({summary: "Also dirty entries: Flink then never cleans up those jobs' artifacts.", helpGroup: 'SELECT'}),
    'prune-stale-dirs': Flags.boolean({summary: "Remove the Kubernetes Operator's old per-deploy <uuid> JRS directories.", helpGroup: 'SELECT'}),
    keep: Flags.integer({summary: 'With --prune-stale-dirs: how many of the newest directories to keep (default 1).', min: 1, helpGroup: 'SELECT'}),
    force: Flags.boolean({summary: 'Remove dirty entries even while the Dispatcher is alive.', helpGroup: 'SAFETY'}),
  }

  async run(): Promise<PurgeResult> {
    const {flags} = await this.parse(JobsPurge)
    const olderThanMs = parseOlderThan(flags['older-than'])
    const jobIds = flags.job ? parseJobIds(flags.job) : undefined
    const options = {
      olderThanMs,
      jobIds,
      all: flags.all,
      includeDirty: flags['include-dirty'],
      pruneStaleDirs: flags['prune-stale-dirs'],
      keep: flags.keep ?? 1,
      now: new Date(),
    }
    if (!selectsEntries(options) && !options.pruneStaleDirs)
      throw usageError('nothing selected: give --older-than, --job, --all or --prune-stale-dirs', 'See --help; try --dry-run first.')
    if (flags.keep !== undefined && !options.pruneStaleDirs) throw usageError('--keep only applies with --prune-stale-dirs')
    const target = this.resolve(flags)
    refuseSnapshotChange(target, flags['dry-run'])
    const {path} = jrsPathOf(target)
    const dryRun = Boolean(flags['dry-run'])
    const human = !this.jsonEnabled()

    return withStorage(path, target, async (storage) => {
      const scan = await scanJobResultStore(storage, path)
      const plan = planPurge(jobResultEntries(scan), operatorDirRecords(scan.operatorDirs), options)
      let ha: HaArtifactsReport | null = null
      if (plan.dirtyJobIds.length > 0) {
        for (const id of plan.dirtyJobIds) this.addWarning(`job ${id}: removing its dirty entry means Flink will no longer clean up its artifacts`)
        ha = await lookupHaArtifacts(target, plan.dirtyJobIds)
        for (const line of renderHaArtifacts(ha, plan.dirtyJobIds)) this.addWarning(line)
      }
      const result: PurgeResult = {path, dryRun, plan, ha, outcome: null}
      // The Dispatcher works on dirty entries while it runs: removing one under it is never safe.
      const live = plan.dirtyJobIds.length > 0 && ha?.dispatcherAlive === true && !flags.force
      if (live && !dryRun)
        throw new HaadmError('LIVE_CLUSTER', `refusing: the Dispatcher of ${ha!.store} is alive and may be cleaning up job(s) ${plan.dirtyJobIds.join(', ')}`, {
          exit: ExitCode.REFUSED,
          hint: 'Stop the cluster first, or wait for its cleanup to mark the entries clean; --force removes them anyway.',
          details: {store: ha!.store, dirtyJobIds: plan.dirtyJobIds},
        })
      if (human) this.log(`JobResultStore ${path}`)
      if (human) this.log(renderPurgePlan(plan, dryRun))
      if (dryRun) {
        if (live) {
          this.addWarning('the Dispatcher is alive: a real run would refuse (exit 4) without --force')
          process.exitCode = ExitCode.REFUSED
        }
        return result
      }
      if (plan.remove.length === 0) {
        result.outcome = {removed: 0, absent: 0, failed: 0, skipped: plan.skip.length, items: [], backup: null}
        if (human) this.log('nothing to remove')
        return result
      }

      if (flags.backup !== undefined) checkBackupTarget(flags.backup)
      const entries = plan.remove.filter((i) => i.kind === 'entry').length
      const dirs = plan.remove.length - entries
      await confirmRemoval({
        summary: `Remove ${entries} entr${entries === 1 ? 'y' : 'ies'} and ${dirs} director${dirs === 1 ? 'y' : 'ies'} from ${path}${plan.dirtyJobIds.length ? `, including dirty entries of ${plan.dirtyJobIds.length} job(s)` : ''}.`,
        yes: Boolean(flags.yes),
      })
      const outcome = await applyPurge(storage, plan, {backup: flags.backup, source: path})
      result.outcome = outcome
      const failed = outcome.items.filter((i) => i.status === 'failed')
      const total = totalFailure(failed, outcome.removed + outcome.absent, {outcome})
      if (total) throw total
      for (const i of failed) this.addWarning(`${i.path}: ${i.error}`)
      if (failed.length > 0) process.exitCode = ExitCode.PARTIAL
      if (human) this.log(renderPurgeOutcome(outcome))
      return result
    })
  }
}
