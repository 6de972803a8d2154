/**
 * Files Flink keeps outside its metadata store: the JobResultStore directory and the HA storageDir.
 * `openStorage(uri, target)` picks the filesystem by the location's scheme; object-store clients
 * are loaded only when such a location is opened.
 */
import type {Target} from '../config/target.js'
import {ExitCode, HaadmError} from '../errors.js'
import {LocalStorage} from './local.js'
import type {Storage} from './types.js'
import {parseLocation} from './uri.js'

export type {DeleteOutcome, ListOptions, Storage, StorageEntry} from './types.js'
export {baseName, baseNameOf, childLocation, formatLocation, joinUri, parentLocation, parentUri, parseLocation, type StorageLocation} from './uri.js'

/** The storage for `uri`'s filesystem. S3 settings come from `target.s3`, then the AWS SDK's own chain. */
export async function openStorage(uri: string, target?: Pick<Target, 's3'> & Partial<Pick<Target, 'snapshot'>>): Promise<Storage> {
  if (target?.snapshot) {
    // Reading from a snapshot: the files it captured stand in for the store, read-only.
    const {readSnapshot} = await import('../snapshot/io.js')
    const {SnapshotStorage} = await import('./snapshot.js')
    const doc = await readSnapshot(target.snapshot.value)
    if (!doc.jobResults)
      throw new HaadmError('STORAGE_NOT_FOUND', `snapshot ${target.snapshot.value} holds no JobResultStore files`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Export with the JobResultStore reachable (--jrs-path or --storage-dir) to include it.',
      })
    return new SnapshotStorage(doc.jobResults as import('./snapshot.js').SnapshotFiles)
  }
  const loc = parseLocation(uri)
  if (loc.kind === 'local') return new LocalStorage()
  const {openS3Storage} = await import('./s3.js')
  return openS3Storage(target?.s3 ?? {})
}

/** Opens the storage, runs `fn`, and always closes it. */
export async function withStorage<T>(uri: string, target: (Pick<Target, 's3'> & Partial<Pick<Target, 'snapshot'>>) | undefined, fn: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await openStorage(uri, target)
  try {
    return await fn(storage)
  } finally {
    await storage.close()
  }
}
