/**
 * The --backup file of every command that removes something (cleanup, jobs purge, jobs mark-clean):
 * one format, the snapshot's (src/snapshot/format.ts) with `"purpose": "backup"`. It holds exactly
 * what the run removes: the znodes / ConfigMaps as `items`, JobResultStore entries as `jobResults`
 * (relative to the JobResultStore directory), and every other file (HA blobs, state-handle files,
 * Operator directories' files) as `storageFiles` with its full location. Every read command opens it
 * with --snapshot; `haadm restore FILE` puts the files back.
 *
 * Never lost: an existing file is refused (exit 2, before anything is removed) unless --backup-overwrite,
 * and the refusal says what the existing backup holds and how big this run's would be; the file is
 * written to a temporary name, fsynced, linked into place and its directory fsynced before the first
 * removal; temporary files a killed run left beside it are removed and named in a warning.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {whereabouts} from '../backends/index.js'
import type {RawItem} from '../backends/types.js'
import type {Target} from '../config/target.js'
import {ExitCode, HaadmError} from '../errors.js'
import {openStorage, type Storage} from '../storage/index.js'
import type {SnapshotFiles} from '../storage/snapshot.js'
import type {SnapshotHeader, SnapshotStorageFile} from './format.js'
import {writeSnapshot} from './io.js'
import {classifyOutput, cleanLeftovers} from './output.js'

export interface BackupRequest {
  file: string
  /** --backup-overwrite: replace an existing file (atomically). */
  overwrite: boolean
}

export interface BackupSummary {
  file: string
  /** Znodes / ConfigMaps saved. */
  items: number
  /** Files saved (JobResultStore entries and other storage files). */
  files: number
  bytes: number
}

/** What an existing backup (or snapshot) at `path` holds, for messages; undefined when it cannot be read. */
export function describeBackup(path: string): {text: string; items: number; files: number} | undefined {
  try {
    const doc = JSON.parse(readMaybeGzip(path)) as {
      format?: string
      items?: unknown[]
      jobResults?: {files?: unknown[]} | null
      storageFiles?: unknown[]
      files?: unknown[]
      createdAt?: string
      command?: string
    }
    if (doc.format !== 'haadm-snapshot' && doc.format !== 'haadm-backup') return undefined
    const items = doc.items?.length ?? 0
    const files = (doc.jobResults?.files?.length ?? 0) + (doc.storageFiles?.length ?? 0) + (doc.files?.length ?? 0)
    return {items, files, text: `${doc.command ? `written by ${doc.command} ` : ''}${doc.createdAt ? `at ${doc.createdAt}, ` : ''}${items} items and ${files} files`}
  } catch {
    return undefined
  }
}

function readMaybeGzip(path: string): string {
  const raw = readFileSync(path)
  if (raw[0] === 0x1f && raw[1] === 0x8b) return (createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib')).gunzipSync(raw).toString('utf8')
  return raw.toString('utf8')
}

/**
 * Checks the backup path before anything is planned or removed: a bad path is exit 2; an existing
 * file is exit 2 unless `overwrite`; returns warnings (leftover temporary files removed).
 */
export function checkBackup(req: BackupRequest, opts: {existingCheckedLater?: boolean} = {}): string[] {
  const warnings = cleanLeftovers(req.file).map((f) => `removed ${f}, a temporary backup file a run that was stopped left behind`)
  const out = classifyOutput(req.file, 'the backup file')
  if (out.kind === 'file' && out.exists && !req.overwrite && !opts.existingCheckedLater) throw existingBackup(out.path, describeBackup(out.path))
  return warnings
}

/** Refuses (or, with --backup-overwrite, warns) when the file exists; says when this run's backup would be smaller. */
export function checkBackupAgainstPlan(req: BackupRequest, planned: {items: number; files: number}, warnings: string[]): void {
  const out = classifyOutput(req.file, 'the backup file')
  if (out.kind !== 'file' || !out.exists) return
  const old = describeBackup(out.path)
  if (!req.overwrite) throw existingBackup(out.path, old, planned)
  if (old && isSmaller(planned, old))
    warnings.push(`replacing the backup ${out.path} (${old.text}) with a smaller one (${planned.items} items and ${planned.files} files or directories): the old one is lost`)
}

/** Planned files are counted by step (a directory is one), saved ones by file: compare what can be compared. */
function isSmaller(planned: {items: number; files: number}, old: {items: number; files: number}): boolean {
  return planned.items < old.items || (planned.files === 0 && old.files > 0)
}

function existingBackup(path: string, old: ReturnType<typeof describeBackup>, planned?: {items: number; files: number}): HaadmError {
  const smaller = old && planned && isSmaller(planned, old)
  return new HaadmError(
    'BACKUP_FAILED',
    `the backup file ${path} exists${old ? ` (${old.text})` : ''}; haadm does not overwrite backups; nothing was removed${
      smaller ? `. This run would back up less (${planned.items} items and ${planned.files} files or directories): the existing file may be the only full backup` : ''
    }`,
    {
      exit: ExitCode.USAGE,
      hint: 'Choose a new file name for --backup, or add --backup-overwrite to replace it.',
      details: {file: path, existing: old ?? null},
    },
  )
}

export type BackupHeader = Omit<SnapshotHeader, 'format' | 'version'>

/** The header of a backup written by `command` against `target`. */
export function backupHeader(target: Target, command: string, haadmVersion: string, extra: Partial<BackupHeader> = {}): BackupHeader {
  return {
    haadmVersion,
    createdAt: new Date().toISOString(),
    purpose: 'backup',
    command,
    backend: target.backend.value,
    clusterId: target.clusterId.value,
    root: target.zookeeper.clusterPath,
    target: {
      ...whereabouts(target),
      storageDir: target.storageDir?.value ?? null,
      jobResultStorePath: target.jobResultStorePath?.value ?? null,
      jobResultStoreDeleteOnCommit: target.jobResultStoreDeleteOnCommit.value,
    },
    ...extra,
  }
}

/** A file to save: where it is, and what was listed for it. */
export interface FileToSave {
  uri: string
  size?: number | null
  mtime?: string | null
}

/** Files to save, per store: a directory (everything below it) or single files. */
export interface FileSource {
  /** `directory`: list recursively; `files`: these files. */
  kind: 'directory' | 'files'
  uri: string
  files: FileToSave[]
  /** JobResultStore entries go into `jobResults`, relative to this directory. */
  jobResultStore?: boolean
}

export interface WriteBackupInput {
  request: BackupRequest
  header: BackupHeader
  items: RawItem[]
  sources: FileSource[]
  /** The JobResultStore directory, for entries (`jobResultStore` sources). */
  jobResultStorePath?: string
  /** Opens the store a location lives on (S3 credentials come from the target). */
  open: (uri: string) => Promise<Storage>
}

/**
 * Reads every file and writes the backup; any read failure stops everything (exit 3, nothing removed).
 * A file gone since the plan was made is skipped: its removal will say "absent".
 */
export async function writeBackup(input: WriteBackupInput): Promise<BackupSummary> {
  let bytes = 0
  let jrsFiles = 0
  const jrsSources = input.sources.filter((s) => s.jobResultStore)
  const otherSources = input.sources.filter((s) => !s.jobResultStore)
  let jobResults: SnapshotFiles | null = null
  if (jrsSources.length > 0) {
    const base = (input.jobResultStorePath ?? jrsSources[0].uri).replace(/\/+$/, '')
    jobResults = {path: base, files: []}
    for await (const f of readSources(jrsSources, input.open)) {
      const relative = f.uri.startsWith(`${base}/`) ? f.uri.slice(base.length + 1) : undefined
      if (relative === undefined) throw new HaadmError('UNEXPECTED', `${f.uri} is not below the JobResultStore ${base}`, {exit: ExitCode.UNEXPECTED})
      jobResults.files.push({relative, size: f.size, mtime: f.mtime, data: f.data})
      bytes += f.size
      jrsFiles++
    }
  }
  let otherFiles = 0
  const storageFiles = (async function* () {
    for await (const f of readSources(otherSources, input.open)) {
      bytes += f.size
      otherFiles++
      yield f
    }
  })()
  const written = await writeSnapshot(input.request.file, input.header, toAsync(input.items), {
    jobResults,
    storageFiles,
    existing: input.request.overwrite ? 'replace' : 'refuse',
    what: 'the backup file',
    mode: 0o600,
    describeExisting: (p) => describeBackup(p)?.text,
    existingHint: 'Choose a new file name for --backup, or add --backup-overwrite to replace it.',
  })
  return {file: written.path, items: written.items, files: jrsFiles + otherFiles, bytes}
}

async function* readSources(sources: FileSource[], open: (uri: string) => Promise<Storage>): AsyncGenerator<SnapshotStorageFile> {
  for (const source of sources) {
    const storage = await open(source.uri)
    try {
      let files: FileToSave[] = source.files
      if (source.kind === 'directory') {
        files = []
        try {
          for await (const e of storage.list(source.uri, {recursive: true})) if (e.kind === 'file') files.push({uri: e.uri, size: e.size, mtime: e.mtime})
        } catch (err) {
          if (!(err instanceof HaadmError && err.code === 'STORAGE_NOT_FOUND')) throw readFailed(source.uri, err)
        }
      }
      for (const f of files) {
        let data: Uint8Array
        try {
          data = await storage.read(f.uri)
        } catch (err) {
          if (err instanceof HaadmError && err.code === 'STORAGE_NOT_FOUND') continue
          throw readFailed(f.uri, err)
        }
        yield {uri: f.uri, size: data.length, mtime: f.mtime ?? null, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')}
      }
    } finally {
      await storage.close()
    }
  }
}

function readFailed(uri: string, err: unknown): HaadmError {
  return new HaadmError('BACKUP_FAILED', `cannot read ${uri} for the backup: ${(err as Error).message}; nothing was removed`, {
    exit: err instanceof HaadmError ? err.exit : ExitCode.UNREACHABLE,
    hint: err instanceof HaadmError ? err.hint : undefined,
    cause: err,
  })
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items
}

/** Opens stores for a backup with the target's S3 settings (never the snapshot stand-in). */
export const storageOpener = (target: Target) => (uri: string) => openStorage(uri, {s3: target.s3})

