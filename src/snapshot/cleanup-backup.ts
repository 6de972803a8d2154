/**
 * cleanup --backup: what of a cleanup plan goes into the backup (src/snapshot/backup.ts): every planned
 * znode / ConfigMap with what lies below it, the JobResultStore entries and every storage file the plan
 * removes. Kept out of cleanup-run.ts, which only calls these two functions.
 */
import type {RawItem} from '../backends/types.js'
import type {Target} from '../config/target.js'
import type {CleanupPlan} from '../ops/cleanup.js'
import {type BackupSummary, backupHeader, checkBackupAgainstPlan, type FileSource, storageOpener, writeBackup} from './backup.js'

export interface CleanupBackupOptions {
  file: string
  overwrite: boolean
  haadmVersion: string
}

/** The plan's znodes / ConfigMaps: a planned key covers what lies below it. */
function coveredItems(plan: CleanupPlan, items: RawItem[]): RawItem[] {
  const keys = new Set(plan.metadata.map((m) => m.key))
  const covered = (key: string) => {
    for (let k = key; ; k = k.slice(0, k.lastIndexOf('/'))) {
      if (keys.has(k)) return true
      if (!k.includes('/')) return false
    }
  }
  return items.filter((i) => covered(i.key))
}

/** Before the confirmation: an existing backup is refused (or, with --backup-overwrite, a smaller replacement is said). */
export function checkCleanupBackup(opts: CleanupBackupOptions, plan: CleanupPlan, items: RawItem[], warnings: string[]): void {
  checkBackupAgainstPlan({file: opts.file, overwrite: opts.overwrite}, {items: coveredItems(plan, items).length, files: plan.storage.length}, warnings)
}

/** Writes the backup, complete and fsynced, before the first removal. */
export async function writeCleanupBackup(opts: CleanupBackupOptions, plan: CleanupPlan, items: RawItem[], target: Target): Promise<BackupSummary> {
  const jrs = target.jobResultStorePath?.value?.replace(/\/+$/, '')
  const sources: FileSource[] = plan.storage.map((step) => ({
    kind: step.kind,
    uri: step.uri,
    files: step.files.map((uri) => ({uri})),
    jobResultStore: jrs !== undefined && (step.uri.replace(/\/+$/, '') === jrs || step.uri.startsWith(`${jrs}/`)),
  }))
  return writeBackup({
    request: {file: opts.file, overwrite: opts.overwrite},
    header: backupHeader(target, plan.scope === 'plan' ? `plans remove ${plan.jobId}` : `cleanup (${plan.scope}${plan.jobId ? ` ${plan.jobId}` : ''})`, opts.haadmVersion, {
      backend: plan.backend,
      clusterId: plan.clusterId,
      root: plan.root,
    }),
    items: coveredItems(plan, items),
    sources,
    jobResultStorePath: jrs,
    open: storageOpener(target),
  })
}
