import {Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import type {LeadersReport} from '../src/ops/leaders.js'
import {type LeaderChange, type LeaderState, watchLeaders} from '../src/ops/leaders-watch.js'
import {readLeaders} from '../src/ops/scan.js'
import {LEADER_COLUMNS, leadersView, renderLeaders} from '../src/render/leaders.js'
import {OUTPUT_HELP, outputFlags} from '../src/render/output.js'

export default class Leaders extends HaadmCommand {
  static override summary = 'Show the current leader of each Flink component and job, and whether it is alive.'

  static override description = `For the dispatcher, the resource manager, the REST endpoint and every job master: the leader's address, its leader session id, the ZooKeeper session that owns the record, since when, and whether that session is alive and holds the leader latch. Knows every layout: leader/<jobId> (Flink 1.15-1.18), leader/job-<jobId> (1.19+; Kubernetes keys org.apache.flink.k8s.leader.<jobId> and .job-<jobId> likewise) and legacy 1.15 (jobs/<jobId>/leader; Kubernetes <cluster-id>-*-leader maps). Read-only.

On ZooKeeper a record is alive when its connection_info node is ephemeral (its session lives) and that session also holds the lowest latch node (Curator's LeaderLatch leader). On Kubernetes (--backend kubernetes) haadm reads the ConfigMaps labelled app=<cluster-id>; a record is alive while its map's leader lease (control-plane.alpha.kubernetes.io/leader) is held and renewTime + leaseDuration is in the future; owner is the lease holder, since its acquireTime. An empty or missing record means no leader; bytes that do not decode are shown as undecodable, with the reason.

--watch follows leadership live: the leaders as above, then one line per change (time, component, old → new leader with its session and owner: ZooKeeper session or lease holder), until Ctrl-C or --timeout (exit 0). ZooKeeper: watches on the connection_info nodes and the latches; Kubernetes: a watch on the cluster's ConfigMaps from the list's resourceVersion, resumed after a dropped connection. A change of liveness the store does not write down (a Kubernetes lease running out without a write) shows with the next write. With --json, JSON lines: {"event": "leaders", "result": <as below>} first, then {"event": "change", time, component, jobId, from, to} with from/to {status, address, sessionId, owner, alive} or null. --watch on a snapshot is a usage error (exit 2).

JSON (--json): {status, result: {backend, clusterId, root, scannedAt, leaders: [{component, jobId, layout, key, locator, status: leader|no-leader|undecodable, address, sessionId, owner, since, alive, evidence, latch: {key, contenders, leaderOwner}, lease: {configMap, holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaderTransitions, ageSeconds, expiresAt, valid, problem} | null, problem}], latches: [{key, locator, contenders: [{node, sequence, owner, since}]}], leases: [...]}, warnings}

Columns (--columns): ${LEADER_COLUMNS.join(', ')}; -o name prints the component, or the job id of a job master.

${OUTPUT_HELP}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'Leaders of the cluster a Flink configuration points at:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf'},
    {description: 'A given quorum and cluster id:', command: '<%= config.bin %> <%= command.id %> --zk-quorum zk1:2181,zk2:2181 --cluster-id /my-app'},
    {description: 'On Kubernetes:', command: '<%= config.bin %> <%= command.id %> --backend kubernetes --cluster-id my-flink -n flink'},
    {description: 'Follow a failover as it happens (Ctrl-C to stop):', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf --watch'},
    {description: 'Job masters that are not alive, for a script:', command: "<%= config.bin %> <%= command.id %> --json | jq '.result.leaders[] | select(.jobId and (.alive | not))'"},
  ]

  static override flags = {
    ...targetFlags,
    ...outputFlags,
    watch: Flags.boolean({summary: 'Keep running and print one line per leadership change (JSON lines with --json), until Ctrl-C or --timeout.'}),
  }
  static override columns = LEADER_COLUMNS

  /** Set while --watch prints its own lines: oclif's closing JSON document is left out. */
  private streaming = false

  protected override logJson(json: unknown): void {
    if (!this.streaming) super.logJson(json)
    // an error ends the stream as its last line
    else if ((json as {error?: unknown}).error) process.stdout.write(`${JSON.stringify({event: 'error', ...(json as object)})}\n`)
  }

  async run(): Promise<LeadersReport | undefined> {
    const {flags} = await this.parse(Leaders)
    if (flags.watch) return this.watch(flags)
    const target = this.resolve(flags)
    const report = await readLeaders(target)
    for (const r of report.leaders) if (r.problem) this.warnings.push(`${r.key}: ${r.problem}`)
    const asOf = target.snapshot ? report.scannedAt : undefined
    this.show(() => renderLeaders(report, {asOf}), leadersView(report))
    return report
  }

  private async watch(flags: Parameters<HaadmCommand['resolve']>[0]): Promise<undefined> {
    const target = this.resolve(flags)
    const json = this.jsonEnabled()
    const stop = new AbortController()
    const onSignal = () => stop.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    try {
      await watchLeaders(target, {
        signal: stop.signal,
        onReport: (report) => {
          this.streaming = true
          if (json) process.stdout.write(`${JSON.stringify({event: 'leaders', result: report})}\n`)
          else {
            this.log(renderLeaders(report))
            process.stderr.write('watching for leadership changes (Ctrl-C to stop)\n')
          }
        },
        onChange: (c) => process.stdout.write(json ? `${JSON.stringify({event: 'change', ...c})}\n` : `${changeLine(c)}\n`),
      })
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
    return undefined
  }
}

/** `2026-01-01T00:00:00.000Z dispatcher: <address> (session …, owner …) → <address> (…)` */
export function changeLine(c: LeaderChange): string {
  const who = c.jobId ? `job ${c.jobId}` : c.component
  const side = (s: LeaderState | null) => {
    if (!s) return 'no record'
    if (s.status !== 'leader') return s.status === 'undecodable' ? 'undecodable record' : 'no leader'
    return `${s.address} (session ${s.sessionId ?? '-'}, owner ${s.owner ?? '-'}${s.alive ? '' : ', not alive'})`
  }
  return `${c.time} ${who}: ${side(c.from)} → ${side(c.to)}`
}
