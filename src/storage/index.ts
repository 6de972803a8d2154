/**
 * Files Flink keeps outside its metadata store: the JobResultStore directory and the HA storageDir.
 * `openStorage(uri, target)` picks the filesystem by the location's scheme; object-store clients
 * are loaded only when such a location is opened.
 */
import type {Target} from '../config/target.js'
import {LocalStorage} from './local.js'
import type {Storage} from './types.js'
import {parseLocation} from './uri.js'

export type {DeleteOutcome, ListOptions, Storage, StorageEntry} from './types.js'
export {baseName, baseNameOf, childLocation, formatLocation, joinUri, parentLocation, parentUri, parseLocation, type StorageLocation} from './uri.js'

/** The storage for `uri`'s filesystem. S3 settings come from `target.s3`, then the AWS SDK's own chain. */
export async function openStorage(uri: string, target?: Pick<Target, 's3'>): Promise<Storage> {
  const loc = parseLocation(uri)
  if (loc.kind === 'local') return new LocalStorage()
  const {openS3Storage} = await import('./s3.js')
  return openS3Storage(target?.s3 ?? {})
}

/** Opens the storage, runs `fn`, and always closes it. */
export async function withStorage<T>(uri: string, target: Pick<Target, 's3'> | undefined, fn: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await openStorage(uri, target)
  try {
    return await fn(storage)
  } finally {
    await storage.close()
  }
}
