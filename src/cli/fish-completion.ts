/**
 * A fish completion script from the command metadata (oclif's manifest): commands and topics with
 * their summaries, each command's flags with theirs, and the values of flags that have a fixed set.
 * (@oclif/plugin-autocomplete 3 writes bash, zsh and PowerShell only.)
 */
export interface FishCommand {
  id: string
  summary?: string
  hidden?: boolean
  flags: Record<string, {name: string; char?: string; type: 'boolean' | 'option'; summary?: string; description?: string; options?: readonly string[]; helpValue?: string | string[]; hidden?: boolean; allowNo?: boolean}>
}

export interface FishTopic {
  name: string
  description?: string
  hidden?: boolean
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
const oneLine = (s: string | undefined, bin = '') => (s ?? '').split('\n')[0].replace(/\.$/, '').replaceAll('<%= config.bin %>', bin)

export function fishCompletion(bin: string, commands: FishCommand[], topics: FishTopic[]): string {
  const fn = `__${bin.replace(/\W/g, '_')}_command`
  const is = (cmd: string) => quote(`${fn.replace(/_command$/, '_is')} ${quote(cmd)}`)
  const out: string[] = [
    `# fish completion for ${bin}. Install: ${bin} autocomplete fish > ~/.config/fish/completions/${bin}.fish`,
    `# The words typed after ${bin}, up to the first flag: the command being completed.`,
    `function ${fn}`,
    '    set -l words (commandline -opc)',
    '    set -e words[1]',
    '    set -l cmd',
    '    for w in $words',
    "        string match -q -- '-*' $w; and break",
    '        set -a cmd $w',
    '    end',
    '    string join " " $cmd',
    'end',
    `function ${fn.replace(/_command$/, '_is')}`,
    `    set -l cmd (${fn})`,
    '    test "$cmd" = "$argv"',
    'end',
    `complete -c ${bin} -f`,
  ]
  const visible = commands.filter((c) => !c.hidden)
  const words = (id: string) => id.split(':')
  // Children of each level: "" (top level) -> leaders, jobs, ...; "jobs" -> results, purge, mark-clean.
  const children = new Map<string, Map<string, string>>()
  const add = (parent: string, word: string, summary: string, own: boolean) => {
    if (!children.has(parent)) children.set(parent, new Map())
    const m = children.get(parent)!
    if (!m.has(word) || (summary && !m.get(word)) || own) m.set(word, summary)
  }
  const topicSummary = new Map(topics.filter((t) => !t.hidden).map((t) => [t.name, oneLine(t.description)]))
  for (const c of visible) {
    const w = words(c.id)
    for (let i = 0; i < w.length; i++) {
      const parent = w.slice(0, i).join(' ')
      const id = w.slice(0, i + 1).join(':')
      add(parent, w[i], i === w.length - 1 ? oneLine(c.summary, bin) : (topicSummary.get(id) ?? ''), i === w.length - 1)
    }
  }
  for (const [parent, words] of [...children].sort(([a], [b]) => a.localeCompare(b)))
    for (const [word, summary] of [...words].sort(([a], [b]) => a.localeCompare(b)))
      out.push(`complete -c ${bin} -n ${is(parent)} -a ${quote(word)}${summary ? ` -d ${quote(summary)}` : ''}`)
  for (const c of [...visible].sort((a, b) => a.id.localeCompare(b.id))) {
    const cond = `-n ${is(words(c.id).join(' '))}`
    for (const f of Object.values(c.flags).sort((a, b) => a.name.localeCompare(b.name))) {
      if (f.hidden) continue
      const parts = [`complete -c ${bin}`, cond, `-l ${f.name}`]
      if (f.char) parts.push(`-s ${f.char}`)
      // A fixed set of values: the flag's options, or a helpValue such as table|wide|json (-o).
      const values = f.options ?? (typeof f.helpValue === 'string' && /^[\w-]+(\|[\w-]+)+$/.test(f.helpValue) ? f.helpValue.split('|') : undefined)
      if (f.type === 'option') parts.push(values ? `-x -a ${quote(values.join(' '))}` : '-r')
      const summary = oneLine(f.summary ?? f.description)
      if (summary) parts.push(`-d ${quote(summary)}`)
      out.push(parts.join(' '))
      if (f.type === 'boolean' && f.allowNo) out.push(`complete -c ${bin} ${cond} -l no-${f.name}`)
    }
  }
  return `${out.join('\n')}\n`
}
