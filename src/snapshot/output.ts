/**
 * Where haadm writes a file it was asked to write (export -o, --backup): one rule for every output path.
 *
 * - `-` is standard output.
 * - A character or block device, or a FIFO, is written through: opened and written, never replaced
 *   (`-o /dev/null` must leave /dev/null a device).
 * - A symlink is followed: the rules apply to the file it points at; a dangling link is refused.
 * - A regular file (or a new name) is written atomically: a temporary file in the same directory,
 *   fsync, rename (or link, when an existing file must not be replaced), fsync of the directory.
 *   A failed write removes the temporary file; temporary files are named `.<name>.haadm-<pid>-<rand>.tmp`
 *   so a leftover one (a killed run) can be told apart and cleaned.
 * - A directory, a socket, or a path in a missing directory is a usage error (exit 2); a disk that is
 *   full or a file that may not be written is exit 3 (nothing of haadm's own is wrong).
 */
import {closeSync, constants, createWriteStream, fsyncSync, linkSync, lstatSync, openSync, readdirSync, realpathSync, renameSync, statSync, unlinkSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'
import {ExitCode, HaadmError} from '../errors.js'
import {tempSibling} from '../temp-name.js'

export type OutputKind = 'stdout' | 'special' | 'file'

export interface OutputSink {
  /** Where the bytes go in the end: the resolved path (a symlink's target), or `-`. */
  path: string
  kind: OutputKind
  stream: NodeJS.WritableStream
  /** Flushes, fsyncs and puts the file in place; after it, the file is complete on disk. */
  commit(): Promise<void>
  /** Drops what was written (a regular file's temporary copy); never throws. */
  abort(): Promise<void>
}

export interface OutputOptions {
  /** `replace`: an existing regular file is replaced atomically; `refuse`: an existing file is an error. */
  existing: 'replace' | 'refuse'
  /** What the file is, for messages: "the backup file", "the snapshot file". */
  what: string
  /** Permission bits of a new regular file (default 0o666 less the umask). */
  mode?: number
  /** Called before refusing an existing file, to say more (e.g. what the existing backup holds). */
  describeExisting?: (path: string) => string | undefined
  /** Extra hint when an existing file is refused. */
  existingHint?: string
}

/** How to write to `dest`: decided from what is there now. Throws a HaadmError (exit 2 or 3) when it cannot be written. */
export function classifyOutput(dest: string, what: string): {path: string; kind: OutputKind; exists: boolean} {
  if (dest === '-') return {path: '-', kind: 'stdout', exists: true}
  const abs = resolve(dest)
  let st
  try {
    st = lstatSync(abs)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw outputError(err, abs, what)
    checkDirectory(dirname(abs), abs, what)
    return {path: abs, kind: 'file', exists: false}
  }
  if (st.isSymbolicLink()) {
    let real: string
    try {
      real = realpathSync(abs)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ELOOP')
        throw new HaadmError('USAGE', `${what} ${abs} is a symbolic link to a file that does not exist (or a loop); haadm does not write through it`, {
          exit: ExitCode.USAGE,
          hint: 'Give the path of the file itself, or remove the dangling link.',
        })
      throw outputError(err, abs, what)
    }
    return classifyOutput(real, what)
  }
  if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) return {path: abs, kind: 'special', exists: true}
  if (st.isDirectory())
    throw new HaadmError('USAGE', `${what} ${abs} is a directory`, {exit: ExitCode.USAGE, hint: 'Give a file name inside it.'})
  if (!st.isFile()) throw new HaadmError('USAGE', `${what} ${abs} is not a file haadm can write (a socket?)`, {exit: ExitCode.USAGE, hint: 'Give a regular file, a FIFO or a device.'})
  return {path: abs, kind: 'file', exists: true}
}

function checkDirectory(dir: string, abs: string, what: string): void {
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), {code: 'ENOTDIR'})
  } catch (err) {
    throw outputError(err, abs, what)
  }
}

/** Opens `dest` for writing by the rules above. The caller writes to `stream`, then commits (or aborts). */
export async function openOutput(dest: string, opts: OutputOptions): Promise<OutputSink> {
  const target = classifyOutput(dest, opts.what)
  if (target.kind === 'stdout') {
    return {path: '-', kind: 'stdout', stream: process.stdout, commit: async () => {}, abort: async () => {}}
  }
  if (target.kind === 'special') {
    // Opening a FIFO waits for its reader; a device just opens. Never truncated, never replaced.
    let fd: number
    try {
      fd = openSync(target.path, constants.O_WRONLY)
    } catch (err) {
      throw outputError(err, target.path, opts.what)
    }
    const stream = createWriteStream('', {fd, autoClose: true})
    return {
      path: target.path,
      kind: 'special',
      stream,
      commit: () => endStream(stream),
      abort: async () => void stream.destroy(),
    }
  }
  if (target.exists && opts.existing === 'refuse') throw existingError(target.path, opts)
  const tmp = tempSibling(target.path, dirname, basename, join)
  let fd: number
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, opts.mode ?? 0o666)
  } catch (err) {
    throw outputError(err, target.path, opts.what)
  }
  const stream = createWriteStream('', {fd, autoClose: false})
  let open = true
  const closeFd = () => {
    if (open) {
      open = false
      try {
        closeSync(fd)
      } catch {
        // already closed
      }
    }
  }
  const removeTmp = () => {
    try {
      unlinkSync(tmp)
    } catch {
      // not there
    }
  }
  return {
    path: target.path,
    kind: 'file',
    stream,
    async commit() {
      try {
        await endStream(stream)
        fsyncSync(fd)
        closeFd()
        if (opts.existing === 'refuse') {
          // link(2) fails when the name exists: no window in which another file could be replaced.
          linkSync(tmp, target.path)
          unlinkSync(tmp)
        } else renameSync(tmp, target.path)
        fsyncDir(dirname(target.path))
      } catch (err) {
        closeFd()
        removeTmp()
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw existingError(target.path, opts)
        throw outputError(err, target.path, opts.what)
      }
    },
    async abort() {
      stream.destroy()
      closeFd()
      removeTmp()
    },
  }
}

function endStream(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    if ((stream as {errored?: Error | null}).errored) return reject((stream as {errored?: Error | null}).errored)
    stream.once('error', reject)
    stream.end((err?: Error | null) => (err ? reject(err) : resolvePromise()))
  })
}

function fsyncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, constants.O_RDONLY)
    fsyncSync(fd)
  } catch (err) {
    // Some filesystems refuse fsync on a directory (EINVAL); the rename itself has happened.
    if (!['EINVAL', 'EISDIR', 'EBADF', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

function existingError(path: string, opts: OutputOptions): HaadmError {
  const more = opts.describeExisting?.(path)
  return new HaadmError('BACKUP_FAILED', `${opts.what} ${path} exists${more ? ` (${more})` : ''}; haadm does not overwrite it; nothing was removed`, {
    exit: ExitCode.USAGE,
    hint: opts.existingHint ?? 'Choose a new file name.',
  })
}

/** Temporary files a killed run left beside `dest` (their process is gone). */
export function leftoverTemporaries(dest: string): string[] {
  if (dest === '-') return []
  const abs = resolve(dest)
  const prefix = `.${basename(abs)}.haadm-`
  let names: string[]
  try {
    names = readdirSync(dirname(abs))
  } catch {
    return []
  }
  return names
    .filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'))
    .filter((n) => {
      const pid = Number(n.slice(prefix.length).split('-')[0])
      if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return pid !== process.pid
      try {
        process.kill(pid, 0)
        return false
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ESRCH'
      }
    })
    .map((n) => join(dirname(abs), n))
}

/** Removes what leftoverTemporaries found; returns the names removed. */
export function cleanLeftovers(dest: string): string[] {
  const removed: string[] = []
  for (const f of leftoverTemporaries(dest)) {
    try {
      unlinkSync(f)
      removed.push(f)
    } catch {
      // gone meanwhile
    }
  }
  return removed
}

const USAGE_CODES = new Set(['EISDIR', 'ENOTDIR', 'ENOENT', 'ELOOP', 'ENAMETOOLONG', 'EINVAL'])

/** A write error as an exit code: a bad path is a usage error (2), a full or forbidden disk is exit 3. */
export function outputError(err: unknown, path: string, what: string): HaadmError {
  if (err instanceof HaadmError) return err
  const code = (err as NodeJS.ErrnoException).code
  const text = code ?? (err as Error).message
  if (code && USAGE_CODES.has(code))
    return new HaadmError('USAGE', `cannot write ${what} ${path}: ${text}${code === 'ENOENT' || code === 'ENOTDIR' ? ' (the directory does not exist)' : ''}`, {
      exit: ExitCode.USAGE,
      hint: 'Choose a path in an existing, writable directory (or - for standard output).',
      cause: err,
    })
  const why =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'the disk is full'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'not allowed to write there'
        : 'the write failed'
  return new HaadmError('STORAGE_ERROR', `cannot write ${what} ${path}: ${text} (${why}); nothing partial was left behind`, {
    exit: ExitCode.UNREACHABLE,
    hint: code === 'ENOSPC' || code === 'EDQUOT' ? 'Free some space, or write elsewhere.' : 'Write somewhere you may write, then run again.',
    cause: err,
  })
}
