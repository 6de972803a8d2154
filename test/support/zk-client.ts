import ZooKeeper from 'zookeeper'

/** A plain ZooKeeper client for tests: seeding data, checking what is left, independent of haadm. */
export interface TestZk {
  raw: any
  create(path: string, data?: Buffer | string, flags?: number, acl?: unknown): Promise<void>
  /** Creates `count` leaves under `base` (created with parents), pipelined. */
  createLeaves(base: string, count: number, fanout?: number): Promise<string[]>
  exists(path: string): Promise<boolean>
  /** Every node below (and including) `root`: path → data (hex) and version; `{}` if the root is missing. */
  dump(root: string): Promise<Record<string, {data: string; version: number}>>
  /** Deletes `root` and everything below it, deepest first (as Flink's cleanupAllData does, files untouched). */
  removeTree(root: string): Promise<void>
  close(): void
}

/** `sessionTimeoutMs`: the server caps it at 20 ticks; long by default, so a loaded machine does not expire the test's session. */
export async function connectZk(connectString: string, auth?: string, sessionTimeoutMs = 30_000): Promise<TestZk> {
  const zk: any = new ZooKeeper({connect: connectString, timeout: sessionTimeoutMs, debug_level: 0})
  await new Promise<void>((resolve) => {
    zk.once('connect', () => resolve())
    zk.init({})
  })
  if (auth) await new Promise<void>((resolve, reject) => zk.add_auth('digest', auth, (rc: number) => (rc === 0 ? resolve() : reject(new Error(`auth ${rc}`)))))
  const create = async (path: string, data: Buffer | string = '', flags = 0, acl?: unknown) => {
    const parts = path.split('/').filter(Boolean)
    for (let i = 1; i < parts.length; i++) {
      await zk.create(`/${parts.slice(0, i).join('/')}`, '', 0).catch((e: Error) => {
        if (!e.message.startsWith('-110')) throw e
      })
    }
    if (acl) {
      await new Promise<void>((resolve, reject) =>
        zk.native.a_create(path, data, flags, (rc: number, err: string) => (rc === 0 || rc === -110 ? resolve() : reject(new Error(`${rc} ${err}`)))),
      )
      await zk.set_acl(path, -1, acl)
    } else
      await zk.create(path, data, flags).catch((e: Error) => {
        if (!e.message.startsWith('-110')) throw e
      })
  }
  const api: TestZk = {
    raw: zk,
    create,
    async createLeaves(base, count, fanout = 100) {
      const paths: string[] = []
      await create(base)
      const groups = Math.ceil(count / fanout)
      await Promise.all(Array.from({length: groups}, (_, g) => zk.create(`${base}/g${g}`, '', 0)))
      const all = Array.from({length: count}, (_, i) => `${base}/g${Math.floor(i / fanout)}/n${i}`)
      for (let i = 0; i < all.length; i += 1000) await Promise.all(all.slice(i, i + 1000).map((p) => zk.create(p, `v${p}`, 0)))
      paths.push(...all)
      return paths
    },
    async exists(path) {
      try {
        await zk.get(path, false)
        return true
      } catch (e) {
        if ((e as Error).message.startsWith('-101')) return false
        throw e
      }
    },
    async dump(root) {
      const out: Record<string, {data: string; version: number}> = {}
      const walk = async (p: string): Promise<void> => {
        let res
        try {
          res = await zk.get(p, false)
        } catch (e) {
          if ((e as Error).message.startsWith('-101')) return
          throw e
        }
        out[p] = {data: Buffer.from(res[1] ?? []).toString('hex'), version: res[0].version}
        const children: string[] = await zk.get_children(p, false)
        await Promise.all(children.map((c) => walk(p === '/' ? `/${c}` : `${p}/${c}`)))
      }
      await walk(root)
      return out
    },
    async removeTree(root) {
      const paths = Object.keys(await api.dump(root)).sort((a, b) => b.split('/').length - a.split('/').length)
      for (const p of paths)
        await zk.delete_(p, -1).catch((e: Error) => {
          if (!e.message.startsWith('-101')) throw e
        })
    },
    close: () => zk.close(),
  }
  return api
}
