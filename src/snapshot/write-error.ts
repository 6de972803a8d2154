import {ExitCode, HaadmError} from '../errors.js'

/**
 * A file haadm was asked to write could not be written. The cause decides the exit code: a path
 * that cannot be a file (a directory, a missing parent) is the caller's to fix (2); a full, read-only
 * or forbidden disk is a place haadm cannot write to (3). Never 1, which is for bugs.
 */
export function outputWriteError(dest: string, err: unknown, what = 'the output file'): HaadmError {
  const code = (err as NodeJS.ErrnoException).code
  const why = (() => {
    switch (code) {
      case 'EISDIR':
        return {text: "it is a directory", exit: ExitCode.USAGE, hint: 'Give a file name, e.g. -o snapshot.haadm.json.gz (or -o - for stdout).'}
      case 'ENOTDIR':
      case 'ENOENT':
        return {text: `its directory does not exist`, exit: ExitCode.USAGE, hint: 'Create the directory first, or give another path.'}
      case 'ENOSPC':
      case 'EDQUOT':
        return {text: 'no space left on the device', exit: ExitCode.UNREACHABLE, hint: 'Nothing was left behind; free some space (or write elsewhere) and run again.'}
      case 'EROFS':
        return {text: 'the file system is read-only', exit: ExitCode.UNREACHABLE, hint: 'Write to another place.'}
      case 'EACCES':
      case 'EPERM':
        return {text: 'permission denied', exit: ExitCode.UNREACHABLE, hint: 'Write to a directory you may write to.'}
      default:
        return {text: code ?? (err as Error).message, exit: ExitCode.UNREACHABLE, hint: 'Nothing was left behind; check the path and the disk, and run again.'}
    }
  })()
  return new HaadmError('OUTPUT_FAILED', `cannot write ${what} ${dest}: ${why.text}`, {exit: why.exit, hint: why.hint, details: {path: dest, errno: code ?? null}, cause: err})
}
