import {Command} from '@oclif/core'
import {fishCompletion, type FishCommand} from '../../src/cli/fish-completion.js'

export default class AutocompleteFish extends Command {
  static override summary = 'Print the fish completion script (bash, zsh and PowerShell: haadm autocomplete SHELL).'

  static override description = `Writes a fish completion script for every command, topic and flag to stdout. Install it where fish looks for completions:

  <%= config.bin %> autocomplete fish > ~/.config/fish/completions/<%= config.bin %>.fish

Regenerate it after upgrading haadm.`

  static override examples = [{description: 'Install for the current user:', command: '<%= config.bin %> <%= command.id %> > ~/.config/fish/completions/<%= config.bin %>.fish'}]

  async run(): Promise<void> {
    await this.parse(AutocompleteFish)
    const commands = this.config.commands.map((c) => ({id: c.id, summary: c.summary ?? c.description, hidden: c.hidden, flags: c.flags as FishCommand['flags']}))
    process.stdout.write(fishCompletion(this.config.bin, commands, this.config.topics))
  }
}
