import {Flags} from '@oclif/core'
import {pauseDeadline} from '../deadline.js'
import {ExitCode, HaadmError} from '../errors.js'

/** Flags of every command that removes something. */
export const destructiveFlags = {
  'dry-run': Flags.boolean({summary: 'Show what would be removed, remove nothing.', helpGroup: 'SAFETY'}),
  yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation (required when not on a terminal).', helpGroup: 'SAFETY'}),
  backup: Flags.string({
    summary: "Write everything the run removes to this file first (a snapshot that --snapshot reads and 'haadm restore' puts back).",
    helpGroup: 'SAFETY',
  }),
  'backup-overwrite': Flags.boolean({summary: 'Replace the --backup file if it exists (default: refuse, exit 2).', dependsOn: ['backup'], helpGroup: 'SAFETY'}),
}

export interface ConfirmOptions {
  /** What will be removed, in a line or a few: shown before the question. */
  summary: string
  yes: boolean
  /** The answer that counts as yes; default `yes`. Heroku-style: ask for the cluster id on the riskiest actions. */
  expect?: string
  input?: NodeJS.ReadableStream
  output?: NodeJS.WritableStream
  isTTY?: boolean
}

/**
 * Asks on a terminal; without one, requires --yes. Refusal is exit 4 with nothing removed.
 * Callers handle --dry-run before calling this.
 */
export async function confirmRemoval(opts: ConfirmOptions): Promise<void> {
  if (opts.yes) return
  const input = opts.input ?? process.stdin
  const output = opts.output ?? process.stderr
  const tty = opts.isTTY ?? Boolean(process.stdin.isTTY && process.stderr.isTTY)
  if (!tty)
    throw new HaadmError('REFUSED', 'refusing to remove anything without confirmation: not on a terminal and no --yes', {
      exit: ExitCode.REFUSED,
      hint: 'Run with --dry-run to see the plan, then again with --yes.',
    })
  const expect = opts.expect ?? 'yes'
  // Loaded only to ask: most runs (--yes, --dry-run, CI) never prompt.
  const {createInterface} = await import('node:readline/promises')
  const rl = createInterface({input, output})
  // Waiting for the user is not the network's time: the run's deadline stops meanwhile.
  const resume = pauseDeadline()
  try {
    output.write(`${opts.summary}\n`)
    const answer = (await rl.question(`Type "${expect}" to continue: `)).trim()
    if (answer !== expect)
      throw new HaadmError('REFUSED', 'not confirmed: nothing was removed', {exit: ExitCode.REFUSED})
  } finally {
    resume()
    rl.close()
  }
}
