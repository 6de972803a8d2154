import {Flags} from '@oclif/core'
import {HaadmCommand, type InferredFlags, exitCodesSection} from '../src/cli/base-command.js'
import {confirmRemoval, destructiveFlags} from '../src/cli/confirm.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import {fleetFlags} from '../src/cli/fleet-flags.js'
import {ExitCode, usageError} from '../src/errors.js'
import type {CleanupResult} from '../src/ops/cleanup.js'
import {type FleetCleanupResult, runFleetCleanup} from '../src/ops/cleanup-fleet.js'
import {runCleanup} from '../src/ops/cleanup-run.js'
import {parseOlderThan} from '../src/ops/clusters.js'
import {describePlan, renderCleanup, renderFleetCleanup, renderFleetPlan, renderPlan} from '../src/render/cleanup.js'
import {checkBackup} from '../src/snapshot/backup.js'
import {progressWriter} from '../src/render/progress.js'

export default class Cleanup extends HaadmCommand {
  static override summary = "Remove a dead cluster's HA metadata (Flink's cleanupAllData), or one job's (its global cleanup)."

  static override description = `Whole cluster: removes the cluster's subtree /<root>/<cluster-id>, children first, then the empty parents as Flink's tryDeleteEmptyParentZNodes does (never / and never a parent that still has children); on Kubernetes, the cluster's HA ConfigMaps in every layout, never autoscaler maps or maps owned by a Deployment: in one deletecollection with Flink's HA labels at the scan's resourceVersion when that takes exactly the planned maps, else one delete per map with its uid and resourceVersion as preconditions. The files the cluster's execution-plan and checkpoint entries point at go between the lock nodes and the entries (Flink's releaseAndTryRemove order). Then, only if all of that succeeded, the HA blob directory <storageDir>/<cluster-id>/blob and every job's Flink 1.20+ batch-recovery events <storageDir>/<cluster-id>/<jobId>/job-events, and Flink 2.x's shuffle master snapshot <storageDir>/<cluster-id>/shuffleMaster-snapshot (batch job recovery; Flink's own cleanup leaves it). The storageDir is --storage-dir or high-availability.storageDir; without either, it is inferred from the cluster's state-handle pointers, which all name <storageDir>/<cluster-id>/<file> (they must all agree and end in the cluster id: haadm never guesses). The plan says where the storageDir came from (flag, file:line, or inferred from N pointers). Files that cannot be determined or reached (pointers that disagree, no S3 credentials, access denied) are left and listed, and the run exits 5 even when all metadata went; only a cluster with no pointers and no storageDir is just a warning. The JobResultStore only with --include-job-results; leftover state-handle files only with --include-orphan-files. Never another cluster's data.

One job (--job): removes what Flink's global cleanup of that job removes: its execution plan entry (ZooKeeper jobgraphs/<jobId> in 1.x, execution-plans/<jobId> in 2.x; Kubernetes jobGraph-/executionPlan-<jobId> in the cluster map, or in <cid>-dispatcher-leader in the legacy layout, with the map's resourceVersion as precondition) and the file it points to, its checkpoints, counter and leader node (leader/<jobId> up to 1.18, leader/job-<jobId> from 1.19; lock nodes before the entries they lock), its HA blobs blob/job_<jobId> and its 1.20+ <jobId>/job-events; its JobResultStore entry with --include-job-results.

Safe by default: refuses (exit 4) while the cluster or job is alive: a leader record or latch node or lock owned by a live ZooKeeper session, or a Kubernetes leader lease still within its duration; --force overrides. --dry-run prints the plan (and exits 4 when a real run would refuse). On a terminal it asks you to type the cluster id; without one it requires --yes. --backup FILE first writes everything the run removes (znodes or ConfigMaps, the HA files and JobResultStore entries) to one snapshot file, fsynced before the first removal: every read command opens it with --snapshot, and 'haadm restore FILE' puts the files back. An existing backup file is never overwritten (exit 2, saying what it holds) unless --backup-overwrite. The summary counts znodes / ConfigMaps and files apart; --verbose lists each. Idempotent: a second run finds nothing and exits 0. A cluster id that does not exist is nothing to do (exit 0; exit 3 with --strict). A partial failure exits 5 and lists what remains, including nodes that reappeared because a JobManager was still running.

Many clusters (--all-dead): every dead cluster under the ZooKeeper root or in the namespace (-A: every namespace), as 'haadm clusters --dead' lists them, narrowed by --older-than DURATION (last change) and --match GLOB; a live cluster is never selected and --force, --cluster-id and --job are refused (exit 2). Each cluster is then removed as 'cleanup --cluster-id <id>' removes it (liveness check, Flink's order, storage), 8 at a time over one connection: on ZooKeeper the fleet scan is reused, the nodes that decide liveness are read again right before, and the first removal step (the lock and leader nodes; without files to remove, the whole cluster) is one transaction with the scanned versions, so a cluster that changed or came alive since the scan loses nothing then and is scanned afresh. On a terminal the plan of every cluster is shown and you type the number of clusters; without one, --yes. --backup DIR writes one snapshot per cluster (DIR/<cluster-id>.haadm.json.gz, "/" as %2F) before anything is removed. Nothing selected is exit 0 (--strict: 3). Exit 5 names every cluster that was partly left, failed, or came alive since the scan.

JSON (--json): {status, result: {plan: {backend, clusterId, root, scope, jobId, metadata: [{key, locator, version, what}], parents, liveEvidence, untouched, nestedClusters, storage: [{kind, what, uri, files}], storageDir: {uri, source} | null, storageLeft: [{uri, why}]}, dryRun, forced, backup, outcomes: [{target, status: removed|absent|kept|failed|unknown, error}], summary: {removed, absent, kept, failed, unknown}, remaining, verified, warnings}, warnings}. With --all-dead: {status, result: {backend, root, scannedAt, found, alive, filters, dryRun, selected: [cluster records as 'haadm clusters' has them], clusters: [{clusterId, namespace, root, status: removed|partial|refused|failed|nothing-to-do|planned, error, backup, result: <the single cleanup's result>}], summary, partlyLeft}, warnings}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'See what would go:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf --cluster-id /my-app --dry-run'},
    {description: 'CI teardown, with a backup:', command: '<%= config.bin %> <%= command.id %> --zk-quorum zk:2181 --cluster-id /ci-1234 --yes --backup ci-1234.haadm.json.gz'},
    {description: "One finished job's leftovers:", command: '<%= config.bin %> <%= command.id %> --zk-quorum zk:2181 --cluster-id /app --job 0123456789abcdef0123456789abcdef --yes'},
    {description: 'CI teardown of every dead cluster older than a day:', command: "<%= config.bin %> <%= command.id %> --zk-quorum zk:2181 --all-dead --older-than 1d --match 'flink-container-*' --yes"},
    {description: 'Review a plan offline from a snapshot:', command: '<%= config.bin %> <%= command.id %> --snapshot app.haadm.json.gz --dry-run'},
  ]

  static override flags = {
    ...targetFlags,
    ...destructiveFlags,
    job: Flags.string({summary: "Remove only this job's HA metadata (32 hex characters)."}),
    force: Flags.boolean({summary: 'Remove even though the cluster or job looks alive.', helpGroup: 'SAFETY'}),
    strict: Flags.boolean({summary: 'Exit 3 when there is nothing for the cluster id (default: nothing to do, exit 0).', helpGroup: 'SAFETY'}),
    'include-job-results': Flags.boolean({summary: "Also remove the JobResultStore directory (with --job: that job's entry)."}),
    verbose: Flags.boolean({char: 'v', summary: 'List every removed znode, ConfigMap and file (--json always does).'}),
    'include-orphan-files': Flags.boolean({summary: 'Also remove leftover submittedJobGraph*, submittedExecutionPlan* and completedCheckpoint* files.'}),
    'all-dead': Flags.boolean({summary: 'Every dead cluster under the root or in the namespace (never a live one), each as --cluster-id would remove it; --backup names a directory.', helpGroup: 'SELECTION'}),
    ...fleetFlags,
  }

  async run(): Promise<CleanupResult | FleetCleanupResult> {
    const {flags} = await this.parse(Cleanup)
    if (flags['all-dead']) return this.allDead(flags)
    for (const f of ['older-than', 'match', 'all-namespaces'] as const)
      if (flags[f]) throw usageError(`--${f} selects clusters for --all-dead`, 'Add --all-dead, or name one cluster with --cluster-id.')
    // A backup path that cannot be written fails before anything is read (an existing file: once the plan is known,
    // to say how it compares); temporary files a killed run left are removed.
    if (flags.backup && !flags['dry-run']) for (const w of checkBackup({file: flags.backup, overwrite: flags['backup-overwrite']}, {existingCheckedLater: true})) this.addWarning(w)
    const json = this.jsonEnabled()
    // On a terminal only: never in CI, with --json, or when stderr is a file or pipe.
    const onTerminal = !json && process.stderr.isTTY && !process.env.CI
    const scanning = onTerminal ? progressWriter(process.stderr, {label: 'scanning'}) : undefined
    const progress = onTerminal ? progressWriter(process.stderr) : undefined
    let result: CleanupResult
    try {
      result = await runCleanup(this.resolve(flags), {
        jobId: flags.job,
        dryRun: flags['dry-run'],
        force: flags.force,
        strict: flags.strict,
        backup: flags.backup,
        backupOverwrite: flags['backup-overwrite'],
        includeJobResults: flags['include-job-results'],
        includeOrphanFiles: flags['include-orphan-files'],
        haadmVersion: this.config.version,
        confirm: async (plan) => {
          scanning?.done()
          if (!json && !flags.yes) this.log(renderPlan(plan))
          await confirmRemoval({summary: `This removes ${describePlan(plan)}.`, yes: flags.yes, expect: plan.scope === 'cluster' ? plan.clusterId : plan.jobId!})
        },
        scanProgress: scanning ? (items) => scanning.update(items) : undefined,
        progress: progress ? (done, total) => progress.update(done, total) : undefined,
      })
    } finally {
      scanning?.done()
      progress?.done()
    }
    for (const w of result.warnings) this.addWarning(w)
    if (result.plan.liveEvidence.length > 0 && result.forced) this.warnings.push(`forced despite: ${result.plan.liveEvidence.join('; ')}`)
    if (result.summary.failed > 0 || result.summary.unknown > 0 || result.remaining.length > 0 || !result.verified) process.exitCode = ExitCode.PARTIAL
    if (result.dryRun && result.plan.liveEvidence.length > 0 && !flags.force) {
      this.addWarning('the cluster is alive: a real run would refuse (exit 4) without --force')
      process.exitCode = ExitCode.REFUSED
    }
    if (!json) this.log(renderCleanup(result, flags.verbose))
    return result
  }

  private async allDead(flags: InferredFlags<typeof Cleanup>): Promise<FleetCleanupResult> {
    if (flags.force) throw usageError('--force is not accepted with --all-dead: a live cluster is never removed in bulk', 'Remove a live cluster on its own: cleanup --cluster-id <id> --force.')
    if (flags['cluster-id']) throw usageError('--all-dead selects clusters itself: --cluster-id names one', 'Drop --cluster-id (--match selects ids by a glob), or drop --all-dead.')
    if (flags.job) throw usageError('--job removes one job of one cluster: not with --all-dead', 'Name the cluster with --cluster-id.')
    const olderThan = parseOlderThan(flags['older-than'])
    const json = this.jsonEnabled()
    const onTerminal = !json && process.stderr.isTTY && !process.env.CI
    const scanning = onTerminal ? progressWriter(process.stderr, {label: 'scanning'}) : undefined
    const progress = onTerminal ? progressWriter(process.stderr, {label: 'clusters'}) : undefined
    let result: FleetCleanupResult
    try {
      result = await runFleetCleanup(this.resolve(flags, {anyCluster: true}), {
        filters: {olderThan, match: flags.match},
        allNamespaces: flags['all-namespaces'],
        dryRun: flags['dry-run'],
        strict: flags.strict,
        backupDir: flags.backup,
        includeJobResults: flags['include-job-results'],
        includeOrphanFiles: flags['include-orphan-files'],
        haadmVersion: this.config.version,
        wantPlans: !json && !flags.yes,
        confirm: async (plan) => {
          scanning?.done()
          if (!json && !flags.yes) this.log(renderFleetPlan(plan))
          const n = String(plan.clusters.length)
          await confirmRemoval({summary: `This removes ${n} dead cluster(s) under ${plan.root}.`, yes: flags.yes, expect: n})
        },
        scanProgress: scanning ? (items) => scanning.update(items) : undefined,
        progress: progress ? (done, total) => progress.update(done, total) : undefined,
      })
    } finally {
      scanning?.done()
      progress?.done()
    }
    for (const w of result.warnings) this.addWarning(w)
    if (result.partlyLeft.length > 0) {
      process.exitCode = ExitCode.PARTIAL
      this.addWarning(`not completely removed (${result.partlyLeft.length}): ${result.partlyLeft.join(', ')}`)
    }
    if (!json) this.log(renderFleetCleanup(result))
    return result
  }
}
