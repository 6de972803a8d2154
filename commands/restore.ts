import {Args, Flags} from '@oclif/core'
import {HaadmCommand, exitCodesSection} from '../src/cli/base-command.js'
import {targetFlags} from '../src/cli/flags.js'
import {ExitCode} from '../src/errors.js'
import {applyRestore, planRestore, type RestoreOutcome, restoreExit} from '../src/ops/restore.js'
import {loadSnapshot} from '../src/snapshot/io.js'
import {openStorage} from '../src/storage/index.js'

export interface RestoreResult {
  file: string
  dryRun: boolean
  command: string | null
  createdAt: string
  items: RestoreOutcome[]
  summary: {restored: number; present: number; conflict: number; failed: number; wouldRestore: number}
  /** Znodes / ConfigMaps the backup holds, which restore does not write back. */
  metadataNotRestored: number
}

export default class Restore extends HaadmCommand {
  static override summary = 'Put back the files a --backup saved: JobResultStore entries and HA storage files.'

  static override description = `Reads a file written by cleanup --backup, jobs purge --backup or jobs mark-clean --backup (or an export) and writes back the JobResultStore entries (into the directory they came from, or --jrs-path) and the storage files (HA blobs, execution plan and checkpoint files, the Operator's old JobResultStore directories: where they were, or below --storage-dir instead of the storageDir the backup recorded).

Never overwrites: a file that is already there with the same bytes counts as present (so running it twice is safe), one with other bytes is a conflict and is left alone (exit 5). --dry-run lists what would be written. Znodes and ConfigMaps in the backup are not written back (they are Flink's live coordination state: a stopped cluster's leader or lock records would mislead the next one); read them with 'haadm leaders|plans|checkpoints --snapshot FILE'.

S3 locations use the S3 settings of the Flink configuration (--flink-conf) or the --s3-* flags.

JSON (--json): {status, result: {file, dryRun, command, createdAt, items: [{kind: job-result|storage-file, uri, from, size, status: restored|would-restore|present|conflict|failed, error}], summary: {restored, present, conflict, failed, wouldRestore}, metadataNotRestored}, warnings}

${exitCodesSection}`

  static override examples = [
    {description: 'What a purge backup would put back:', command: '<%= config.bin %> <%= command.id %> jrs-backup.json --dry-run'},
    {description: 'Put back the JobResultStore entries and HA blobs a cleanup removed:', command: '<%= config.bin %> <%= command.id %> ci-1234.haadm.json.gz'},
    {description: 'Into another storage directory:', command: '<%= config.bin %> <%= command.id %> app.backup.json --storage-dir s3://flink/ha-restored --jrs-path s3://flink/ha-restored/job-result-store/app'},
  ]

  static override args = {
    file: Args.string({description: 'The backup file (a haadm snapshot; .gz read as gzip).', required: true, ignoreStdin: true}),
  }

  static override flags = {
    'dry-run': Flags.boolean({summary: 'List what would be written; write nothing.', helpGroup: 'SAFETY'}),
    'jrs-path': Flags.string({summary: 'Put JobResultStore entries in this directory instead of the recorded one.'}),
    'storage-dir': Flags.string({summary: "Put storage files below this directory instead of the backup's recorded storageDir."}),
    'flink-conf': targetFlags['flink-conf'],
    's3-endpoint': targetFlags['s3-endpoint'],
    's3-path-style': targetFlags['s3-path-style'],
    's3-region': targetFlags['s3-region'],
  }

  async run(): Promise<RestoreResult> {
    const {args, flags} = await this.parse(Restore)
    const doc = loadSnapshot(args.file, 'Check the FILE argument: the backup or snapshot to restore.')
    const items = planRestore(doc, {jrsPath: flags['jrs-path'], storageDir: flags['storage-dir']})
    const target = this.resolve({'flink-conf': flags['flink-conf'], 's3-endpoint': flags['s3-endpoint'], 's3-path-style': flags['s3-path-style'], 's3-region': flags['s3-region']})
    const outcomes = await applyRestore(items, (uri) => openStorage(uri, {s3: target.s3}), flags['dry-run'])
    const count = (s: RestoreOutcome['status']) => outcomes.filter((o) => o.status === s).length
    const result: RestoreResult = {
      file: args.file,
      dryRun: flags['dry-run'],
      command: doc.command ?? null,
      createdAt: doc.createdAt,
      items: outcomes,
      summary: {restored: count('restored'), present: count('present'), conflict: count('conflict'), failed: count('failed'), wouldRestore: count('would-restore')},
      metadataNotRestored: doc.items.length,
    }
    if (doc.items.length > 0)
      this.addWarning(`${doc.items.length} znodes / ConfigMaps in the backup are not written back; read them with --snapshot ${args.file}`)
    for (const o of outcomes) if (o.error) this.addWarning(o.error)
    const exit = restoreExit(outcomes)
    if (exit !== ExitCode.OK) process.exitCode = exit
    if (!this.jsonEnabled()) {
      for (const o of outcomes) this.log(`${o.status.padEnd(13)} ${o.kind === 'job-result' ? 'entry' : 'file '} ${o.uri}${o.uri !== o.from ? ` (from ${o.from})` : ''}`)
      const s = result.summary
      this.log(
        outcomes.length === 0
          ? 'the backup holds no files to put back'
          : result.dryRun
            ? `would restore ${s.wouldRestore}, already present ${s.present}, conflicts ${s.conflict}, failed ${s.failed}`
            : `restored ${s.restored}, already present ${s.present}, conflicts ${s.conflict} (not overwritten), failed ${s.failed}`,
      )
    }
    return result
  }
}
