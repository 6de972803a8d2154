/**
 * S3 and S3-compatible stores (MinIO, Ceph, ...) on the AWS SDK v3 client. This module is loaded
 * only for `s3://`, `s3a://` and `s3p://` locations, and loads the SDK itself on first use.
 */
import {createHash} from 'node:crypto'
import type {S3Target} from '../config/target.js'
import {ExitCode, HaadmError} from '../errors.js'
import {mapConcurrent} from './concurrency.js'
import type {DeleteOutcome, ListOptions, Storage, StorageEntry} from './types.js'
import {formatLocation, parseLocation, type S3Scheme} from './uri.js'

type Sdk = typeof import('@aws-sdk/client-s3')
type Client = import('@aws-sdk/client-s3').S3Client

/** S3 returns at most 1000 keys per listing and deletes at most 1000 per request. */
const MAX_PAGE = 1000
const DELETE_BATCHES_IN_FLIGHT = 4
const DELETE_CONCURRENCY = 16

interface Obj {
  scheme: S3Scheme
  bucket: string
  key: string
}

export interface S3Settings {
  endpoint?: string
  pathStyle?: boolean
  region: string
  credentials?: {accessKeyId: string; secretAccessKey: string}
  /** Where each setting came from, for error hints. */
  describe: string
}

/** The client settings from the resolved target; what is unset falls back to the SDK's own chain (AWS_*). */
export function s3Settings(s3: S3Target, env: Record<string, string | undefined> = process.env): S3Settings {
  const accessKey = s3.accessKey?.value
  const secretKey = s3.secretKey?.value
  if ((accessKey === undefined) !== (secretKey === undefined))
    throw new HaadmError('USAGE', `S3 ${accessKey === undefined ? 'secret key' : 'access key'} given without the ${accessKey === undefined ? 'access key' : 'secret key'}`, {
      exit: ExitCode.USAGE,
      hint: 'Set both s3.access-key and s3.secret-key (or HAADM_S3_ACCESS_KEY and HAADM_S3_SECRET_KEY), or neither to use the AWS_* chain.',
    })
  let endpoint = s3.endpoint?.value
  // Flink's S3 filesystems accept a bare host[:port]; the SDK wants a URL. Hadoop's default is TLS.
  if (endpoint !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) endpoint = `https://${endpoint}`
  const region = s3.region?.value ?? env.AWS_DEFAULT_REGION ?? 'us-east-1'
  return {
    endpoint,
    pathStyle: s3.pathStyleAccess?.value,
    region,
    credentials: accessKey !== undefined && secretKey !== undefined ? {accessKeyId: accessKey, secretAccessKey: secretKey} : undefined,
    describe: endpoint ? `endpoint ${endpoint}` : `AWS S3 (${region})`,
  }
}

let sdkPromise: Promise<Sdk> | undefined
function loadSdk(): Promise<Sdk> {
  sdkPromise ??= import('@aws-sdk/client-s3').catch((err) => {
    sdkPromise = undefined
    throw new HaadmError('UNEXPECTED', 'the AWS SDK (npm package @aws-sdk/client-s3) is not installed', {
      exit: ExitCode.UNEXPECTED,
      hint: 'Reinstall haadm with its dependencies (npm ci).',
      cause: err,
    })
  })
  return sdkPromise
}

export async function openS3Storage(s3: S3Target): Promise<S3Storage> {
  const settings = s3Settings(s3)
  // The SDK warns on stderr about Node.js versions it will drop; haadm's own output must stay clean.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const sdk = await loadSdk()
  const client = new sdk.S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.pathStyle,
    credentials: settings.credentials,
    // S3-compatible stores (MinIO, Ceph, older gateways) reject or mangle the newer flexible checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: {connectionTimeout: 5000, requestTimeout: 60_000},
  })
  // Some S3-compatible stores require Content-MD5 on DeleteObjects, which the SDK no longer sends.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const req = args.request as {headers?: Record<string, string>; body?: unknown}
      if (context.commandName === 'DeleteObjectsCommand' && req.headers && typeof req.body === 'string' && !req.headers['content-md5'])
        req.headers['content-md5'] = createHash('md5').update(req.body).digest('base64')
      return next(args)
    },
    {step: 'build', name: 'haadmContentMd5'},
  )
  return new S3Storage(sdk, client, settings)
}

export class S3Storage implements Storage {
  readonly kind = 's3' as const
  private readonly bucketsChecked = new Map<string, Promise<void>>()

  constructor(
    private readonly sdk: Sdk,
    private readonly client: Client,
    private readonly settings: S3Settings,
  ) {}

  async *list(dirUri: string, opts: ListOptions = {}): AsyncGenerator<StorageEntry> {
    const dir = obj(dirUri)
    const prefix = dir.key === '' ? '' : `${dir.key}/`
    const pageSize = Math.min(MAX_PAGE, Math.max(1, opts.pageSize ?? MAX_PAGE))
    let token: string | undefined
    do {
      let res: import('@aws-sdk/client-s3').ListObjectsV2CommandOutput
      try {
        res = await this.client.send(
          new this.sdk.ListObjectsV2Command({
            Bucket: dir.bucket,
            Prefix: prefix,
            Delimiter: opts.recursive ? undefined : '/',
            MaxKeys: pageSize,
            ContinuationToken: token,
          }),
        )
      } catch (err) {
        throw this.translate(err, dirUri, 'list')
      }
      for (const p of res.CommonPrefixes ?? []) {
        if (!p.Prefix) continue
        const relative = p.Prefix.slice(prefix.length).replace(/\/+$/, '')
        if (relative === '') continue
        yield {
          uri: uriOf({...dir, key: p.Prefix.replace(/\/+$/, '')}),
          name: relative,
          relative,
          kind: 'directory',
          size: null,
          mtime: null,
        }
      }
      for (const o of res.Contents ?? []) {
        // Zero-byte `dir/` keys are directory markers (Hadoop S3A, consoles), not files.
        if (!o.Key || o.Key.endsWith('/')) continue
        const relative = o.Key.slice(prefix.length)
        yield {
          uri: uriOf({...dir, key: o.Key}),
          name: relative.slice(relative.lastIndexOf('/') + 1),
          relative,
          kind: 'file',
          size: o.Size ?? 0,
          mtime: o.LastModified ? o.LastModified.toISOString() : null,
          etag: o.ETag,
        }
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined
    } while (token)
  }

  async stat(uri: string): Promise<StorageEntry | undefined> {
    const o = obj(uri)
    if (o.key !== '') {
      const head = await this.head(o, uri)
      if (head) return head
      // Not an object: a "directory" when some key lies below it.
      if (await this.hasAny(uri))
        return {uri: uriOf(o), name: baseName(o.key), relative: baseName(o.key), kind: 'directory', size: null, mtime: null}
      await this.checkBucket(o, uri)
      return undefined
    }
    await this.checkBucket(o, uri)
    return {uri: uriOf(o), name: o.bucket, relative: o.bucket, kind: 'directory', size: null, mtime: null}
  }

  private async head(o: Obj, uri: string): Promise<StorageEntry | undefined> {
    try {
      const h = await this.client.send(new this.sdk.HeadObjectCommand({Bucket: o.bucket, Key: o.key}))
      return {
        uri: uriOf(o),
        name: baseName(o.key),
        relative: baseName(o.key),
        kind: 'file',
        size: h.ContentLength ?? 0,
        mtime: h.LastModified ? h.LastModified.toISOString() : null,
        etag: h.ETag,
      }
    } catch (err) {
      if (status(err) === 404) return undefined
      throw this.translate(err, uri, 'stat')
    }
  }

  /** HeadObject says 404 for a missing bucket too; ask the bucket once to tell the two apart. */
  private checkBucket(o: Obj, uri: string): Promise<void> {
    let p = this.bucketsChecked.get(o.bucket)
    if (!p) {
      p = this.client.send(new this.sdk.HeadBucketCommand({Bucket: o.bucket})).then(
        () => undefined,
        (err) => {
          throw this.translate(status(err) === 404 ? Object.assign(err, {name: 'NoSuchBucket'}) : err, uri, 'stat')
        },
      )
      this.bucketsChecked.set(o.bucket, p)
    }
    return p
  }

  async read(uri: string): Promise<Uint8Array> {
    const o = obj(uri)
    try {
      const res = await this.client.send(new this.sdk.GetObjectCommand({Bucket: o.bucket, Key: o.key}))
      if (!res.Body) return new Uint8Array(0)
      return await res.Body.transformToByteArray()
    } catch (err) {
      if (errName(err) === 'NoSuchKey' || status(err) === 404) {
        await this.checkBucket(o, uri)
        throw new HaadmError('STORAGE_NOT_FOUND', `no such object: ${uri}`, {exit: ExitCode.UNREACHABLE, hint: 'It may have been removed since it was listed.', details: {path: uri}})
      }
      throw this.translate(err, uri, 'read')
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const src = obj(from)
    const dst = obj(to)
    const source = await this.head(src, from)
    if (!source) {
      await this.checkBucket(src, from)
      throw new HaadmError('STORAGE_NOT_FOUND', `no such object: ${from}`, {exit: ExitCode.UNREACHABLE, details: {path: from}})
    }
    if (await this.head(dst, to))
      throw new HaadmError('STORAGE_ERROR', `${to} already exists; it was not overwritten`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Look at both objects before deciding which one to keep.',
      })
    try {
      await this.client.send(
        new this.sdk.CopyObjectCommand({
          Bucket: dst.bucket,
          Key: dst.key,
          CopySource: `${src.bucket}/${src.key.split('/').map(encodeURIComponent).join('/')}`,
          CopySourceIfMatch: source.etag,
        }),
      )
    } catch (err) {
      throw this.translate(err, to, 'copy')
    }
    await this.verifyCopy(source, from, dst, to)
  }

  /** Size and ETag must match; an ETag that differs (multipart sources, SSE-KMS) falls back to comparing bytes. */
  private async verifyCopy(source: StorageEntry, from: string, dst: Obj, to: string): Promise<void> {
    const copied = await this.head(dst, to)
    let same = copied !== undefined && copied.size === source.size
    if (same && copied!.etag !== source.etag) {
      const [a, b] = await Promise.all([this.read(from), this.read(to)])
      same = Buffer.from(a).equals(Buffer.from(b))
    }
    if (!same) {
      await this.client.send(new this.sdk.DeleteObjectCommand({Bucket: dst.bucket, Key: dst.key})).catch(() => undefined)
      throw new HaadmError('STORAGE_VERIFY_FAILED', `the copy ${to} does not match ${from}; the copy was removed and ${from} kept`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'The source changed while copying, or the store is misbehaving. Nothing else was changed; run again.',
        details: {from, to, sourceSize: source.size, copySize: copied?.size ?? null, sourceEtag: source.etag, copyEtag: copied?.etag ?? null},
      })
    }
  }

  async create(uri: string, bytes: Uint8Array): Promise<void> {
    const o = obj(uri)
    if (await this.head(o, uri))
      throw new HaadmError('STORAGE_ERROR', `${uri} already exists; it was not overwritten`, {exit: ExitCode.UNREACHABLE, hint: 'Look at the object before deciding which one to keep.'})
    try {
      // IfNoneMatch: stores that support conditional writes refuse a key created since the check.
      await this.client.send(new this.sdk.PutObjectCommand({Bucket: o.bucket, Key: o.key, Body: bytes, IfNoneMatch: '*'}))
    } catch (err) {
      if (status(err) === 412) throw new HaadmError('STORAGE_ERROR', `${uri} already exists; it was not overwritten`, {exit: ExitCode.UNREACHABLE})
      throw this.translate(err, uri, 'create')
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await this.copy(from, to)
    const src = obj(from)
    try {
      await this.client.send(new this.sdk.DeleteObjectCommand({Bucket: src.bucket, Key: src.key}))
    } catch (err) {
      const e = this.translate(err, from, 'delete')
      throw new HaadmError('STORAGE_ERROR', `copied ${from} to ${to} (verified) but could not delete ${from}: ${e.message}`, {
        exit: ExitCode.UNREACHABLE,
        hint: `Both objects now exist; delete ${from} once the cause is fixed.`,
        cause: err,
        details: {from, to},
      })
    }
  }

  async delete(uri: string): Promise<DeleteOutcome['status']> {
    const o = obj(uri)
    if (!(await this.head(o, uri))) {
      await this.checkBucket(o, uri)
      return 'absent'
    }
    try {
      await this.client.send(new this.sdk.DeleteObjectCommand({Bucket: o.bucket, Key: o.key}))
      return 'removed'
    } catch (err) {
      throw this.translate(err, uri, 'delete')
    }
  }

  async *deleteMany(uris: string[], opts: {concurrency?: number} = {}): AsyncGenerator<DeleteOutcome> {
    if (uris.length === 1) {
      // One object: ask first, so "already gone" is reported as such.
      const uri = uris[0]
      try {
        yield {uri, status: await this.delete(uri)}
      } catch (err) {
        yield {uri, status: 'failed', error: (err as Error).message, code: (err as HaadmError).code}
      }
      return
    }
    const batches: Array<{bucket: string; items: Array<{uri: string; key: string}>}> = []
    const byBucket = new Map<string, Array<{uri: string; key: string}>>()
    for (const uri of uris) {
      const o = obj(uri)
      let list = byBucket.get(o.bucket)
      if (!list) byBucket.set(o.bucket, (list = []))
      list.push({uri, key: o.key})
      if (list.length === MAX_PAGE) {
        batches.push({bucket: o.bucket, items: list})
        byBucket.set(o.bucket, [])
      }
    }
    for (const [bucket, items] of byBucket) if (items.length > 0) batches.push({bucket, items})
    const inFlight = Math.max(1, Math.min(DELETE_BATCHES_IN_FLIGHT, Math.ceil((opts.concurrency ?? DELETE_CONCURRENCY) / 4)))
    for await (const outcomes of mapConcurrent(batches, inFlight, (b) => this.deleteBatch(b.bucket, b.items))) yield* outcomes
  }

  private async deleteBatch(bucket: string, items: Array<{uri: string; key: string}>): Promise<DeleteOutcome[]> {
    try {
      const res = await this.client.send(
        new this.sdk.DeleteObjectsCommand({Bucket: bucket, Delete: {Objects: items.map((i) => ({Key: i.key})), Quiet: false}}),
      )
      const failed = new Map((res.Errors ?? []).map((e) => [e.Key, `${e.Code ?? 'Error'}: ${e.Message ?? ''}`.trim()]))
      // S3 reports every key it was asked to delete as deleted, whether or not it existed.
      return items.map((i) =>
        failed.has(i.key) ? {uri: i.uri, status: 'failed' as const, error: failed.get(i.key), code: 'STORAGE_ERROR'} : {uri: i.uri, status: 'removed' as const},
      )
    } catch (err) {
      const e = this.translate(err, `${items[0].uri} (and ${items.length - 1} more)`, 'delete')
      return items.map((i) => ({uri: i.uri, status: 'failed' as const, error: e.message, code: e.code}))
    }
  }

  async *deleteRecursive(dirUri: string): AsyncGenerator<DeleteOutcome> {
    let page: string[] = []
    for await (const e of this.list(dirUri, {recursive: true})) {
      page.push(e.uri)
      if (page.length >= MAX_PAGE) {
        yield* this.deleteMany(page)
        page = []
      }
    }
    if (page.length > 0) yield* this.deleteMany(page)
    await this.removeEmptyDir(dirUri)
  }

  /** The first key below a prefix, if any. */
  private async firstBelow(dirUri: string): Promise<StorageEntry | undefined> {
    const it = this.list(dirUri, {recursive: true, pageSize: 1})
    const first = await it.next()
    await it.return(undefined)
    return first.done ? undefined : first.value
  }

  private async hasAny(dirUri: string): Promise<boolean> {
    return (await this.firstBelow(dirUri)) !== undefined
  }

  async removeEmptyDir(dirUri: string): Promise<void> {
    const left = await this.firstBelow(dirUri)
    if (left)
      throw new HaadmError('STORAGE_ERROR', `${dirUri} still holds ${left.uri}; it was kept`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'An object appeared after the listing: list again and decide about it.',
      })
    const o = obj(dirUri)
    if (o.key === '') return
    try {
      await this.client.send(new this.sdk.DeleteObjectCommand({Bucket: o.bucket, Key: `${o.key}/`}))
    } catch (err) {
      throw this.translate(err, dirUri, 'delete')
    }
  }

  async close(): Promise<void> {
    this.client.destroy()
  }

  /** One line per failure an operator can act on; all exit 3. */
  translate(err: unknown, uri: string, op: string): HaadmError {
    if (err instanceof HaadmError) return err
    const name = errName(err)
    const code = status(err)
    const net = networkCode(err)
    const bucket = safeBucket(uri)
    const where = this.settings.describe
    if (name === 'NoSuchBucket')
      return new HaadmError('STORAGE_NOT_FOUND', `bucket ${bucket} does not exist (${where})`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Check the bucket in the path, and --s3-endpoint / s3.endpoint if the store is not AWS.',
        cause: err,
        details: {path: uri, bucket},
      })
    if (name === 'CredentialsProviderError' || name === 'CredentialsError')
      return new HaadmError('STORAGE_FORBIDDEN', `no S3 credentials for ${uri}`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Set s3.access-key and s3.secret-key in the Flink configuration, HAADM_S3_ACCESS_KEY and HAADM_S3_SECRET_KEY, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
        cause: err,
      })
    if (
      code === 403 ||
      code === 401 ||
      ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'Forbidden'].includes(name)
    )
      return new HaadmError('STORAGE_FORBIDDEN', `S3 refused to ${op} ${uri}: ${name || `HTTP ${code}`} (${where})`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Check the credentials (s3.access-key / s3.secret-key, HAADM_S3_ACCESS_KEY / HAADM_S3_SECRET_KEY, or AWS_*) and that they may access the bucket.',
        cause: err,
        details: {path: uri},
      })
    if (net || name === 'TimeoutError' || name === 'RequestTimeout')
      return new HaadmError('STORAGE_UNREACHABLE', `cannot reach S3 at ${where}: ${net ?? name}`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Check --s3-endpoint (s3.endpoint) and the network; S3-compatible stores usually also need --s3-path-style.',
        cause: err,
      })
    if (code === 404)
      return new HaadmError('STORAGE_NOT_FOUND', `not found: ${uri} (${where})`, {exit: ExitCode.UNREACHABLE, cause: err, details: {path: uri}})
    const message = err instanceof Error ? err.message : String(err)
    return new HaadmError('STORAGE_ERROR', `S3 error on ${op} ${uri}: ${name ? `${name}: ` : ''}${message}`, {
      exit: ExitCode.UNREACHABLE,
      hint: code ? `HTTP ${code} from ${where}.` : undefined,
      cause: err,
    })
  }
}

function obj(uri: string): Obj {
  const loc = parseLocation(uri)
  if (loc.kind !== 's3') throw new HaadmError('UNEXPECTED', `${uri} is not an S3 URI`, {exit: ExitCode.UNEXPECTED})
  return {scheme: loc.scheme, bucket: loc.bucket, key: loc.key}
}

const uriOf = (o: Obj) => formatLocation({kind: 's3', ...o})
const baseName = (key: string) => key.slice(key.lastIndexOf('/') + 1)

function safeBucket(uri: string): string {
  try {
    const loc = parseLocation(uri.split(' ')[0])
    return loc.kind === 's3' ? loc.bucket : uri
  } catch {
    return uri
  }
}

function errName(err: unknown): string {
  const e = err as {name?: string; Code?: string}
  return e?.Code ?? e?.name ?? ''
}

function status(err: unknown): number | undefined {
  return (err as {$metadata?: {httpStatusCode?: number}})?.$metadata?.httpStatusCode
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'EPROTO'])

function networkCode(err: unknown): string | undefined {
  const e = err as {code?: string; errors?: Array<{code?: string}>; cause?: {code?: string}}
  for (const c of [e?.code, e?.cause?.code, ...(e?.errors ?? []).map((x) => x?.code)]) if (c && NETWORK_CODES.has(c)) return c
  return undefined
}
