// Input a hostile or careless user gives, through the built CLI: a usage error (exit 2) naming the rule
// before anything connects, a refusal (exit 4) naming what would be lost, or a warning with file:line;
// and nothing in the store changed.

import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {outputError} from '../../src/snapshot/output.js'
import {haadm, REPO} from '../support/cli.js'
import {randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {tempDirs} from '../support/temp.js'
import {connectZk, type TestZk} from '../support/zk-client.js'
import {startZooKeeper, type ZkServer} from '../support/zk-server.js'

const temp = tempDirs('haadm-bad-')
let zk: ZkServer
let client: TestZk
const q = () => ['--zk-quorum', zk.connectString]

beforeAll(async () => {
  zk = await startZooKeeper()
  client = await connectZk(zk.connectString)
  for (const id of ['/one', '/two']) await (await startFlinkFixture(zk.connectString, {clusterId: id, layout: '1.18', jobs: [randomJobId()]})).close()
}, 180_000)
afterAll(async () => {
  client?.close()
  await zk?.stop()
})

describe('cluster ids that name no cluster', () => {
  it.each([
    ['..', 'it contains a ".." path segment: ZooKeeper paths are absolute, with no relative segments'],
    ['/one/../two', 'it contains a ".." path segment'],
    ['/one/./x', 'it contains a "." path segment'],
    ['a\nb', 'it contains a newline'],
    ['a//b', 'it contains "//"'],
    ['/', 'it is empty once its leading and trailing "/" are trimmed'],
  ])('--cluster-id %j: exit 2 naming the rule, before connecting', async (id, rule) => {
    const res = await haadm(['leaders', ...q(), '--cluster-id', id])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain(`error: invalid cluster id ${JSON.stringify(id)} (flag --cluster-id): ${rule}`)
    expect(res.stderr).not.toContain('request not sent')
    const json = await haadm(['cleanup', ...q(), '--cluster-id', id, '--yes', '--json'])
    expect(json.code).toBe(2)
    expect(json.json.error.code).toBe('USAGE')
  })

  it('a NUL in the cluster id of a Flink configuration: exit 2 naming the file and line', async () => {
    const dir = temp()
    writeFileSync(join(dir, 'flink-conf.yaml'), `high-availability: zookeeper\nhigh-availability.zookeeper.quorum: ${zk.connectString}\nhigh-availability.cluster-id: /a\u0000b\n`)
    const res = await haadm(['plans', '--flink-conf', dir, '--json'])
    expect(res.code).toBe(2)
    expect(res.json.error.code).toBe('CONFIG_INVALID')
    expect(res.json.error.message).toContain(`(${join(dir, 'flink-conf.yaml')}:3 (high-availability.cluster-id)): it contains a NUL character`)
  })

  it('a Kubernetes cluster id with "/" is refused too', async () => {
    const res = await haadm(['leaders', '--backend', 'kubernetes', '--cluster-id', 'a/b'])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('a name cannot contain "/"')
  })

  it('--zk-root with a relative segment: exit 2', async () => {
    const res = await haadm(['leaders', ...q(), '--zk-root', '/flink/..'])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('invalid ZooKeeper root "/flink/.." (flag --zk-root)')
  })

  it('cleanup --zk-root / --cluster-id flink is refused, naming the clusters the node holds; nothing is removed, --force or not', async () => {
    // Curator makes the latch parents container nodes, which the server itself removes once empty: not compared.
    const persistent = async () => Object.fromEntries(Object.entries(await client.dump('/flink')).filter(([k]) => !k.endsWith('/leader/latch')))
    const before = await persistent()
    expect(Object.keys(before)).toContain('/flink/one/leader/dispatcher')
    for (const extra of [[], ['--force'], ['--dry-run']]) {
      const res = await haadm(['cleanup', ...q(), '--zk-root', '/', '--cluster-id', 'flink', '--yes', ...extra])
      expect(res.code, extra.join(' ')).toBe(4)
      expect(res.stderr).toContain("error: refusing: /flink is not one cluster's node: it holds the HA nodes of 2 other cluster(s): one, two")
    }
    const json = await haadm(['cleanup', ...q(), '--zk-root', '/', '--cluster-id', 'flink', '--yes', '--json'])
    expect(json.json.error).toMatchObject({code: 'REFUSED', details: {node: '/flink', clusters: ['one', 'two']}})
    expect(await persistent()).toEqual(before)
    // One of the clusters itself is still a cluster (its own jobs/<id>/leader nodes are no "other cluster").
    const one = await haadm(['cleanup', ...q(), '--cluster-id', '/one', '--dry-run', '--json'])
    expect(one.code).toBe(0)
    expect(one.json.result.plan.nestedClusters).toEqual([])
  })
})

describe('other bad input', () => {
  it('jobs purge --all --job X is a usage error', async () => {
    const jrs = temp()
    const res = await haadm(['jobs', 'purge', '--jrs-path', jrs, '--all', '--job', '0123456789abcdef0123456789abcdef', '--yes'])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('error: --all and --job select different entries: give one of them')
  })

  it('a value with an unclosed quote in flink-conf.yaml: a warning with file:line (and in --json warnings)', async () => {
    const dir = temp()
    const file = join(dir, 'flink-conf.yaml')
    writeFileSync(file, 'high-availability: zookeeper\nhigh-availability.zookeeper.quorum: "127.0.0.1:22101\nhigh-availability.cluster-id: /x\n')
    const res = await haadm(['target', '--flink-conf', file])
    expect(res.code).toBe(0)
    expect(res.stderr).toContain(`warning: ${file}:2: the value of high-availability.zookeeper.quorum opens a double quote it never closes`)
    const json = await haadm(['target', '--flink-conf', file, '--json'])
    expect(json.json.warnings.join('\n')).toContain(`${file}:2:`)
    expect(json.json.result.flinkConf.warnings).toHaveLength(1)
  })

  it('a directory as the output file: exit 2 with a clear message, nothing left behind', async () => {
    const dir = temp()
    const out = join(dir, 'out')
    mkdirSync(out)
    const res = await haadm(['export', '--snapshot', join(REPO, 'demo', 'demo-cluster.haadm.json.gz'), '-o', out])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain(`error: the snapshot file ${out} is a directory`)
    const {readdirSync} = await import('node:fs')
    expect(readdirSync(dir)).toEqual(['out'])
  })

  it('a full disk is exit 3, never 1 (the mapping; a full file system cannot be made without root mounts)', () => {
    const full = outputError(Object.assign(new Error('write ENOSPC'), {code: 'ENOSPC'}), '/x/y.json', 'the output file')
    expect(full.exit).toBe(3)
    expect(full.message).toBe('cannot write the output file /x/y.json: ENOSPC (the disk is full); nothing partial was left behind')
    expect(outputError(Object.assign(new Error('x'), {code: 'EISDIR'}), '/x', 'the output file').exit).toBe(2)
    expect(outputError(Object.assign(new Error('x'), {code: 'EROFS'}), '/x', 'the output file').exit).toBe(3)
  })
})
