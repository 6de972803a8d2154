// Which proxy the Kubernetes client uses (client-go: the cluster's proxy-url, else Go's
// http.ProxyFromEnvironment) and which answers it waits on (client-go's checkWait).
import {describe, expect, it} from 'vitest'
import {chooseProxy, retryAfterMs} from '../../src/backends/kubernetes/client.js'
import {HaadmError} from '../../src/errors.js'

const pick = (server: string, env: Record<string, string>, proxyUrl?: string) => chooseProxy(new URL(server), proxyUrl, env)?.href

describe('chooseProxy', () => {
  it("the cluster's proxy-url wins, and applies even to loopback", () => {
    expect(pick('https://127.0.0.1:6443', {HTTPS_PROXY: 'http://env:1'}, 'http://kc:3128')).toBe('http://kc:3128/')
  })

  it('HTTPS_PROXY for https, HTTP_PROXY for http, upper case first, a bare host:port is http', () => {
    expect(pick('https://k8s.example', {HTTPS_PROXY: 'http://up:1', https_proxy: 'http://low:1', HTTP_PROXY: 'http://plain:1'})).toBe('http://up:1/')
    expect(pick('https://k8s.example', {https_proxy: 'low:3128'})).toBe('http://low:3128/')
    expect(pick('http://k8s.example', {HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://plain:1'})).toBe('http://plain:1/')
    expect(pick('https://k8s.example', {HTTP_PROXY: 'http://plain:1'})).toBeUndefined()
    expect(pick('https://k8s.example', {})).toBeUndefined()
  })

  it('localhost and loopback addresses never go through an environment proxy', () => {
    for (const server of ['https://localhost:6443', 'https://127.0.0.1', 'https://127.9.9.9:1', 'https://[::1]:6443'])
      expect(pick(server, {HTTPS_PROXY: 'http://p:1'}), server).toBeUndefined()
  })

  it('NO_PROXY: *, hosts with their subdomains, .suffix for subdomains only, ports, IPs and CIDR ranges', () => {
    const p = (server: string, noProxy: string) => pick(server, {HTTPS_PROXY: 'http://p:1', NO_PROXY: noProxy})
    expect(p('https://k8s.example', '*')).toBeUndefined()
    expect(p('https://k8s.example', 'example')).toBeUndefined()
    expect(p('https://api.k8s.example', 'k8s.example')).toBeUndefined()
    expect(p('https://k8s.example', '.k8s.example')).toBe('http://p:1/')
    expect(p('https://api.k8s.example', '.k8s.example')).toBeUndefined()
    expect(p('https://api.k8s.example', '*.k8s.example')).toBeUndefined()
    expect(p('https://notk8s.example', 'k8s.example')).toBe('http://p:1/')
    expect(p('https://k8s.example:6443', 'k8s.example:443')).toBe('http://p:1/')
    expect(p('https://k8s.example:6443', 'k8s.example:6443')).toBeUndefined()
    expect(p('https://k8s.example', 'k8s.example:443')).toBeUndefined()
    expect(p('https://10.1.2.3:6443', '10.1.2.3')).toBeUndefined()
    expect(p('https://10.1.2.3:6443', '10.0.0.0/8')).toBeUndefined()
    expect(p('https://11.1.2.3:6443', '10.0.0.0/8')).toBe('http://p:1/')
    expect(p('https://K8S.Example', ' other.example , K8S.EXAMPLE ')).toBeUndefined()
    expect(pick('https://k8s.example', {HTTPS_PROXY: 'http://p:1', no_proxy: 'k8s.example'})).toBeUndefined()
  })

  it('socks5 and other schemes are refused with a usage error', () => {
    for (const url of ['socks5://p:1080', 'ftp://p:21'])
      try {
        pick('https://k8s.example', {}, url)
        expect.unreachable()
      } catch (e) {
        expect(e).toBeInstanceOf(HaadmError)
        expect((e as HaadmError).exit).toBe(2)
      }
  })
})

describe('retryAfterMs (client-go checkWait)', () => {
  it('429 and 5xx with whole seconds; nothing else', () => {
    expect(retryAfterMs(429, '2')).toBe(2000)
    expect(retryAfterMs(503, '0')).toBe(0)
    expect(retryAfterMs(500, ['1'])).toBe(1000)
    expect(retryAfterMs(429, undefined)).toBeUndefined()
    expect(retryAfterMs(429, 'Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined()
    expect(retryAfterMs(409, '1')).toBeUndefined()
    expect(retryAfterMs(200, '1')).toBeUndefined()
  })
})
