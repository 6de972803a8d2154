import {readFileSync, rmSync, mkdtempSync} from 'node:fs'
import {execFileSync} from 'node:child_process'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {decodeStateHandlePointer} from '../../src/codec/index.js'
import {javaUriSyntaxError} from '../../src/codec/java-uri.js'
import {compileJava} from '../support/java.js'
import {pointer} from '../support/java-bytes.js'
import {prng} from '../support/prng.js'

// java.net.URI's parser, ported: checked against the JDK itself on hand-picked and generated strings.

const hex16 = (s: string) => Array.from(s, (_, i) => s.charCodeAt(i).toString(16).padStart(4, '0')).join('')
const classpath = () => compileJava(['stubs', 'uri'], false)

function jdkVerdicts(strings: string[]): boolean[] {
  const out = execFileSync('java', ['-cp', classpath(), 'haadm.fixtures.UriOracle', 'check'], {input: strings.map(hex16).join('\n') + '\n', maxBuffer: 64 << 20})
  const lines = out.toString('utf8').trimEnd().split('\n')
  expect(lines).toHaveLength(strings.length)
  return lines.map((l) => l === 'ok')
}

/** The characters the fault report named, plus the rest of what RFC 2396 excludes. */
const REJECTED_CHARS = [' ', '"', '<', '>', '\\', '^', '`', '{', '|', '}', '%', '\u0001', '\u001f', '\u007f', '\u0000', '\u0085', '\u00a0', '\u2028']

const HAND_PICKED = [
  'hdfs://nn:8020/ha/default/completedCheckpoint0123456789ab',
  's3://bucket/ha/my%20cluster/50%25/%C3%BCber/submittedJobGraph00aabbccddee',
  'file:/x/ha/default/submittedExecutionPlanb4778d6a85f2',
  '/mnt/flink/ha/default/completedCheckpointfedcba987654',
  'hdfs://[::1]:8020/ha', 'hdfs://[fe80::1%eth0]/ha', 'hdfs://[1:2:3:4:5:6:7:8]/x', 'hdfs://[1:2:3:4:5:6:7]/x', 'hdfs://[::1/x',
  'hdfs://1.2.3.4:99/x', 'hdfs://1.2.3.400/x', 'hdfs://host_name:80/x', 'hdfs://-bad/x', 'hdfs://a-/x', 'hdfs://user@host:12/x',
  'hdfs://host:99999999999/x', 'hdfs://host:x/x', 'hdfs:///x', 'hdfs://', 'hdfs:', ':x', 'a:b', 'a:b#', '1a:/x', 'a+b.c-d:/x',
  's3://b/über/x', 's3://b/x?q=1#frag', 's3://b/x#a#b', 's3://b/x%2', 's3://b/x%zz', 's3://b/[x]', 's3://b/a[0]', 's3://[b]/x',
  '', '#', '?', '//', '//h', 'a', 'a b', '%41', '\ud800', 's3://b/\ud83d\ude00',
  ...REJECTED_CHARS.map((c) => `s3://bucket/ha/a${c}b/completedCheckpoint0123456789ab`),
  ...REJECTED_CHARS.map((c) => `hdfs://nn${c}x:8020/ha`),
]

function generated(count: number): string[] {
  const rnd = prng(0x0a11)
  const alphabet = [...'aZ09-._~!$&\'()*+,;=:@/?#[]%', ...REJECTED_CHARS, 'ü', '%4', '%4F', '::', '[', ']', '1.2.3.4', 'ff:', 'hdfs', '//']
  const heads = ['hdfs://nn:8020/', 's3://b/', 'file:/', '/', '', 'hdfs://[', 'x:', '//', 'hdfs://u@h:']
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    let s = heads[Math.floor(rnd() * heads.length)]
    const len = Math.floor(rnd() * 12)
    for (let k = 0; k < len; k++) s += alphabet[Math.floor(rnd() * alphabet.length)]
    out.push(s)
  }
  return out
}

describe('java.net.URI syntax (ported parser)', () => {
  it('agrees with the JDK on every hand-picked and generated string', () => {
    const strings = [...HAND_PICKED, ...generated(4000)]
    const jdk = jdkVerdicts(strings)
    const disagreements = strings.filter((s, i) => (javaUriSyntaxError(s) === undefined) !== jdk[i]).map((s) => JSON.stringify(s))
    expect(disagreements).toEqual([])
    // The generated set really exercises both sides.
    expect(jdk.filter(Boolean).length).toBeGreaterThan(500)
    expect(jdk.filter((v) => !v).length).toBeGreaterThan(500)
  }, 120_000)

  it('names the reason and the character', () => {
    expect(javaUriSyntaxError('s3://b/a b')).toBe('Illegal character in path at index 8 " "')
    expect(javaUriSyntaxError('s3://b/a\u0001b')).toBe('Illegal character in path at index 8 U+0001')
    expect(javaUriSyntaxError('s3://b/a%zz')).toMatch(/^Malformed escape pair at index 8/)
    expect(javaUriSyntaxError('s3://b/a%20b')).toBeUndefined()
  })

  it('a pointer the JDK wrote with such a URI is undecodable, as the JDK cannot read it back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haadm-uri-'))
    try {
      const uris = REJECTED_CHARS.filter((c) => c !== '\u0000').map((c) => `s3://bucket/ha/a${c}b/completedCheckpoint0123456789ab`)
      uris.push('s3://bucket/ha/fine%20name/completedCheckpoint0123456789ab')
      execFileSync('java', ['--add-opens', 'java.base/java.net=ALL-UNNAMED', '-cp', classpath(), 'haadm.fixtures.UriOracle', 'write', dir, ...uris.map(hex16)])
      const files = uris.map((_, i) => join(dir, `${i}.bin`))
      const readBack = execFileSync('java', ['-cp', classpath(), 'haadm.fixtures.UriOracle', 'read', ...files]).toString('utf8').trimEnd().split('\n')
      uris.forEach((uri, i) => {
        const r = decodeStateHandlePointer(new Uint8Array(readFileSync(files[i])))
        const javaReads = readBack[i] === 'ok'
        expect(r.ok, `${JSON.stringify(uri)}: the JDK says ${readBack[i]}`).toBe(javaReads)
        if (!r.ok) expect(r.error.reason).toMatch(/invalid URI .*InvalidObjectException: Invalid URI/s)
      })
      expect(readBack.filter((l) => l === 'ok')).toHaveLength(1)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 120_000)

  it('hand-built pointers: valid URIs decode, invalid ones do not', () => {
    expect(decodeStateHandlePointer(pointer('hdfs://nn:8020/ha/x', 1)).ok).toBe(true)
    expect(decodeStateHandlePointer(pointer('hdfs://nn:8020/ha/{x}', 1)).ok).toBe(false)
  })
})
