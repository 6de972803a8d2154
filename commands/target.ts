import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {TARGET_ENV_HELP, targetFlags} from '../src/cli/flags.js'
import {type TargetReport, targetReport} from '../src/ops/target-report.js'
import {renderTable} from '../src/render/table.js'

export default class TargetCommand extends HaadmCommand {
  static override summary = 'Show the resolved target and where each value came from.'

  static override description = `Resolves the target the way every other command does (flags, then HAADM_* environment variables, then the Flink configuration file, then Flink's defaults) and prints each value with its origin: the flag, the variable, the configuration file and line, or the default. Connects to nothing. Credentials are masked.

JSON (--json): {status, result: {backend, clusterId, flinkConf: {file, format} | null, zookeeperPath, settings: [{setting, value, source, from}], notes}, warnings}

${TARGET_ENV_HELP}

${exitCodesSection}`

  static override examples = [
    {description: 'What haadm would use with a Flink configuration directory:', command: '<%= config.bin %> <%= command.id %> --flink-conf /opt/flink/conf'},
    {description: 'Check an override from the environment:', command: 'HAADM_CLUSTER_ID=/other <%= config.bin %> <%= command.id %> --flink-conf conf/flink-conf.yaml'},
  ]

  static override flags = {...targetFlags}

  async run(): Promise<TargetReport> {
    const {flags} = await this.parse(TargetCommand)
    const report = targetReport(this.resolve(flags, {checkQuorum: false}))
    for (const n of report.notes) this.addWarning(n)
    if (!this.jsonEnabled()) {
      this.log(renderTable(['SETTING', 'VALUE', 'FROM'], report.settings.map((s) => [s.setting, s.value === null ? '-' : String(s.value), s.from])))
    }
    return report
  }
}
