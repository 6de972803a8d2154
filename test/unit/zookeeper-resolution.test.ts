import {statSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'

/**
 * scripts/zookeeper-resolution.mjs (postinstall, and scripts/deps.sh) sets the binding's C client
 * servers-resolution delay, so it no longer calls getaddrinfo on every pass of its I/O loop. The install
 * this suite runs on must carry it: the source patched once, and the binary built after the patch.
 */
describe('the zookeeper binding as installed', () => {
  const dir = dirname(createRequire(import.meta.url).resolve('zookeeper/package.json'))
  const source = join(dir, 'src', 'node-zk.cpp')

  it('sets the servers-resolution delay right after zookeeper_init, once', () => {
    const text = readFileSync(source, 'utf8')
    expect(text.split('zoo_set_servers_resolution_delay(zhandle, 10000);').length - 1).toBe(1)
    expect(text).toMatch(/zhandle = zookeeper_init\([^;]*\);\n\s*if \(!zhandle\) \{[^}]*\}\n\s*zoo_set_servers_resolution_delay\(zhandle, 10000\);/)
  })

  it('is built from the patched source (the binary is newer than it)', () => {
    const binary = join(dir, 'build', 'Release', 'zookeeper.node')
    expect(statSync(binary).mtimeMs).toBeGreaterThanOrEqual(statSync(source).mtimeMs)
  })
})
