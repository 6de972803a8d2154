import {usageError} from '../errors.js'
import {type BackendKind, describeSource, type Resolved} from './target.js'

/** Throws a usage error (exit 2) naming the rule a cluster id breaks, and where the id came from. */
export function checkClusterId(id: Resolved<string>, backend: BackendKind): void {
  const problem = clusterIdProblem(id.value, backend)
  if (problem === undefined) return
  throw usageError(
    `invalid cluster id ${JSON.stringify(id.value)} (${describeSource(id.source)}): ${problem}`,
    backend === 'zookeeper'
      ? "Give the cluster id as high-availability.cluster-id has it, e.g. --cluster-id /my-app."
      : 'Give kubernetes.cluster-id as Flink has it, e.g. --cluster-id my-app.',
    id.source.kind === 'config' ? 'CONFIG_INVALID' : 'USAGE',
  )
}

/**
 * What a cluster id may be, checked before anything connects: a usage error naming the rule beats
 * ZooKeeper's "-8 request not sent" (its client validates paths and sends nothing) or reading the
 * root itself as a cluster.
 */
export function clusterIdProblem(id: string, backend: BackendKind): string | undefined {
  const bad = [...id].find((ch) => isForbiddenChar(ch))
  if (bad !== undefined)
    return `it contains ${describeChar(bad)}: ${backend === 'zookeeper' ? 'ZooKeeper paths' : 'Kubernetes names and labels'} cannot hold control characters`
  if (backend === 'kubernetes') {
    if (id.includes('/')) return 'it contains "/": Kubernetes HA names ConfigMaps <cluster-id>-..., and a name cannot contain "/"'
    if (id === '.' || id === '..') return `"${id}" is not a name Kubernetes accepts`
    if (id.trim() === '') return 'it is empty'
    return undefined
  }
  const unusual = [...id].find(isZooKeeperForbidden)
  if (unusual !== undefined) return `it contains U+${unusual.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}, which ZooKeeper refuses in paths (characters beyond U+FFFF, private use, U+FFF0-U+FFFF)`
  // Flink's generateZookeeperPath trims the slashes around the id and keeps the inner ones.
  const trimmed = id.replace(/^\/+|\/+$/g, '')
  if (trimmed === '') return 'it is empty once its leading and trailing "/" are trimmed (as Flink trims them), so it would name the root node itself, not a cluster below it'
  const segments = trimmed.split('/')
  if (segments.some((s) => s === '')) return 'it contains "//": ZooKeeper paths cannot have empty node names'
  const relative = segments.find((s) => s === '.' || s === '..')
  if (relative) return `it contains a "${relative}" path segment: ZooKeeper paths are absolute, with no relative segments`
  return undefined
}

/** ZooKeeper's PathUtils.validatePath: NUL, C0 and C1 controls and DEL (newlines among them). */
function isForbiddenChar(ch: string): boolean {
  const c = ch.codePointAt(0)!
  return c <= 0x1f || (c >= 0x7f && c <= 0x9f)
}

/** Also refused by ZooKeeper (Java UTF-16 units): surrogates (any character beyond U+FFFF), private use U+E000-U+F8FF, U+FFF0-U+FFFF. */
function isZooKeeperForbidden(ch: string): boolean {
  const c = ch.codePointAt(0)!
  return c > 0xffff || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)
}

function describeChar(ch: string): string {
  const c = ch.codePointAt(0)!
  if (c === 0) return 'a NUL character'
  if (c === 10) return 'a newline'
  if (c === 13) return 'a carriage return'
  if (c === 9) return 'a tab'
  return `the control character U+${c.toString(16).toUpperCase().padStart(4, '0')}`
}

/** The ZooKeeper root (--zk-root, high-availability.zookeeper.path.root): "/" is allowed, relative segments and control characters are not. */
export function checkZooKeeperRoot(root: Resolved<string>): void {
  if (root.value.replace(/^\/+|\/+$/g, '') === '') return
  const problem = clusterIdProblem(root.value, 'zookeeper')
  if (problem === undefined) return
  throw usageError(`invalid ZooKeeper root ${JSON.stringify(root.value)} (${describeSource(root.source)}): ${problem}`, 'e.g. --zk-root /flink (the default).', root.source.kind === 'config' ? 'CONFIG_INVALID' : 'USAGE')
}
