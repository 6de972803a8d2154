import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'

const repo = resolve(import.meta.dirname, '..', '..')

describe('man pages', () => {
  it('are up to date with the command metadata (run `npm run man` after changing a command)', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'haadm-man-'))
    execFileSync(process.execPath, [join(repo, 'scripts', 'gen-man.mjs'), '--check', fresh])
    const committed = readdirSync(join(repo, 'man')).filter((f) => f.endsWith('.1')).sort()
    expect(readdirSync(fresh).sort()).toEqual(committed)
    for (const f of committed) expect(readFileSync(join(fresh, f), 'utf8'), f).toBe(readFileSync(join(repo, 'man', f), 'utf8'))
  })

  it('are all declared in package.json "man", so npm install -g installs them', () => {
    const declared = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).man as string[]
    const pages = readdirSync(join(repo, 'man')).filter((f) => f.endsWith('.1')).sort()
    expect([...declared].sort()).toEqual(pages.map((f) => `./man/${f}`))
  })

  it('render with man(1)', () => {
    const text = execFileSync('man', ['-l', join(repo, 'man', 'haadm-leaders.1')], {env: {...process.env, MANWIDTH: '100', MAN_KEEP_FORMATTING: ''}}).toString()
    expect(text).toContain('haadm-leaders - Show the current leader')
    expect(text).toContain('--zk-quorum')
    expect(text).toContain('EXIT STATUS')
  })
})
