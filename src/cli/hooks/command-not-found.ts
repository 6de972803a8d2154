import type {Hook} from '@oclif/core'
import {Errors} from '@oclif/core'
import {ExitCode, HaadmError} from '../../errors.js'
import {formatInEnv} from '../../render/output.js'
import {loadYaml} from '../../config/yaml.js'

/**
 * An unknown command or topic: one line, a did-you-mean hint, exit 2 (a usage error), and the
 * --json envelope when --json (or HAADM_OUTPUT=json|yaml) is given, like every other error.
 * (@oclif/plugin-not-found only suggests through an interactive prompt, prints oclif's own
 * "› Error" otherwise, exits 127 and has no JSON form.)
 */
const hook: Hook.CommandNotFound = async function (opts) {
  const config = opts.config
  const sep = config.topicSeparator
  const typed = opts.id.split(':').join(sep)
  const visible = config.commands.filter((c) => !c.hidden).map((c) => c.id)
  const candidates = [...new Set([...visible, ...config.topics.filter((t) => !t.hidden).map((t) => t.name)])]
  const suggestion = closest(opts.id, candidates)
  const words = (id: string) => id.split(':').join(sep)
  const topic = config.findTopic(opts.id.split(':')[0])
  const hint = suggestion
    ? `Did you mean "${config.bin} ${words(suggestion)}"? "${config.bin} help${topic ? ` ${words(topic.name)}` : ''}" lists the commands.`
    : `"${config.bin} help" lists the commands.`
  const err = new HaadmError('USAGE', `"${typed}" is not a ${config.bin} command`, {
    exit: ExitCode.USAGE,
    hint,
    details: {command: typed, suggestion: suggestion ? words(suggestion) : null},
  })
  const argv = opts.argv ?? []
  const env = formatInEnv(process.env)
  if (argv.includes('--json') || env === 'json' || env === 'yaml') {
    const doc = {status: err.exit, error: {code: err.code, message: err.message, hint: err.hint, details: err.details}}
    process.stdout.write(env === 'yaml' && !argv.includes('--json') ? (await loadYaml()).stringify(doc) : `${JSON.stringify(doc, null, 2)}\n`)
  } else process.stderr.write(`error: ${err.message}\nhint: ${err.hint}\n`)
  throw new Errors.ExitError(err.exit)
}

export default hook

/** The nearest id by edit distance (transpositions count one), if near enough to be a plausible typo. */
export function closest(typed: string, ids: string[]): string | undefined {
  // A prefix of one command ("lead", "check") means that command.
  const prefixed = ids.filter((id) => typed.length >= 3 && id.startsWith(typed))
  if (prefixed.length === 1) return prefixed[0]
  let best: string | undefined
  let bestDistance = Infinity
  for (const id of ids) {
    const d = distance(typed, id)
    if (d < bestDistance) {
      best = id
      bestDistance = d
    }
  }
  if (best === undefined) return undefined
  return bestDistance <= Math.max(2, Math.floor(typed.length / 3)) ? best : undefined
}

/** Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a substring). */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => [i, ...new Array<number>(b.length).fill(0)])
  for (let j = 0; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  return d[a.length][b.length]
}
