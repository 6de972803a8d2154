import {Command, Errors, Interfaces} from '@oclif/core'
import type {Input, ParserOutput} from '@oclif/core/interfaces'
import {resolveTarget, type TargetFlags} from '../config/resolve.js'
import {onDeadlineOverrun, OVERRUN_MS, setRunTimeout, timeoutText} from '../deadline.js'
import {describeSource, type Target} from '../config/target.js'
import {takeConfigWarnings} from '../config/flink-conf.js'
import {checkQuorum} from '../config/quorum.js'
import {EXIT_CODES_HELP, ExitCode, HaadmError} from '../errors.js'
import {configureColour} from '../render/colour.js'
import {writeJson} from '../render/json-stream.js'
import {loadSnapshot, snapshotDefaults, snapshotInconsistency} from '../snapshot/io.js'
import {formatInArgv, formatInEnv, type OutputFormat, outputFlags, parseColumns, resolveFormat, terminalWidth} from '../render/output.js'
import {renderView, setTableOptions, tableOptions, type View} from '../render/table.js'
import {loadYaml} from '../config/yaml.js'

// oclif's parser output constraints (not exported by @oclif/core/interfaces).
type FlagOutput = {[name: string]: any}
type ArgOutput = {[name: string]: any}

/** The --json envelope: the scripting contract of every command. */
export interface JsonSuccess<T> {
  /** The exit code: 0, or 4 / 5 when a result comes with a refusal (dry run) or a partial failure. */
  status: number
  result: T
  warnings: string[]
}

export interface JsonFailure {
  status: number
  error: {code: string; message: string; hint?: string; details?: Record<string, unknown>}
}

export const exitCodesSection = `EXIT CODES\n${EXIT_CODES_HELP.replace(/^/gm, '  ')}`

/** Shared behaviour: colour, output format, target resolution, errors as one line plus hint (or JSON), exit codes. */
export abstract class HaadmCommand extends Command {
  static override enableJsonFlag = true
  /** The names --columns accepts: the ids of the command's main table. */
  static columns: string[] = []
  protected warnings: string[] = []
  /** -o, HAADM_OUTPUT or --json, once parsed. */
  protected format: OutputFormat = 'table'
  private yaml?: typeof import('yaml')

  protected override async init(): Promise<void> {
    await super.init()
    configureColour()
    if (this.requestedFormat() === 'yaml' && !this.argv.includes('--json')) this.yaml = await loadYaml()
  }

  /** Whether the command takes the read commands' -o/--columns/--no-headers. */
  private hasOutputFlags(): boolean {
    return (this.ctor as typeof HaadmCommand).flags?.output === outputFlags.output
  }

  /**
   * Whether HAADM_OUTPUT applies: on every command, except where stdout carries data (export -o -).
   */
  protected outputEnvApplies(): boolean {
    return true
  }

  /** The format asked for before parsing (oclif asks jsonEnabled() before and after): -o, then HAADM_OUTPUT. */
  private requestedFormat(): string | undefined {
    if (this.hasOutputFlags()) {
      const f = formatInArgv(this.argv)
      if (f !== undefined) return f
    }
    return this.outputEnvApplies() ? formatInEnv(process.env) : undefined
  }

  /** --json, -o json|yaml, or HAADM_OUTPUT=json|yaml: print the JSON (or YAML) document. */
  override jsonEnabled(): boolean {
    if (super.jsonEnabled()) return true
    if (!(this.ctor as typeof HaadmCommand)?.enableJsonFlag) return false
    const f = this.requestedFormat()
    return f === 'json' || f === 'yaml'
  }

  /** Parses, then settles the output format and the table options once, for every command alike. */
  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput>(options?: Input<F, B, A>, argv?: string[]): Promise<ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    const flags = parsed.flags as Record<string, unknown>
    const env = this.outputEnvApplies() ? process.env : {}
    if (this.hasOutputFlags()) {
      this.format = resolveFormat(flags.output as string | undefined, env, Boolean(flags.json))
      const columns = parseColumns(flags.columns as string | undefined, (this.ctor as typeof HaadmCommand).columns)
      setTableOptions({columns, headers: !flags['no-headers'], wide: this.format === 'wide', width: terminalWidth(process.stdout, process.env)})
    } else {
      if (this.jsonEnabled()) this.format = this.requestedFormat() === 'yaml' ? 'yaml' : 'json'
      setTableOptions({headers: true, wide: false, width: terminalWidth(process.stdout, process.env)})
    }
    return parsed
  }

  /**
   * Prints a read command's result in the chosen format: nothing here for json/yaml (oclif prints the
   * returned document), one identifier a line for -o name, the main table's rows for --no-headers,
   * else the full text.
   */
  protected show<R>(text: () => string, view?: View<R>): void {
    if (this.jsonEnabled()) return
    if (view && this.format === 'name') {
      if (view.rows.length > 0) this.log(view.rows.map(view.name).join('\n'))
      return
    }
    if (view && !tableOptions().headers) {
      if (view.rows.length > 0) this.log(renderView(view.columns, view.rows, tableOptions(), true))
      return
    }
    this.log(text())
  }

  protected resolve(flags: TargetFlags & {timeout?: string}, opts: {anyCluster?: boolean; checkQuorum?: boolean} = {}): Target {
    // The run's deadline starts now: before the kubeconfig (an exec plugin) or any connection.
    if (flags.timeout !== undefined) setRunTimeout(flags.timeout, '--timeout')
    else setRunTimeout(process.env.HAADM_TIMEOUT, 'HAADM_TIMEOUT')
    onDeadlineOverrun((wrote) => {
      // A client without a bound of its own is still waiting: end the run as an error would.
      const e = new HaadmError(
        wrote ? 'PARTIAL_FAILURE' : 'DEADLINE_EXCEEDED',
        `the run's deadline (--timeout ${timeoutText()}) passed ${OVERRUN_MS / 1000} s ago and the store still has not answered${wrote ? ': some items may have been removed' : ''}`,
        {
          exit: wrote ? ExitCode.PARTIAL : ExitCode.UNREACHABLE,
          hint: wrote ? 'Run the same command again (or with --dry-run) to see what remains.' : 'Check that the store is up; a longer --timeout waits longer.',
        },
      )
      process.exitCode = e.exit
      if (this.jsonEnabled()) this.logJson(this.toErrorJson(e))
      else process.stderr.write(`error: ${e.message}\nhint: ${e.hint}\n`)
      process.exit(e.exit)
    })
    // FLINK_CONF_DIR is Flink's own variable for its conf directory (set on every JobManager pod): read
    // after --flink-conf and HAADM_FLINK_CONF.
    const env = {...process.env}
    if (!env.HAADM_FLINK_CONF && env.FLINK_CONF_DIR) env.HAADM_FLINK_CONF = env.FLINK_CONF_DIR
    const target = resolveTarget({flags, env, snapshotDefaults, anyCluster: opts.anyCluster})
    // Quorum syntax is checked before any connection is tried (exit 2 at once, not a connection timeout).
    if (opts.checkQuorum !== false && target.backend.value === 'zookeeper' && target.zookeeper.quorum && !target.snapshot) checkQuorum(target.zookeeper.quorum.value, describeSource(target.zookeeper.quorum.source))
    for (const w of takeConfigWarnings()) this.addWarning(w)
    const file = target.snapshot?.value
    if (file) {
      // Read once per process (cached): a snapshot that records a change during its export says so on every read.
      let why: string | undefined
      try {
        why = snapshotInconsistency(loadSnapshot(file))
      } catch {
        // an unreadable snapshot is reported by the command that reads it
      }
      if (why) this.addWarning(`${file}: ${why}`)
    }
    return target
  }

  protected addWarning(message: string): void {
    this.warnings.push(message)
    if (!this.jsonEnabled()) process.stderr.write(`warning: ${message}\n`)
  }

  /**
   * The --json document, as oclif prints it (2-space indent, no colour without a theme) but without
   * oclif's tokenising colouriser, which costs ~200 ms on a cleanup of 10,000 znodes.
   */
  protected override logJson(json: unknown): void {
    if (this.yaml) process.stdout.write(this.yaml.stringify(json, {aliasDuplicateObjects: false, lineWidth: 0}))
    // Written in chunks (the same text): a document of 100,000 entries never exists as one string.
    else writeJson(json, (text) => process.stdout.write(text))
  }

  protected override toSuccessJson(result: unknown): JsonSuccess<unknown> {
    return {status: typeof process.exitCode === 'number' ? process.exitCode : 0, result, warnings: this.warnings}
  }

  protected override toErrorJson(err: unknown): JsonFailure {
    const e = toHaadmError(err)
    return {status: e.exit, error: {code: e.code, message: e.message, hint: e.hint, details: e.details}}
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<void> {
    // oclif's own exit (help, version) passes through untouched.
    if (err instanceof Errors.ExitError) throw err
    const e = toHaadmError(err)
    process.exitCode = e.exit
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(e))
      return
    }
    process.stderr.write(`error: ${e.message}\n`)
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`)
    if (process.env.DEBUG) process.stderr.write(`${(e.cause as Error)?.stack ?? e.stack}\n`)
  }
}

/** Turns anything thrown into a HaadmError: oclif's parse errors are usage errors (exit 2). */
export function toHaadmError(err: unknown): HaadmError {
  if (err instanceof HaadmError) return err
  if (err instanceof Errors.CLIError || isParseError(err)) {
    // oclif puts what is missing or wrong on the following lines ("Missing 1 required arg:\nfile  The …").
    const message = stripAnsi((err as Error).message)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^See more help with --help$/.test(l) && !/^The following errors? occurred:$/.test(l))
      .join('; ')
      .replace(/:; /g, ': ')
    return new HaadmError('USAGE', message, {exit: ExitCode.USAGE, hint: 'See --help for the flags and examples.'})
  }
  const message = err instanceof Error ? err.message : String(err)
  return new HaadmError('UNEXPECTED', `unexpected error: ${message}`, {
    exit: ExitCode.UNEXPECTED,
    hint: 'Run again with DEBUG=* for details, and report it.',
    cause: err,
  })
}

function isParseError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'parse' in err
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '')

export type InferredFlags<T extends typeof Command> = Interfaces.InferredFlags<T['flags']>
