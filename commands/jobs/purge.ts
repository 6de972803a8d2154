import {Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../../src/cli/base-command.js'
import {confirmRemoval, destructiveFlags} from '../../src/cli/confirm.js'
import {TARGET_ENV_HELP, targetFlags} from '../../src/cli/flags.js'
import {ExitCode} from '../../src/errors.js'
import {parseJobIds, parseOlderThan} from '../../src/ops/jrs/inputs.js'
import {type PurgeResult, runPurge} from '../../src/ops/jrs/purge-run.js'
import {renderHaArtifacts, renderPurgeOutcome, renderPurgePlan} from '../../src/render/job-results.js'

export type {PurgeResult} from '../../src/ops/jrs/purge-run.js'


export default class JobsPurge extends HaadmCommand {
  static override summary = 'Delete JobResultStore entries by filter, and old Kubernetes Operator JRS directories.'

  static override description = `Deletes clean entries (<jobId>.json) chosen by --older-than, --job or --all (--older-than combines with either; --all and --job exclude each other). Entries the filters leave out are counted as not selected, with the reason. Removing an entry lets the same job id run again: an application cluster with a fixed job id runs nothing while its entry exists.

Dirty entries (<jobId>_DIRTY.json) are kept unless --include-dirty: their job's cleanup is pending, and once the entry is gone Flink never cleans the job's artifacts (job graph, checkpoints, blobs), and recovers and re-runs the job if its job graph is still in the HA store. With --include-dirty haadm lists what those jobs still have in the HA store (ZooKeeper or Kubernetes) and in high-availability.storageDir (blob/job_<jobId>, the 1.20+ <jobId>/job-events) when it can reach them (a warning otherwise), and refuses (exit 4) while the cluster's Dispatcher is alive, since it may be cleaning up those very jobs, and whenever haadm cannot tell (no HA store given or reachable, no Dispatcher record to judge by; a record that does not decode while a live session or lease holds it counts as alive): --force removes them anyway.

--prune-stale-dirs removes the per-deploy <uuid> directories the Flink Kubernetes Operator leaves under <storageDir>/job-result-store/<cluster-id>, keeping the newest --keep (default 1) and always the one the target points at; directories with dirty entries only with --include-dirty.

Safe to script: the plan is printed by --dry-run; on a terminal it asks; without one it needs --yes (else exit 4, nothing removed). --backup <file> first saves every file it removes, in the snapshot format every read command opens with --snapshot and 'haadm restore' puts back (written to a temporary name, fsynced and linked into place; an existing file is refused unless --backup-overwrite). Entries already gone count as done, so a second run removes nothing and exits 0. Some removals failing is exit 5; all failing exit 3.

JSON (--json): {status, result: {path, dryRun, plan: {remove: [item], skip: [item], dirtyJobIds, selectsEntries, notSelected: {count, reasons: {<why>: n}}}, ha: {status: listed|unavailable, reason, store, dispatcherAlive, artifacts: [{jobId, kind, key, locator, children, pointer}]} | null, outcome: {removed, absent, failed, skipped, items: [{kind, path, status, files, error, errorCode}], backup: {file, files, bytes} | null} | null}, warnings}; item: {kind: entry, path, jobId, state, size, mtime, reason} or {kind: operator-dir, path, name, entries, dirtyJobIds, bytes, newest, reason}.

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
    all: Flags.boolean({summary: 'Every clean entry (narrowed by --older-than when given; not with --job).', helpGroup: 'SELECT'}),
    'include-dirty': Flags.boolean({summary: "Also dirty entries: Flink then never cleans up those jobs' artifacts.", helpGroup: 'SELECT'}),
    'prune-stale-dirs': Flags.boolean({summary: "Remove the Kubernetes Operator's old per-deploy <uuid> JRS directories.", helpGroup: 'SELECT'}),
    keep: Flags.integer({summary: 'With --prune-stale-dirs: how many of the newest directories to keep (default 1).', min: 1, helpGroup: 'SELECT'}),
    force: Flags.boolean({summary: 'Remove dirty entries even while the Dispatcher is alive.', helpGroup: 'SAFETY'}),
  }

  async run(): Promise<PurgeResult> {
    const {flags} = await this.parse(JobsPurge)
    const human = !this.jsonEnabled()
    const {result, exit} = await runPurge(this.resolve(flags), {
      olderThanMs: parseOlderThan(flags['older-than']),
      jobIds: flags.job ? parseJobIds(flags.job) : undefined,
      all: flags.all,
      includeDirty: flags['include-dirty'],
      pruneStaleDirs: flags['prune-stale-dirs'],
      keep: flags.keep,
      now: new Date(),
      dryRun: Boolean(flags['dry-run']),
      force: flags.force,
      backup: flags.backup,
      backupOverwrite: flags['backup-overwrite'],
      haadmVersion: this.config.version,
      warn: (m) => this.addWarning(m),
      showPlan: (path, plan) => {
        if (human) this.log(`JobResultStore ${path}\n${renderPurgePlan(plan, Boolean(flags['dry-run']))}`)
      },
      confirm: (summary) => confirmRemoval({summary, yes: Boolean(flags.yes)}),
    })
    if (result.ha) for (const line of renderHaArtifacts(result.ha, result.plan.dirtyJobIds)) this.addWarning(line)
    if (exit !== ExitCode.OK) process.exitCode = exit
    if (human && result.outcome) this.log(result.outcome.items.length === 0 && result.plan.remove.length === 0 ? 'nothing to remove' : renderPurgeOutcome(result.outcome))
    return result
  }
}
