import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import {type TargetReport, targetReport} from '../src/ops/target-report.js'
import {OUTPUT_HELP, outputFlags} from '../src/render/output.js'
import {type Column, renderView, type View} from '../src/render/table.js'

type Setting = TargetReport['settings'][number]

const TARGET_COLUMNS: Column<Setting>[] = [
  {id: 'setting', head: 'SETTING', cell: (s) => s.setting},
  {id: 'value', head: 'VALUE', cell: (s) => (s.value === null ? '-' : String(s.value)), shrink: 2},
  {id: 'from', head: 'FROM', cell: (s) => s.from, shrink: 1, keep: 'end'},
]

export default class TargetCommand extends HaadmCommand {
  static override summary = 'Show the resolved target and where each value came from.'

  static override description = `Resolves the target the way every other command does (flags, then HAADM_* environment variables, then the Flink configuration file, then Flink's defaults) and prints each value with its origin: the flag, the variable, the configuration file and line, or the default. Connects to nothing. Credentials are masked.

JSON (--json): {status, result: {backend, clusterId, flinkConf: {file, format} | null, zookeeperPath, settings: [{setting, value, source, from}], notes}, warnings}

Columns (--columns): ${TARGET_COLUMNS.map((c) => c.id).join(', ')}; -o name prints the setting names.

${OUTPUT_HELP}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'What haadm would use with a Flink configuration directory:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf'},
    {description: 'Check an override from the environment:', command: 'HAADM_CLUSTER_ID=/other <%= config.bin %> <%= command.id %> --flink-conf conf/flink-conf.yaml'},
  ]

  static override flags = {...targetFlags, ...outputFlags}
  static override columns = TARGET_COLUMNS.map((c) => c.id)

  async run(): Promise<TargetReport> {
    const {flags} = await this.parse(TargetCommand)
    const report = targetReport(this.resolve(flags, {checkQuorum: false}))
    for (const n of report.notes) this.addWarning(n)
    const view: View<Setting> = {columns: TARGET_COLUMNS, rows: report.settings, name: (s) => s.setting}
    this.show(() => renderView(view.columns, view.rows), view)
    return report
  }
}
