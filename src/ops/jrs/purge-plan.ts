/**
 * Pure: which JobResultStore entries and Operator `<uuid>` directories `haadm jobs purge` removes,
 * and which it keeps and why. A plan is data: --dry-run prints it, the executor applies it.
 *
 * Clean entries go when the filters select them (removing one lets the same fixed job id run
 * again). Dirty entries stay unless --include-dirty: Flink's cleanup of that job is pending, and
 * once the entry is gone Flink never cleans the job's artifacts (and recovers the job if its job
 * graph is still in the HA store). Of the Operator's per-deploy directories the newest `keep` stay,
 * and the one the target points at always does.
 */
import type {JobResultEntryRecord, OperatorDirRecord} from './records.js'
import {JOB_ID, matchesFilter, newestFirst} from './records.js'

export interface PurgeOptions {
  olderThanMs?: number
  jobIds?: string[]
  /** Select entries with no filter (the filters above still narrow when given). */
  all?: boolean
  includeDirty: boolean
  pruneStaleDirs: boolean
  /** Operator directories to keep, newest first; at least 1. */
  keep: number
  now: Date
}

export interface PurgeEntryItem {
  kind: 'entry'
  path: string
  jobId: string | null
  state: 'dirty' | 'clean'
  size: number
  mtime: string | null
  reason: string
}

export interface PurgeDirItem {
  kind: 'operator-dir'
  path: string
  name: string
  entries: number
  dirtyJobIds: string[]
  bytes: number
  newest: string | null
  reason: string
}

export type PurgeItem = PurgeEntryItem | PurgeDirItem

export interface PurgePlan {
  remove: PurgeItem[]
  skip: PurgeItem[]
  /** Jobs whose dirty entries the plan removes: Flink will not clean their artifacts any more. */
  dirtyJobIds: string[]
  /** Whether entry filters were given (else only directories are considered). */
  selectsEntries: boolean
  /** Entries the filters did not select, by reason (e.g. "newer than --older-than": 2): neither removed nor "kept". */
  notSelected: {count: number; reasons: Record<string, number>}
}

export function selectsEntries(o: Pick<PurgeOptions, 'olderThanMs' | 'jobIds' | 'all'>): boolean {
  return Boolean(o.all) || o.olderThanMs !== undefined || (o.jobIds !== undefined && o.jobIds.length > 0)
}

export function planPurge(entries: JobResultEntryRecord[], dirs: OperatorDirRecord[], o: PurgeOptions): PurgePlan {
  const remove: PurgeItem[] = []
  const skip: PurgeItem[] = []
  const dirty = new Set<string>()
  const selecting = selectsEntries(o)
  const notSelected: PurgePlan['notSelected'] = {count: 0, reasons: {}}
  const unselected = (reason: string) => {
    notSelected.count++
    notSelected.reasons[reason] = (notSelected.reasons[reason] ?? 0) + 1
  }

  if (selecting) {
    const why = criteria(o)
    for (const e of entries) {
      if (!matchesFilter(e, {olderThanMs: o.olderThanMs, jobIds: o.jobIds}, o.now)) {
        if (o.jobIds && o.jobIds.length > 0 && !(e.jobId && o.jobIds.includes(e.jobId))) unselected('another job than --job')
        else if (!e.mtime) unselected('no modification time to compare with --older-than')
        else unselected('newer than --older-than')
        continue
      }
      const item: PurgeEntryItem = {kind: 'entry', path: e.path, jobId: e.jobId, state: e.state, size: e.size, mtime: e.mtime, reason: ''}
      if (e.state === 'clean') remove.push({...item, reason: `clean entry ${why}`})
      else if (o.includeDirty) {
        remove.push({...item, reason: `dirty entry ${why}, --include-dirty`})
        if (e.jobId) dirty.add(e.jobId)
      } else skip.push({...item, reason: "dirty: Flink's cleanup of this job is pending (--include-dirty removes it)"})
    }
  }

  if (o.pruneStaleDirs) {
    const keep = Math.max(1, Math.floor(o.keep))
    const sorted = [...dirs].sort(newestFirst)
    sorted.forEach((d, index) => {
      const item: PurgeDirItem = {
        kind: 'operator-dir',
        path: d.path,
        name: d.name,
        entries: d.entries,
        dirtyJobIds: d.dirtyJobIds,
        bytes: d.bytes,
        newest: d.newest,
        reason: '',
      }
      if (d.current) skip.push({...item, reason: 'the current job-result-store.storage-path'})
      else if (index < keep) skip.push({...item, reason: `one of the newest ${keep} (--keep)`})
      else if (d.dirtyJobIds.length > 0 && !o.includeDirty)
        skip.push({...item, reason: `holds ${d.dirtyJobIds.length} dirty entr${d.dirtyJobIds.length === 1 ? 'y' : 'ies'} whose cleanup never finished (--include-dirty removes it)`})
      else {
        remove.push({...item, reason: `older than the newest ${keep}${d.dirtyJobIds.length > 0 ? ', with dirty entries, --include-dirty' : ''}`})
        for (const id of d.dirtyJobIds) if (JOB_ID.test(id)) dirty.add(id)
      }
    })
  }
  return {remove, skip, dirtyJobIds: [...dirty].sort(), selectsEntries: selecting, notSelected}
}

function criteria(o: PurgeOptions): string {
  const parts: string[] = []
  if (o.jobIds && o.jobIds.length > 0) parts.push('--job')
  if (o.olderThanMs !== undefined) parts.push('--older-than')
  if (parts.length === 0) parts.push('--all')
  return `(${parts.join(', ')})`
}
