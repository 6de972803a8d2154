import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'haadm-cli-'))

describe('haadm as a user meets it', () => {
  it('--help lists the commands and --version prints the version', async () => {
    const help = await haadm(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/leaders\s+Show the current leader/)
    expect(help.stdout).toMatch(/target\s+Show the resolved target/)
    const version = await haadm(['--version'])
    expect(version.code).toBe(0)
    expect(version.stdout).toMatch(/^haadm\/\d+\.\d+\.\d+ /)
  })

  // Every command of the manifest: oclif renders help text as a template, so a stray "<%" breaks it.
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'oclif.manifest.json'), 'utf8')).commands
  const commands = Object.keys(manifest).filter((id) => id !== 'autocomplete:fish')
  it.each(commands.map((id) => id.replace(/:/g, ' ')))('%s --help has examples, the JSON fields and the exit codes', async (cmd) => {
    const res = await haadm([...cmd.split(' '), '--help'])
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    const targetFlags = 'flink-conf' in manifest[cmd.replace(/ /g, ':')].flags ? ['--flink-conf'] : []
    for (const part of ['EXAMPLES', `$ haadm ${cmd}`, 'JSON (--json)', 'EXIT CODES', '--json', ...targetFlags]) expect(res.stdout, part).toContain(part)
    if (cmd.startsWith('jobs ')) for (const flag of ['--jrs-path', '--s3-endpoint']) expect(res.stdout, flag).toContain(flag)
  })

  it('target shows each value with the flag, variable or file:line it came from', async () => {
    const conf = join(dir, 'flink-conf.yaml')
    writeFileSync(
      conf,
      ['# Flink 1.17', 'high-availability: zookeeper', 'high-availability.zookeeper.quorum: zk-a:2181,zk-b:2181', 'high-availability.cluster-id: /from-conf', 'high-availability.storageDir: hdfs:///flink/ha', 'high-availability.zookeeper.client.authorization: digest:flink:hunter2'].join('\n'),
    )
    const res = await haadm(['target', '--flink-conf', conf, '--zk-root', '/r', '--json'], {env: {HAADM_CLUSTER_ID: '/from-env'}})
    expect(res.code).toBe(0)
    const rows = Object.fromEntries(res.json.result.settings.map((s: any) => [s.setting, s]))
    expect(rows['zookeeper.root']).toMatchObject({value: '/r', from: 'flag --zk-root'})
    expect(rows['cluster-id']).toMatchObject({value: '/from-env', from: 'env HAADM_CLUSTER_ID'})
    expect(rows['zookeeper.quorum']).toMatchObject({value: 'zk-a:2181,zk-b:2181', from: `${conf}:3 (high-availability.zookeeper.quorum)`})
    expect(rows['backend'].from).toBe(`${conf}:2 (high-availability)`)
    expect(rows['zookeeper.cluster-path'].value).toBe('/r/from-env')
    expect(rows['job-result-store.path'].value).toBe('hdfs:///flink/ha/job-result-store/from-env')
    expect(rows['zookeeper.auth'].value).toBe('digest:flink:***')
    expect(res.stdout).not.toContain('hunter2')
    const table = await haadm(['target', '--flink-conf', conf])
    expect(table.stdout).toMatch(/zookeeper\.quorum\s+zk-a:2181,zk-b:2181\s+.*flink-conf\.yaml:3/)
    expect(table.stdout).not.toContain('hunter2')
  })

  it('a Flink 2 config.yaml works the same', async () => {
    const conf = join(dir, 'config.yaml')
    writeFileSync(conf, 'high-availability:\n  type: zookeeper\n  zookeeper:\n    quorum: zk:2181\n    path:\n      root: /flink2\n  cluster-id: app\n')
    const res = await haadm(['target', '--flink-conf', conf, '--json'])
    expect(res.code).toBe(0)
    expect(res.json.result.zookeeperPath).toBe('/flink2/app')
    expect(res.json.result.flinkConf).toEqual({file: conf, format: 'yaml'})
  })

  it('a malformed Flink configuration names the line, exit 2, in text and JSON', async () => {
    const conf = join(dir, 'flink-conf.yaml')
    writeFileSync(conf, 'high-availability: zookeeper\nhigh-availability.cluster-id:/oops\n')
    const res = await haadm(['leaders', '--flink-conf', conf])
    expect(res.code).toBe(2)
    expect(res.stderr).toBe(`error: ${conf}:2: not a "key: value" pair: "high-availability.cluster-id:/oops"\nhint: Flink needs a space after the colon.\n`)
    const json = await haadm(['leaders', '--flink-conf', conf, '--json'])
    expect(json.code).toBe(2)
    expect(json.json).toMatchObject({status: 2, error: {code: 'CONFIG_INVALID'}})
  })

  it('a missing configuration file: exit 2', async () => {
    const res = await haadm(['target', '--flink-conf', join(dir, 'absent')])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('cannot read Flink configuration')
  })

  it('an invalid --backend value is a usage error', async () => {
    const res = await haadm(['target', '--backend', 'etcd', '--json'])
    expect(res.code).toBe(2)
    expect(res.json.status).toBe(2)
    expect(res.json.error.code).toBe('USAGE')
  })

  it('the Kubernetes backend without any kubeconfig is a usage error', async () => {
    const res = await haadm(['leaders', '--backend', 'kubernetes', '--cluster-id', 'x'], {env: {HOME: '/nonexistent'}})
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('no kubeconfig')
  })

  it('an unknown command: exit 2', async () => {
    const res = await haadm(['leaderz'])
    expect(res.code).toBe(2)
  })
})
