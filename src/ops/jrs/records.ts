/**
 * Pure: JobResultStore entries from a scan. An entry is `<jobId>_DIRTY.json` (the job reached a
 * globally terminal state, its cleanup is pending) or `<jobId>.json` (cleaned up; kept only when
 * job-result-store.delete-on-commit is false). A file Flink would not read, or whose name and
 * content disagree, is still listed, with the problem.
 */
import type {ApplicationStatus, JobResultFile} from '../../codec/job-result.js'
import type {DecodeResult} from '../../codec/result.js'
import type {JrsScan, ScannedOperatorDir, ScannedOther} from './scan.js'

export const DIRTY_SUFFIX = '_DIRTY.json'
export const CLEAN_SUFFIX = '.json'

/** One entry file as read: the input of entryRecord (the scan keeps only the record). */
export interface ScannedFile {
  uri: string
  name: string
  size: number
  mtime: string | null
  /** The decoded content; absent when the file could not be read (see readError). */
  decoded?: DecodeResult<JobResultFile>
  readError?: string
}

/** An entry without notes shares this one (100,000 entries need no 100,000 empty arrays). */
const NO_NOTES: string[] = Object.freeze([]) as unknown as string[]

export const JOB_ID = /^[0-9a-f]{32}$/

export interface JobResultEntryRecord {
  /** From the file name when it is one, else from the content; null when neither says. */
  jobId: string | null
  state: 'dirty' | 'clean'
  file: string
  path: string
  size: number
  /** File time (last modification): when Flink wrote the entry, or renamed it clean. */
  mtime: string | null
  applicationStatus: ApplicationStatus | null
  netRuntimeMs: number | null
  /** Flink 2.3+ files. */
  jobName: string | null
  applicationId: string | null
  startTime: string | null
  endTime: string | null
  failure: {className: string | null; message: string | null} | null
  /** Flink reads the file, and its name matches the job id inside. */
  valid: boolean
  /** Why not, in one line; null when valid. */
  problem: string | null
  notes: string[]
}

export interface OperatorDirRecord {
  path: string
  name: string
  entries: number
  dirtyEntries: number
  dirtyJobIds: string[]
  bytes: number
  newest: string | null
  current: boolean
}

export interface OtherFileRecord {
  path: string
  name: string
  kind: 'file' | 'directory'
  size: number | null
  mtime: string | null
  note: string
}

export interface JobResultStoreReport {
  path: string
  /** Where the path came from (`flag --jrs-path`, `derived: ...`). */
  pathFrom: string
  deleteOnCommit: boolean
  deleteOnCommitFrom: string
  clusterDir: string
  layout: JrsScan['layout']
  scannedAt: string
  /** After filters; oldest first. */
  entries: JobResultEntryRecord[]
  counts: {total: number; shown: number; dirty: number; clean: number; problems: number}
  operatorDirs: OperatorDirRecord[]
  others: OtherFileRecord[]
}

export interface EntryFilter {
  state?: 'dirty' | 'clean'
  /** Upper-case ApplicationStatus names. */
  statuses?: string[]
  olderThanMs?: number
  jobIds?: string[]
}

/** Every entry of the scan, oldest first (then by file name). */
export function jobResultEntries(scan: JrsScan): JobResultEntryRecord[] {
  return [...scan.entries].sort(byTime)
}

export function entryRecord(f: ScannedFile): JobResultEntryRecord {
  const dirty = f.name.endsWith(DIRTY_SUFFIX)
  const prefix = f.name.slice(0, -(dirty ? DIRTY_SUFFIX : CLEAN_SUFFIX).length)
  const nameId = JOB_ID.test(prefix) ? prefix : null
  const base: JobResultEntryRecord = {
    jobId: nameId,
    state: dirty ? 'dirty' : 'clean',
    file: f.name,
    path: f.uri,
    size: f.size,
    mtime: f.mtime,
    applicationStatus: null,
    netRuntimeMs: null,
    jobName: null,
    applicationId: null,
    startTime: null,
    endTime: null,
    failure: null,
    valid: false,
    problem: null,
    notes: NO_NOTES,
  }
  const problems: string[] = []
  const suffix = dirty ? DIRTY_SUFFIX : CLEAN_SUFFIX
  if (nameId === null)
    problems.push(
      dirty
        ? `the name is not <jobId>${suffix}: Flink still recovers it by the id inside, but never finds it when it looks the job up`
        : `the name is not <jobId>${suffix}: Flink never looks at it`,
    )
  // `base` is filled in (its keys keep their order): one object per entry, not two.
  if (f.readError !== undefined) {
    base.problem = [`cannot read: ${f.readError}`, ...problems].join('; ')
    return base
  }
  const d = f.decoded!
  if (!d.ok) {
    base.problem = [d.error.reason, ...problems].join('; ')
    return base
  }
  const v = d.value
  if (nameId !== null && v.jobId !== nameId) problems.push(`the name says job ${nameId} but the file holds job ${v.jobId}`)
  const notes = dirty && v.applicationStatus === 'UNKNOWN'
    ? [...v.notes, 'status UNKNOWN in a dirty entry: Flink 1.x cannot run the recovery cleanup for it (deriveJobStatus throws)']
    : v.notes.length > 0 ? [...v.notes] : NO_NOTES
  base.jobId = nameId ?? v.jobId
  base.applicationStatus = v.applicationStatus
  base.netRuntimeMs = v.netRuntimeMs
  base.jobName = v.jobName
  base.applicationId = v.applicationId
  base.startTime = v.startTime === null ? null : new Date(v.startTime).toISOString()
  base.endTime = v.endTime === null ? null : new Date(v.endTime).toISOString()
  base.failure = v.failure && {className: v.failure.originalClassName ?? v.failure.className, message: v.failure.message}
  base.valid = problems.length === 0
  base.problem = problems.length === 0 ? null : problems.join('; ')
  base.notes = notes
  return base
}

function byTime(a: {mtime: string | null; file: string}, b: {mtime: string | null; file: string}): number {
  const ta = a.mtime ?? ''
  const tb = b.mtime ?? ''
  return ta < tb ? -1 : ta > tb ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0
}

/** Whether an entry passes the filters; `now` fixes "older than". */
export function matchesFilter(e: JobResultEntryRecord, f: EntryFilter, now: Date): boolean {
  if (f.state && e.state !== f.state) return false
  if (f.statuses && f.statuses.length > 0 && !(e.applicationStatus && f.statuses.includes(e.applicationStatus))) return false
  if (f.jobIds && f.jobIds.length > 0 && !(e.jobId && f.jobIds.includes(e.jobId))) return false
  if (f.olderThanMs !== undefined) {
    if (!e.mtime) return false
    if (now.getTime() - Date.parse(e.mtime) < f.olderThanMs) return false
  }
  return true
}

export function operatorDirRecords(dirs: ScannedOperatorDir[]): OperatorDirRecord[] {
  return dirs
    .map((d) => ({
      path: d.uri,
      name: d.name,
      entries: d.files,
      dirtyEntries: d.dirtyJobIds.length,
      dirtyJobIds: d.dirtyJobIds,
      bytes: d.bytes,
      newest: d.newest,
      current: d.current,
    }))
    .sort(newestFirst)
}

/** Newest first; directories with no time last; then by name. */
export function newestFirst(a: {newest: string | null; name: string}, b: {newest: string | null; name: string}): number {
  if (a.newest !== b.newest) {
    if (a.newest === null) return 1
    if (b.newest === null) return -1
    return a.newest > b.newest ? -1 : 1
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

export function otherRecords(others: ScannedOther[]): OtherFileRecord[] {
  return others
    .map((o) => ({
      path: o.uri,
      name: o.name,
      kind: o.kind,
      size: o.size,
      mtime: o.mtime,
      note: o.kind === 'directory' ? 'a directory: Flink skips directories in its JobResultStore' : 'not a .json file: Flink ignores it',
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export interface ReportContext {
  pathFrom: string
  deleteOnCommit: boolean
  deleteOnCommitFrom: string
  filter: EntryFilter
  now: Date
}

/** Pure: the report `haadm jobs results` prints. */
export function jobResultStoreReport(scan: JrsScan, ctx: ReportContext): JobResultStoreReport {
  const all = jobResultEntries(scan)
  const entries = all.filter((e) => matchesFilter(e, ctx.filter, ctx.now))
  return {
    path: scan.path,
    pathFrom: ctx.pathFrom,
    deleteOnCommit: ctx.deleteOnCommit,
    deleteOnCommitFrom: ctx.deleteOnCommitFrom,
    clusterDir: scan.clusterDir,
    layout: scan.layout,
    scannedAt: scan.scannedAt,
    entries,
    counts: {
      total: all.length,
      shown: entries.length,
      dirty: entries.filter((e) => e.state === 'dirty').length,
      clean: entries.filter((e) => e.state === 'clean').length,
      problems: entries.filter((e) => !e.valid).length,
    },
    operatorDirs: operatorDirRecords(scan.operatorDirs),
    others: otherRecords(scan.others),
  }
}

/** The counts of a report, tallied entry by entry: `total` every entry, the rest those shown. */
export function newCounts(): JobResultStoreReport['counts'] {
  return {total: 0, shown: 0, dirty: 0, clean: 0, problems: 0}
}

export function countEntry(c: JobResultStoreReport['counts'], e: JobResultEntryRecord, shown: boolean): void {
  c.total++
  if (!shown) return
  c.shown++
  if (e.state === 'dirty') c.dirty++
  else c.clean++
  if (!e.valid) c.problems++
}

/** Where a row's file is: its path is derivable, so rows share this instead of holding one each. */
export interface RowSource {
  names: string[]
  mtimes: Float64Array
  sizes: Float64Array
  prefix: string
  uris: Map<number, string> | null
}

const STATUSES: (ApplicationStatus | null)[] = [null, 'SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN']

/**
 * What the text output keeps of the shown entries (the table, -o name, the notes after the table), as
 * columns: a listing index, a few bits and numbers, the job name; job ids other than the file name's,
 * failures, problems and notes only where there are any. 100,000 entries: ~5 MB, where objects per
 * entry made the heap grow by ~25 MB of survivors (and V8 let it grow by as much again before collecting).
 */
export class JobResultRows {
  private readonly index: number[] = []
  /** bit 0 dirty, bit 1 valid, bits 2-4 the status (STATUSES). */
  private readonly bits: number[] = []
  /** -1: none. */
  private readonly runtime: number[] = []
  private readonly jobName: (string | null)[] = []
  private readonly jobIds = new Map<number, string | null>()
  private readonly failures = new Map<number, NonNullable<JobResultEntryRecord['failure']>>()
  private readonly problems = new Map<number, string>()
  private readonly notes = new Map<number, string[]>()

  constructor(private readonly src: RowSource) {}

  get length(): number {
    return this.index.length
  }

  get hasProblems(): boolean {
    return this.problems.size > 0
  }

  /** Keeps entry `e`, the listing's entry i. */
  push(i: number, e: JobResultEntryRecord): void {
    const k = this.index.length
    this.index.push(i)
    this.bits.push((e.state === 'dirty' ? 1 : 0) | (e.valid ? 2 : 0) | (STATUSES.indexOf(e.applicationStatus) << 2))
    this.runtime.push(e.netRuntimeMs ?? -1)
    this.jobName.push(e.jobName)
    if (e.jobId !== nameJobId(this.src.names[i])) this.jobIds.set(k, e.jobId)
    if (e.failure) this.failures.set(k, e.failure)
    if (e.problem !== null) this.problems.set(k, e.problem)
    if (e.notes.length > 0) this.notes.set(k, e.notes)
  }

  /** Row k, made when asked for (the table asks twice: widths, then lines). */
  at(k: number): JobResultRow {
    const b = this.bits[k]
    const rt = this.runtime[k]
    return new JobResultRow(this.src, this.index[k], {
      jobId: this.jobIds.has(k) ? this.jobIds.get(k)! : nameJobId(this.src.names[this.index[k]]),
      state: b & 1 ? 'dirty' : 'clean',
      valid: (b & 2) !== 0,
      applicationStatus: STATUSES[b >> 2],
      netRuntimeMs: rt === -1 ? null : rt,
      jobName: this.jobName[k],
      failure: this.failures.get(k) ?? null,
      problem: this.problems.get(k) ?? null,
      notes: this.notes.get(k) ?? NO_NOTES,
    })
  }

  *[Symbol.iterator](): Generator<JobResultRow> {
    for (let k = 0; k < this.index.length; k++) yield this.at(k)
  }
}

/** The job id a file name gives (entryRecord's rule), or null. */
function nameJobId(name: string): string | null {
  const prefix = name.slice(0, -(name.endsWith(DIRTY_SUFFIX) ? DIRTY_SUFFIX : CLEAN_SUFFIX).length)
  return JOB_ID.test(prefix) ? prefix : null
}

/** One shown entry for the text output: the record's fields the text shows, its file's from the listing. */
export class JobResultRow {
  readonly jobId: string | null
  readonly state: 'dirty' | 'clean'
  readonly valid: boolean
  readonly applicationStatus: ApplicationStatus | null
  readonly netRuntimeMs: number | null
  readonly jobName: string | null
  readonly failure: JobResultEntryRecord['failure']
  readonly problem: string | null
  readonly notes: string[]
  constructor(
    private readonly src: RowSource,
    private readonly i: number,
    e: Pick<JobResultEntryRecord, 'jobId' | 'state' | 'valid' | 'applicationStatus' | 'netRuntimeMs' | 'jobName' | 'failure' | 'problem' | 'notes'>,
  ) {
    this.jobId = e.jobId
    this.state = e.state
    this.valid = e.valid
    this.applicationStatus = e.applicationStatus
    this.netRuntimeMs = e.netRuntimeMs
    this.jobName = e.jobName
    this.failure = e.failure
    this.problem = e.problem
    this.notes = e.notes
  }

  get file(): string {
    return this.src.names[this.i]
  }

  /** Epoch ms; null when the store gives no time. */
  get mtime(): number | null {
    const t = this.src.mtimes[this.i]
    return Number.isNaN(t) ? null : t
  }

  get size(): number {
    return this.src.sizes[this.i]
  }

  get path(): string {
    return this.src.uris?.get(this.i) ?? this.src.prefix + this.src.names[this.i]
  }
}
