// Output formats and the conventions operators expect from kubectl-style tools, through the built CLI:
// -o table|wide|json|yaml|name, --columns, --no-headers, HAADM_OUTPUT, terminal width, display width,
// colour (NO_COLOR / FORCE_COLOR), -h / -v / version, did-you-mean, and errors in JSON.

import {join} from 'node:path'
import stringWidth from 'string-width'
import {parse as parseYaml} from 'yaml'
import {beforeAll, describe, expect, it} from 'vitest'
import {haadm, REPO} from '../support/cli.js'
import {tempDirs} from '../support/temp.js'
import {writeJrsFiles} from './job-result-java.js'

const DEMO = join(REPO, 'demo', 'demo-cluster.haadm.json.gz')
const demo = (args: string[], env: Record<string, string> = {}) => haadm([...args, '--snapshot', DEMO], {env})
const temp = tempDirs('haadm-output-')
const ESC = '\x1b['

const CJK = '00000000000000000000000000000c01'
const ASCII = '00000000000000000000000000000a01'
// Emoji, a combining mark and a keycap: the cells that string-width itself measures (in the build,
// the bundled copy whose Unicode tables are made on first use).
const EMOJI = '00000000000000000000000000000e01'
let jrs = ''
beforeAll(() => {
  jrs = temp()
  writeJrsFiles(jrs, [
    {file: `${CJK}.json`, id: CJK, layout: '2.3', status: 'SUCCEEDED', netRuntime: 2000, name: '注文集計ジョブ', startTime: 1767000000000, endTime: 1767000002000},
    {file: `${ASCII}.json`, id: ASCII, layout: '2.3', status: 'FAILED', netRuntime: 5, name: 'orders-aggregation', startTime: 1767000000000, endTime: 1767000002000},
    {file: `${EMOJI}.json`, id: EMOJI, layout: '2.3', status: 'SUCCEEDED', netRuntime: 7, name: '\u{1F680} cafe\u0301 1\u20E3 \u{1F469}\u200D\u{1F4BB}', startTime: 1767000000000, endTime: 1767000002000},
  ])
}, 180_000)

/** The display column where `needle` starts in `line`. */
const columnOf = (line: string, needle: string) => stringWidth(line.slice(0, line.indexOf(needle)))

describe('-o and the table options', () => {
  it('-o json is exactly --json; -o yaml is the same document; HAADM_OUTPUT=json makes it the default and -o wins over it', async () => {
    const json = await demo(['leaders', '--json'])
    expect(json.code).toBe(0)
    const o = await demo(['leaders', '-o', 'json'])
    expect(o.code).toBe(0)
    expect(o.stdout).toBe(json.stdout)
    const yaml = await demo(['leaders', '-o', 'yaml'])
    expect(yaml.code).toBe(0)
    expect(yaml.stdout.trimStart().startsWith('{')).toBe(false)
    expect(parseYaml(yaml.stdout)).toEqual(json.json)
    const env = await demo(['leaders'], {HAADM_OUTPUT: 'json'})
    expect(env.stdout).toBe(json.stdout)
    const table = await demo(['leaders', '-o', 'table'], {HAADM_OUTPUT: 'json'})
    expect(table.stdout).toMatch(/^cluster \/demo/)
    // Commands without -o follow HAADM_OUTPUT too.
    const cleanup = await demo(['cleanup', '--dry-run'], {HAADM_OUTPUT: 'json'})
    expect(cleanup.json?.result?.dryRun).toBe(true)
    // export -o - writes the snapshot to stdout: nothing is added after it.
    const exported = await demo(['export', '-o', '-'], {HAADM_OUTPUT: 'json'})
    expect(exported.code).toBe(0)
    expect(JSON.parse(exported.stdout).format).toBe('haadm-snapshot')
  })

  it('-o name prints one identifier a line', async () => {
    const leaders = await demo(['leaders', '-o', 'name'])
    expect(leaders.code).toBe(0)
    expect(leaders.stdout).toBe(['dispatcher', 'resource_manager', 'rest_server', '0123456789abcdef0123456789abcdef', '8f2b6a1c4d3e5f60718293a4b5c6d7e8', ''].join('\n'))
    const plans = await demo(['plans', '-o', 'name'])
    expect(plans.stdout.trim().split('\n')).toEqual(['0123456789abcdef0123456789abcdef', '8f2b6a1c4d3e5f60718293a4b5c6d7e8'])
    const checkpoints = await demo(['checkpoints', '-o', 'name'])
    expect(checkpoints.stdout.trim().split('\n')).toEqual([
      '0123456789abcdef0123456789abcdef/1',
      '0123456789abcdef0123456789abcdef/2',
      '8f2b6a1c4d3e5f60718293a4b5c6d7e8/1',
      '8f2b6a1c4d3e5f60718293a4b5c6d7e8/2',
      '8f2b6a1c4d3e5f60718293a4b5c6d7e8/3',
    ])
    const results = await haadm(['jobs', 'results', '--jrs-path', jrs, '-o', 'name'])
    expect(results.stdout.trim().split('\n').sort()).toEqual([ASCII, CJK, EMOJI])
    const target = await haadm(['target', '--zk-quorum', 'zk:2181', '-o', 'name'])
    expect(target.stdout.split('\n')).toContain('zookeeper.quorum')
  })

  it('-o wide adds the columns the default table leaves out', async () => {
    const table = await demo(['leaders'])
    const header = table.stdout.split('\n')[1]
    expect(header.split(/\s{2,}/)).toEqual(['COMPONENT', 'ADDRESS', 'ZK SESSION', 'STATE'])
    const wide = await demo(['leaders', '-o', 'wide'])
    expect(wide.stdout.split('\n')[1].split(/\s{2,}/)).toEqual(['COMPONENT', 'ADDRESS', 'LEADER SESSION', 'ZK SESSION', 'SINCE', 'STATE'])
    expect(wide.stdout).toContain('4f4006fb-8975-4110-aee2-d8fc6fde947f')
    const plans = await demo(['plans', '-o', 'wide'])
    expect(plans.stdout.split('\n')[1].split(/\s{2,}/)).toEqual(['JOB', 'STATE', 'LOCKS', 'SIZE', 'FILE', 'MODIFIED'])
  })

  it('--columns picks and orders columns; --no-headers prints the rows only', async () => {
    const res = await demo(['leaders', '--columns', 'state,component', '--no-headers'])
    expect(res.code).toBe(0)
    expect(res.stdout.trim().split('\n').map((l) => l.split(/\s+/))).toEqual([
      ['alive', 'dispatcher'],
      ['alive', 'resource_manager'],
      ['alive', 'rest_server'],
      ['alive', 'job', '0123456789abcdef0123456789abcdef'],
      ['alive', 'job', '8f2b6a1c4d3e5f60718293a4b5c6d7e8'],
    ])
    const checkpoints = await demo(['checkpoints', '--no-headers', '--columns', 'job,id,state'])
    expect(checkpoints.stdout.trim().split('\n')[0].split(/\s+/)).toEqual(['0123456789abcdef0123456789abcdef', '1', 'locked'])
    const since = await demo(['leaders', '--columns', 'component,since'])
    expect(since.stdout).toMatch(/dispatcher\s+2026-11-22T03:52:21\.514Z/)
  })

  it('an unknown column or format is a usage error that lists the valid ones, in text and JSON', async () => {
    const col = await demo(['leaders', '--columns', 'component,bogus'])
    expect(col.code).toBe(2)
    expect(col.stderr).toBe('error: unknown column "bogus" (--columns): valid columns are component, address, leader-session, owner, since, state\nhint: e.g. --columns component,address\n')
    const colJson = await demo(['plans', '--columns', 'nope', '--json'])
    expect(colJson.code).toBe(2)
    expect(colJson.json.error).toMatchObject({code: 'USAGE'})
    expect(colJson.json.error.message).toContain('valid columns are job, state, locks, size, file, modified, storage')
    const fmt = await demo(['leaders', '-o', 'xml'])
    expect(fmt.code).toBe(2)
    expect(fmt.stderr).toContain('error: unknown output format "xml" (-o): use one of table, wide, json, yaml, name')
    const env = await demo(['leaders'], {HAADM_OUTPUT: 'xml'})
    expect(env.code).toBe(2)
    expect(env.stderr).toContain('HAADM_OUTPUT=xml is not an output format')
  })

  it('tables fit the terminal width (COLUMNS), cutting the least useful columns with an ellipsis; -o wide cuts nothing', async () => {
    const narrow = await demo(['leaders'], {COLUMNS: '90'})
    const lines = narrow.stdout.split('\n').slice(1, 7)
    for (const l of lines) expect(stringWidth(l), l).toBeLessThanOrEqual(90)
    expect(narrow.stdout).toContain('…')
    expect(narrow.stdout).toContain('0123456789abcdef0123456789abcdef') // the component is never cut
    const wide = await demo(['leaders', '-o', 'wide'], {COLUMNS: '90'})
    expect(wide.stdout).not.toContain('…')
    const piped = await demo(['leaders'])
    expect(piped.stdout).not.toContain('…')
    // A cut file path keeps its end: the file name.
    const plans = await demo(['plans'], {COLUMNS: '90'})
    expect(plans.stdout).toMatch(/  …\S*\/submittedJobGraph[0-9a-f]{12}$/m)
  })

  it('columns line up by display width: a CJK job name takes two columns a character, an emoji two, a combining mark none', async () => {
    const res = await haadm(['jobs', 'results', '--jrs-path', jrs])
    expect(res.code).toBe(0)
    const rows = res.stdout.split('\n').filter((l) => l.startsWith('0000'))
    expect(rows).toHaveLength(3)
    expect(rows.find((l) => l.startsWith(EMOJI))).toContain('\u{1F680} cafe\u0301 1\u20E3 \u{1F469}\u200D\u{1F4BB}')
    const at = rows.map((l) => columnOf(l, '2026-') >= 0 ? columnOf(l, l.match(/\d{4}-\d\d-\d\d /)![0]) : -1)
    expect(at[0]).toBeGreaterThan(0)
    expect(at[1]).toBe(at[0])
    expect(at[2]).toBe(at[0])
    const header = res.stdout.split('\n')[1]
    expect(columnOf(header, 'TIME')).toBe(at[0])
  })
})

describe('colour', () => {
  it('none when piped; FORCE_COLOR turns it on; NO_COLOR turns it off whatever else is set', async () => {
    expect((await demo(['leaders'])).stdout).not.toContain(ESC)
    expect((await demo(['leaders'], {FORCE_COLOR: '1'})).stdout).toContain(ESC)
    expect((await demo(['leaders'], {FORCE_COLOR: '1', NO_COLOR: '1'})).stdout).not.toContain(ESC)
    expect((await demo(['leaders'], {FORCE_COLOR: '0'})).stdout).not.toContain(ESC)
  })
})

describe('conventions', () => {
  it('-h and --help, -v, --version and haadm version', async () => {
    for (const args of [['-h'], ['--help'], ['leaders', '-h'], ['jobs', 'results', '-h']]) {
      const res = await haadm(args)
      expect(res.code, args.join(' ')).toBe(0)
      expect(res.stdout, args.join(' ')).toContain('USAGE')
    }
    const lines = await Promise.all([['-v'], ['--version'], ['version']].map((a) => haadm(a)))
    for (const l of lines) {
      expect(l.code).toBe(0)
      expect(l.stdout).toMatch(/^haadm\/0\.\d+\.\d+ linux-\w+ node-v\d+/)
    }
    expect(new Set(lines.map((l) => l.stdout)).size).toBe(1)
    const json = await haadm(['version', '--json'])
    expect(json.json.result).toMatchObject({name: 'haadm', version: expect.stringMatching(/^\d+\.\d+\.\d+$/), node: process.version})
  })

  it('a mistyped command or topic: did-you-mean, exit 2, and the JSON envelope with --json', async () => {
    const lead = await haadm(['lead'])
    expect(lead.code).toBe(2)
    expect(lead.stderr).toBe('error: "lead" is not a haadm command\nhint: Did you mean "haadm leaders"? "haadm help" lists the commands.\n')
    const typo = await haadm(['jobs', 'reslts', '--json'])
    expect(typo.code).toBe(2)
    expect(typo.json).toEqual({
      status: 2,
      error: {code: 'USAGE', message: '"jobs reslts" is not a haadm command', hint: 'Did you mean "haadm jobs results"? "haadm help jobs" lists the commands.', details: {command: 'jobs reslts', suggestion: 'jobs results'}},
    })
    const topic = await haadm(['job', 'results'])
    expect(topic.stderr).toContain('Did you mean "haadm jobs results"?')
    const far = await haadm(['frobnicate'], {env: {HAADM_OUTPUT: 'json'}})
    expect(far.code).toBe(2)
    expect(far.json.error.hint).toBe('"haadm help" lists the commands.')
  })

  it('usage errors come as JSON with --json (and HAADM_OUTPUT=json)', async () => {
    const flag = await haadm(['leaders', '--bogus', '--json'])
    expect(flag.code).toBe(2)
    expect(flag.json).toMatchObject({status: 2, error: {code: 'USAGE', message: 'Nonexistent flag: --bogus'}})
    const env = await haadm(['plans', '--bogus'], {env: {HAADM_OUTPUT: 'json'}})
    expect(env.code).toBe(2)
    expect(env.json).toMatchObject({status: 2, error: {code: 'USAGE'}})
  })
})
