/**
 * The --backup file of destructive JobResultStore commands: every file's bytes, saved before
 * anything is removed. Written to a temporary name beside the target and renamed into place, so a
 * file with the final name is always complete; an existing file is never overwritten.
 */
import {randomBytes} from 'node:crypto'
import {closeSync, fsyncSync, lstatSync, openSync, renameSync, unlinkSync, writeSync} from 'node:fs'
import {dirname, basename, join, resolve} from 'node:path'
import {ExitCode, HaadmError} from '../../errors.js'

export const BACKUP_FORMAT = 'haadm-backup'
export const BACKUP_VERSION = 1

export interface BackupFile {
  path: string
  size: number
  mtime: string | null
  /** The file's bytes, base64 (standard alphabet, padded). */
  base64: string
}

export interface BackupDocument {
  format: typeof BACKUP_FORMAT
  version: typeof BACKUP_VERSION
  createdAt: string
  /** The command that wrote it, e.g. `jobs purge`. */
  command: string
  /** The JobResultStore directory the files came from. */
  source: string
  files: BackupFile[]
}

export function backupDocument(command: string, source: string, files: Array<{path: string; size: number; mtime: string | null; bytes: Uint8Array}>, now = new Date()): BackupDocument {
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: now.toISOString(),
    command,
    source,
    files: files.map((f) => ({path: f.path, size: f.bytes.length, mtime: f.mtime, base64: Buffer.from(f.bytes).toString('base64')})),
  }
}

/** Fails (exit 2) before anything else happens when the file exists or its directory does not. */
export function checkBackupTarget(file: string): string {
  const target = resolve(file)
  try {
    lstatSync(target)
    throw new HaadmError('BACKUP_FAILED', `the backup file ${target} exists; haadm does not overwrite backups`, {
      exit: ExitCode.USAGE,
      hint: 'Choose a new file name for --backup.',
    })
  } catch (err) {
    if (err instanceof HaadmError) throw err
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw backupError(err, target)
  }
  try {
    if (!lstatSync(dirname(target)).isDirectory()) throw Object.assign(new Error('not a directory'), {code: 'ENOTDIR'})
  } catch (err) {
    throw backupError(err, target)
  }
  return target
}

/** Writes the document atomically: temp file, fsync, rename. Returns the final path. */
export function writeBackup(file: string, doc: BackupDocument): string {
  const target = checkBackupTarget(file)
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'wx', 0o600)
    writeSync(fd, JSON.stringify(doc))
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, target)
    return target
  } catch (err) {
    if (fd !== undefined) closeSync(fd)
    try {
      unlinkSync(tmp)
    } catch {
      // not created
    }
    throw backupError(err, target)
  }
}

function backupError(err: unknown, target: string): HaadmError {
  if (err instanceof HaadmError) return err
  const code = (err as NodeJS.ErrnoException).code
  return new HaadmError('BACKUP_FAILED', `cannot write the backup file ${target}: ${code ?? (err as Error).message}; nothing was removed`, {
    exit: ExitCode.USAGE,
    hint: 'Give --backup a file in a directory that exists and is writable, on a disk with room.',
    cause: err,
  })
}
