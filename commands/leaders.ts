import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import type {LeadersReport} from '../src/ops/leaders.js'
import {readLeaders} from '../src/ops/scan.js'
import {LEADER_COLUMNS, leadersView, renderLeaders} from '../src/render/leaders.js'
import {OUTPUT_HELP, outputFlags} from '../src/render/output.js'

export default class Leaders extends HaadmCommand {
  static override summary = 'Show the current leader of each Flink component and job, and whether it is alive.'

  static override description = `For the dispatcher, the resource manager, the REST endpoint and every job master: the leader's address, its leader session id, the ZooKeeper session that owns the record, since when, and whether that session is alive and holds the leader latch. Knows every layout: leader/<jobId> (Flink 1.15-1.18), leader/job-<jobId> (1.19+; Kubernetes keys org.apache.flink.k8s.leader.<jobId> and .job-<jobId> likewise) and legacy 1.15 (jobs/<jobId>/leader; Kubernetes <cluster-id>-*-leader maps). Read-only.

On ZooKeeper a record is alive when its connection_info node is ephemeral (its session lives) and that session also holds the lowest latch node (Curator's LeaderLatch leader). On Kubernetes (--backend kubernetes) haadm reads the ConfigMaps labelled app=<cluster-id>; a record is alive while its map's leader lease (control-plane.alpha.kubernetes.io/leader) is held and renewTime + leaseDuration is in the future; owner is the lease holder, since its acquireTime. An empty or missing record means no leader; bytes that do not decode are shown as undecodable, with the reason.

JSON (--json): {status, result: {backend, clusterId, root, scannedAt, leaders: [{component, jobId, layout, key, locator, status: leader|no-leader|undecodable, address, sessionId, owner, since, alive, evidence, latch: {key, contenders, leaderOwner}, lease: {configMap, holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaderTransitions, ageSeconds, expiresAt, valid, problem} | null, problem}], latches: [{key, locator, contenders: [{node, sequence, owner, since}]}], leases: [...]}, warnings}

Columns (--columns): ${LEADER_COLUMNS.join(', ')}; -o name prints the component, or the job id of a job master.

${OUTPUT_HELP}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'Leaders of the cluster a Flink configuration points at:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf'},
    {description: 'A given quorum and cluster id:', command: '<%= config.bin %> <%= command.id %> --zk-quorum zk1:2181,zk2:2181 --cluster-id /my-app'},
    {description: 'On Kubernetes:', command: '<%= config.bin %> <%= command.id %> --backend kubernetes --cluster-id my-flink -n flink'},
    {description: 'Job masters that are not alive, for a script:', command: "<%= config.bin %> <%= command.id %> --json | jq '.result.leaders[] | select(.jobId and (.alive | not))'"},
  ]

  static override flags = {...targetFlags, ...outputFlags}
  static override columns = LEADER_COLUMNS

  async run(): Promise<LeadersReport> {
    const {flags} = await this.parse(Leaders)
    const report = await readLeaders(this.resolve(flags))
    for (const r of report.leaders) if (r.problem) this.warnings.push(`${r.key}: ${r.problem}`)
    this.show(() => renderLeaders(report), leadersView(report))
    return report
  }
}
