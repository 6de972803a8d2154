// An S3-compatible server (the `s3rver` npm package) on a free 127.0.0.1 port with a fresh temp
// directory, for tests of every S3 path. It runs in a child Node.js process with OpenSSL's legacy
// provider: s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only has
// there, and without it listing past one page (1,000 keys) fails.

import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, statSync, utimesSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'

// The SDK's notice about Node.js versions it will drop is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

/** s3rver's built-in account. It checks the access key id of V4 signatures, not the signature itself. */
export const S3RVER_ACCESS_KEY = 'S3RVER'
export const S3RVER_SECRET_KEY = 'S3RVER'

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string
  port: number
  /** Where s3rver keeps buckets and objects (one file per object). */
  dir: string
  /** Environment for the CLI: endpoint, path-style access and the server's credentials. */
  env: Record<string, string>
  client: S3Client
  createBucket(name: string): Promise<void>
  put(bucket: string, key: string, body: string | Uint8Array): Promise<void>
  /** Many objects, with a bound on requests in flight. */
  putMany(bucket: string, objects: Array<{key: string; body: string | Uint8Array}>, concurrency?: number): Promise<void>
  get(bucket: string, key: string): Promise<Buffer | undefined>
  keys(bucket: string, prefix?: string): Promise<string[]>
  /** Sets an object's Last-Modified (s3rver reports its file's mtime). */
  setMtime(bucket: string, key: string, time: Date): void
  stop(): Promise<void>
}

const CHILD = `
const S3rver = require(process.argv[1]);
const crypto = require('crypto');
try { crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8)); }
catch (e) { process.stderr.write('DES unavailable: ' + e.message + '\\n'); process.exit(3); }
const server = new S3rver({address: '127.0.0.1', port: 0, silent: true, directory: process.argv[2]});
server.run().then((addr) => process.stdout.write(JSON.stringify({port: addr.port}) + '\\n'), (e) => { process.stderr.write(String(e.stack || e) + '\\n'); process.exit(1); });
process.stdin.resume();
process.stdin.on('end', () => server.close().finally(() => process.exit(0)));
`

const live = new Set<ChildProcess>()
let hooked = false

export async function startS3Server(opts: {buckets?: string[]} = {}): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'haadm-s3-'))
  const s3rverMain = createRequire(import.meta.url).resolve('s3rver')
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD, s3rverMain, dir], {stdio: ['pipe', 'pipe', 'pipe']})
  live.add(child)
  if (!hooked) {
    hooked = true
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL')
    })
  }
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within 20 s: ${stderr}`)), 20_000)
    child.stdout!.on('data', (d) => {
      out += d
      const line = out.split('\n')[0]
      if (out.includes('\n')) {
        clearTimeout(timer)
        try {
          resolve(JSON.parse(line).port)
        } catch (e) {
          reject(e)
        }
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`s3rver exited with ${code}: ${stderr}`))
    })
  })
  const endpoint = `http://127.0.0.1:${port}`
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {accessKeyId: S3RVER_ACCESS_KEY, secretAccessKey: S3RVER_SECRET_KEY},
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  const objectFile = (bucket: string, key: string) => {
    const parts = key.split('/')
    const last = parts.pop()!
    return join(dir, bucket, ...parts, `${last}._S3rver_object`)
  }
  const server: S3Server = {
    endpoint,
    port,
    dir,
    env: {HAADM_S3_ENDPOINT: endpoint, HAADM_S3_PATH_STYLE: 'true', HAADM_S3_ACCESS_KEY: S3RVER_ACCESS_KEY, HAADM_S3_SECRET_KEY: S3RVER_SECRET_KEY},
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({Bucket: name}))
    },
    async put(bucket, key, body) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body
      const started = Date.now()
      await client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: bytes}))
      // s3rver answers before its write of a buffered body has finished (putObject resolves right after
      // writeStream.end): wait for this write to be whole (an earlier object under the key is older),
      // so a setMtime that follows is not overwritten by it.
      const file = objectFile(bucket, key)
      for (let i = 0; i < 400; i++) {
        const st = existsSync(file) ? statSync(file) : undefined
        if (st && st.size === bytes.length && st.mtimeMs >= started - 50) return
        await new Promise((r) => setTimeout(r, 5))
      }
      throw new Error(`s3rver did not finish writing ${bucket}/${key}`)
    },
    async putMany(bucket, objects, concurrency = 32) {
      let next = 0
      const worker = async () => {
        while (next < objects.length) {
          const o = objects[next++]
          await server.put(bucket, o.key, o.body)
        }
      }
      await Promise.all(Array.from({length: Math.min(concurrency, objects.length)}, worker))
    },
    async get(bucket, key) {
      try {
        const res = await client.send(new GetObjectCommand({Bucket: bucket, Key: key}))
        return Buffer.from(await res.Body!.transformToByteArray())
      } catch (e) {
        if ((e as {name?: string}).name === 'NoSuchKey') return undefined
        throw e
      }
    },
    async keys(bucket, prefix = '') {
      const out: string[] = []
      let token: string | undefined
      do {
        const res = await client.send(new ListObjectsV2Command({Bucket: bucket, Prefix: prefix, ContinuationToken: token}))
        for (const o of res.Contents ?? []) out.push(o.Key!)
        token = res.IsTruncated ? res.NextContinuationToken : undefined
      } while (token)
      return out.sort()
    },
    setMtime(bucket, key, time) {
      utimesSync(objectFile(bucket, key), time, time)
    },
    async stop() {
      client.destroy()
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.stdin!.end()
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
      live.delete(child)
      rmSync(dir, {recursive: true, force: true})
    },
  }
  for (const b of opts.buckets ?? []) await server.createBucket(b)
  return server
}
