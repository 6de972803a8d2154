/**
 * Applies JobResultStore plans: backup first (when asked), then removals with a bound on requests
 * in flight, one outcome per planned item. Nothing that was not listed is removed: an Operator
 * directory loses exactly the files listed for it (and backed up), and is removed only if then
 * empty.
 */
import {noteWrite} from '../../deadline.js'
import {ExitCode, HaadmError} from '../../errors.js'
import {collect} from '../../storage/concurrency.js'
import type {Storage, StorageEntry} from '../../storage/index.js'
import {type BackupHeader, writeBackup} from '../../snapshot/backup.js'
import type {MarkCleanAction} from './mark-clean-plan.js'
import type {PurgeDirItem, PurgeEntryItem, PurgePlan} from './purge-plan.js'

export interface ItemOutcome {
  kind: 'entry' | 'operator-dir'
  path: string
  /** `absent`: already gone, which counts as success. */
  status: 'removed' | 'absent' | 'failed'
  /** Operator directories: files removed from it. */
  files?: number
  error?: string
  /** HaadmError code of the failure. */
  errorCode?: string
}

/** Where and how to write a --backup (src/snapshot/backup.ts). */
export interface JrsBackup {
  file: string
  overwrite: boolean
  header: BackupHeader
}

export interface BackupSummary {
  file: string
  files: number
  bytes: number
}

export interface PurgeOutcome {
  removed: number
  absent: number
  failed: number
  skipped: number
  items: ItemOutcome[]
  backup: BackupSummary | null
}

interface FileToSave {
  path: string
  size: number
  mtime: string | null
}

export async function applyPurge(storage: Storage, plan: PurgePlan, opts: {backup?: JrsBackup; source: string}): Promise<PurgeOutcome> {
  noteWrite()
  const entries = plan.remove.filter((i): i is PurgeEntryItem => i.kind === 'entry')
  const dirs = plan.remove.filter((i): i is PurgeDirItem => i.kind === 'operator-dir')
  // What each directory holds now: these files, and only these, are saved and removed.
  const dirFiles = new Map<string, StorageEntry[]>()
  for (const d of dirs) dirFiles.set(d.path, await collect(storage.list(d.path, {recursive: true})))

  let backup: BackupSummary | null = null
  if (opts.backup !== undefined) {
    const toSave: FileToSave[] = [
      ...entries.map((e) => ({path: e.path, size: e.size, mtime: e.mtime})),
      ...dirs.flatMap((d) => dirFiles.get(d.path)!.map((f) => ({path: f.uri, size: f.size ?? 0, mtime: f.mtime}))),
    ]
    backup = await saveBackup(storage, toSave, opts.backup, opts.source)
  }

  const items: ItemOutcome[] = []
  for await (const o of storage.deleteMany(entries.map((e) => e.path)))
    items.push({kind: 'entry', path: o.uri, status: o.status, ...(o.status === 'failed' ? {error: o.error, errorCode: o.code} : {})})
  for (const d of dirs) {
    const files = dirFiles.get(d.path)!
    let removed = 0
    let firstError: string | undefined
    let errorCode: string | undefined
    for await (const o of storage.deleteMany(files.map((f) => f.uri))) {
      if (o.status === 'failed') {
        firstError ??= `${o.uri}: ${o.error}`
        errorCode ??= o.code
      } else removed++
    }
    if (firstError === undefined) {
      try {
        await storage.removeEmptyDir(d.path)
      } catch (err) {
        firstError = (err as Error).message
        errorCode = (err as HaadmError).code
      }
    }
    items.push(
      firstError === undefined
        ? {kind: 'operator-dir', path: d.path, status: 'removed', files: removed}
        : {kind: 'operator-dir', path: d.path, status: 'failed', files: removed, error: firstError, errorCode},
    )
  }
  return {
    removed: items.filter((i) => i.status === 'removed').length,
    absent: items.filter((i) => i.status === 'absent').length,
    failed: items.filter((i) => i.status === 'failed').length,
    skipped: plan.skip.length,
    items,
    backup,
  }
}

/** Reads every file and writes the backup (src/snapshot/backup.ts); any read failure stops everything (nothing removed yet). */
async function saveBackup(storage: Storage, files: FileToSave[], backup: JrsBackup, source: string): Promise<BackupSummary> {
  const base = source.replace(/\/+$/, '')
  const below = (p: string) => p.startsWith(`${base}/`)
  // The command's storage stays open for the removals: the backup borrows it.
  const keepOpen = async () => Object.create(storage, {close: {value: async () => {}}}) as Storage
  const summary = await writeBackup({
    request: {file: backup.file, overwrite: backup.overwrite},
    header: backup.header,
    items: [],
    sources: [
      {kind: 'files', uri: base, files: files.filter((f) => below(f.path)).map((f) => ({uri: f.path, size: f.size, mtime: f.mtime})), jobResultStore: true},
      {kind: 'files', uri: base, files: files.filter((f) => !below(f.path)).map((f) => ({uri: f.path, size: f.size, mtime: f.mtime}))},
    ],
    jobResultStorePath: base,
    open: keepOpen,
  })
  return {file: summary.file, files: summary.files, bytes: summary.bytes}
}

export interface MarkCleanOutcome {
  jobId: string
  action: MarkCleanAction['action']
  /** done: deleted or renamed; nothing-to-do: already clean; absent: the dirty file went away meanwhile; failed / missing: errors. */
  status: 'done' | 'nothing-to-do' | 'absent' | 'missing' | 'failed'
  dirtyPath: string
  cleanPath: string
  error?: string
  errorCode?: string
}

export async function applyMarkClean(
  storage: Storage,
  actions: MarkCleanAction[],
  opts: {backup?: JrsBackup; source: string},
): Promise<{outcomes: MarkCleanOutcome[]; backup: BackupSummary | null}> {
  noteWrite()
  const changing = actions.filter((a) => a.action === 'delete' || a.action === 'rename')
  let backup: BackupSummary | null = null
  if (opts.backup !== undefined && changing.length > 0)
    backup = await saveBackup(storage, changing.map((a) => ({path: a.dirtyPath, size: a.size ?? 0, mtime: a.mtime})), opts.backup, opts.source)
  const outcomes: MarkCleanOutcome[] = []
  for (const a of actions) {
    const base = {jobId: a.jobId, action: a.action, dirtyPath: a.dirtyPath, cleanPath: a.cleanPath}
    if (a.action === 'already-clean') outcomes.push({...base, status: 'nothing-to-do'})
    else if (a.action === 'missing') outcomes.push({...base, status: 'missing', error: a.reason})
    else {
      try {
        if (a.action === 'delete') outcomes.push({...base, status: (await storage.delete(a.dirtyPath)) === 'removed' ? 'done' : 'absent'})
        else {
          await storage.rename(a.dirtyPath, a.cleanPath)
          outcomes.push({...base, status: 'done'})
        }
      } catch (err) {
        outcomes.push({...base, status: 'failed', error: (err as Error).message, errorCode: (err as HaadmError).code})
      }
    }
  }
  return {outcomes, backup}
}

const EXIT_3_CODES = new Set(['STORAGE_NOT_FOUND', 'STORAGE_FORBIDDEN', 'STORAGE_UNREACHABLE', 'STORAGE_ERROR', 'STORAGE_VERIFY_FAILED'])

/**
 * When every change failed and none succeeded, the command fails with the first cause (exit 3, as
 * for a store that refuses or is unreachable) rather than reporting a "partial" failure.
 */
export function totalFailure(
  failures: Array<{error?: string; errorCode?: string}>,
  succeeded: number,
  details: Record<string, unknown>,
): HaadmError | undefined {
  if (failures.length === 0 || succeeded > 0) return undefined
  const first = failures[0]
  const code = first.errorCode && EXIT_3_CODES.has(first.errorCode) ? (first.errorCode as HaadmError['code']) : 'STORAGE_ERROR'
  return new HaadmError(code, `${first.error ?? 'failed'}${failures.length > 1 ? ` (and ${failures.length - 1} more failures)` : ''}; nothing was changed`, {
    exit: ExitCode.UNREACHABLE,
    hint:
      code === 'STORAGE_FORBIDDEN'
        ? 'Run as a user that may write the directory (e.g. the user Flink runs as), or use credentials that may delete objects.'
        : 'Fix the cause and run the command again; it only does what is still left to do.',
    details,
  })
}
