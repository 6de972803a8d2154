/**
 * Pure: Flink's `FileSystemJobResultStore.markResultAsClean`, step by step, for each job id:
 * nothing to do when `<jobId>.json` exists; an error when `<jobId>_DIRTY.json` does not; else
 * delete the dirty file (delete-on-commit true) or rename it to `<jobId>.json` (false). The file's
 * content is never rewritten.
 */
export interface EntryFileState {
  path: string
  size: number | null
  mtime: string | null
}

export interface MarkCleanInput {
  jobId: string
  dirtyPath: string
  cleanPath: string
  dirty?: EntryFileState
  clean?: EntryFileState
}

export type MarkCleanActionKind = 'delete' | 'rename' | 'already-clean' | 'missing'

export interface MarkCleanAction {
  jobId: string
  action: MarkCleanActionKind
  dirtyPath: string
  cleanPath: string
  /** Bytes and time of the dirty file, when there is one. */
  size: number | null
  mtime: string | null
  /** For people: what happens and why. */
  reason: string
  /** Something worth knowing that does not stop the action. */
  warning: string | null
}

export function planMarkClean(inputs: MarkCleanInput[], deleteOnCommit: boolean): MarkCleanAction[] {
  return inputs.map((i) => {
    const base = {jobId: i.jobId, dirtyPath: i.dirtyPath, cleanPath: i.cleanPath, size: i.dirty?.size ?? null, mtime: i.dirty?.mtime ?? null, warning: null}
    if (i.clean) {
      return {
        ...base,
        action: 'already-clean' as const,
        reason: `${i.cleanPath} exists: nothing to do (Flink does the same)`,
        warning: i.dirty
          ? `${i.dirtyPath} exists too: Flink recovers it at every Dispatcher start and cannot mark it clean; remove it with 'haadm jobs purge --job ${i.jobId} --include-dirty'`
          : null,
      }
    }
    if (!i.dirty) return {...base, action: 'missing' as const, reason: `no dirty entry ${i.dirtyPath}`}
    return deleteOnCommit
      ? {...base, action: 'delete' as const, reason: `delete ${i.dirtyPath} (delete-on-commit is true)`}
      : {...base, action: 'rename' as const, reason: `rename ${i.dirtyPath} to ${i.cleanPath} (delete-on-commit is false)`}
  })
}
