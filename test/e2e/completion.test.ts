import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'

describe('shell completion', () => {
  it('bash completes commands and flags', async () => {
    const home = mkdtempSync(join(tmpdir(), 'haadm-home-'))
    const res = await haadm(['autocomplete', 'bash', '--refresh-cache'], {env: {HOME: home}})
    expect(res.code).toBe(0)
    const script = join(home, '.cache', 'haadm', 'autocomplete', 'functions', 'bash', 'haadm.bash')
    const complete = (line: string) =>
      execFileSync('bash', ['-c', `source "${script}"; COMP_LINE="${line}"; COMP_WORDS=(${line}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _haadm_autocomplete; echo "\${COMPREPLY[@]}"`]).toString().trim()
    expect(complete('haadm lea').split(' ')).toContain('leaders')
    expect(complete('haadm leaders --zk-q').split(' ')).toContain('--zk-quorum')
    // Each top-level word once: the jobs topic has three commands.
    const top = execFileSync('bash', ['-c', `source "${script}"; COMP_LINE="haadm "; COMP_WORDS=(haadm ''); COMP_CWORD=1; _haadm_autocomplete; echo "\${COMPREPLY[@]}"`]).toString().trim().split(' ')
    expect(top).toContain('leaders')
    expect(top.filter((w) => w === 'jobs')).toEqual(['jobs'])
    expect(top).toEqual([...new Set(top)])
  })

  it('fish completes commands, topics, flags and fixed flag values', async () => {
    const res = await haadm(['autocomplete', 'fish'])
    expect(res.code).toBe(0)
    const script = join(mkdtempSync(join(tmpdir(), 'haadm-fish-')), 'haadm.fish')
    writeFileSync(script, res.stdout)
    const complete = (line: string) =>
      execFileSync('fish', ['--no-config', '-c', `source ${script}; complete -C '${line}'`], {env: {PATH: process.env.PATH ?? '', HOME: tmpdir()}})
        .toString()
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0])
    expect(complete('haadm lea')).toEqual(['leaders'])
    const top = complete('haadm ')
    for (const c of ['leaders', 'plans', 'checkpoints', 'cleanup', 'export', 'target', 'jobs', 'version']) expect(top).toContain(c)
    expect(top.filter((w) => w === 'jobs')).toEqual(['jobs'])
    expect(complete('haadm jobs ').sort()).toEqual(['mark-clean', 'purge', 'results'])
    expect(complete('haadm leaders --zk-q')).toEqual(['--zk-quorum'])
    expect(complete('haadm jobs purge --inc')).toEqual(['--include-dirty'])
    expect(complete('haadm leaders --backend ').sort()).toEqual(['kubernetes', 'zookeeper'])
    expect(complete('haadm plans -o ').sort()).toEqual(['json', 'name', 'table', 'wide', 'yaml'])
  })
})
