/**
 * What a scan reads: a description a layout gives per command (HaLayout.reads), which a backend's scan
 * follows (ScanOptions.read). Keys are an item's key relative to the cluster root, as RawItem.key
 * (`leader/dispatcher/connection_info`; Kubernetes `<configmap>/<key>`). Pure.
 */

/**
 * How much of an item a scan reads. `data`: its bytes and the store's metadata; `stat`: the metadata
 * only (RawItem.data is empty), but what is below it is still read as the rules say; `skip`: neither
 * the item nor anything below it.
 */
export type ReadDepth = 'data' | 'stat' | 'skip'

/**
 * Rules on keys, the first one whose pattern matches decides; an item no rule matches is read with its
 * data. Patterns are `/`-separated segments: `*` within a segment matches any characters but `/`, a last
 * segment `**` matches the key above it and everything below (`leader/**`: `leader` and its subtree),
 * and `''` the cluster root itself.
 */
export interface ReadSpec {
  rules: Array<readonly [pattern: string, read: ReadDepth]>
  /**
   * Where a node with exactly one child usually has a known one (ZooKeeper: a state-handle entry's
   * `locks`), as [pattern, child name]: a scan may read that child by name instead of listing the
   * node's children first, and lists them only when it is not there. A hint: the items are the same.
   */
  soleChild?: Array<readonly [pattern: string, child: string]>
}

/** Everything, with data: what a scan without a description reads. */
export const READ_ALL: ReadSpec = {rules: []}

/** What a command needs from the store; the layout turns it into a ReadSpec. */
export type ReadNeed =
  /** Leader records and their liveness evidence. */
  | {command: 'leaders'}
  /** Execution plans and checkpoints; `jobs` non-empty: only those jobs' entries are decoded (the other job ids are still listed). */
  | {command: 'state-handles'; jobs: string[]}
  /**
   * A cleanup's plan: the whole tree's shape, owners and versions, and the data it decodes: leader
   * records (liveness) and the state-handle pointers of the files it removes. `everyPointer`: every
   * plan and checkpoint entry's pointer, not only the job's (the storage directory is inferred from all
   * of them when none is given); a whole cluster's cleanup always reads every pointer.
   */
  | {command: 'cleanup'; jobId: string | null; everyPointer: boolean}

const escapeRe = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')

function compilePattern(pattern: string): RegExp {
  if (pattern === '') return /^$/
  const segs = pattern.split('/')
  const deep = segs[segs.length - 1] === '**'
  if (deep) segs.pop()
  const body = segs.map((s) => escapeRe(s).replace(/\*/g, '[^/]*')).join('/')
  if (!deep) return new RegExp(`^${body}$`)
  return segs.length === 0 ? /^/ : new RegExp(`^${body}(?:/.*)?$`)
}

/** A compiled spec: the depth at which one key is read. */
export function readDepthOf(spec: ReadSpec | undefined): (key: string) => ReadDepth {
  if (!spec || spec.rules.length === 0) return () => 'data'
  const rules = spec.rules.map(([p, d]) => [compilePattern(p), d] as const)
  return (key) => {
    for (const [re, d] of rules) if (re.test(key)) return d
    return 'data'
  }
}

/** A compiled spec's soleChild hint: the child a node with one child probably has, or undefined. */
export function soleChildOf(spec: ReadSpec | undefined): (key: string) => string | undefined {
  const hints = (spec?.soleChild ?? []).map(([p, c]) => [compilePattern(p), c] as const)
  if (hints.length === 0) return () => undefined
  return (key) => {
    for (const [re, c] of hints) if (re.test(key)) return c
    return undefined
  }
}

/** Whether a spec reads everything with data (the scan can take its fastest, unfiltered path). */
export function readsAll(spec: ReadSpec | undefined): boolean {
  return !spec || spec.rules.every(([, d]) => d === 'data')
}

/**
 * The items a scan following `spec` returns from a full list of items: what a skipped item or one
 * below it is dropped, a `stat` item keeps its metadata with empty data. A snapshot's scan uses it, and
 * tests check with it that a layout's answer is the same from what its spec reads as from everything.
 */
export function applyReadSpec<T extends {key: string; data: Uint8Array}>(items: T[], spec: ReadSpec | undefined): T[] {
  if (readsAll(spec)) return items
  const depthOf = readDepthOf(spec)
  const depth = new Map<string, ReadDepth>()
  // Parents before children: an item below a skipped one is skipped whatever its own rule says.
  for (const key of items.map((i) => i.key).sort((a, b) => segments(a) - segments(b))) {
    const parent = key === '' ? undefined : key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : ''
    depth.set(key, parent !== undefined && depth.get(parent) === 'skip' ? 'skip' : depthOf(key))
  }
  const out: T[] = []
  for (const item of items) {
    const d = depth.get(item.key)
    if (d === 'data') out.push(item)
    else if (d === 'stat') out.push({...item, data: new Uint8Array(0)})
  }
  return out
}

const segments = (key: string) => (key === '' ? 0 : key.split('/').length)
