// A fuzz pass through the CLI: mutated snapshots (bytes of items, fields, structure) read by every
// read command. Whatever the input, a run ends in a documented exit code (never 1, a bug), with one
// JSON document on stdout, well within its timeout. Seeded and bounded (HAADM_FUZZ_SEED, HAADM_FUZZ_RUNS).

import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'
import {afterAll, describe, expect, it} from 'vitest'
import {REPO, haadm} from '../support/cli.js'
import {prng} from '../support/prng.js'

const SEED = Number(process.env.HAADM_FUZZ_SEED ?? 0x5eed14)
const RUNS = Number(process.env.HAADM_FUZZ_RUNS ?? 48)
const dir = mkdtempSync(join(tmpdir(), 'haadm-fuzz-cli-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const seedDoc = JSON.parse(gunzipSync(readFileSync(join(REPO, 'demo', 'demo-cluster.haadm.json.gz'))).toString('utf8'))

type Mutation = (doc: any, rnd: () => number) => string | void
const pick = <T>(xs: T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)]
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x70, 0x71, 0x73, 0x74, 0x78, 0x20, 0x25, 0x7b]

const mutations: Record<string, Mutation> = {
  'flip bytes of an item': (doc, rnd) => {
    const item = pick(doc.items, rnd) as any
    const b = Buffer.from(item.data, 'base64')
    if (b.length === 0) return
    for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) b[Math.floor(rnd() * b.length)] = rnd() < 0.5 ? pick(INTERESTING, rnd) : Math.floor(rnd() * 256)
    item.data = b.toString('base64')
  },
  'truncate an item': (doc, rnd) => {
    const item = pick(doc.items, rnd) as any
    const b = Buffer.from(item.data, 'base64')
    item.data = b.subarray(0, Math.floor(rnd() * b.length)).toString('base64')
  },
  'a character Java rejects in a URI': (doc, rnd) => {
    const item = (doc.items as any[]).find((i) => Buffer.from(i.data, 'base64').includes('://')) ?? pick(doc.items, rnd)
    const b = Buffer.from(item.data, 'base64')
    const at = b.indexOf('://')
    if (at < 0) return
    b[at + 3 + Math.floor(rnd() * 8)] = pick([0x20, 0x22, 0x3c, 0x3e, 0x5c, 0x5e, 0x60, 0x7b, 0x7c, 0x7d, 0x25, 0x01, 0x7f], rnd)
    item.data = b.toString('base64')
  },
  'odd stat fields': (doc, rnd) => {
    const item = pick(doc.items, rnd) as any
    if (item.zk) item.zk = {...item.zk, [pick(['numChildren', 'version', 'ephemeralOwner', 'ctime', 'dataLength'], rnd)]: pick([-1, 2 ** 53, 'x', null, '', '7fffffffffffffff'], rnd)}
  },
  'odd keys': (doc, rnd) => {
    const item = pick(doc.items, rnd) as any
    item.key = pick(['', '/', '..', 'leader//x', `${item.key}/\u0000`, 'jobs/'.repeat(50)], rnd)
  },
  'duplicate an item': (doc, rnd) => {
    doc.items.push({...(pick(doc.items, rnd) as object)})
    doc.itemCount = doc.items.length
  },
  'drop an item': (doc, rnd) => {
    doc.items.splice(Math.floor(rnd() * doc.items.length), 1)
    doc.itemCount = doc.items.length
  },
  'structure': (doc, rnd) => {
    const k = pick(['itemCount', 'version', 'backend', 'clusterId', 'root', 'items', 'consistency'], rnd)
    doc[k] = pick([undefined, null, 0, 99, 'x', [], {complete: false, changedDuringExport: [{key: '', numChildren: 1, captured: 0}]}], rnd)
  },
  'raw text': (doc, rnd) => {
    const text = Buffer.from(JSON.stringify(doc))
    for (let k = 0; k < 3; k++) text[Math.floor(rnd() * text.length)] = Math.floor(rnd() * 128)
    return text.toString('latin1')
  },
}

const COMMANDS = [['leaders'], ['plans'], ['checkpoints'], ['cleanup', '--dry-run'], ['jobs', 'results']]

describe('CLI fuzz on mutated snapshots', () => {
  it(`${RUNS} mutated snapshots: documented exit codes, JSON on stdout, no crash (seed ${SEED})`, async () => {
    const rnd = prng(SEED)
    const names = Object.keys(mutations)
    const seen = new Map<number, number>()
    for (let run = 0; run < RUNS; run++) {
      const doc = structuredClone(seedDoc)
      const name = names[run % names.length]
      const text = mutations[name](doc, rnd) ?? JSON.stringify(doc)
      const file = join(dir, `m${run}.json`)
      writeFileSync(file, text, 'latin1')
      const cmd = COMMANDS[Math.floor(rnd() * COMMANDS.length)]
      const res = await haadm([...cmd, '--snapshot', file, '--json'], {timeoutMs: 60_000})
      const what = `run ${run} (${name}, ${cmd.join(' ')}): exit ${res.code} ${res.stderr.slice(0, 500)}`
      expect([0, 2, 3, 4, 5], what).toContain(res.code)
      expect(res.json, what).toBeDefined()
      expect(res.json.status, what).toBe(res.code)
      seen.set(res.code!, (seen.get(res.code!) ?? 0) + 1)
    }
    // Both sides of the contract were exercised: readable and refused snapshots.
    expect(seen.get(0) ?? 0).toBeGreaterThan(0)
    expect(seen.get(2) ?? 0).toBeGreaterThan(0)
  }, 600_000)
})
