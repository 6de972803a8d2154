// One contract, every driver: the same operations against a real local directory and a real
// S3-compatible server (s3rver on 127.0.0.1), as unstorage/Keyv test their drivers.

import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {S3Target} from '../../src/config/target.js'
import {collect} from '../../src/storage/concurrency.js'
import {openStorage, type Storage} from '../../src/storage/index.js'
import {S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startS3Server, type S3Server} from '../support/s3-server.js'

interface Fixture {
  /** The root every test works under, as a storage URI. */
  root: string
  storage: Storage
  put(rel: string, body: string): Promise<void>
  has(rel: string): Promise<boolean>
}

const flag = <T>(value: T) => ({value, source: {kind: 'flag' as const, name: 'test'}})
export const s3TargetOf = (s: S3Server, over: Partial<Record<'accessKey' | 'endpoint', string>> = {}): S3Target => ({
  endpoint: flag(over.endpoint ?? s.endpoint),
  pathStyleAccess: flag(true),
  region: flag('us-east-1'),
  accessKey: flag(over.accessKey ?? S3RVER_ACCESS_KEY),
  secretKey: flag(S3RVER_SECRET_KEY),
})

let server: S3Server
let localDir: string
beforeAll(async () => {
  server = await startS3Server({buckets: ['contract']})
  localDir = mkdtempSync(join(tmpdir(), 'haadm-storage-'))
})
afterAll(async () => {
  await server?.stop()
  if (localDir) rmSync(localDir, {recursive: true, force: true})
})

let n = 0
const drivers: Array<{name: string; make: () => Promise<Fixture>}> = [
  {
    name: 'local',
    make: async () => {
      const root = join(localDir, `t${n++}`)
      mkdirSync(root)
      return {
        root,
        storage: await openStorage(root),
        put: async (rel, body) => {
          mkdirSync(dirname(join(root, rel)), {recursive: true})
          writeFileSync(join(root, rel), body)
        },
        has: async (rel) => existsSync(join(root, rel)),
      }
    },
  },
  {
    name: 's3',
    make: async () => {
      const prefix = `t${n++}`
      return {
        root: `s3://contract/${prefix}`,
        storage: await openStorage(`s3://contract/${prefix}`, {s3: s3TargetOf(server)}),
        put: (rel, body) => server.put('contract', `${prefix}/${rel}`, body),
        has: async (rel) => (await server.get('contract', `${prefix}/${rel}`)) !== undefined,
      }
    },
  },
]

describe.each(drivers)('storage contract: $name', ({name, make}) => {
  it('lists one level (files and directories) or every file below', async () => {
    const f = await make()
    await f.put('a.json', 'aa')
    await f.put('b_DIRTY.json', 'bbb')
    await f.put('sub/c.json', 'c')
    await f.put('sub/deeper/d.json', 'dddd')
    const one = await collect(f.storage.list(f.root))
    expect(one.map((e) => [e.name, e.kind, e.size]).sort()).toEqual([
      ['a.json', 'file', 2],
      ['b_DIRTY.json', 'file', 3],
      ['sub', 'directory', null],
    ])
    const a = one.find((e) => e.name === 'a.json')!
    expect(a.uri).toBe(`${f.root}/a.json`)
    expect(Date.now() - Date.parse(a.mtime!)).toBeLessThan(120_000)
    expect(one.find((e) => e.name === 'sub')!.uri).toBe(`${f.root}/sub`)
    const all = await collect(f.storage.list(f.root, {recursive: true}))
    expect(all.map((e) => e.relative).sort()).toEqual(['a.json', 'b_DIRTY.json', 'sub/c.json', 'sub/deeper/d.json'])
    expect(all.every((e) => e.kind === 'file')).toBe(true)
  })

  it('pages through more than 1,000 names', async () => {
    const f = await make()
    const names = Array.from({length: 1205}, (_, i) => `${String(i).padStart(32, '0')}.json`)
    if (name === 's3') await server.putMany('contract', names.map((k) => ({key: `${f.root.slice('s3://contract/'.length)}/${k}`, body: 'x'})))
    else for (const k of names) await f.put(k, 'x')
    const listed = await collect(f.storage.list(f.root, {pageSize: name === 's3' ? undefined : 100}))
    expect(listed.length).toBe(1205)
    expect(new Set(listed.map((e) => e.name))).toEqual(new Set(names))
    const small = await collect(f.storage.list(f.root, {pageSize: 400}))
    expect(small.length).toBe(1205)
    // Deleting them all goes in batches; all removed.
    const outcomes = await collect(f.storage.deleteMany(listed.map((e) => e.uri)))
    expect(outcomes.filter((o) => o.status === 'removed').length).toBe(1205)
    expect(await collect(f.storage.list(f.root))).toEqual([])
  }, 120_000)

  it('stats files and directories; a missing one is undefined', async () => {
    const f = await make()
    await f.put('x/y.json', 'hello')
    expect(await f.storage.stat(`${f.root}/x/y.json`)).toMatchObject({kind: 'file', size: 5, name: 'y.json'})
    expect(await f.storage.stat(`${f.root}/x`)).toMatchObject({kind: 'directory'})
    expect(await f.storage.stat(`${f.root}/nope.json`)).toBeUndefined()
  })

  it('reads bytes exactly; a missing file is STORAGE_NOT_FOUND', async () => {
    const f = await make()
    await f.put('r.json', '{"result":{}}')
    expect(Buffer.from(await f.storage.read(`${f.root}/r.json`)).toString()).toBe('{"result":{}}')
    await expect(f.storage.read(`${f.root}/missing.json`)).rejects.toMatchObject({code: 'STORAGE_NOT_FOUND', exit: 3})
  })

  it('copies and renames without overwriting; the copy is verified', async () => {
    const f = await make()
    await f.put('src.json', 'source')
    await f.put('taken.json', 'other')
    await f.storage.copy(`${f.root}/src.json`, `${f.root}/copy.json`)
    expect(Buffer.from(await f.storage.read(`${f.root}/copy.json`)).toString()).toBe('source')
    await expect(f.storage.copy(`${f.root}/src.json`, `${f.root}/taken.json`)).rejects.toMatchObject({code: 'STORAGE_ERROR'})
    await expect(f.storage.rename(`${f.root}/src.json`, `${f.root}/taken.json`)).rejects.toMatchObject({code: 'STORAGE_ERROR'})
    expect(Buffer.from(await f.storage.read(`${f.root}/taken.json`)).toString()).toBe('other')
    await f.storage.rename(`${f.root}/src.json`, `${f.root}/moved.json`)
    expect(await f.has('src.json')).toBe(false)
    expect(Buffer.from(await f.storage.read(`${f.root}/moved.json`)).toString()).toBe('source')
    await expect(f.storage.rename(`${f.root}/src.json`, `${f.root}/again.json`)).rejects.toMatchObject({code: 'STORAGE_NOT_FOUND'})
  })

  it('deletes: removed, then absent', async () => {
    const f = await make()
    await f.put('d.json', 'x')
    expect(await f.storage.delete(`${f.root}/d.json`)).toBe('removed')
    expect(await f.storage.delete(`${f.root}/d.json`)).toBe('absent')
    expect(await f.has('d.json')).toBe(false)
  })

  it('deletes a directory tree, and refuses to remove a directory that still holds a file', async () => {
    const f = await make()
    await f.put('tree/a.json', 'a')
    await f.put('tree/b/c.json', 'c')
    await f.put('keep/k.json', 'k')
    await expect(f.storage.removeEmptyDir(`${f.root}/keep`)).rejects.toMatchObject({code: 'STORAGE_ERROR'})
    expect(await f.has('keep/k.json')).toBe(true)
    const out = await collect(f.storage.deleteRecursive(`${f.root}/tree`))
    expect(out.map((o) => o.status)).toEqual(['removed', 'removed'])
    expect(await f.storage.stat(`${f.root}/tree`)).toBeUndefined()
    expect(await f.has('keep/k.json')).toBe(true)
  })
})

describe('storage errors', () => {
  it('local: a missing directory and a path under a file are STORAGE_NOT_FOUND (exit 3)', async () => {
    const s = await openStorage(localDir)
    await expect(collect(s.list(join(localDir, 'absent')))).rejects.toMatchObject({code: 'STORAGE_NOT_FOUND', exit: 3, message: `no such file or directory: ${join(localDir, 'absent')}`})
    writeFileSync(join(localDir, 'plain'), 'x')
    await expect(collect(s.list(join(localDir, 'plain', 'jrs')))).rejects.toMatchObject({code: 'STORAGE_NOT_FOUND', message: expect.stringMatching(/^not a directory/)})
  })

  it('s3: a missing prefix lists nothing; a missing bucket is STORAGE_NOT_FOUND', async () => {
    const s = await openStorage('s3://contract', {s3: s3TargetOf(server)})
    try {
      expect(await collect(s.list('s3://contract/no/such/prefix'))).toEqual([])
      await expect(collect(s.list('s3://no-such-bucket/jrs'))).rejects.toMatchObject({code: 'STORAGE_NOT_FOUND', exit: 3, message: expect.stringMatching(/^bucket no-such-bucket does not exist/)})
      await expect(s.stat('s3://no-such-bucket/jrs/x.json')).rejects.toMatchObject({code: 'STORAGE_NOT_FOUND'})
    } finally {
      await s.close()
    }
  })

  it('s3: wrong credentials are STORAGE_FORBIDDEN; an endpoint nobody listens on is STORAGE_UNREACHABLE', async () => {
    const bad = await openStorage('s3://contract', {s3: s3TargetOf(server, {accessKey: 'NOT-A-KEY'})})
    await expect(collect(bad.list('s3://contract/x'))).rejects.toMatchObject({code: 'STORAGE_FORBIDDEN', exit: 3})
    await bad.close()
    const down = await openStorage('s3://contract', {s3: s3TargetOf(server, {endpoint: 'http://127.0.0.1:9'})})
    await expect(collect(down.list('s3://contract/x'))).rejects.toMatchObject({code: 'STORAGE_UNREACHABLE', exit: 3})
    await down.close()
  })
})
