/**
 * java.net.URI's parser (OpenJDK's URI.Parser, RFC 2396 with Java's deviations), ported to answer one
 * question: would `URI.readObject` accept this string? It re-parses the serialized `string` field with
 * `new Parser(string).parse(false)` and throws `InvalidObjectException("Invalid URI")` if that fails,
 * so Flink cannot read a state handle whose Path holds such a URI. Pure; never throws.
 *
 * Ported from the JDK 25 sources (java/net/URI.java, class Parser); the masks are the JDK's constants.
 * Java strings are UTF-16 code units, as are JavaScript's, so indices and `charCodeAt` line up.
 */

const L_DIGIT = 0x3ff000000000000n
const H_DIGIT = 0n
const L_ALPHA = 0n
const H_ALPHA = 0x7fffffen | 0x7fffffe00000000n
const L_ALPHANUM = L_DIGIT | L_ALPHA
const H_ALPHANUM = H_DIGIT | H_ALPHA
const L_HEX = L_DIGIT
const H_HEX = 0x7e0000007en
const L_MARK = 0x678200000000n
const H_MARK = 0x4000000080000000n
const L_UNRESERVED = L_ALPHANUM | L_MARK
const H_UNRESERVED = H_ALPHANUM | H_MARK
const L_RESERVED = 0xac00985000000000n
const H_RESERVED = 0x28000001n
const L_ESCAPED = 1n
const H_ESCAPED = 0n
const L_URIC = L_RESERVED | L_UNRESERVED | L_ESCAPED
const H_URIC = H_RESERVED | H_UNRESERVED | H_ESCAPED
const L_PCHAR = L_UNRESERVED | L_ESCAPED | 0x2400185000000000n
const H_PCHAR = H_UNRESERVED | H_ESCAPED | 0x1n
const L_PATH = L_PCHAR | 0x800800000000000n
const H_PATH = H_PCHAR
const L_DASH = 0x200000000000n
const H_DASH = 0n
const L_DOT = 0x400000000000n
const H_DOT = 0n
const L_USERINFO = L_UNRESERVED | L_ESCAPED | 0x2c00185000000000n
const H_USERINFO = H_UNRESERVED | H_ESCAPED
const L_REG_NAME = L_UNRESERVED | L_ESCAPED | 0x2c00185000000000n
const H_REG_NAME = H_UNRESERVED | H_ESCAPED | 0x1n
const L_SERVER = L_USERINFO | L_ALPHANUM | L_DASH | 0x400400000000000n
const H_SERVER = H_USERINFO | H_ALPHANUM | H_DASH | 0x28000001n
const L_SERVER_PERCENT = L_SERVER | 0x2000000000n
const H_SERVER_PERCENT = H_SERVER
const L_SCHEME = L_ALPHA | L_DIGIT | 0x680000000000n
const H_SCHEME = H_ALPHA | H_DIGIT
const L_SCOPE_ID = L_ALPHANUM | 0x400000000000n
const H_SCOPE_ID = H_ALPHANUM | 0x80000000n

/** The 128-bit masks as a lookup table per mask pair, built once. */
interface Mask {
  table: Uint8Array
  /** The low mask has L_ESCAPED (bit 0): escapes and other non-ASCII characters are allowed (URI.scan). */
  escaped: boolean
}
function mask(low: bigint, high: bigint): Mask {
  const table = new Uint8Array(128)
  // URI.match: 0 never matches (bit 0 is the L_ESCAPED flag, not the character).
  for (let c = 1; c < 128; c++) table[c] = c < 64 ? Number((low >> BigInt(c)) & 1n) : Number((high >> BigInt(c - 64)) & 1n)
  return {table, escaped: (low & L_ESCAPED) !== 0n}
}
const M = {
  DIGIT: mask(L_DIGIT, H_DIGIT),
  ALPHA: mask(L_ALPHA, H_ALPHA),
  ALPHANUM: mask(L_ALPHANUM, H_ALPHANUM),
  ALPHANUM_DASH: mask(L_ALPHANUM | L_DASH, H_ALPHANUM | H_DASH),
  DIGIT_DOT: mask(L_DIGIT | L_DOT, H_DIGIT | H_DOT),
  HEX: mask(L_HEX, H_HEX),
  URIC: mask(L_URIC, H_URIC),
  PATH: mask(L_PATH, H_PATH),
  USERINFO: mask(L_USERINFO, H_USERINFO),
  REG_NAME: mask(L_REG_NAME, H_REG_NAME),
  SERVER: mask(L_SERVER, H_SERVER),
  SERVER_PERCENT: mask(L_SERVER_PERCENT, H_SERVER_PERCENT),
  SCHEME: mask(L_SCHEME, H_SCHEME),
  SCOPE_ID: mask(L_SCOPE_ID, H_SCOPE_ID),
}

class UriSyntax extends Error {
  constructor(
    readonly reason: string,
    readonly index: number,
  ) {
    super(reason)
  }
}

const match = (c: number, m: Mask) => c < 128 && m.table[c] === 1
/** Character.isSpaceChar: Unicode space, line and paragraph separators. */
const isSpaceChar = (c: number) => /[\p{Zs}\p{Zl}\p{Zp}]/u.test(String.fromCharCode(c))
/** Character.isISOControl. */
const isISOControl = (c: number) => c <= 0x1f || (c >= 0x7f && c <= 0x9f)

class Parser {
  private ipv6byteCount = 0
  constructor(private readonly input: string) {}

  private fail(reason: string, p = -1): never {
    throw new UriSyntax(reason, p)
  }
  private failExpecting(expected: string, p: number): never {
    this.fail(`Expected ${expected}`, p)
  }
  private charAt(i: number): number {
    return this.input.charCodeAt(i)
  }
  private at(start: number, end: number, c: string): boolean {
    if (c.length === 1) return start < end && this.input[start] === c
    if (c.length > end - start) return false
    return this.input.startsWith(c, start)
  }
  private scanChar(start: number, end: number, c: string): number {
    return start < end && this.input[start] === c ? start + 1 : start
  }
  private scanErrStop(start: number, end: number, err: string, stop: string): number {
    let p = start
    while (p < end) {
      const c = this.input[p]
      if (err.includes(c)) return -1
      if (stop.includes(c)) break
      p++
    }
    return p
  }
  private scanStop(start: number, end: number, stop: string): number {
    let p = start
    while (p < end && !stop.includes(this.input[p])) p++
    return p
  }
  private scanEscape(start: number, n: number, c: number): number {
    const p = start
    if (c === 0x25) {
      if (p + 3 <= n && match(this.charAt(p + 1), M.HEX) && match(this.charAt(p + 2), M.HEX)) return p + 3
      this.fail('Malformed escape pair', p)
    } else if (c > 128 && !isSpaceChar(c) && !isISOControl(c)) return p + 1
    return p
  }
  private scanMask(start: number, n: number, m: Mask): number {
    let p = start
    while (p < n) {
      const c = this.charAt(p)
      if (match(c, m)) {
        p++
        continue
      }
      if (m.escaped) {
        const q = this.scanEscape(p, n, c)
        if (q > p) {
          p = q
          continue
        }
      }
      break
    }
    return p
  }
  private checkChars(start: number, end: number, m: Mask, what: string): void {
    const p = this.scanMask(start, end, m)
    if (p < end) this.fail(`Illegal character in ${what}`, p)
  }

  parse(): void {
    const n = this.input.length
    let p = this.scanErrStop(0, n, '/?#', ':')
    if (p >= 0 && this.at(p, n, ':')) {
      if (p === 0) this.failExpecting('scheme name', 0)
      this.checkChars(0, 1, M.ALPHA, 'scheme name')
      this.checkChars(1, p, M.SCHEME, 'scheme name')
      p++
      if (this.at(p, n, '/')) p = this.parseHierarchical(p, n)
      else {
        const q = this.scanStop(p, n, '#')
        if (q <= p) this.failExpecting('scheme-specific part', p)
        this.checkChars(p, q, M.URIC, 'opaque part')
        p = q
      }
    } else p = this.parseHierarchical(0, n)
    if (this.at(p, n, '#')) {
      this.checkChars(p + 1, n, M.URIC, 'fragment')
      p = n
    }
    if (p < n) this.fail('end of URI', p)
  }

  private parseHierarchical(start: number, n: number): number {
    let p = start
    if (this.at(p, n, '/') && this.at(p + 1, n, '/')) {
      p += 2
      const q = this.scanStop(p, n, '/?#')
      if (q > p) p = this.parseAuthority(p, q)
      else if (q < n) {
        // DEVIATION: allow empty authority prior to non-empty path, query component or fragment identifier
      } else this.failExpecting('authority', p)
    }
    let q = this.scanStop(p, n, '?#')
    this.checkChars(p, q, M.PATH, 'path')
    p = q
    if (this.at(p, n, '?')) {
      p++
      q = this.scanStop(p, n, '#')
      this.checkChars(p, q, M.URIC, 'query')
      p = q
    }
    return p
  }

  private parseAuthority(start: number, n: number): number {
    const p = start
    let q = p
    let ex: UriSyntax | undefined
    const serverChars = this.scanStop(p, n, ']') > p ? this.scanMask(p, n, M.SERVER_PERCENT) === n : this.scanMask(p, n, M.SERVER) === n
    const qreg = this.scanMask(p, n, M.REG_NAME)
    const regChars = qreg === n
    if (regChars && !serverChars) return n
    // parse(false): a registry-based authority is acceptable
    const skipParseException = regChars
    if (serverChars) {
      try {
        q = this.parseServer(p, n, skipParseException)
        if (q < n) {
          if (skipParseException) q = p
          else this.failExpecting('end of authority', q)
        }
      } catch (x) {
        if (!(x instanceof UriSyntax)) throw x
        ex = x
        q = p
      }
    }
    if (q < n) {
      if (regChars) {
        // registry-based authority
      } else if (ex) throw ex
      else this.fail('Illegal character in authority', serverChars ? q : qreg)
    }
    return n
  }

  private parseServer(start: number, n: number, skipParseException: boolean): number {
    let p = start
    let q = this.scanErrStop(p, n, '/?#', '@')
    if (q >= p && this.at(q, n, '@')) {
      this.checkChars(p, q, M.USERINFO, 'user info')
      p = q + 1
    }
    if (this.at(p, n, '[')) {
      p++
      q = this.scanErrStop(p, n, '/?#', ']')
      if (q > p && this.at(q, n, ']')) {
        const r = this.scanStop(p, q, '%')
        if (r > p) {
          this.parseIPv6Reference(p, r)
          if (r + 1 === q) this.fail('scope id expected')
          this.checkChars(r + 1, q, M.SCOPE_ID, 'scope id')
        } else this.parseIPv6Reference(p, q)
        p = q + 1
      } else this.failExpecting('closing bracket for IPv6 address', q)
    } else {
      q = this.parseIPv4Address(p, n)
      if (q <= p) q = this.parseHostname(p, n, skipParseException)
      p = q
    }
    if (this.at(p, n, ':')) {
      p++
      q = this.scanStop(p, n, '/')
      if (q > p) {
        this.checkChars(p, q, M.DIGIT, 'port number')
        // Integer.parseInt: digits only here, so only overflow fails.
        if (Number(this.input.slice(p, q)) > 2147483647) this.fail('Malformed port number', p)
        p = q
      }
    } else if (p < n && skipParseException) return p
    if (p < n) this.failExpecting('port number', p)
    return p
  }

  private scanByte(start: number, n: number): number {
    const p = start
    const q = this.scanMask(p, n, M.DIGIT)
    if (q <= p) return q
    let i = p
    let j: number
    while ((j = this.scanChar(i, q, '0')) > i) i = j
    const significant = q - i
    if (significant < 3) return q
    if (significant > 3) return p
    if (Number(this.input.slice(p, q)) > 255) return p
    return q
  }

  private scanIPv4Address(start: number, n: number, strict: boolean): number {
    let p = start
    let q = p
    const m = this.scanMask(p, n, M.DIGIT_DOT)
    if (m <= p || (strict && m !== n)) return -1
    for (;;) {
      if ((q = this.scanByte(p, m)) <= p) break
      p = q
      if ((q = this.scanChar(p, m, '.')) <= p) break
      p = q
      if ((q = this.scanByte(p, m)) <= p) break
      p = q
      if ((q = this.scanChar(p, m, '.')) <= p) break
      p = q
      if ((q = this.scanByte(p, m)) <= p) break
      p = q
      if ((q = this.scanChar(p, m, '.')) <= p) break
      p = q
      if ((q = this.scanByte(p, m)) <= p) break
      p = q
      if (q < m) break
      return q
    }
    if (strict) this.fail('Malformed IPv4 address', q)
    return -1
  }

  private takeIPv4Address(start: number, n: number, expected: string): number {
    const p = this.scanIPv4Address(start, n, true)
    if (p <= start) this.failExpecting(expected, start)
    return p
  }

  private parseIPv4Address(start: number, n: number): number {
    let p: number
    try {
      p = this.scanIPv4Address(start, n, false)
    } catch (x) {
      if (x instanceof UriSyntax) return -1
      throw x
    }
    if (p === -1) return p
    if (p > start && p < n && this.input[p] !== ':') return -1
    return p
  }

  private parseHostname(start: number, n: number, skipParseException: boolean): number {
    let p = start
    let q: number
    let l = -1
    do {
      q = this.scanMask(p, n, M.ALPHANUM)
      if (q <= p) break
      l = p
      p = q
      q = this.scanMask(p, n, M.ALPHANUM_DASH)
      if (q > p) {
        if (this.input[q - 1] === '-') this.fail('Illegal character in hostname', q - 1)
        p = q
      }
      q = this.scanChar(p, n, '.')
      if (q <= p) break
      p = q
    } while (p < n)
    if (p < n && !this.at(p, n, ':')) {
      if (skipParseException) return p
      this.fail('Illegal character in hostname', p)
    }
    if (l < 0) this.failExpecting('hostname', start)
    if (l > start && !match(this.charAt(l), M.ALPHA)) this.fail('Illegal character in hostname', l)
    return p
  }

  private parseIPv6Reference(start: number, n: number): number {
    let p = start
    let compressedZeros = false
    const q = this.scanHexSeq(p, n)
    if (q > p) {
      p = q
      if (this.at(p, n, '::')) {
        compressedZeros = true
        p = this.scanHexPost(p + 2, n)
      } else if (this.at(p, n, ':')) {
        p = this.takeIPv4Address(p + 1, n, 'IPv4 address')
        this.ipv6byteCount += 4
      }
    } else if (this.at(p, n, '::')) {
      compressedZeros = true
      p = this.scanHexPost(p + 2, n)
    }
    if (p < n) this.fail('Malformed IPv6 address', start)
    if (this.ipv6byteCount > 16) this.fail('IPv6 address too long', start)
    if (!compressedZeros && this.ipv6byteCount < 16) this.fail('IPv6 address too short', start)
    if (compressedZeros && this.ipv6byteCount === 16) this.fail('Malformed IPv6 address', start)
    return p
  }

  private scanHexPost(start: number, n: number): number {
    let p = start
    if (p === n) return p
    const q = this.scanHexSeq(p, n)
    if (q > p) {
      p = q
      if (this.at(p, n, ':')) {
        p++
        p = this.takeIPv4Address(p, n, 'hex digits or IPv4 address')
        this.ipv6byteCount += 4
      }
    } else {
      p = this.takeIPv4Address(p, n, 'hex digits or IPv4 address')
      this.ipv6byteCount += 4
    }
    return p
  }

  private scanHexSeq(start: number, n: number): number {
    let p = start
    let q = this.scanMask(p, n, M.HEX)
    if (q <= p) return -1
    if (this.at(q, n, '.')) return -1
    if (q > p + 4) this.fail('IPv6 hexadecimal digit sequence too long', p)
    this.ipv6byteCount += 2
    p = q
    while (p < n) {
      if (!this.at(p, n, ':')) break
      if (this.at(p + 1, n, ':')) break
      p++
      q = this.scanMask(p, n, M.HEX)
      if (q <= p) this.failExpecting('digits for an IPv6 address', p)
      if (this.at(q, n, '.')) {
        p--
        break
      }
      if (q > p + 4) this.fail('IPv6 hexadecimal digit sequence too long', p)
      this.ipv6byteCount += 2
      p = q
    }
    return p
  }
}

/** Why `java.net.URI` would reject the string (as URISyntaxException words it), or undefined when it parses. */
export function javaUriSyntaxError(uri: string): string | undefined {
  try {
    new Parser(uri).parse()
    return undefined
  } catch (x) {
    if (!(x instanceof UriSyntax)) throw x
    const c = x.index >= 0 && x.index < uri.length ? uri.charCodeAt(x.index) : undefined
    const shown = c === undefined ? '' : c < 0x20 || c === 0x7f || c > 0x7e ? ` U+${c.toString(16).toUpperCase().padStart(4, '0')}` : ` ${JSON.stringify(String.fromCharCode(c))}`
    return `${x.reason}${x.index >= 0 ? ` at index ${x.index}${shown}` : ''}`
  }
}
