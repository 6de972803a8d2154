import {Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {confirmRemoval, destructiveFlags} from '../src/cli/confirm.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import {ExitCode} from '../src/errors.js'
import type {CleanupResult} from '../src/ops/cleanup.js'
import {runCleanup} from '../src/ops/cleanup-run.js'
import {describePlan, renderCleanup, renderPlan} from '../src/render/cleanup.js'
import {progressWriter} from '../src/render/progress.js'

export default class Cleanup extends HaadmCommand {
  static override summary = "Remove a dead cluster's HA metadata (Flink's cleanupAllData), or one job's (its global cleanup)."

  static override description = `Whole cluster: removes the cluster's subtree /<root>/<cluster-id>, children first, then the empty parents as Flink's tryDeleteEmptyParentZNodes does (never / and never a parent that still has children); on Kubernetes, the cluster's HA ConfigMaps in every layout, never autoscaler maps or maps owned by a Deployment: in one deletecollection with Flink's HA labels at the scan's resourceVersion when that takes exactly the planned maps, else one delete per map with its uid and resourceVersion as preconditions. Then, only if all of that succeeded, the HA blob directory <storageDir>/<cluster-id>/blob and every job's Flink 1.20+ batch-recovery events <storageDir>/<cluster-id>/<jobId>/job-events when the storageDir is given and reachable. The JobResultStore only with --include-job-results; leftover state-handle files only with --include-orphan-files. Never another cluster's data.

One job (--job): removes what Flink's global cleanup of that job removes: its execution plan entry (ZooKeeper jobgraphs/<jobId> in 1.x, execution-plans/<jobId> in 2.x; Kubernetes jobGraph-/executionPlan-<jobId> in the cluster map, or in <cid>-dispatcher-leader in the legacy layout, with the map's resourceVersion as precondition) and the file it points to, its checkpoints, counter and leader node (leader/<jobId> up to 1.18, leader/job-<jobId> from 1.19; lock nodes before the entries they lock), its HA blobs blob/job_<jobId> and its 1.20+ <jobId>/job-events; its JobResultStore entry with --include-job-results.

Safe by default: refuses (exit 4) while the cluster or job is alive: a leader record or latch node or lock owned by a live ZooKeeper session, or a Kubernetes leader lease still within its duration; --force overrides. --dry-run prints the plan (and exits 4 when a real run would refuse). On a terminal it asks you to type the cluster id; without one it requires --yes. --backup FILE writes every item first, as a snapshot that 'haadm leaders --snapshot FILE' reads. Idempotent: a second run finds nothing and exits 0. A cluster id that does not exist is nothing to do (exit 0; exit 3 with --strict). A partial failure exits 5 and lists what remains, including nodes that reappeared because a JobManager was still running.

JSON (--json): {status, result: {plan: {backend, clusterId, root, scope, jobId, metadata: [{key, locator, version, what}], parents, liveEvidence, untouched, nestedClusters, storage: [{kind, what, uri, files}]}, dryRun, forced, backup, outcomes: [{target, status: removed|absent|kept|failed, error}], summary: {removed, absent, kept, failed}, remaining, warnings}, warnings}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'See what would go:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf --cluster-id /my-app --dry-run'},
    {description: 'CI teardown, with a backup:', command: '<%= config.bin %> <%= command.id %> --zk-quorum zk:2181 --cluster-id /ci-1234 --yes --backup ci-1234.haadm.json.gz'},
    {description: "One finished job's leftovers:", command: '<%= config.bin %> <%= command.id %> --zk-quorum zk:2181 --cluster-id /app --job 0123456789abcdef0123456789abcdef --yes'},
    {description: 'Review a plan offline from a snapshot:', command: '<%= config.bin %> <%= command.id %> --snapshot app.haadm.json.gz --dry-run'},
  ]

  static override flags = {
    ...targetFlags,
    ...destructiveFlags,
    job: Flags.string({summary: "Remove only this job's HA metadata (32 hex characters)."}),
    force: Flags.boolean({summary: 'Remove even though the cluster or job looks alive.', helpGroup: 'SAFETY'}),
    strict: Flags.boolean({summary: 'Exit 3 when there is nothing for the cluster id (default: nothing to do, exit 0).', helpGroup: 'SAFETY'}),
    'include-job-results': Flags.boolean({summary: "Also remove the JobResultStore directory (with --job: that job's entry)."}),
    'include-orphan-files': Flags.boolean({summary: 'Also remove leftover submittedJobGraph*, submittedExecutionPlan* and completedCheckpoint* files.'}),
  }

  async run(): Promise<CleanupResult> {
    const {flags} = await this.parse(Cleanup)
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
    if (result.summary.failed > 0 || result.remaining.length > 0) process.exitCode = ExitCode.PARTIAL
    if (result.dryRun && result.plan.liveEvidence.length > 0 && !flags.force) {
      this.addWarning('the cluster is alive: a real run would refuse (exit 4) without --force')
      process.exitCode = ExitCode.REFUSED
    }
    if (!json) this.log(renderCleanup(result))
    return result
  }
}
