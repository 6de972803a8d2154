/**
 * `haadm jobs results` read the way it is written out: the listing first (the order of the report),
 * then the entries a batch at a time, each batch filtered and counted as it is read; the counts are
 * complete once the last batch is. Nothing is kept per entry here: --json writes each batch out, the
 * text keeps a compact row per shown entry (JobResultRows).
 */
import type {Storage} from '../../storage/index.js'
import {
  countEntry,
  type JobResultEntryRecord,
  JobResultRows,
  type JobResultStoreReport,
  matchesFilter,
  newCounts,
  operatorDirRecords,
  type OperatorDirRecord,
  type OtherFileRecord,
  otherRecords,
  type ReportContext,
} from './records.js'
import {type JrsListing, listJobResultStore, operatorDirsOf, othersOf, readListedEntries} from './scan.js'

export interface JobResultsRead {
  head: Pick<JobResultStoreReport, 'path' | 'pathFrom' | 'deleteOnCommit' | 'deleteOnCommitFrom' | 'clusterDir'>
  listing: JrsListing
  /** What the path holds directly: entry files, other files, sub-directories. */
  found: number
  /** Tallied as the batches are read. */
  counts: JobResultStoreReport['counts']
  /**
   * The Operator's per-deploy directories, listed when asked for: the current one (the listed path)
   * is summarised from the listing, less the entries found gone by the batches read until then.
   */
  operatorDirs(): Promise<OperatorDirRecord[]>
  others: OtherFileRecord[]
  /** The shown entries, in report order, a batch at a time, with their listing indices; once only. */
  batches(): AsyncGenerator<{shown: JobResultEntryRecord[]; indices: number[]}>
}

export async function readJobResults(storage: Storage, path: string, ctx: ReportContext): Promise<JobResultsRead> {
  const l = await listJobResultStore(storage, path)
  const gone = new Uint8Array(l.names.length)
  const counts = newCounts()
  return {
    head: {path: l.path, pathFrom: ctx.pathFrom, deleteOnCommit: ctx.deleteOnCommit, deleteOnCommitFrom: ctx.deleteOnCommitFrom, clusterDir: l.clusterDir},
    listing: l,
    found: l.names.length + l.others.length + l.subdirs.length,
    counts,
    operatorDirs: async () => operatorDirRecords(await operatorDirsOf(storage, l, gone)),
    others: otherRecords(othersOf(l)),
    async *batches() {
      for await (const b of readListedEntries(storage, l, gone)) {
        const shown: JobResultEntryRecord[] = []
        const indices: number[] = []
        for (let k = 0; k < b.records.length; k++) {
          const e = b.records[k]
          const show = matchesFilter(e, ctx.filter, ctx.now)
          countEntry(counts, e, show)
          if (show) {
            shown.push(e)
            indices.push(b.indices[k])
          }
        }
        yield {shown, indices}
      }
    },
  }
}

/** Every shown entry as a compact row (the text output needs them all for its column widths). */
export async function jobResultRows(r: JobResultsRead): Promise<JobResultRows> {
  const rows = new JobResultRows(r.listing)
  for await (const b of r.batches()) for (let k = 0; k < b.shown.length; k++) rows.push(b.indices[k], b.shown[k])
  return rows
}
