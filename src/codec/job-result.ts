/**
 * JobResultStore entries (`<jobId>_DIRTY.json`, `<jobId>.json`): the JSON Flink's
 * FileSystemJobResultStore writes, `{"result":{...},"version":1}`, read the way Flink reads it.
 *
 * Flink reads the wrapper with a plain Jackson ObjectMapper (unknown top-level keys fail, `version`
 * is ignored) and `result` with JobResultDeserializer, a token-level loop: `id` must be a string
 * token holding a JobID, `net-runtime` an integer token >= 0, `accumulator-results` and
 * `failure-cause` objects, `application-status` a string naming an ApplicationStatus. Unknown keys
 * inside `result` are "ignored" by doing nothing, so the loop next reads their value as if it were a
 * key: a scalar value is skipped that way, but an object, array or null value makes the loop fail.
 * Flink 2.3 adds `name`/`job-name`, `application-id`, `start-time` and `end-time`, typed as well.
 * This module replays that loop on a token list, for the pre-2.3 and the 2.3 set of keys, so a file
 * is reported as undecodable exactly when some Flink version from 1.15 on would fail to read it.
 * Pure: no I/O, never throws.
 */
import {getField, isJavaObject, readJavaObject} from './java-serialization.js'
import {type DecodeResult, fail, ok} from './result.js'

export type ApplicationStatus = 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'UNKNOWN'
export const APPLICATION_STATUSES: readonly ApplicationStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN']

export const SERIALIZED_THROWABLE_CLASS = 'org.apache.flink.util.SerializedThrowable'
export const SERIALIZED_THROWABLE_SUID = 7284183123441947635n

export interface JobResultFailure {
  /** `failure-cause.class` as written (Flink writes it but never reads it back). */
  className: string | null
  /** First line of `failure-cause.stack-trace`. */
  summary: string | null
  /** From the Java-serialized SerializedThrowable: the original exception's class and message. */
  originalClassName: string | null
  message: string | null
}

/** What a JRS file says, as Flink would read it. */
export interface JobResultFile {
  /** `result.id` as Flink's JobID prints it: 32 lowercase hex characters. */
  jobId: string
  /** `application-status`; UNKNOWN when absent, as Flink's reader defaults it. */
  applicationStatus: ApplicationStatus
  netRuntimeMs: number
  accumulatorNames: string[]
  failure: JobResultFailure | null
  /** Flink 2.3+: `name` (also read as `job-name`); null when absent. */
  jobName: string | null
  applicationId: string | null
  /** Epoch ms; null when absent or -1 (Flink's "unknown"). */
  startTime: number | null
  endTime: number | null
  /** The wrapper's `version` (always 1 as Flink writes it; Flink ignores it). */
  version: number | null
  /** Things Flink accepts but a reader should know. */
  notes: string[]
}

// ---------------------------------------------------------------------------------------------
// Tokens, as Jackson's streaming parser produces them.

type TokenType =
  | 'START_OBJECT'
  | 'END_OBJECT'
  | 'START_ARRAY'
  | 'END_ARRAY'
  | 'FIELD_NAME'
  | 'VALUE_STRING'
  | 'VALUE_NUMBER_INT'
  | 'VALUE_NUMBER_FLOAT'
  | 'VALUE_TRUE'
  | 'VALUE_FALSE'
  | 'VALUE_NULL'

interface Token {
  type: TokenType
  /** Field names and strings: the decoded text; numbers: as written. */
  text: string
  offset: number
  /** For START_* tokens: index of the matching END_* token. */
  end?: number
}

const MAX_DEPTH = 1000
/** Characters a JSON string holds as they are: not a quote, a backslash or a control character. */
const PLAIN_RUN = /[^"\\\x00-\x1f]*/y

class Reject {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {}
}

/** Tokenises exactly one JSON value at the start of `text` (after white space); returns tokens and where it ended. */
function tokenize(text: string): {tokens: Token[]; end: number} {
  const tokens: Token[] = []
  const stack: number[] = []
  let i = 0
  const n = text.length
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++
      else break
    }
  }
  const describe = (at: number) => (at >= n ? 'end of input' : `character ${JSON.stringify(text[at])}`)

  const readString = (): string => {
    const start = i
    i++ // opening quote
    let out = ''
    let run = i
    for (;;) {
      // Skip a run of plain characters at once (a base64 failure cause is kilobytes of them).
      PLAIN_RUN.lastIndex = i
      PLAIN_RUN.test(text)
      i = PLAIN_RUN.lastIndex
      if (i >= n) throw new Reject('unterminated string', start)
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        out += text.slice(run, i)
        i++
        return out
      }
      if (c < 0x20) throw new Reject(`unescaped control character 0x${c.toString(16).padStart(2, '0')} in a string`, i)
      if (c === 0x5c) {
        out += text.slice(run, i)
        const e = text[i + 1]
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e
            i += 2
            break
          case 'b':
            out += '\b'
            i += 2
            break
          case 'f':
            out += '\f'
            i += 2
            break
          case 'n':
            out += '\n'
            i += 2
            break
          case 'r':
            out += '\r'
            i += 2
            break
          case 't':
            out += '\t'
            i += 2
            break
          case 'u': {
            const hex = text.slice(i + 2, i + 6)
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Reject('invalid \\u escape', i)
            out += String.fromCharCode(parseInt(hex, 16))
            i += 6
            break
          }
          default:
            throw new Reject(`invalid escape ${JSON.stringify(`\\${e ?? ''}`)}`, i)
        }
        run = i
        continue
      }
      i++
    }
  }

  const readNumber = (): Token => {
    const start = i
    const m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400))
    if (!m || m[0] === '' || m[0] === '-') throw new Reject(`unexpected ${describe(i)}`, i)
    i += m[0].length
    // Jackson rejects what follows a number directly ("1x", "01").
    if (i < n && /[0-9A-Za-z.+-]/.test(text[i])) throw new Reject(`malformed number ${JSON.stringify(text.slice(start, i + 1))}`, start)
    return {type: m[1] || m[2] ? 'VALUE_NUMBER_FLOAT' : 'VALUE_NUMBER_INT', text: m[0], offset: start}
  }

  const literal = (word: string, type: TokenType) => {
    if (text.startsWith(word, i) && !(i + word.length < n && /[A-Za-z0-9_]/.test(text[i + word.length]))) {
      tokens.push({type, text: word, offset: i})
      i += word.length
      return
    }
    throw new Reject(`unexpected ${describe(i)}`, i)
  }

  // Iterative, so deep nesting cannot overflow the JS stack. `first`: just opened; `next`: after a
  // value (expects `,` or the close); object members after `,` go straight to the key.
  type Ctx = {kind: 'object' | 'array'; state: 'first' | 'next'}
  const ctx: Ctx[] = []
  const value = () => {
    ws()
    if (i >= n) throw new Reject('unexpected end of input', i)
    const c = text[i]
    if (c === '{' || c === '[') {
      if (ctx.length >= MAX_DEPTH) throw new Reject(`nesting deeper than ${MAX_DEPTH}`, i)
      stack.push(tokens.length)
      tokens.push({type: c === '{' ? 'START_OBJECT' : 'START_ARRAY', text: c, offset: i})
      ctx.push({kind: c === '{' ? 'object' : 'array', state: 'first'})
      i++
      return
    }
    if (c === '"') {
      const offset = i
      tokens.push({type: 'VALUE_STRING', text: readString(), offset})
    } else if (c === '-' || (c >= '0' && c <= '9')) tokens.push(readNumber())
    else if (c === 't') literal('true', 'VALUE_TRUE')
    else if (c === 'f') literal('false', 'VALUE_FALSE')
    else if (c === 'n') literal('null', 'VALUE_NULL')
    else throw new Reject(`unexpected ${describe(i)}`, i)
  }
  const close = (type: 'END_OBJECT' | 'END_ARRAY') => {
    const open = stack.pop()!
    tokens[open].end = tokens.length
    tokens.push({type, text: text[i], offset: i})
    i++
    ctx.pop()
  }
  const member = (top: Ctx) => {
    ws()
    if (i >= n) throw new Reject('unexpected end of input', i)
    if (text[i] !== '"') throw new Reject(`expected a field name, found ${describe(i)}`, i)
    const offset = i
    tokens.push({type: 'FIELD_NAME', text: readString(), offset})
    ws()
    if (text[i] !== ':') throw new Reject(`expected ':', found ${describe(i)}`, i)
    i++
    top.state = 'next'
    value()
  }

  value()
  while (ctx.length > 0) {
    const top = ctx[ctx.length - 1]
    ws()
    if (i >= n) throw new Reject('unexpected end of input', i)
    const c = text[i]
    const closer = top.kind === 'object' ? '}' : ']'
    if (c === closer && top.state === 'first') {
      close(top.kind === 'object' ? 'END_OBJECT' : 'END_ARRAY')
    } else if (top.state === 'first') {
      if (top.kind === 'object') member(top)
      else {
        top.state = 'next'
        value()
      }
    } else if (c === ',') {
      i++
      if (top.kind === 'object') member(top)
      else value()
    } else if (c === closer) {
      close(top.kind === 'object' ? 'END_OBJECT' : 'END_ARRAY')
    } else throw new Reject(`expected ',' or '${closer}', found ${describe(i)}`, i)
  }
  return {tokens, end: i}
}

// ---------------------------------------------------------------------------------------------
// Flink's reading, replayed on the tokens.

type ReaderVersion = 'pre-2.3' | '2.3'

const KNOWN: Record<ReaderVersion, ReadonlySet<string>> = {
  'pre-2.3': new Set(['id', 'net-runtime', 'accumulator-results', 'failure-cause', 'application-status']),
  '2.3': new Set(['id', 'net-runtime', 'accumulator-results', 'failure-cause', 'application-status', 'name', 'job-name', 'application-id', 'start-time', 'end-time']),
}

const LONG_MIN = -(2n ** 63n)
const LONG_MAX = 2n ** 63n - 1n

/** Jackson's `getValueAsString()`: names and scalars as text; null for null, objects and arrays. */
function valueAsString(t: Token): string | null {
  switch (t.type) {
    case 'FIELD_NAME':
    case 'VALUE_STRING':
    case 'VALUE_NUMBER_INT':
    case 'VALUE_NUMBER_FLOAT':
    case 'VALUE_TRUE':
    case 'VALUE_FALSE':
      return t.text
    default:
      return null
  }
}

/**
 * `JobID.fromHexString`: `StringUtils.hexStringToByte` (length/2 bytes, each pair through
 * `Integer.parseInt(pair, 16)`) and exactly 16 bytes. Returns the id as `JobID.toString()` prints it.
 */
export function flinkIdFromHex(hex: string): string | undefined {
  // Nearly every id: 32 hex digits, whose pairs parse to the bytes they spell.
  if (hex.length === 32 && HEX32.test(hex)) return hex.toLowerCase()
  const bytes = Math.floor(hex.length / 2)
  if (bytes !== 16) return undefined
  let out = ''
  for (let b = 0; b < 16; b++) {
    const pair = hex.slice(2 * b, 2 * b + 2)
    if (!/^[+-]?[0-9a-fA-F]+$/.test(pair)) return undefined
    const v = parseInt(pair, 16)
    out += (v & 0xff).toString(16).padStart(2, '0')
  }
  return out
}

/** Jackson's default Base64 variant (MIME_NO_LINEFEEDS): standard alphabet, padding required; white space between quads tolerated. */
export function decodeJacksonBase64(text: string): Uint8Array | undefined {
  // Without white space (as Jackson writes it) a scan of the characters says as much as the pattern below.
  if (isPlainBase64(text)) return new Uint8Array(Buffer.from(text, 'base64'))
  const s = text.replace(/[\x00-\x20]/g, '')
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return undefined
  return new Uint8Array(Buffer.from(s, 'base64'))
}

const HEX32 = /^[0-9a-fA-F]{32}$/

/** Standard alphabet, length a multiple of 4, `=` only as one or two final characters: what the pattern in decodeJacksonBase64 accepts without white space. */
const PLAIN_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const isPlainBase64 = (s: string) => s.length % 4 === 0 && PLAIN_BASE64.test(s)

interface Partial {
  jobId: string | null
  status: ApplicationStatus | null
  netRuntime: bigint
  accumulators: string[]
  failure: JobResultFailure | null
  jobName: string | null
  applicationId: string | null
  startTime: number | null
  endTime: number | null
}

/** `failures`: failure-cause objects already read (by token index), shared by the two readings of one file. */
function readResult(tokens: Token[], start: number, version: ReaderVersion, failures: Map<number, JobResultFailure>): {value: Partial; next: number} {
  const v: Partial = {jobId: null, status: null, netRuntime: -1n, accumulators: [], failure: null, jobName: null, applicationId: null, startTime: null, endTime: null}
  let p = start // index of the token the parser is on (the result's first token)
  const next = (): Token => {
    p++
    const t = tokens[p]
    if (!t) throw new Reject('unexpected end of input inside result', tokens[tokens.length - 1]?.offset ?? 0)
    return t
  }
  const expect = (key: string, type: TokenType): Token => {
    const t = next()
    if (t.type !== type) throw new Reject(`result.${key}: expected ${tokenWord(type)}, found ${tokenWord(t.type)}${who(key) === 'Flink' ? '' : ' (Flink 2.3+ reads it)'}`, t.offset)
    return t
  }
  const known = KNOWN[version]
  // Keys only 2.3 reads: say so, since older Flink versions skip them.
  const who = (key: string) => (KNOWN['pre-2.3'].has(key) ? 'Flink' : 'Flink 2.3+')
  for (;;) {
    const t = next()
    if (t.type === 'END_OBJECT') break
    const name = valueAsString(t)
    if (name === null) {
      // The value of an unknown key that is an object, array or null: Flink's loop switches on null.
      throw new Reject(`result holds a key Flink does not know whose value is ${tokenWord(t.type)}; Flink's reader cannot skip it`, t.offset)
    }
    if (t.type !== 'FIELD_NAME' && known.has(name))
      throw new Reject(`result: the value ${JSON.stringify(name)} of an unknown key is read by ${who(name)} as the key ${JSON.stringify(name)}`, t.offset)
    if (!known.has(name)) continue
    switch (name) {
      case 'id': {
        const s = expect(name, 'VALUE_STRING')
        const id = flinkIdFromHex(s.text)
        if (id === undefined) throw new Reject(`result.id ${JSON.stringify(s.text)} is not a job id (32 hex characters)`, s.offset)
        v.jobId = id
        break
      }
      case 'net-runtime': {
        const s = expect(name, 'VALUE_NUMBER_INT')
        const n = BigInt(s.text)
        if (n < LONG_MIN || n > LONG_MAX) throw new Reject(`result.net-runtime ${s.text} is out of the range of a long`, s.offset)
        v.netRuntime = n
        break
      }
      case 'accumulator-results': {
        expect(name, 'START_OBJECT')
        v.accumulators = []
        for (;;) {
          const k = next()
          if (k.type === 'END_OBJECT') break
          const accName = valueAsString(k) ?? 'null'
          const val = next()
          if (val.type !== 'VALUE_STRING')
            throw new Reject(`result.accumulator-results.${accName}: expected a base64 string, found ${tokenWord(val.type)}`, val.offset)
          if (decodeJacksonBase64(val.text) === undefined)
            throw new Reject(`result.accumulator-results.${accName} is not base64`, val.offset)
          v.accumulators.push(accName)
        }
        break
      }
      case 'failure-cause': {
        const open = expect(name, 'START_OBJECT')
        let failure = failures.get(p)
        if (failure === undefined) {
          failure = readFailure(tokens, p)
          failures.set(p, failure)
        }
        v.failure = failure
        p = open.end!
        break
      }
      case 'application-status': {
        const s = expect(name, 'VALUE_STRING')
        const up = s.text.toUpperCase()
        if (!(APPLICATION_STATUSES as readonly string[]).includes(up))
          throw new Reject(`result.application-status ${JSON.stringify(s.text)} is not one of ${APPLICATION_STATUSES.join(', ')}`, s.offset)
        v.status = up as ApplicationStatus
        break
      }
      case 'name':
      case 'job-name': {
        v.jobName = expect(name, 'VALUE_STRING').text
        break
      }
      case 'application-id': {
        const s = expect(name, 'VALUE_STRING')
        const id = flinkIdFromHex(s.text)
        if (id === undefined) throw new Reject(`result.application-id ${JSON.stringify(s.text)} is not 32 hex characters (Flink 2.3+ reads it)`, s.offset)
        v.applicationId = id
        break
      }
      case 'start-time':
      case 'end-time': {
        const s = expect(name, 'VALUE_NUMBER_INT')
        const n = BigInt(s.text)
        if (n < LONG_MIN || n > LONG_MAX) throw new Reject(`result.${name} ${s.text} is out of the range of a long (Flink 2.3+ reads it)`, s.offset)
        const ms = n < 0n ? null : Number(n)
        if (name === 'start-time') v.startTime = ms
        else v.endTime = ms
        break
      }
    }
  }
  const at = tokens[start].offset
  if (v.jobId === null) throw new Reject('result has no id: Flink cannot build a JobResult without a job id', at)
  if (v.netRuntime < 0n) throw new Reject(v.netRuntime === -1n ? 'result has no net-runtime: Flink requires one (>= 0)' : `result.net-runtime ${v.netRuntime} is negative`, at)
  return {value: v, next: p}
}

/** `failure-cause`, read as a tree: only `serialized-throwable` counts, and it must be a Java-serialized SerializedThrowable. */
function readFailure(tokens: Token[], openIndex: number): JobResultFailure {
  const open = tokens[openIndex]
  const fields = new Map<string, Token>()
  // Direct members only; nested containers are skipped via their end index.
  for (let q = openIndex + 1; q < open.end!; ) {
    const key = tokens[q]
    const val = tokens[q + 1]
    fields.set(key.text, val)
    q = val.end !== undefined ? val.end + 1 : q + 2
  }
  const st = fields.get('serialized-throwable')
  if (!st) throw new Reject('result.failure-cause has no serialized-throwable: Flink cannot read the failure back', open.offset)
  if (st.type !== 'VALUE_STRING') throw new Reject(`result.failure-cause.serialized-throwable: expected a base64 string, found ${tokenWord(st.type)}`, st.offset)
  const bytes = decodeJacksonBase64(st.text)
  if (bytes === undefined) throw new Reject('result.failure-cause.serialized-throwable is not base64', st.offset)
  const decoded = readJavaObject(bytes)
  if (!decoded.ok) throw new Reject(`result.failure-cause.serialized-throwable is not a Java-serialized object: ${decoded.error.reason}`, st.offset)
  const obj = decoded.value
  if (!isJavaObject(obj, SERIALIZED_THROWABLE_CLASS))
    throw new Reject(
      `result.failure-cause.serialized-throwable holds ${isJavaObject(obj) ? obj.className : 'no object'}, not ${SERIALIZED_THROWABLE_CLASS}`,
      st.offset,
    )
  if (obj.serialVersionUID !== SERIALIZED_THROWABLE_SUID)
    throw new Reject(`result.failure-cause.serialized-throwable: SerializedThrowable serialVersionUID ${obj.serialVersionUID} is not ${SERIALIZED_THROWABLE_SUID}`, st.offset)
  const str = (x: unknown) => (typeof x === 'string' ? x : null)
  const cls = fields.get('class')
  const trace = fields.get('stack-trace')
  return {
    className: cls?.type === 'VALUE_STRING' ? cls.text : null,
    summary: trace?.type === 'VALUE_STRING' ? trace.text.split('\n')[0] : null,
    originalClassName: str(getField(obj, 'originalErrorClassName')),
    message: str(getField(obj, 'detailMessage', 'java.lang.Throwable')),
  }
}

/**
 * A copy of `s` that does not keep the file's text alive. A value read out of the text is a slice of it
 * (V8 makes substrings of 13 characters or more views into their parent), so keeping a 32-character
 * job id would keep the whole entry file in memory: 100,000 entries held ~100 MB more than their values.
 * Concatenation then slicing makes V8 copy the characters into a string of their own.
 */
function own(s: string): string {
  return (' ' + s).slice(1)
}

function ownOrNull(s: string | null): string | null {
  return s === null ? null : own(s)
}

function tokenWord(t: TokenType): string {
  switch (t) {
    case 'START_OBJECT':
      return 'an object'
    case 'START_ARRAY':
      return 'an array'
    case 'END_OBJECT':
    case 'END_ARRAY':
      return 'the end of the object'
    case 'FIELD_NAME':
      return 'a key'
    case 'VALUE_STRING':
      return 'a string'
    case 'VALUE_NUMBER_INT':
      return 'an integer'
    case 'VALUE_NUMBER_FLOAT':
      return 'a decimal number'
    case 'VALUE_TRUE':
    case 'VALUE_FALSE':
      return 'a boolean'
    case 'VALUE_NULL':
      return 'null'
  }
}

const utf8 = new TextDecoder('utf-8', {fatal: true})

/** Decodes one JRS file the way Flink 1.15 to 2.3 read it; an error means some Flink version would refuse the file. */
export function decodeJobResultFile(bytes: Uint8Array): DecodeResult<JobResultFile> {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return fail('not JSON: the file is not UTF-8 text', 0, 'MALFORMED')
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  if (text.trim() === '') return fail('not JSON: the file is empty', 0, 'TRUNCATED')
  try {
    let tokens: Token[]
    let end: number
    try {
      ;({tokens, end} = tokenize(text))
    } catch (e) {
      if (e instanceof Reject) throw new Reject(`not JSON: ${e.reason}`, e.offset)
      throw e
    }
    const notes: string[] = []
    if (text.slice(end).trim() !== '') notes.push('data after the JSON object (Flink ignores it)')
    const root = tokens[0]
    if (root.type !== 'START_OBJECT') throw new Reject(`expected a JSON object, found ${tokenWord(root.type)}`, root.offset)

    // The wrapper: `result` (required), `version` (ignored), nothing else.
    let result: {value: Partial} | undefined
    let resultNull = false
    let version: number | null = null
    for (let q = 1; q < root.end!; ) {
      const key = tokens[q]
      const val = tokens[q + 1]
      if (key.text === 'result') {
        if (val.type === 'VALUE_NULL') {
          resultNull = true
          result = undefined
        } else if (val.type !== 'START_OBJECT') {
          throw new Reject(`result: expected an object, found ${tokenWord(val.type)}`, val.offset)
        } else {
          resultNull = false
          // Both readings meet the same failure-cause: its Java deserialisation is done once.
          const failures = new Map<number, JobResultFailure>()
          const pre = readResult(tokens, q + 1, 'pre-2.3', failures)
          const v23 = readResult(tokens, q + 1, '2.3', failures)
          if (pre.next !== val.end || v23.next !== val.end) throw new Reject('result: Flink\'s reader lost its place in the object', val.offset)
          result = {value: v23.value}
        }
      } else if (key.text === 'version') {
        version = val.type === 'VALUE_NUMBER_INT' ? Number(val.text) : null
        if (version !== 1) notes.push(`version is ${val.type === 'VALUE_NUMBER_INT' ? val.text : tokenWord(val.type)}, not 1 (Flink ignores it)`)
      } else {
        throw new Reject(`unknown top-level key ${JSON.stringify(key.text)}: Flink's reader fails on it (only "result" and "version" are allowed)`, key.offset)
      }
      q = val.end !== undefined ? val.end + 1 : q + 2
    }
    if (!result) throw new Reject(resultNull ? 'result is null' : 'no "result" key', root.offset)
    const r = result.value
    return ok({
      jobId: own(r.jobId!),
      applicationStatus: r.status ?? 'UNKNOWN',
      netRuntimeMs: Number(r.netRuntime),
      accumulatorNames: r.accumulators.map(own),
      failure: r.failure && {className: ownOrNull(r.failure.className), summary: ownOrNull(r.failure.summary), originalClassName: ownOrNull(r.failure.originalClassName), message: ownOrNull(r.failure.message)},
      jobName: ownOrNull(r.jobName),
      applicationId: ownOrNull(r.applicationId),
      startTime: r.startTime,
      endTime: r.endTime,
      version,
      notes,
    })
  } catch (e) {
    if (e instanceof Reject) return fail(e.reason, e.offset, e.reason.startsWith('not JSON') ? 'MALFORMED' : 'UNEXPECTED')
    return fail(`internal decoder error: ${e instanceof Error ? e.message : String(e)}`, 0, 'INTERNAL')
  }
}
