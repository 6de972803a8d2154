import {mkdtempSync, mkdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseDurationMs} from '../../src/config/duration.js'
import {loadFlinkConf, parseLegacyFlinkConf, parseStandardYaml} from '../../src/config/flink-conf.js'
import {parseAuthMap, resolveTarget} from '../../src/config/resolve.js'
import {describeSource} from '../../src/config/target.js'
import {generateZookeeperPath} from '../../src/config/zk-path.js'
import {targetReport} from '../../src/ops/target-report.js'
import {HaadmError} from '../../src/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'haadm-config-'))
function file(name: string, text: string): string {
  const p = join(dir, `${Math.random().toString(36).slice(2)}-${name}`)
  mkdirSync(p)
  writeFileSync(join(p, name), text)
  return join(p, name)
}

function thrown(fn: () => unknown): HaadmError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(HaadmError)
    return err as HaadmError
  }
  throw new Error('expected an error')
}

describe('generateZookeeperPath (ZooKeeperUtils)', () => {
  it.each([
    [['/flink', '/default'], '/flink/default'],
    [['/flink/', 'default/'], '/flink/default'],
    [['flink', '/a/b/'], '/flink/a/b'],
    [['/', '/default'], '/default'],
    [['//flink//', '//x//'], '/flink/x'],
    [['', ''], '/'],
  ])('%j → %s', (parts, expected) => {
    expect(generateZookeeperPath(...parts)).toBe(expected)
  })
})

describe('durations (TimeUtils.parseDuration)', () => {
  it.each([
    ['60000', 60000],
    ['60 s', 60000],
    ['15s', 15000],
    ['1 min', 60000],
    ['500ms', 500],
    ['2 h', 7_200_000],
  ])('%s', (text, ms) => expect(parseDurationMs(text)).toBe(ms))
  it('rejects nonsense', () => {
    expect(parseDurationMs('soon')).toBeUndefined()
    expect(parseDurationMs('10 parsecs')).toBeUndefined()
  })
})

describe('legacy flink-conf.yaml', () => {
  it('reads key: value lines with comments, first ": " splits', () => {
    const conf = parseLegacyFlinkConf('f', '# c\nhigh-availability: zookeeper\n\nhigh-availability.storageDir: hdfs://nn:8020/ha # tail\nurl: http://x:1/a: b\n')
    expect(conf.entries.get('high-availability')).toEqual({value: 'zookeeper', line: 2})
    expect(conf.entries.get('high-availability.storageDir')).toEqual({value: 'hdfs://nn:8020/ha', line: 4})
    expect(conf.entries.get('url')?.value).toBe('http://x:1/a: b')
  })
  it('names the line of a malformed pair', () => {
    const e = thrown(() => parseLegacyFlinkConf('/c/flink-conf.yaml', 'a: b\nhigh-availability:zookeeper\n'))
    expect(e.message).toContain('/c/flink-conf.yaml:2')
    expect(e.exit).toBe(2)
    expect(e.code).toBe('CONFIG_INVALID')
  })
})

describe('Flink 2 config.yaml', () => {
  it('flattens nested maps and keeps lines', () => {
    const conf = parseStandardYaml(
      'config.yaml',
      'high-availability:\n  type: zookeeper\n  zookeeper:\n    quorum: "zk:2181"\n    path:\n      root: /f2\njobmanager.rpc.port: 6123\n',
    )
    expect(conf.entries.get('high-availability.type')).toEqual({value: 'zookeeper', line: 2})
    expect(conf.entries.get('high-availability.zookeeper.quorum')).toEqual({value: 'zk:2181', line: 4})
    expect(conf.entries.get('high-availability.zookeeper.path.root')?.line).toBe(6)
    expect(conf.entries.get('jobmanager.rpc.port')?.value).toBe('6123')
  })
  it('names the line of invalid YAML', () => {
    const e = thrown(() => parseStandardYaml('/c/config.yaml', 'a: b\nc: [1, 2\nd: e\n'))
    expect(e.message).toMatch(/^\/c\/config\.yaml:\d+: not valid YAML/)
    expect(e.exit).toBe(2)
  })
  it('refuses a top level that is not a map', () => {
    expect(thrown(() => parseStandardYaml('c.yaml', '- a\n- b\n')).message).toContain('top level')
  })
})

describe('loadFlinkConf', () => {
  it('prefers config.yaml in a conf dir, like Flink 1.19+', () => {
    const d = join(dir, 'confdir')
    mkdirSync(d)
    writeFileSync(join(d, 'flink-conf.yaml'), 'high-availability.cluster-id: legacy\n')
    writeFileSync(join(d, 'config.yaml'), 'high-availability:\n  cluster-id: new\n')
    expect(loadFlinkConf(d).entries.get('high-availability.cluster-id')?.value).toBe('new')
  })
  it('says which file is missing', () => {
    const e = thrown(() => loadFlinkConf(join(dir, 'nope.yaml')))
    expect(e.message).toContain('nope.yaml')
    expect(e.exit).toBe(2)
  })
})

describe('resolveTarget', () => {
  it("uses Flink's defaults with nothing given", () => {
    const t = resolveTarget({flags: {}, env: {}})
    expect(t.backend.value).toBe('zookeeper')
    expect(t.clusterId).toEqual({value: '/default', source: {kind: 'default'}})
    expect(t.zookeeper.root.value).toBe('/flink')
    expect(t.zookeeper.clusterPath).toBe('/flink/default')
    expect(t.zookeeper.jobGraphsPath.value).toBe('/jobgraphs')
    expect(t.zookeeper.sessionTimeoutMs.value).toBe(60000)
    expect(t.zookeeper.connectionTimeoutMs.value).toBe(15000)
    expect(t.jobResultStoreDeleteOnCommit.value).toBe(true)
    expect(t.zookeeper.quorum).toBeUndefined()
  })

  it('flag beats env beats config file, and says where each came from', () => {
    const conf = file(
      'flink-conf.yaml',
      [
        'high-availability.type: ZooKeeper',
        'high-availability.zookeeper.quorum: zk1:2181, zk2:2181',
        'high-availability.zookeeper.path.root: /conf-root',
        'high-availability.cluster-id: conf-id',
        'high-availability.storageDir: s3://bucket/ha',
        'high-availability.zookeeper.client.connection-timeout: 5 s',
      ].join('\n'),
    )
    const t = resolveTarget({
      flags: {'flink-conf': conf, 'cluster-id': '/flag-id'},
      env: {HAADM_ZK_ROOT: '/env-root', HAADM_CLUSTER_ID: 'env-id'},
    })
    expect(t.backend.value).toBe('zookeeper')
    expect(t.clusterId).toEqual({value: '/flag-id', source: {kind: 'flag', name: 'cluster-id'}})
    expect(t.zookeeper.root).toEqual({value: '/env-root', source: {kind: 'env', name: 'HAADM_ZK_ROOT'}})
    expect(t.zookeeper.quorum).toEqual({value: 'zk1:2181,zk2:2181', source: {kind: 'config', key: 'high-availability.zookeeper.quorum', file: conf, line: 2}})
    expect(t.zookeeper.clusterPath).toBe('/env-root/flag-id')
    expect(t.zookeeper.connectionTimeoutMs.value).toBe(5000)
    expect(t.jobResultStorePath?.value).toBe('s3://bucket/ha/job-result-store/flag-id')
    expect(t.flinkConf).toEqual({file: conf, format: 'legacy'})
  })

  it('reads deprecated keys only when the current ones are absent', () => {
    const conf = file('flink-conf.yaml', 'recovery.mode: zookeeper\nrecovery.zookeeper.quorum: old:2181\nhigh-availability.zookeeper.path.namespace: /ns\n')
    const t = resolveTarget({flags: {'flink-conf': conf}, env: {}})
    expect(t.zookeeper.quorum?.value).toBe('old:2181')
    expect(t.clusterId.value).toBe('/ns')
    expect(t.backend.source).toMatchObject({kind: 'config', key: 'recovery.mode'})
  })

  it('builds the default JobResultStore path by concatenation and folds the double slash', () => {
    const t = resolveTarget({flags: {'storage-dir': 'hdfs://nn:8020/flink/ha/'}, env: {}})
    expect(t.jobResultStorePath?.value).toBe('hdfs://nn:8020/flink/ha/job-result-store/default')
  })

  it('takes kubernetes.cluster-id when high-availability.cluster-id is absent', () => {
    const conf = file('config.yaml', 'kubernetes:\n  cluster-id: my-app\nhigh-availability:\n  type: zookeeper\n')
    const t = resolveTarget({flags: {'flink-conf': conf}, env: {}})
    expect(t.clusterId.value).toBe('my-app')
    expect(t.clusterId.source.kind).toBe('derived')
    expect(t.zookeeper.clusterPath).toBe('/flink/my-app')
  })

  it('maps the Kubernetes factory class to the kubernetes backend', () => {
    const conf = file('flink-conf.yaml', 'high-availability: org.apache.flink.kubernetes.highavailability.KubernetesHaServicesFactory\nkubernetes.cluster-id: k\n')
    const t = resolveTarget({flags: {'flink-conf': conf}, env: {}})
    expect(t.backend.value).toBe('kubernetes')
    expect(t.clusterId.value).toBe('k')
  })

  it('refuses a configuration with HA off, naming the line', () => {
    const conf = file('flink-conf.yaml', 'a: b\nhigh-availability.type: NONE\n')
    const e = thrown(() => resolveTarget({flags: {'flink-conf': conf}, env: {}}))
    expect(e.message).toContain(`${conf}:2`)
    expect(e.exit).toBe(2)
  })

  it('refuses bad values with a usage error', () => {
    expect(thrown(() => resolveTarget({flags: {'zk-timeout': 'soon'}, env: {}})).exit).toBe(2)
    expect(thrown(() => resolveTarget({flags: {}, env: {HAADM_JRS_DELETE_ON_COMMIT: 'maybe'}})).exit).toBe(2)
    expect(thrown(() => resolveTarget({flags: {backend: 'etcd'}, env: {}})).code).toBe('BACKEND_UNSUPPORTED')
  })

  it('execution-plan directories: both keys with provenance; notes for keys that differ and for a missing leading slash', () => {
    const conf = file(
      'config.yaml',
      'high-availability:\n  zookeeper:\n    path:\n      execution-plans: /plans2\n      jobgraphs: /plans1\n',
    )
    const t = resolveTarget({flags: {'flink-conf': conf}, env: {}})
    expect(t.zookeeper.executionPlansPath).toMatchObject({value: '/plans2', source: {kind: 'config', line: 4, key: 'high-availability.zookeeper.path.execution-plans'}})
    expect(t.zookeeper.jobGraphsPath).toMatchObject({value: '/plans1', source: {kind: 'config', line: 5}})
    const report = targetReport(t)
    expect(report.settings.find((r) => r.setting === 'zookeeper.execution-plans-path')!.from).toContain(`${conf}:4`)
    expect(report.notes.join('\n')).toMatch(/Flink 2\.x uses \/plans2, Flink 1\.x \/plans1/)
    // Flink concatenates namespace and path: say where such plans end up instead of failing.
    const bare = resolveTarget({flags: {}, env: {HAADM_ZK_JOBGRAPHS_PATH: 'jobgraphs'}})
    expect(targetReport(bare).notes.join('\n')).toContain('/flink/defaultjobgraphs, outside the cluster node')
    // Nothing set: no execution-plans value, the jobgraphs default says that both are looked for.
    const none = resolveTarget({flags: {}, env: {}})
    expect(none.zookeeper.executionPlansPath).toBeUndefined()
    expect(targetReport(none).notes).toEqual([])
  })

  it('native Kubernetes deployments: kubernetes.cluster-id is the HA cluster id, as KubernetesClusterDescriptor sets it', () => {
    const session = file('flink-conf.yaml', 'execution.target: kubernetes-session\nkubernetes.cluster-id: my-flink\nhigh-availability.type: zookeeper\nhigh-availability.cluster-id: /ignored\n')
    const t = resolveTarget({flags: {'flink-conf': session}, env: {}})
    expect(t.clusterId.value).toBe('my-flink')
    expect(t.zookeeper.clusterPath).toBe('/flink/my-flink')
    expect(describeSource(t.clusterId.source)).toMatch(/kubernetes-session is a native Kubernetes deployment.*overwritten on deploy/)
    // Kubernetes HA names its maps after kubernetes.cluster-id even without execution.target.
    const k8s = file('config.yaml', 'kubernetes.cluster-id: app1\nhigh-availability.type: kubernetes\nhigh-availability.cluster-id: other\n')
    expect(resolveTarget({flags: {'flink-conf': k8s}, env: {}}).clusterId.value).toBe('app1')
    // A flag still wins; a remote (non-Kubernetes) target keeps high-availability.cluster-id.
    expect(resolveTarget({flags: {'flink-conf': session, 'cluster-id': '/mine'}, env: {}}).clusterId.value).toBe('/mine')
    const remote = file('flink-conf.yaml', 'execution.target: remote\nkubernetes.cluster-id: x\nhigh-availability.cluster-id: /ha\n')
    expect(resolveTarget({flags: {'flink-conf': remote}, env: {}}).clusterId.value).toBe('/ha')
    const bad = file('flink-conf.yaml', 'execution.target: kubernetes-sesion\n')
    const e = thrown(() => resolveTarget({flags: {'flink-conf': bad}, env: {}}))
    expect(e.exit).toBe(2)
    expect(e.message).toContain('unknown execution.target "kubernetes-sesion"')
  })

  it('reads the authorization map, flat or nested', () => {
    const flat = file('flink-conf.yaml', "high-availability.zookeeper.client.authorization: digest:'flink:s3cret'\n")
    expect(resolveTarget({flags: {'flink-conf': flat}, env: {}}).zookeeper.auth.value).toEqual([{scheme: 'digest', auth: 'flink:s3cret'}])
    const nested = file('config.yaml', 'high-availability:\n  zookeeper:\n    client:\n      authorization:\n        digest: "flink:s3cret"\n')
    const t = resolveTarget({flags: {'flink-conf': nested}, env: {}})
    expect(t.zookeeper.auth.value).toEqual([{scheme: 'digest', auth: 'flink:s3cret'}])
    expect(t.zookeeper.auth.source).toMatchObject({kind: 'config', line: 5})
  })
})

describe('parseAuthMap', () => {
  it('splits scheme from credentials at the first colon', () => {
    expect(parseAuthMap('digest:user:pw', {kind: 'flag', name: 'zk-auth'})).toEqual([{scheme: 'digest', auth: 'user:pw'}])
  })
  it('refuses a value without a scheme and never echoes the secret', () => {
    const e = thrown(() => parseAuthMap('justapassword', {kind: 'flag', name: 'zk-auth'}))
    expect(e.exit).toBe(2)
    const e2 = thrown(() => parseAuthMap(':user:secret', {kind: 'flag', name: 'zk-auth'}))
    expect(e2.message).not.toContain('secret')
  })
})
