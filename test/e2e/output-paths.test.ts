// Every path haadm writes (export -o, --backup): devices and FIFOs are written through, never replaced;
// symlinks followed (a dangling one refused); regular files written atomically; a reader that closes
// standard output early is a normal end; a full disk or a directory is not "a bug" (exit 1).
import {execFileSync, spawn} from 'node:child_process'
import {lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {BIN, haadm} from '../support/cli.js'
import {randomJobId} from '../support/flink-fixture.js'
import {tempDirs} from '../support/temp.js'

const temp = tempDirs('haadm-out-')
const root = process.getuid?.() === 0

/** A small snapshot to export from: no live store needed. */
function snapshot(dir: string, items = 3): string {
  const file = join(dir, 'src.json')
  const list = Array.from({length: items}, (_, i) => ({key: `n${i}`, locator: `/flink/x/n${i}`, data: Buffer.alloc(150, i).toString('base64')}))
  writeFileSync(
    file,
    JSON.stringify({format: 'haadm-snapshot', version: 1, haadmVersion: '0.1.0', createdAt: '2026-01-01T00:00:00.000Z', backend: 'zookeeper', clusterId: '/x', root: '/flink/x', target: {}, items: list, jobResults: null, itemCount: list.length}),
  )
  return file
}

/** A character device node like /dev/null (1,3) or /dev/full (1,7), made in the test's own directory. */
function device(dir: string, name: string, minor: number): string {
  const p = join(dir, name)
  execFileSync('mknod', [p, 'c', '1', String(minor)])
  return p
}

describe('export -o and --backup: what is at the path decides how it is written', () => {
  it.runIf(root)('a character device stays a device: written through, never replaced by a regular file', async () => {
    const dir = temp()
    const src = snapshot(dir)
    const null1 = device(dir, 'null', 3)
    const res = await haadm(['export', '--snapshot', src, '-o', null1])
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    expect(lstatSync(null1).isCharacterDevice()).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['null', 'src.json'])
  })

  it.runIf(root)('a device that reports a full disk is exit 3 with the cause, not exit 1 "a bug"', async () => {
    const dir = temp()
    const full = device(dir, 'full', 7)
    const res = await haadm(['export', '--snapshot', snapshot(dir), '-o', full, '--json'])
    expect(res.code).toBe(3)
    expect(res.json.error.message).toBe(`cannot write the snapshot file ${full}: ENOSPC (the disk is full); nothing partial was left behind`)
    expect(lstatSync(full).isCharacterDevice()).toBe(true)
  })

  it.runIf(root)('jobs purge --backup to a device: the device stays, the entries go', async () => {
    const dir = temp()
    const jrs = join(dir, 'jrs')
    mkdirSync(jrs)
    const id = randomJobId()
    writeFileSync(join(jrs, `${id}.json`), `{"result":{"id":"${id}","application-status":"SUCCEEDED","accumulator-results":{},"net-runtime":1},"version":1}`)
    const null1 = device(dir, 'null', 3)
    const res = await haadm(['jobs', 'purge', '--jrs-path', jrs, '--all', '--yes', '--backup', null1, '--json'])
    expect(res.code, res.stdout).toBe(0)
    expect(lstatSync(null1).isCharacterDevice()).toBe(true)
    expect(readdirSync(jrs)).toEqual([])
  })

  it('a FIFO is written through to its reader', async () => {
    const dir = temp()
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    const reader = spawn('cat', [fifo])
    let got = ''
    reader.stdout.on('data', (d) => (got += d))
    const closed = new Promise((r) => reader.on('close', r))
    const res = await haadm(['export', '--snapshot', snapshot(dir), '-o', fifo])
    await closed
    expect(res.code, res.stderr).toBe(0)
    expect(JSON.parse(got)).toMatchObject({format: 'haadm-snapshot', itemCount: 3})
    expect(lstatSync(fifo).isFIFO()).toBe(true)
  })

  it('a symlink is followed: the file it points at is written, the link stays a link; a dangling link is refused', async () => {
    const dir = temp()
    const src = snapshot(dir)
    mkdirSync(join(dir, 'real'))
    writeFileSync(join(dir, 'real', 'out.json'), 'old contents')
    symlinkSync(join(dir, 'real', 'out.json'), join(dir, 'link.json'))
    const res = await haadm(['export', '--snapshot', src, '-o', join(dir, 'link.json')])
    expect(res.code, res.stderr).toBe(0)
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true)
    expect(readlinkSync(join(dir, 'link.json'))).toBe(join(dir, 'real', 'out.json'))
    expect(JSON.parse(readFileSync(join(dir, 'real', 'out.json'), 'utf8'))).toMatchObject({format: 'haadm-snapshot', itemCount: 3})
    expect(readdirSync(join(dir, 'real'))).toEqual(['out.json'])

    symlinkSync(join(dir, 'nowhere', 'x.json'), join(dir, 'dangling.json'))
    const dangling = await haadm(['export', '--snapshot', src, '-o', join(dir, 'dangling.json')])
    expect(dangling.code).toBe(2)
    expect(dangling.stderr).toContain(`error: the snapshot file ${join(dir, 'dangling.json')} is a symbolic link to a file that does not exist`)
  })

  it('a directory, or a path in a missing directory, is a usage error (exit 2) and nothing is written', async () => {
    const dir = temp()
    const src = snapshot(dir)
    const isDir = await haadm(['export', '--snapshot', src, '-o', dir])
    expect(isDir.code).toBe(2)
    expect(isDir.stderr).toContain(`error: the snapshot file ${dir} is a directory`)
    const missing = await haadm(['export', '--snapshot', src, '-o', join(dir, 'no', 'such.json')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('(the directory does not exist)')
    expect(readdirSync(dir)).toEqual(['src.json'])
  })

  it('a regular file is replaced whole: no temporary file is left, the mode of a new file follows the umask', async () => {
    const dir = temp()
    const out = join(dir, 'out.json')
    writeFileSync(out, 'old')
    const res = await haadm(['export', '--snapshot', snapshot(dir), '-o', out])
    expect(res.code).toBe(0)
    expect(JSON.parse(readFileSync(out, 'utf8')).itemCount).toBe(3)
    expect(readdirSync(dir).sort()).toEqual(['out.json', 'src.json'])
    expect(statSync(out).isFile()).toBe(true)
  })

  it('-o - into a reader that stops early (| head) is a normal end: exit 0, no error', async () => {
    const dir = temp()
    const src = snapshot(dir, 20_000)
    const child = spawn(process.execPath, [BIN, 'export', '--snapshot', src, '-o', '-'], {stdio: ['ignore', 'pipe', 'pipe'], env: {PATH: process.env.PATH ?? ''}})
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    // Read the first chunk, then close the pipe as head does.
    await new Promise<void>((r) => child.stdout.once('data', () => r()))
    child.stdout.destroy()
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)))
    expect(stderr).toBe('')
    expect(code).toBe(0)
  })

  it('export without -o names the missing flag', async () => {
    const res = await haadm(['export', '--zk-quorum', '127.0.0.1:2181'])
    expect(res.code).toBe(2)
    expect(res.stderr).toBe('error: Missing required flag output\nhint: See --help for the flags and examples.\n')
  })
})
