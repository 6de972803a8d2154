/**
 * One interface over the filesystems Flink keeps HA files on (the JobResultStore directory, the HA
 * storageDir): local paths and object stores. Every location is a string as Flink's `Path` writes
 * it (`/var/flink/ha/...`, `file:///...`, `s3://bucket/...`); answers use the same form, with local
 * paths as plain absolute paths.
 *
 * Implementations translate their own errors into HaadmError: a missing location is
 * STORAGE_NOT_FOUND, a refused one STORAGE_FORBIDDEN, a store that does not answer
 * STORAGE_UNREACHABLE (all exit 3).
 */

export interface StorageEntry {
  /** Full location of the file or directory. */
  uri: string
  /** Last path segment. */
  name: string
  /** Relative to the listed directory, `/`-separated (equals `name` unless listing recursively). */
  relative: string
  kind: 'file' | 'directory'
  /** Bytes; null for directories. */
  size: number | null
  /** Last modification, ISO 8601; null when the store does not say (S3 "directories"). */
  mtime: string | null
  /** Object stores: the ETag as the store returned it (quotes included). */
  etag?: string
}

export interface ListOptions {
  /**
   * false (default): the directory's files and its sub-directories (one level).
   * true: every file below the directory, at any depth; no directory entries.
   */
  recursive?: boolean
  /** Names fetched per request where the store pages (S3: MaxKeys, at most 1000). */
  pageSize?: number
}

/** The outcome of deleting one file. `absent` (already gone) counts as success. */
export interface DeleteOutcome {
  uri: string
  status: 'removed' | 'absent' | 'failed'
  error?: string
  /** The HaadmError code of a failure (STORAGE_FORBIDDEN, ...). */
  code?: string
}

export interface Storage {
  readonly kind: 'local' | 's3'
  /**
   * The entries of a directory, in pages: never more than one page of names is held at a time.
   * A directory that does not exist is STORAGE_NOT_FOUND on local filesystems; on object stores,
   * where directories are only key prefixes, it is an empty listing (but a missing bucket is
   * STORAGE_NOT_FOUND).
   */
  list(dirUri: string, opts?: ListOptions): AsyncIterable<StorageEntry>
  /** The file or directory, or undefined when there is none. */
  stat(uri: string): Promise<StorageEntry | undefined>
  read(uri: string): Promise<Uint8Array>
  /**
   * Local filesystems only: the same read, synchronously. Many small files (a JobResultStore) read in
   * a tight loop take half the time of callbacks, with one file's bytes alive at a time.
   */
  readSync?(uri: string): Uint8Array
  /**
   * Copies a file, never overwriting `to` (STORAGE_ERROR when it exists), and verifies the copy
   * (size and ETag, else bytes) before returning; a copy that does not match is removed and
   * STORAGE_VERIFY_FAILED thrown.
   */
  copy(from: string, to: string): Promise<void>
  /**
   * Creates a file with these bytes, never overwriting one (STORAGE_ERROR "already exists"); local:
   * the parent directories are made, the file written under a temporary name, fsynced and linked
   * into place. Used by `haadm restore`.
   */
  create(uri: string, bytes: Uint8Array): Promise<void>
  /**
   * Moves a file, never overwriting `to`. Local: one atomic rename(2). Object stores: a verified
   * copy, then a delete of the source: not atomic; if the delete fails both exist.
   */
  rename(from: string, to: string): Promise<void>
  /** Deletes one file. Object stores cannot tell `absent` from `removed` without asking first; they ask. */
  delete(uri: string): Promise<DeleteOutcome['status']>
  /** Deletes many files with a bound on requests in flight (S3: batched, 1000 keys a request). */
  deleteMany(uris: string[], opts?: {concurrency?: number}): AsyncIterable<DeleteOutcome>
  /** Deletes every file below the directory, then the directory itself where the store has one. */
  deleteRecursive(dirUri: string): AsyncIterable<DeleteOutcome>
  /**
   * Removes a directory that holds no files any more (local: the directory and its empty
   * sub-directories; object stores: a directory marker object, if any). A file found inside is
   * STORAGE_ERROR: nothing that was not listed is removed.
   */
  removeEmptyDir(dirUri: string): Promise<void>
  close(): Promise<void>
}
