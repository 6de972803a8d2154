// What a careful newcomer tripped over (issue 17): each case through the built CLI.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {haadm, REPO} from '../support/cli.js'
import {randomJobId, startFlinkFixture} from '../support/flink-fixture.js'
import {startK8sApiServer} from '../support/k8s-api-server.js'
import {tempDirs} from '../support/temp.js'
import {zooKeeperForFile} from '../support/zk-server.js'

const env = zooKeeperForFile()
const temp = tempDirs('haadm-newcomer-')
const q = () => ['--zk-quorum', env.zk.connectString]


const entry = (id: string, status: string) => `{"result":{"id":"${id}","application-status":"${status}","accumulator-results":{},"net-runtime":4242},"version":1}`

/** A small snapshot file of cluster /x, for commands that need no live store. */
function smallSnapshot(dir: string): string {
  const file = join(dir, 'x.json')
  writeFileSync(
    file,
    JSON.stringify({format: 'haadm-snapshot', version: 1, haadmVersion: '0.1.0', createdAt: '2026-01-01T00:00:00.000Z', backend: 'zookeeper', clusterId: '/x', root: '/flink/x', target: {}, items: [{key: 'leader', locator: '/flink/x/leader', data: ''}], jobResults: null, itemCount: 1}),
  )
  return file
}

describe('liveness: any doubt counts as possibly alive', () => {
  it('jobs purge --include-dirty refuses (exit 4) when the Dispatcher leader record does not decode but a live session holds it; --force goes ahead', async () => {
    const id = randomJobId()
    // EPHEMERAL (1): held by this test's live session, as a JobManager's record would be.
    await env.client.create('/flink/garbled/leader/dispatcher/connection_info', Buffer.from('not a java serialization stream'), 1)
    const jrs = join(temp(), 'jrs')
    mkdirSync(jrs)
    writeFileSync(join(jrs, `${id}_DIRTY.json`), entry(id, 'FAILED'))
    const args = ['jobs', 'purge', ...q(), '--cluster-id', '/garbled', '--jrs-path', jrs, '--job', id, '--include-dirty', '--yes']
    const refused = await haadm([...args, '--json'])
    expect(refused.code, refused.stdout).toBe(4)
    expect(refused.json.error.code).toBe('LIVE_CLUSTER')
    expect(refused.json.error.message).toMatch(/^refusing: the Dispatcher of zookeeper \/flink\/garbled is alive/)
    const dry = await haadm([...args.filter((a) => a !== '--yes'), '--dry-run', '--json'])
    expect(dry.code).toBe(4)
    expect(dry.json.warnings).toContain('the Dispatcher is alive: a real run would refuse (exit 4) without --force')
    const forced = await haadm([...args, '--force', '--json'])
    expect(forced.code, forced.stdout).toBe(0)
    expect(forced.json.result.outcome.removed).toBe(1)
  })

  it('jobs purge --include-dirty with no HA store to ask refuses too: haadm cannot tell', async () => {
    const id = randomJobId()
    const jrs = join(temp(), 'jrs')
    mkdirSync(jrs)
    writeFileSync(join(jrs, `${id}_DIRTY.json`), entry(id, 'FAILED'))
    const res = await haadm(['jobs', 'purge', '--jrs-path', jrs, '--job', id, '--include-dirty', '--yes'])
    expect(res.code).toBe(4)
    expect(res.stderr).toContain('hint: Give the HA store (--zk-quorum, --flink-conf, --backend kubernetes) so haadm can check, or --force if you know the cluster is stopped.')
  })
})

describe('plans --snapshot --verify-storage', () => {
  it('checks the files themselves: files that exist are ok, not missing', async () => {
    const ha = temp()
    const job = randomJobId()
    const f = await startFlinkFixture(env.zk.connectString, {clusterId: '/verify', layout: '1.18', jobs: [job], storageDir: ha, jobGraphs: [job]})
    try {
      const snap = join(temp(), 'verify.json')
      expect((await haadm(['export', ...q(), '--cluster-id', '/verify', '--storage-dir', ha, '-o', snap])).code).toBe(0)
      const live = await haadm(['plans', ...q(), '--cluster-id', '/verify', '--storage-dir', ha, '--verify-storage', '--json'])
      const fromSnap = await haadm(['plans', '--snapshot', snap, '--storage-dir', ha, '--verify-storage', '--json'])
      expect(fromSnap.code, fromSnap.stderr).toBe(0)
      expect(fromSnap.json.result.plans.map((p: any) => p.storage.status)).toEqual(['ok'])
      expect(fromSnap.json.result.plans.map((p: any) => p.storage)).toEqual(live.json.result.plans.map((p: any) => p.storage))
    } finally {
      await f.close()
    }
  })
})

describe('snapshots read back as they were taken', () => {
  it('leaders from a snapshot say "alive as of <time of the export>"', async () => {
    const f = await startFlinkFixture(env.zk.connectString, {clusterId: '/asof', layout: '1.18', jobs: []})
    try {
      const snap = join(temp(), 'asof.json')
      const exp = await haadm(['export', ...q(), '--cluster-id', '/asof', '-o', snap, '--json'])
      const res = await haadm(['leaders', '--snapshot', snap])
      expect(res.code).toBe(0)
      expect(res.stdout).toContain(`from a snapshot taken ${exp.json.result.createdAt}: liveness is as of then, not now`)
      expect(res.stdout).toMatch(/\balive\b/)
      const live = await haadm(['leaders', ...q(), '--cluster-id', '/asof'])
      expect(live.stdout).not.toContain('as of')
    } finally {
      await f.close()
    }
  })
})

describe('a snapshot keeps job-result-store.delete-on-commit', () => {
  it('exported with delete-on-commit false, it reads back false: mark-clean --dry-run plans a rename', async () => {
    await env.client.create('/flink/doc/leader', '')
    const dir = temp()
    const jrs = join(dir, 'jrs')
    mkdirSync(jrs)
    const id = randomJobId()
    writeFileSync(join(jrs, `${id}_DIRTY.json`), entry(id, 'FAILED'))
    const conf = join(dir, 'flink-conf.yaml')
    writeFileSync(conf, `job-result-store.delete-on-commit: false\njob-result-store.storage-path: ${jrs}\n`)
    const snap = join(dir, 'doc.json')
    const exp = await haadm(['export', ...q(), '--cluster-id', '/doc', '--flink-conf', conf, '-o', snap])
    expect(exp.code, exp.stderr).toBe(0)
    const results = await haadm(['jobs', 'results', '--snapshot', snap, '--json'])
    expect(results.json.result).toMatchObject({deleteOnCommit: false, deleteOnCommitFrom: 'derived: delete-on-commit recorded in the snapshot'})
    const mark = await haadm(['jobs', 'mark-clean', id, '--snapshot', snap, '--dry-run', '--json'])
    expect(mark.code, mark.stdout).toBe(0)
    expect(mark.json.result.actions.map((a: any) => a.action)).toEqual(['rename'])
  })
})

describe('cleanup reports what it removed by kind', () => {
  it('znodes and files counted apart; --verbose lists each', async () => {
    const ha = temp()
    const job = randomJobId()
    const f = await startFlinkFixture(env.zk.connectString, {clusterId: '/kinds', layout: '1.18', jobs: [job]})
    await f.close()
    mkdirSync(join(ha, 'kinds', 'blob', `job_${job}`), {recursive: true})
    writeFileSync(join(ha, 'kinds', 'blob', `job_${job}`, 'blob_p-1'), 'jar')
    const planned = (await haadm(['cleanup', ...q(), '--cluster-id', '/kinds', '--dry-run', '--json'])).json.result.plan.metadata.length
    const res = await haadm(['cleanup', ...q(), '--cluster-id', '/kinds', '--storage-dir', ha, '--yes', '--verbose'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toContain(`Removed ${planned} znode(s), 1 file(s); already gone 0 znode(s), 0 file(s); kept 1 (parents not empty); failed 0.`)
    expect(res.stdout).toContain(`  removed file  ${join(ha, 'kinds', 'blob', `job_${job}`, 'blob_p-1')}`)
    expect(res.stdout).toContain('  removed znode /flink/kinds/leader')
  })
})

describe('jobs purge selection', () => {
  it('--older-than counts the entries it leaves out, with the reason; --all with --job is a usage error', async () => {
    const jrs = join(temp(), 'jrs')
    mkdirSync(jrs)
    const [a, b] = [randomJobId(), randomJobId()]
    writeFileSync(join(jrs, `${a}.json`), entry(a, 'SUCCEEDED'))
    writeFileSync(join(jrs, `${b}.json`), entry(b, 'SUCCEEDED'))
    const dry = await haadm(['jobs', 'purge', '--jrs-path', jrs, '--older-than', '1h', '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('0 to remove, 0 kept, 2 not selected (2 newer than --older-than)')
    const json = await haadm(['jobs', 'purge', '--jrs-path', jrs, '--older-than', '1h', '--dry-run', '--json'])
    expect(json.json.result.plan.notSelected).toEqual({count: 2, reasons: {'newer than --older-than': 2}})
    const both = await haadm(['jobs', 'purge', '--jrs-path', jrs, '--all', '--job', a, '--dry-run'])
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('error: --all and --job select different entries: give one of them')
  })
})

describe('messages and exits', () => {
  it('jobs results --clean --dirty names the conflict; mark-clean without an id names the argument and never reads stdin', async () => {
    const jrs = temp()
    const both = await haadm(['jobs', 'results', '--jrs-path', jrs, '--clean', '--dirty'])
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/^error: --clean=true cannot also be provided when using --dirty/)
    const none = await haadm(['jobs', 'mark-clean', '--jrs-path', jrs, '--yes'], {input: `${randomJobId()}\n`})
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('error: Missing 1 required arg: jobId')
  })

  it('a quorum with bad syntax is exit 2 before any connection; an unresolvable host is exit 3 without waiting for the timeout', async () => {
    for (const quorum of [':::,,', '127.0.0.1:99999', 'zk-1:2181,,zk-2:2181', 'zk-1:21x81']) {
      const res = await haadm(['leaders', '--zk-quorum', quorum, '--cluster-id', '/x', '--zk-timeout', '10 min', '--json'], {timeoutMs: 60_000})
      expect(res.code, quorum).toBe(2)
      expect(res.json.error.code, quorum).toBe('CONFIG_INVALID')
      expect(res.json.error.message, quorum).toContain(`the ZooKeeper quorum ${JSON.stringify(quorum)} (flag --zk-quorum) is not valid`)
    }
    // .invalid never resolves (RFC 2606); with a 10-minute connection timeout, only a check before connecting ends it.
    const res = await haadm(['leaders', '--zk-quorum', 'zk.example.invalid:2181', '--cluster-id', '/x', '--zk-timeout', '10 min', '--json'], {timeoutMs: 120_000})
    expect(res.code).toBe(3)
    expect(res.json.error.message).toMatch(/^cannot resolve any ZooKeeper host of zk\.example\.invalid:2181 \(zk\.example\.invalid: (ENOTFOUND|EAI_AGAIN)\)$/)
  })

  it('DEBUG=* never prints the --zk-auth password', async () => {
    const snap = smallSnapshot(temp())
    for (const args of [['--zk-auth', 'digest:flink:S3cretPassw0rd'], ['--zk-auth=digest:flink:S3cretPassw0rd']]) {
      const res = await haadm(['leaders', '--snapshot', snap, ...args], {env: {DEBUG: '*'}})
      expect(res.stderr).toContain('oclif') // the debug output is there
      expect(res.stderr).toContain('digest:flink:***')
      expect(res.stderr + res.stdout).not.toContain('S3cretPassw0rd')
    }
  })

  it('a bearer token is never sent to an API server over http://', async () => {
    const api = await startK8sApiServer()
    try {
      api.addNamespace('flink')
      const dir = temp()
      const kubeconfig = join(dir, 'kubeconfig')
      writeFileSync(
        kubeconfig,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{name: 'plain', cluster: {server: api.httpUrl, 'insecure-skip-tls-verify': true}}],
          users: [{name: 'u', user: {token: api.token}}],
          contexts: [{name: 'plain', context: {cluster: 'plain', user: 'u', namespace: 'flink'}}],
          'current-context': 'plain',
        }),
      )
      const res = await haadm(['leaders', '--backend', 'kubernetes', '--kubeconfig', kubeconfig, '--cluster-id', 'app', '--json'])
      expect(res.stderr).toContain(`warning: the API server ${api.httpUrl} is plain http://: its token or password is not sent`)
      expect(res.code).toBe(3)
      expect(res.json.error.code).toBe('K8S_UNAUTHORIZED')
      expect(api.requests.filter((r) => r.status !== 401)).toEqual([])
    } finally {
      await api.stop()
    }
  })
})

describe('Flink configuration', () => {
  it('FLINK_CONF_DIR is read after --flink-conf and HAADM_FLINK_CONF', async () => {
    const conf = temp()
    writeFileSync(join(conf, 'flink-conf.yaml'), 'high-availability.cluster-id: /from-flink-conf-dir\nhigh-availability.zookeeper.quorum: zk-9:2181\n')
    const res = await haadm(['target', '--json'], {env: {FLINK_CONF_DIR: conf}})
    expect(res.code, res.stderr).toBe(0)
    expect(JSON.stringify(res.json.result)).toContain('/from-flink-conf-dir')
    const other = temp()
    writeFileSync(join(other, 'flink-conf.yaml'), 'high-availability.cluster-id: /from-flag\n')
    const flag = await haadm(['target', '--flink-conf', other, '--json'], {env: {FLINK_CONF_DIR: conf}})
    expect(JSON.stringify(flag.json.result)).toContain('/from-flag')
    expect(JSON.stringify(flag.json.result)).not.toContain('/from-flink-conf-dir')
  })

  it('a flink-conf.yaml that is a directory says so; a duplicate key and two config files warn', async () => {
    const dir = temp()
    mkdirSync(join(dir, 'flink-conf.yaml'))
    const isDir = await haadm(['target', '--flink-conf', dir])
    expect(isDir.code).toBe(2)
    expect(isDir.stderr).toContain(`error: ${join(dir, 'flink-conf.yaml')} is not a regular file (a directory?)`)
    const direct = await haadm(['target', '--flink-conf', join(dir, 'flink-conf.yaml')])
    expect(direct.code).toBe(2)
    expect(direct.stderr).toContain(`error: ${join(dir, 'flink-conf.yaml')} is a directory, not a Flink configuration file`)

    const two = temp()
    writeFileSync(join(two, 'flink-conf.yaml'), 'high-availability.cluster-id: /a\nhigh-availability.cluster-id: /b\n')
    writeFileSync(join(two, 'config.yaml'), 'high-availability:\n  cluster-id: /c\n')
    const both = await haadm(['target', '--flink-conf', two, '--json'])
    expect(both.code).toBe(0)
    expect(both.json.warnings).toContainEqual(expect.stringMatching(/^both config\.yaml and flink-conf\.yaml are in .*: haadm reads config\.yaml/))
    const dup = await haadm(['target', '--flink-conf', join(two, 'flink-conf.yaml'), '--json'])
    expect(dup.json.warnings).toEqual([`${join(two, 'flink-conf.yaml')}: high-availability.cluster-id is set on line 1 and again on line 2; Flink uses the last one (line 2)`])
    expect(JSON.stringify(dup.json.result)).toContain('"/b"')
  })
})

describe('the demo', () => {
  it("says in one line why its cleanup dry run of a live cluster exits 4", async () => {
    const {spawnSync} = await import('node:child_process')
    const res = spawnSync('bash', ['scripts/demo.sh'], {cwd: REPO, env: {...process.env, HAADM_DEMO_NO_BUILD: '1', HAADM_DEPS_DONE: '1', CI: ''}, encoding: 'utf8', timeout: 120_000})
    expect(res.status).toBe(0)
    expect(res.stdout).toContain('ends with exit code 4 (refused) on purpose')
    expect(res.stdout).toContain('(exit code 4: refused, as expected for a live cluster)')
    expect(res.stdout).not.toMatch(/^\(exit code \d\)$/m)
  })
})
