import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'

export interface VersionResult {
  name: string
  version: string
  node: string
  platform: string
  arch: string
}

export default class Version extends HaadmCommand {
  static override summary = 'Print the version of haadm, Node.js and the platform (as --version does).'

  static override description = `The same line as '<%= config.bin %> --version' (and -v): haadm/<version> <platform>-<arch> node-<version>.

JSON (--json): {status, result: {name, version, node, platform, arch}, warnings}

${exitCodesSection}`

  static override examples = [
    {description: 'The version line:', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'For a script:', command: "<%= config.bin %> <%= command.id %> --json | jq -r .result.version"},
  ]

  async run(): Promise<VersionResult> {
    await this.parse(Version)
    const result = {name: this.config.name, version: this.config.version, node: process.version, platform: process.platform, arch: process.arch}
    this.log(this.config.userAgent.replace(/^haadm\/\S+/, `${this.config.bin}/${this.config.version}`))
    return result
  }
}
