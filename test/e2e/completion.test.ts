import {execFileSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
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
  })
})
