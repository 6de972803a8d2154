#!/usr/bin/env node
// postinstall: the `zookeeper` binding's C client resolves the quorum's host names again on every pass
// of its I/O loop (zookeeper_interest → update_addrs), because its servers-resolution delay defaults to
// 0 ("always") and the binding offers no way to set it: on a 10,000-node scan that is some 15,000
// socket/bind/getsockname/openat calls of getaddrinfo. This adds one call after zookeeper_init in the
// binding's own source (node-zk.cpp), zoo_set_servers_resolution_delay(zh, 10000): names are resolved
// again at most every 10 s while connected, and always on a reconnect (the C client's own rule when
// its socket is closed), and rebuilds the binding with the node-gyp that npm ships.
//
// It never fails an install: without the binding, a C toolchain or node-gyp, or with a binding whose
// source no longer matches, it says why and leaves the binding as it is (haadm works the same, slower).
// Nothing is downloaded (the build uses the headers the binding's own build fetched or found).
// HAADM_SKIP_ZK_PATCH=1 skips it.
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, realpathSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

const MARK = 'zoo_set_servers_resolution_delay(zhandle, 10000);'
const ANCHOR = /( *)zhandle = zookeeper_init\(([^;]*)\);\n(\s*if \(!zhandle\) \{[^}]*\}\n)/

const say = (msg) => console.error(`haadm postinstall: ${msg}`)

function main() {
  if (process.env.HAADM_SKIP_ZK_PATCH) return say('HAADM_SKIP_ZK_PATCH is set: the zookeeper binding is left as it is')
  let dir
  try {
    dir = dirname(createRequire(import.meta.url).resolve('zookeeper/package.json'))
  } catch {
    return // the optional dependency is not installed: nothing to do
  }
  const src = join(dir, 'src', 'node-zk.cpp')
  if (!existsSync(src)) return say(`no ${src}: the zookeeper binding is left as it is`)
  const text = readFileSync(src, 'utf8')
  if (text.includes(MARK)) return
  const m = ANCHOR.exec(text)
  if (!m) return say('the zookeeper binding source has changed shape: its address re-resolution is left as it is (slower scans)')
  const gyp = nodeGyp()
  if (!gyp) return say('node-gyp not found (it ships with npm): the zookeeper binding is left as it is (slower scans)')
  const nodedir = localHeaders()
  if (nodedir === undefined) return say('no Node.js headers on this machine: the zookeeper binding is left as it is (slower scans)')
  const patched = text.replace(ANCHOR, (all, indent) => `${all}${indent}${MARK}\n`)
  writeFileSync(src, patched)
  const headers = nodedir ? [`--nodedir=${nodedir}`] : []
  const args = [gyp, 'rebuild', ...headers]
  // The binding's own build output is there after its install: only node-zk.cpp is compiled again and linked.
  let r = existsSync(join(dir, 'build', 'Makefile'))
    ? spawnSync(process.execPath, [gyp, 'build', ...headers], {cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8'})
    : undefined
  if (r?.status !== 0) {
    say('rebuilding the zookeeper binding with its servers-resolution delay set (a minute or two)')
    r = spawnSync(process.execPath, args, {cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8'})
  }
  if (r.status !== 0) {
    // Put the source back; the previous build output is gone after a failed rebuild, so build it unpatched.
    writeFileSync(src, text)
    spawnSync(process.execPath, args, {cwd: dir, stdio: 'ignore'})
    return say(`rebuilding the zookeeper binding failed; it is built as it came:\n${(r.stderr || '').split('\n').slice(-8).join('\n')}`)
  }
}

/**
 * The Node.js headers to build against without downloading them: those installed beside node (Debian's
 * nodejs, the official tarballs: <prefix>/include/node), '' for node-gyp's cache (filled by the binding's
 * own build), undefined when neither is there.
 */
function localHeaders() {
  const prefix = join(dirname(realpathSync(process.execPath)), '..')
  if (existsSync(join(prefix, 'include', 'node', 'common.gypi'))) return prefix
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'node-gyp', process.versions.node, 'include', 'node', 'common.gypi')
  return existsSync(cache) ? '' : undefined
}

/** npm's own node-gyp: the path npm passes to lifecycle scripts, else the one beside this npm. */
function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp]
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  return candidates.find((c) => c && existsSync(c))
}

try {
  main()
} catch (err) {
  say(`skipped: ${err instanceof Error ? err.message : String(err)}`)
}
