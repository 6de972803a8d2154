import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {REPO} from '../support/cli.js'
import {tempDirs} from '../support/temp.js'

/**
 * The package as a user gets it: `npm pack` of a copy of the working tree (prepack builds, writes the
 * manifest and the man pages there, never in the repo other tests run from), then
 * `npm install -g --prefix` of the tarball with install scripts disabled, as on a machine without a C
 * toolchain: the optional `zookeeper` binding is then not compiled. Dependencies come from npm's cache
 * when it has them (--prefer-offline).
 */
const temp = tempDirs('haadm-pkg-')
let tarball = ''
let prefix = ''
let files: string[] = []

const run = (cmd: string, args: string[], opts: {cwd?: string; env?: Record<string, string>} = {}) => {
  // As a user runs it: not with the test runner's NODE_ENV=test (oclif then looks for TypeScript sources).
  const {NODE_ENV: _, ...env} = process.env
  const res = spawnSync(cmd, args, {cwd: opts.cwd, env: {...env, ...opts.env}, encoding: 'utf8', timeout: 400_000})
  return {code: res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? ''}
}
const installed = (args: string[], env: Record<string, string> = {}) =>
  run(join(prefix, 'bin', 'haadm'), args, {env: {NO_COLOR: '1', ...env}})

beforeAll(() => {
  // A fresh clone: the files git knows (tracked and new, not ignored), with the repo's node_modules for the build tools.
  const clone = temp()
  const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {cwd: REPO}).toString().split('\0').filter(Boolean)
  for (const f of listed) if (existsSync(join(REPO, f))) cpSync(join(REPO, f), join(clone, f), {recursive: true})
  symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'))
  expect(existsSync(join(clone, 'dist'))).toBe(false)
  const out = temp()
  const pack = run('npm', ['pack', '--json', '--pack-destination', out], {cwd: clone})
  expect(pack.code, pack.stderr).toBe(0)
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))
  tarball = join(out, info.filename)
  files = info.files.map((f: {path: string}) => f.path)
  prefix = temp()
  const install = run('npm', ['install', '-g', '--prefix', prefix, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball])
  expect(install.code, install.stderr).toBe(0)
}, 600_000)

describe('npm pack and npm install -g', () => {
  it('ships the build, the manifest, the man pages, README and LICENSE; not the tests or bin/dev.js', () => {
    for (const f of ['bin/run.js', 'dist/commands/leaders.js', 'dist/src/cli/main.js', 'oclif.manifest.json', 'man/haadm.1', 'man/haadm-leaders.1', 'README.md', 'LICENSE', 'package.json'])
      expect(files, f).toContain(f)
    // the bundle's shared code (scripts/bundle.mjs), oclif's core among it
    expect(files.filter((f) => f.startsWith('dist/chunks/')).length).toBeGreaterThan(0)
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('dist/test/') || f.startsWith('bench/') || f === 'bin/dev.js' || f.endsWith('.ts'))).toEqual([])
  })

  it('installs a haadm that runs: --version, leaders on the demo snapshot', () => {
    const version = installed(['--version'])
    expect(version.code, version.stderr).toBe(0)
    expect(version.stdout).toMatch(/^haadm\/0\.\d+\.\d+ /)
    const leaders = installed(['leaders', '--snapshot', join(REPO, 'demo', 'demo-cluster.haadm.json.gz')])
    expect(leaders.code, leaders.stderr).toBe(0)
    expect(leaders.stdout).toContain('cluster /demo (zookeeper /flink/demo)')
    expect(leaders.stdout).toMatch(/dispatcher\s+pekko\.tcp:\/\/flink@jm-0:6123/)
  })

  it('installs the man pages where man finds them', () => {
    expect(readdirSync(join(prefix, 'share', 'man', 'man1')).sort()).toEqual(readdirSync(join(REPO, 'man')).filter((f) => f.endsWith('.1')).sort())
    const page = run('man', ['haadm-leaders'], {env: {MANPATH: join(prefix, 'share', 'man'), MANWIDTH: '100', PAGER: 'cat', MAN_KEEP_FORMATTING: ''}})
    expect(page.code, page.stderr).toBe(0)
    expect(page.stdout).toContain('haadm-leaders - Show the current leader')
  })

  it('without the compiled ZooKeeper binding: snapshot commands work, ZooKeeper commands exit 3 saying how to build it here', () => {
    const res = installed(['leaders', '--zk-quorum', '127.0.0.1:1', '--json'])
    expect(res.code).toBe(3)
    const dir = join(prefix, 'lib', 'node_modules', 'haadm')
    expect(JSON.parse(res.stdout).error).toMatchObject({code: 'ZK_CLIENT_MISSING'})
    const text = installed(['leaders', '--zk-quorum', '127.0.0.1:1'])
    expect(text.code).toBe(3)
    expect(text.stderr).toContain('has no compiled binding')
    expect(text.stderr).toContain(`hint: ZooKeeper commands need it; Kubernetes and --snapshot commands work without it. To build it, install python3, make and g++ (Debian: apt-get install python3 make g++), then run: cd ${dir} && npm rebuild zookeeper`)
  })

  it('with the binding absent altogether: the hint fits a global install, or a project that depends on haadm', () => {
    // A global install whose optional dependency failed (npm drops it).
    const global = temp()
    cpSync(join(prefix, 'lib'), join(global, 'lib'), {recursive: true, verbatimSymlinks: true})
    const gdir = join(global, 'lib', 'node_modules', 'haadm')
    rmSync(join(gdir, 'node_modules', 'zookeeper'), {recursive: true, force: true})
    const g = run(process.execPath, [join(gdir, 'bin', 'run.js'), 'plans', '--zk-quorum', '127.0.0.1:1'], {env: {NO_COLOR: '1'}})
    expect(g.code).toBe(3)
    expect(g.stderr).toContain('error: the ZooKeeper client library (npm package "zookeeper", an optional dependency) is not installed')
    expect(g.stderr).toContain(`cd ${gdir} && npm install --no-save --omit=dev 'zookeeper@^7.3.0'`)
    expect(g.stderr).toContain(`(haadm is installed globally under ${global})`)
    // A project with haadm in its node_modules.
    const project = temp()
    writeFileSync(join(project, 'package.json'), '{"name": "ops-scripts", "private": true}\n')
    mkdirSync(join(project, 'node_modules'))
    cpSync(gdir, join(project, 'node_modules', 'haadm'), {recursive: true, verbatimSymlinks: true})
    const p = run(process.execPath, [join(project, 'node_modules', 'haadm', 'bin', 'run.js'), 'leaders', '--zk-quorum', '127.0.0.1:1', '--json'])
    expect(p.code).toBe(3)
    const err = JSON.parse(p.stdout).error
    expect(err.code).toBe('ZK_CLIENT_MISSING')
    expect(err.hint).toContain(`cd ${project} && npm install 'zookeeper@^7.3.0'`)
    expect(err.details.installation).toBe('dependency')
  })
})
