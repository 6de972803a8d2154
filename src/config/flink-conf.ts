import {readFileSync, statSync} from 'node:fs'
import {createRequire} from 'node:module'
import {basename, join} from 'node:path'
import type {Node} from 'yaml'
import {ExitCode, HaadmError} from '../errors.js'

export interface FlinkConfEntry {
  value: string
  line: number
}

export interface FlinkConf {
  file: string
  /** `legacy`: Flink 1.x flat `flink-conf.yaml`; `yaml`: the standard YAML `config.yaml` of 1.19+ and 2.x. */
  format: 'legacy' | 'yaml'
  entries: Map<string, FlinkConfEntry>
  /** Lines Flink reads, but probably not as their author meant: `<file>:<line>: ...`. */
  warnings: string[]
}

const invalid = (file: string, line: number, why: string, hint?: string) =>
  new HaadmError('CONFIG_INVALID', `${file}:${line}: ${why}`, {
    exit: ExitCode.USAGE,
    hint: hint ?? 'Fix the line, or pass the values as flags instead of --flink-conf.',
  })

/**
 * Reads a Flink configuration the way the JobManager would. A directory is Flink's conf dir; when it
 * holds both files, `config.yaml` is read (Flink 2.x reads nothing else), with a warning, because
 * Flink 1.19 and 1.20 read `flink-conf.yaml` while it exists (GlobalConfiguration.loadConfiguration,
 * checked in release-1.19.3 / 1.20.2 and 2.0.2). The version cannot be told from the directory.
 */
export function loadFlinkConf(path: string): FlinkConf {
  let file = path
  let text: string
  try {
    if (statSync(path).isDirectory()) {
      if (CONF_NAMES.includes(basename(path)))
        throw new HaadmError('CONFIG_INVALID', `${path} is a directory, not a Flink configuration file`, {
          exit: ExitCode.USAGE,
          hint: "Point --flink-conf at Flink's conf directory (the one holding config.yaml or flink-conf.yaml) or at the file itself.",
        })
      const kinds = CONF_NAMES.map((name) => ({file: join(path, name), kind: kindOf(join(path, name))}))
      const notFile = kinds.find((k) => k.kind === 'other')
      const found = kinds.filter((k) => k.kind === 'file')
      if (found.length === 0)
        throw new HaadmError('CONFIG_NOT_FOUND', notFile ? `${notFile.file} is not a regular file (a directory?)` : `no config.yaml or flink-conf.yaml in ${path}`, {
          exit: ExitCode.USAGE,
          hint: "Point --flink-conf at Flink's conf directory or at the file itself.",
        })
      if (found.length > 1)
        pendingWarnings.push(
          `both config.yaml and flink-conf.yaml are in ${path}: haadm reads config.yaml (as Flink 2.x does; Flink 1.19 and 1.20 read flink-conf.yaml while it exists); pass the one the cluster uses with --flink-conf`,
        )
      file = found[0].file
    }
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if (err instanceof HaadmError) throw err
    const e = err as NodeJS.ErrnoException
    throw new HaadmError('CONFIG_NOT_FOUND', `cannot read Flink configuration ${path}: ${e.code ?? e.message}${e.code === 'EISDIR' ? ' (a directory, not a file)' : ''}`, {
      exit: ExitCode.USAGE,
      hint: 'Check the path given to --flink-conf (or HAADM_FLINK_CONF, FLINK_CONF_DIR).',
    })
  }
  const conf = basename(file) === 'flink-conf.yaml' ? parseLegacyFlinkConf(file, text) : parseStandardYaml(file, text)
  pendingWarnings.push(...(conf.warnings ?? []))
  return conf
}

const CONF_NAMES = ['config.yaml', 'flink-conf.yaml']

function kindOf(p: string): 'file' | 'other' | 'none' {
  try {
    return statSync(p).isFile() ? 'file' : 'other'
  } catch {
    return 'none'
  }
}

const pendingWarnings: string[] = []

/** What loading the configuration found worth saying (duplicate keys, two files); each is returned once. */
export function takeConfigWarnings(): string[] {
  return pendingWarnings.splice(0)
}

/** A key set twice: Flink keeps the last value; say so, since the first one is what a reader sees first. */
function noteDuplicate(file: string, warnings: string[], key: string, first: number, again: number): void {
  warnings.push(`${file}: ${key} is set on line ${first} and again on line ${again}; Flink uses the last one (line ${again})`)
}

/**
 * Flink 1.x `GlobalConfiguration.loadYAMLResource`: one `key: value` per line, `#` starts a
 * comment, the first `": "` separates key and value. Flink only logs and skips a line that is not a
 * pair; haadm refuses it, since a mistyped key would silently send it to the wrong cluster.
 */
export function parseLegacyFlinkConf(file: string, text: string): FlinkConf {
  const entries = new Map<string, FlinkConfEntry>()
  const warnings: string[] = []
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, i) => {
    const conf = raw.split('#', 1)[0].trim()
    if (conf.length === 0) return
    const sep = conf.indexOf(': ')
    if (sep < 0) {
      throw invalid(file, i + 1, `not a "key: value" pair: ${JSON.stringify(conf)}`, 'Flink needs a space after the colon.')
    }
    const key = conf.slice(0, sep).trim()
    const value = conf.slice(sep + 2).trim()
    if (key.length === 0 || value.length === 0) {
      throw invalid(file, i + 1, `empty key or value: ${JSON.stringify(conf)}`)
    }
    const before = entries.get(key)
    if (before) noteDuplicate(file, warnings, key, before.line, i + 1)
    // Flink 1.x takes the rest of the line as it stands: an opened quote stays part of the value.
    const quote = value[0]
    if ((quote === '"' || quote === "'") && (value.length === 1 || !value.endsWith(quote)))
      warnings.push(`${file}:${i + 1}: the value of ${key} opens a ${quote === '"' ? 'double' : 'single'} quote it never closes; Flink and haadm use it as it stands, quote included: ${value}`)
    entries.set(key, {value, line: i + 1})
  })
  return {file, format: 'legacy', entries, warnings}
}

/** Flink 1.19+/2.x `config.yaml`: standard YAML, nested maps flattened with `.` (`GlobalConfiguration.flatten`). */
export function parseStandardYaml(file: string, text: string): FlinkConf {
  // Loaded here, not at start-up: most runs read no config.yaml, and the parser costs ~12 ms to load.
  const {isMap, isScalar, isSeq, LineCounter, parseDocument} = createRequire(import.meta.url)('yaml') as typeof import('yaml')
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, uniqueKeys: false, prettyErrors: false})
  if (doc.errors.length > 0) {
    const e = doc.errors[0]
    const line = lineCounter.linePos(e.pos[0]).line
    throw invalid(file, line, `not valid YAML: ${e.message.split('\n')[0]}`)
  }
  const entries = new Map<string, FlinkConfEntry>()
  const warnings: string[] = []
  const set = (key: string, entry: FlinkConfEntry) => {
    const before = entries.get(key)
    if (before) noteDuplicate(file, warnings, key, before.line, entry.line)
    entries.set(key, entry)
  }
  const lineOf = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : 0)
  const walk = (node: unknown, prefix: string) => {
    if (!isMap(node)) return
    for (const pair of node.items) {
      const keyNode = pair.key as Node
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode)
      const full = prefix ? `${prefix}.${key}` : key
      const val = pair.value as Node | null
      if (isMap(val)) walk(val, full)
      else if (isSeq(val)) set(full, {value: JSON.stringify(val.toJSON()), line: lineOf(keyNode)})
      else if (isScalar(val) && val.value !== null) set(full, {value: String(val.value), line: lineOf(keyNode)})
    }
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw invalid(file, lineOf(doc.contents as Node), 'the top level must be a map of configuration keys')
  }
  walk(doc.contents, '')
  return {file, format: 'yaml', entries, warnings}
}
