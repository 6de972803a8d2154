/**
 * A ZooKeeper connect string as ZooKeeper's ConnectStringParser reads it: `host[:port][,host[:port]]…[/chroot]`,
 * the port 2181 when left out, an IPv6 address in brackets. Checked before any connection is tried: a
 * string the client cannot use is a usage error (exit 2) at once, and a host name that does not resolve
 * is exit 3 at once, instead of waiting the whole connection timeout.
 */
import {ExitCode, HaadmError, usageError} from '../errors.js'

export interface QuorumHost {
  host: string
  port: number
}

export interface ParsedQuorum {
  hosts: QuorumHost[]
  chroot: string | null
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/

/** Pure: the hosts and chroot, or a reason why the string is not a quorum. */
export function parseQuorum(quorum: string): ParsedQuorum | {error: string} {
  const slash = quorum.indexOf('/')
  const hostPart = slash < 0 ? quorum : quorum.slice(0, slash)
  const chroot = slash < 0 ? null : quorum.slice(slash)
  if (chroot !== null && chroot.length > 1 && (chroot.endsWith('/') || chroot.includes('//'))) return {error: `the chroot ${JSON.stringify(chroot)} is not a valid path`}
  if (hostPart.trim() === '') return {error: 'no host'}
  const hosts: QuorumHost[] = []
  for (const raw of hostPart.split(',')) {
    const entry = raw.trim()
    if (entry === '') return {error: 'an empty host between commas'}
    let host: string
    let portText: string | undefined
    if (entry.startsWith('[')) {
      const close = entry.indexOf(']')
      if (close < 0) return {error: `${JSON.stringify(entry)}: an IPv6 address without its closing "]"`}
      host = entry.slice(1, close)
      const rest = entry.slice(close + 1)
      if (rest !== '' && !rest.startsWith(':')) return {error: `${JSON.stringify(entry)}: expected ":port" after "]"`}
      portText = rest === '' ? undefined : rest.slice(1)
      if (!IPV6.test(host)) return {error: `${JSON.stringify(host)} is not an IPv6 address`}
    } else {
      const colon = entry.lastIndexOf(':')
      host = colon < 0 ? entry : entry.slice(0, colon)
      portText = colon < 0 ? undefined : entry.slice(colon + 1)
      if (host.includes(':')) return {error: `${JSON.stringify(entry)}: write an IPv6 address in brackets, [::1]:2181`}
      if (!HOSTNAME.test(host)) return {error: `${JSON.stringify(host)} is not a host name or address`}
    }
    let port = 2181
    if (portText !== undefined) {
      if (!/^\d{1,5}$/.test(portText)) return {error: `${JSON.stringify(entry)}: the port ${JSON.stringify(portText)} is not a number`}
      port = Number(portText)
      if (port < 1 || port > 65535) return {error: `${JSON.stringify(entry)}: port ${port} is out of range (1-65535)`}
    }
    hosts.push({host, port})
  }
  return {hosts, chroot}
}

/** Throws a usage error (exit 2) when the quorum cannot be used. */
export function checkQuorum(quorum: string, from: string): ParsedQuorum {
  const parsed = parseQuorum(quorum)
  if ('error' in parsed)
    throw usageError(`the ZooKeeper quorum ${JSON.stringify(quorum)} (${from}) is not valid: ${parsed.error}`, 'Write it as host:port[,host:port][/chroot], e.g. zk-1:2181,zk-2:2181.', 'CONFIG_INVALID')
  return parsed
}

/**
 * Exit 3 at once when no host of the quorum resolves (the client would retry them until the
 * connection timeout). Hosts that resolve are left to the client; IP addresses need no lookup.
 */
export async function checkQuorumResolves(quorum: string): Promise<void> {
  const parsed = parseQuorum(quorum)
  if ('error' in parsed) return
  const {lookup} = await import('node:dns/promises')
  const failures: string[] = []
  for (const {host} of parsed.hosts) {
    try {
      await lookup(host)
      return
    } catch (err) {
      failures.push(`${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
  }
  throw new HaadmError('ZK_UNREACHABLE', `cannot resolve any ZooKeeper host of ${quorum} (${failures.join(', ')})`, {
    exit: ExitCode.UNREACHABLE,
    hint: 'Check the host names in --zk-quorum (or high-availability.zookeeper.quorum) and DNS.',
  })
}
