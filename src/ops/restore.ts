/**
 * haadm restore: puts back the files a --backup saved (JobResultStore entries and storage files: HA
 * blobs, state-handle files, Operator directories' files). Pure plan, then an apply that never
 * overwrites: a file that is there with the same bytes is `present` (a rerun is a no-op), one with
 * other bytes is a `conflict` and left alone. Znodes and ConfigMaps are not written back: they are
 * Flink's live coordination state, and bringing back a leader or lock record of a stopped cluster
 * would mislead it; read them with --snapshot.
 */
import type {SnapshotDocument} from '../snapshot/format.js'
import type {SnapshotFiles} from '../storage/snapshot.js'
import {ExitCode, HaadmError, usageError} from '../errors.js'
import type {Storage} from '../storage/index.js'

export interface RestoreItem {
  kind: 'job-result' | 'storage-file'
  /** Where it goes. */
  uri: string
  /** Where it was when saved (differs when relocated). */
  from: string
  size: number
  data: string
}

export interface RestoreOutcome {
  kind: RestoreItem['kind']
  uri: string
  from: string
  size: number
  status: 'restored' | 'would-restore' | 'present' | 'conflict' | 'failed'
  error?: string
}

export interface RestoreTargets {
  /** Put JobResultStore entries in this directory instead of the recorded one. */
  jrsPath?: string
  /** Put storage files below this directory instead of the recorded storageDir. */
  storageDir?: string
}

const trimSlash = (s: string) => s.replace(/\/+$/, '')

/** Pure: what goes where. Relocating a file that is not below the recorded directory is a usage error. */
export function planRestore(doc: SnapshotDocument, to: RestoreTargets = {}): RestoreItem[] {
  const out: RestoreItem[] = []
  const jr = doc.jobResults as SnapshotFiles | null
  if (jr && Array.isArray(jr.files)) {
    const base = trimSlash(to.jrsPath ?? jr.path)
    for (const f of jr.files) out.push({kind: 'job-result', uri: `${base}/${f.relative}`, from: `${trimSlash(jr.path)}/${f.relative}`, size: f.size, data: f.data})
  }
  const recorded = typeof doc.target?.storageDir === 'string' ? trimSlash(doc.target.storageDir) : undefined
  for (const f of doc.storageFiles ?? []) {
    let uri = f.uri
    if (to.storageDir !== undefined) {
      if (!recorded || !f.uri.startsWith(`${recorded}/`))
        throw usageError(
          `cannot relocate ${f.uri} with --storage-dir: it is not below the storageDir the backup recorded (${recorded ?? 'none'})`,
          'Leave out --storage-dir to put the files back where they were.',
        )
      uri = `${trimSlash(to.storageDir)}/${f.uri.slice(recorded.length + 1)}`
    }
    out.push({kind: 'storage-file', uri, from: f.uri, size: f.size, data: f.data})
  }
  return out
}

/** Writes each file that is not there; never overwrites. */
export async function applyRestore(items: RestoreItem[], open: (uri: string) => Promise<Storage>, dryRun: boolean): Promise<RestoreOutcome[]> {
  const outcomes: RestoreOutcome[] = []
  const stores = new Map<string, Storage>()
  const storeFor = async (uri: string) => {
    const key = /^[a-z0-9]+:\/\/[^/]*/i.exec(uri)?.[0] ?? 'local'
    let s = stores.get(key)
    if (!s) stores.set(key, (s = await open(uri)))
    return s
  }
  try {
    for (const item of items) {
      const base = {kind: item.kind, uri: item.uri, from: item.from, size: item.size}
      try {
        const storage = await storeFor(item.uri)
        const bytes = Buffer.from(item.data, 'base64')
        const there = await storage.stat(item.uri)
        if (there) {
          const same = there.kind === 'file' && Buffer.from(await storage.read(item.uri)).equals(bytes)
          outcomes.push(same ? {...base, status: 'present'} : {...base, status: 'conflict', error: `${item.uri} exists with other contents; it was not overwritten`})
          continue
        }
        if (dryRun) {
          outcomes.push({...base, status: 'would-restore'})
          continue
        }
        await storage.create(item.uri, bytes)
        outcomes.push({...base, status: 'restored'})
      } catch (err) {
        if (!(err instanceof HaadmError)) throw err
        outcomes.push({...base, status: 'failed', error: err.message})
      }
    }
  } finally {
    for (const s of stores.values()) await s.close()
  }
  return outcomes
}

/** 0 when every file is back (or would be), 5 when some are not, 3 when none could be written. */
export function restoreExit(outcomes: RestoreOutcome[]): number {
  const bad = outcomes.filter((o) => o.status === 'conflict' || o.status === 'failed').length
  if (bad === 0) return ExitCode.OK
  const good = outcomes.length - bad
  if (good === 0 && outcomes.every((o) => o.status === 'failed')) return ExitCode.UNREACHABLE
  return ExitCode.PARTIAL
}
