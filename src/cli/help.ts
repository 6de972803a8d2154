import {CommandHelp, Help} from '@oclif/core'

type Render = (input: string) => string

/** oclif's text templating (ejs) only for text that has a template tag; plain text as it is. */
function plainUnlessTemplate(render: Render): Render {
  return (input: string) => (input.includes('<%') ? render(input) : input)
}

class HaadmCommandHelp extends CommandHelp {
  constructor(...args: ConstructorParameters<typeof CommandHelp>) {
    super(...args)
    this.render = plainUnlessTemplate(this.render)
  }
}

/**
 * oclif's help, unchanged in what it prints. It passes every line of text through ejs, whose compiler
 * costs ~10 ms on the first call; the root help (`haadm --help`) has no template tag, so it skips it.
 */
export default class HaadmHelp extends Help {
  override CommandHelpClass = HaadmCommandHelp

  constructor(...args: ConstructorParameters<typeof Help>) {
    super(...args)
    this.render = plainUnlessTemplate(this.render)
  }
}
