import {Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {ExitCode} from '../src/errors.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import {type ExportResult, exportSnapshot} from '../src/ops/export.js'
import {formatInArgv} from '../src/render/output.js'

export default class Export extends HaadmCommand {
  static override summary = "Write a snapshot of a cluster's HA metadata to a file, for offline inspection."

  static override description = `Captures everything the backend holds for one cluster id (raw bytes, locators and the store's own metadata: ephemeral owner, ctime, mtime and version on ZooKeeper), with a header naming the haadm version, backend, target and time, and the JobResultStore's files when its path is known (--jrs-path, --storage-dir or the Flink configuration) and reachable. Every read command opens the file with --snapshot and shows the same records as on the live store. Take one before you touch a cluster, or attach one to an incident. Read-only on the store.

The file is one JSON document ("format": "haadm-snapshot", "version": 1; documented in README.md), gzip-compressed when the name ends in .gz. It is written under a temporary name and renamed when complete, so a failed export leaves nothing behind; -o - writes to stdout. Reading streams, so memory stays flat however large the cluster.

JSON (--json): {status, result: {file, jobResultFiles, backend, clusterId, root, items, createdAt, consistency: {complete, changedDuringExport: [{key, numChildren, captured}]} | null}, warnings}\n\nZooKeeper: when the tree changes while it is read (a child count that does not match the children captured), the snapshot is written and records it, every command that reads it warns, and export exits 5 naming the nodes.

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'Snapshot a cluster before an upgrade:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf -o before-upgrade.haadm.json.gz'},
    {description: 'Look at it later, anywhere:', command: '<%= config.bin %> leaders --snapshot before-upgrade.haadm.json.gz'},
    {description: 'To stdout:', command: '<%= config.bin %> <%= command.id %> --zk-quorum zk:2181 --cluster-id /app -o - | gzip > app.json.gz'},
  ]

  static override flags = {
    ...targetFlags,
    output: Flags.string({char: 'o', summary: 'File to write (.gz: compressed; - for stdout).', required: true}),
  }

  /** -o - writes the snapshot to stdout: HAADM_OUTPUT must not add a JSON document after it. */
  protected override outputEnvApplies(): boolean {
    return formatInArgv(this.argv) !== '-'
  }

  async run(): Promise<ExportResult> {
    const {flags} = await this.parse(Export)
    const warnings: string[] = []
    const result = await exportSnapshot(this.resolve(flags), flags.output, this.config.version, warnings)
    for (const w of warnings) this.addWarning(w)
    const changed = result.consistency?.changedDuringExport ?? []
    if (changed.length > 0) {
      // The file is written (it says so itself, and every read warns); the run is a partial success.
      process.exitCode = ExitCode.PARTIAL
      const names = changed.slice(0, 5).map((m) => `${m.key === '' ? result.root : `${result.root}/${m.key}`} (numChildren ${m.numChildren}, captured ${m.captured})`)
      this.addWarning(`the tree changed during the export: ${changed.length} node(s) changed children while they were read: ${names.join(', ')}${changed.length > 5 ? ', ...' : ''}; the snapshot records it; export again while nothing writes for a consistent one`)
    }
    if (flags.output !== '-' && !this.jsonEnabled())
      this.log(`wrote ${result.items} items of cluster ${result.clusterId} (${result.backend} ${result.root}) to ${result.file}`)
    else if (flags.output !== '-' || this.jsonEnabled()) process.stderr.write(`wrote ${result.items} items to ${result.file}\n`)
    return result
  }
}
