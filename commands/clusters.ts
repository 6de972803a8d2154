import {Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {fleetFlags} from '../src/cli/fleet-flags.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import {type ClustersResult, listClusters, nothingFound, parseOlderThan} from '../src/ops/clusters.js'
import {renderClusters} from '../src/render/clusters.js'
import {progressWriter} from '../src/render/progress.js'
import {usageError} from '../src/errors.js'

export default class Clusters extends HaadmCommand {
  static override summary = 'List every Flink cluster under the ZooKeeper root or in the Kubernetes namespace, alive or dead.'

  static override description = `ZooKeeper: every node under the root (--zk-root, default /flink) that holds Flink's HA children (leader, jobs, jobgraphs, execution-plans) is a cluster; cluster ids may contain "/" (/team/app), so nodes that are not clusters are looked below, 4 levels deep at most. Kubernetes: the HA ConfigMaps of the namespace (-n) or of every namespace (-A), grouped by their app label and Flink's map names; autoscaler maps and maps owned by a Deployment are not HA data.

For each cluster: its id, alive or dead by the rules cleanup refuses on (a leader record or latch node or lock owned by a live ZooKeeper session; a Kubernetes leader lease within its duration), jobs with execution plans, retained checkpoints, items, bytes, the last change (newest znode mtime; newest lease renewal or map creation) and, when the storageDir is known (--storage-dir, high-availability.storageDir), the dirty JobResultStore entries in <storageDir>/job-result-store/<cluster-id>. One pipelined scan reads children and stats; only leader records' bytes are read. Read-only.

Filters: --dead, --alive, --older-than DURATION (last change), --match GLOB. None selected is exit 0 with a sentence saying so (--strict: exit 3). A missing root or namespace is exit 3.

JSON (--json): {status, result: {backend, root, scannedAt, found, filters: {state, olderThan, match}, clusters: [{clusterId, namespace, root, alive, evidence, jobs, checkpoints, items, bytes, lastChange, idleSeconds, dirtyJobResults}], notLookedInto}, warnings}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'Every cluster under /flink:', command: '<%= config.bin %> <%= command.id %> --zk-quorum zk:2181'},
    {description: 'CI leftovers: dead for a day, by name:', command: "<%= config.bin %> <%= command.id %> --zk-quorum zk:2181 --dead --older-than 1d --match 'flink-container-*'"},
    {description: 'Every namespace on Kubernetes:', command: '<%= config.bin %> <%= command.id %> --backend kubernetes -A'},
  ]

  static override flags = {
    ...targetFlags,
    ...fleetFlags,
    dead: Flags.boolean({summary: 'Only dead clusters.', helpGroup: 'SELECTION', exclusive: ['alive']}),
    alive: Flags.boolean({summary: 'Only live clusters.', helpGroup: 'SELECTION', exclusive: ['dead']}),
    strict: Flags.boolean({summary: 'Exit 3 when no cluster is selected (default: say so, exit 0).', helpGroup: 'SELECTION'}),
  }

  async run(): Promise<ClustersResult> {
    const {flags} = await this.parse(Clusters)
    if (flags['cluster-id']) throw usageError('clusters lists every cluster: --cluster-id names one', "Drop --cluster-id; --match selects ids by a glob.")
    const olderThan = parseOlderThan(flags['older-than'])
    const onTerminal = !this.jsonEnabled() && process.stderr.isTTY && !process.env.CI
    const scanning = onTerminal ? progressWriter(process.stderr, {label: 'scanning'}) : undefined
    const warnings: string[] = []
    let result: ClustersResult
    try {
      result = await listClusters(
        this.resolve(flags, {anyCluster: true}),
        {
          filters: {state: flags.dead ? 'dead' : flags.alive ? 'alive' : undefined, olderThan, match: flags.match},
          allNamespaces: flags['all-namespaces'],
          strict: flags.strict,
          progress: scanning ? (n) => scanning.update(n) : undefined,
        },
        warnings,
      )
    } finally {
      scanning?.done()
    }
    for (const w of warnings) this.addWarning(w)
    if (result.clusters.length === 0 && this.jsonEnabled()) this.warnings.push(nothingFound(result))
    if (!this.jsonEnabled()) this.log(renderClusters(result))
    return result
  }
}
