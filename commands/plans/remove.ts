import {Args, Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../../src/cli/base-command.js'
import {confirmRemoval, destructiveFlags} from '../../src/cli/confirm.js'
import {TARGET_ENV_HELP, targetFlags} from '../../src/cli/flags.js'
import {ExitCode} from '../../src/errors.js'
import type {CleanupResult} from '../../src/ops/cleanup.js'
import {runCleanup} from '../../src/ops/cleanup-run.js'
import {describePlan, renderCleanup, renderPlan} from '../../src/render/cleanup.js'

export default class PlansRemove extends HaadmCommand {
  static override summary = "Remove one job's execution plan and keep its checkpoints (the Operator's last-state upgrade step)."

  static override description = `Removes only the execution plan (job graph) of one job, so that the next JobManager does not recover the old plan, while the job's retained checkpoints, its checkpoint id counter and its leader record stay: resubmit the job (a new plan) with execution.savepoint.path set to the checkpoint 'haadm restore-point --job <jobId>' prints, as the Flink Kubernetes Operator does before a last-state upgrade.

ZooKeeper: the entry in every place Flink keeps plans (jobgraphs/<jobId> in 1.x, execution-plans/<jobId> in 2.x), in Flink's order: its lock nodes (the entry is then marked for deletion), the file it points to (submittedJobGraph* / submittedExecutionPlan*), then the entry. Kubernetes: the jobGraph-<jobId> / executionPlan-<jobId> key of the cluster map (legacy: the dispatcher map), with the map's resourceVersion as precondition, then the file.

Same safety as cleanup: refuses (exit 4) while the cluster is alive (a live leader, latch contender or lock, or a valid Kubernetes lease), unless --force; --dry-run prints the plan (exit 4 when a real run would refuse); on a terminal it asks you to type the job id, without one it requires --yes; --backup FILE writes the removed items first. Idempotent: when the job has no plan any more it is nothing to do (exit 0). A snapshot cannot be changed (exit 2 without --dry-run). A cluster id that does not exist is exit 3. A partial failure exits 5 and lists what remains.

JSON (--json): the same document as cleanup: {status, result: {plan: {backend, clusterId, root, scope: "plan", jobId, metadata: [{key, locator, version, what}], parents, liveEvidence, untouched, storage: [{kind, what, uri, files, phase}]}, dryRun, forced, backup, outcomes: [{target, status: removed|absent|kept|failed, error}], summary: {removed, absent, kept, failed}, remaining, warnings}, warnings}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'See what would go:', command: '<%= config.bin %> <%= command.id %> 0123456789abcdef0123456789abcdef --zk-quorum zk:2181 --cluster-id /app --dry-run'},
    {
      description: 'Before a last-state upgrade on Kubernetes, with a backup:',
      command: '<%= config.bin %> <%= command.id %> 0123456789abcdef0123456789abcdef --backend kubernetes --cluster-id my-flink -n flink --yes --backup plan.haadm.json.gz',
    },
  ]

  static override args = {
    jobId: Args.string({description: 'The job whose execution plan goes (32 hex characters).', required: true}),
  }

  static override flags = {
    ...targetFlags,
    ...destructiveFlags,
    force: Flags.boolean({summary: 'Remove even though the cluster looks alive.', helpGroup: 'SAFETY'}),
  }

  async run(): Promise<CleanupResult> {
    const {args, flags} = await this.parse(PlansRemove)
    const json = this.jsonEnabled()
    const result = await runCleanup(this.resolve(flags), {
      jobId: args.jobId,
      planOnly: true,
      dryRun: flags['dry-run'],
      force: flags.force,
      strict: false,
      backup: flags.backup,
      includeJobResults: false,
      includeOrphanFiles: false,
      haadmVersion: this.config.version,
      confirm: async (plan) => {
        if (!json && !flags.yes) this.log(renderPlan(plan))
        await confirmRemoval({summary: `This removes ${describePlan(plan)}.`, yes: flags.yes, expect: plan.jobId!})
      },
    })
    for (const w of result.warnings) this.addWarning(w)
    if (result.plan.liveEvidence.length > 0 && result.forced) this.warnings.push(`forced despite: ${result.plan.liveEvidence.join('; ')}`)
    if (result.summary.failed > 0 || result.remaining.length > 0) process.exitCode = ExitCode.PARTIAL
    if (result.dryRun && result.plan.liveEvidence.length > 0 && !flags.force && result.plan.metadata.length > 0) {
      this.addWarning('the cluster is alive: a real run would refuse (exit 4) without --force')
      process.exitCode = ExitCode.REFUSED
    }
    if (!json) this.log(renderCleanup(result))
    return result
  }
}
