import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import {STORAGE_HELP, stateHandleFlags} from '../src/cli/state-handle-flags.js'
import {ExitCode} from '../src/errors.js'
import {parseJobIds} from '../src/ops/job-ids.js'
import type {PlansReport} from '../src/ops/plans.js'
import {planWarnings} from '../src/ops/state-handle-warnings.js'
import {readPlans} from '../src/ops/state-handles-read.js'
import {PLAN_COLUMNS, renderPlans, plansView} from '../src/render/plans.js'
import {OUTPUT_HELP, outputFlags} from '../src/render/output.js'

export default class Plans extends HaadmCommand {
  static override summary = 'List the execution plans (job graphs) Flink will recover, with their files and locks.'

  static override description = `Every entry of the execution-plan store (ZooKeeper <cluster>/jobgraphs/<jobId> in Flink 1.x, high-availability.zookeeper.path.jobgraphs, and <cluster>/execution-plans/<jobId> in 2.x, …path.execution-plans; with neither key set haadm reads whichever the cluster holds, both when both do; Kubernetes jobGraph-<jobId> (1.x) or executionPlan-<jobId> (2.x) keys of <cluster-id>-cluster-config-map): the job id, the file the entry points to in high-availability.storageDir (submittedJobGraph<12 hex> in 1.x, submittedExecutionPlan<12 hex> in 2.x) and its recorded size, the lock holders (ZooKeeper lock children are ephemeral: a lock that exists belongs to a live JobManager session), whether the entry is marked for deletion, and when it was created and modified. Read-only.

An entry that is not marked for deletion is recovered by the next leading JobManager: the job runs again. An entry whose locks are all gone (its JobManagers stopped) is still recovered; only the deletion marker (ZooKeeper: no locks node; Kubernetes: the StateHandleWithDeleteMarker flag) makes Flink skip it. Kubernetes entries have no locks (locks: null, state "stored"). Entries whose bytes do not decode are listed as undecodable with the reason.

${STORAGE_HELP}

JSON (--json): {status, result: {backend, clusterId, root, scannedAt, store: {key, locator}, stores: [{key, locator, versions, source, exists}], layoutNotes: [string], plans: [{jobId, name, key, locator, status: ok|undecodable, problem, pointer: {handleClass, uri, path, stateSize}, fileName, locks: {count, live, holders: [{lockId, owner, alive, since, locator}]} (null on backends without lock nodes), markedForDeletion, state: locked|unlocked|marked-for-deletion|stored, recoverable, evidence, created, modified, version, storage: {status: ok|missing|size-mismatch|unreachable|error|not-checked, size, reason} (with --verify-storage, else null), content: {status: decoded|undecodable|not-read, problem, decoded: {className, kind, jobId, jobName, jobType, savepointPath, problems}} (with --deep, else null), kubernetes: {configMap, dataKey, wrapped} (Kubernetes only)}], storage: {storageDir, clusterDir, reachable, problem, counts: {ok, missing, size-mismatch, unreachable, error, not-checked}, outsideClusterDir, orphans: [{name, path, kind, size, modified}], orphansNote, partial} (with --verify-storage, else null)}, warnings}

Exit status: --job with a malformed job id is exit 2, and exit 3 when a job has no execution plan (the error names the jobs that have one); with --verify-storage or --deep, exit 5 when the storageDir cannot be reached or a file check fails with an I/O error (the metadata is still shown), while missing files and orphans are findings (exit 0, with warnings).

Columns (--columns): ${PLAN_COLUMNS.join(', ')} (storage with --verify-storage); -o name prints the job ids.

${OUTPUT_HELP}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'The execution plans of the cluster a Flink configuration points at:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf'},
    {description: 'On Kubernetes:', command: '<%= config.bin %> <%= command.id %> --backend kubernetes --cluster-id my-flink -n flink'},
    {description: 'Check the files too, and decode them:', command: '<%= config.bin %> <%= command.id %> --zk-quorum zk1:2181 --cluster-id /my-app --storage-dir file:///mnt/flink/ha --deep'},
    {description: 'Jobs the next leader would recover, for a script:', command: "<%= config.bin %> <%= command.id %> --json | jq -r '.result.plans[] | select(.recoverable) | .jobId'"},
  ]

  static override flags = {...targetFlags, ...stateHandleFlags, ...outputFlags}
  static override columns = PLAN_COLUMNS

  async run(): Promise<PlansReport> {
    const {flags} = await this.parse(Plans)
    const jobs = parseJobIds(flags.job)
    const target = this.resolve(flags)
    const report = await readPlans(target, {jobs, verifyStorage: flags['verify-storage'], deep: flags.deep})
    this.warnings.push(...planWarnings(report))
    if (report.storage?.partial) {
      process.exitCode = ExitCode.PARTIAL
      if (!this.jsonEnabled()) process.stderr.write(`warning: storage verification incomplete: ${report.storage.problem ?? 'I/O errors (see the STORAGE column)'}\n`)
    }
    this.show(() => renderPlans(report), plansView(report))
    return report
  }
}
