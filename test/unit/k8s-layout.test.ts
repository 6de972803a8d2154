import {describe, expect, it} from 'vitest'
import {k8sLeaderEntries} from '../../src/backends/kubernetes/inventory.js'
import {checkpointIdOf, classifyMap, durationSeconds, haMapKind, leaderKeyComponent, parseLeaderAnnotation, parseLeaderValue, parseLegacyLeader} from '../../src/backends/kubernetes/layout.js'
import {k8sLease} from '../../src/backends/kubernetes/inventory.js'
import {parseLocator} from '../../src/backends/kubernetes.js'
import type {Inventory, K8sMapMeta, RawItem} from '../../src/backends/types.js'
import {STATE_HANDLE_WITH_DELETE_MARKER_CLASS, decodeBase64, decodeKubernetesStateHandle, decodeKubernetesStateHandleValue} from '../../src/codec/delete-marker.js'
import {leaderRecords} from '../../src/ops/leaders.js'

const J = '0123456789abcdef0123456789abcdef'
const UUID = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'

// Written by FlinkK8sManifests (test/java/k8s) with the JDK: a StateHandleWithDeleteMarker around a
// RetrievableStreamStateHandle → FileStateHandle(file:///flink-ha/c1/..., size), unmarked and marked,
// and the bare handle of Flink ≤1.14.
const JOB_GRAPH = 'rO0ABXNyAGNvcmcuYXBhY2hlLmZsaW5rLmt1YmVybmV0ZXMuaGlnaGF2YWlsYWJpbGl0eS5LdWJlcm5ldGVzU3RhdGVIYW5kbGVTdG9yZSRTdGF0ZUhhbmRsZVdpdGhEZWxldGVNYXJrZXKfgTvzmWVDfwIAAloAEW1hcmtlZEZvckRlbGV0aW9uTAAFaW5uZXJ0ADdMb3JnL2FwYWNoZS9mbGluay9ydW50aW1lL3N0YXRlL1JldHJpZXZhYmxlU3RhdGVIYW5kbGU7eHAAc3IAO29yZy5hcGFjaGUuZmxpbmsucnVudGltZS5zdGF0ZS5SZXRyaWV2YWJsZVN0cmVhbVN0YXRlSGFuZGxlAAEeGPFVlysCAAFMABh3cmFwcGVkU3RyZWFtU3RhdGVIYW5kbGV0ADJMb3JnL2FwYWNoZS9mbGluay9ydW50aW1lL3N0YXRlL1N0cmVhbVN0YXRlSGFuZGxlO3hwc3IAOW9yZy5hcGFjaGUuZmxpbmsucnVudGltZS5zdGF0ZS5maWxlc3lzdGVtLkZpbGVTdGF0ZUhhbmRsZQTcddhivRuzAgACSgAJc3RhdGVTaXplTAAIZmlsZVBhdGh0AB9Mb3JnL2FwYWNoZS9mbGluay9jb3JlL2ZzL1BhdGg7eHAAAAAAAAAQAHNyAB1vcmcuYXBhY2hlLmZsaW5rLmNvcmUuZnMuUGF0aAAAAAAAAAABAgABTAADdXJpdAAOTGphdmEvbmV0L1VSSTt4cHNyAAxqYXZhLm5ldC5VUkmsAXguQ55JqwMAAUwABnN0cmluZ3QAEkxqYXZhL2xhbmcvU3RyaW5nO3hwdAAxZmlsZTovLy9mbGluay1oYS9jMS9zdWJtaXR0ZWRKb2JHcmFwaGQ3MDU0ZmYzZTkzNXg='
const MARKED_CHECKPOINT = 'rO0ABXNyAGNvcmcuYXBhY2hlLmZsaW5rLmt1YmVybmV0ZXMuaGlnaGF2YWlsYWJpbGl0eS5LdWJlcm5ldGVzU3RhdGVIYW5kbGVTdG9yZSRTdGF0ZUhhbmRsZVdpdGhEZWxldGVNYXJrZXKfgTvzmWVDfwIAAloAEW1hcmtlZEZvckRlbGV0aW9uTAAFaW5uZXJ0ADdMb3JnL2FwYWNoZS9mbGluay9ydW50aW1lL3N0YXRlL1JldHJpZXZhYmxlU3RhdGVIYW5kbGU7eHABc3IAO29yZy5hcGFjaGUuZmxpbmsucnVudGltZS5zdGF0ZS5SZXRyaWV2YWJsZVN0cmVhbVN0YXRlSGFuZGxlAAEeGPFVlysCAAFMABh3cmFwcGVkU3RyZWFtU3RhdGVIYW5kbGV0ADJMb3JnL2FwYWNoZS9mbGluay9ydW50aW1lL3N0YXRlL1N0cmVhbVN0YXRlSGFuZGxlO3hwc3IAOW9yZy5hcGFjaGUuZmxpbmsucnVudGltZS5zdGF0ZS5maWxlc3lzdGVtLkZpbGVTdGF0ZUhhbmRsZQTcddhivRuzAgACSgAJc3RhdGVTaXplTAAIZmlsZVBhdGh0AB9Mb3JnL2FwYWNoZS9mbGluay9jb3JlL2ZzL1BhdGg7eHAAAAAAAAAD73NyAB1vcmcuYXBhY2hlLmZsaW5rLmNvcmUuZnMuUGF0aAAAAAAAAAABAgABTAADdXJpdAAOTGphdmEvbmV0L1VSSTt4cHNyAAxqYXZhLm5ldC5VUkmsAXguQ55JqwMAAUwABnN0cmluZ3QAEkxqYXZhL2xhbmcvU3RyaW5nO3hwdAAzZmlsZTovLy9mbGluay1oYS9jMS9jb21wbGV0ZWRDaGVja3BvaW50MDlhNGFlODkzZGEyeA=='
const BARE = 'rO0ABXNyADtvcmcuYXBhY2hlLmZsaW5rLnJ1bnRpbWUuc3RhdGUuUmV0cmlldmFibGVTdHJlYW1TdGF0ZUhhbmRsZQABHhjxVZcrAgABTAAYd3JhcHBlZFN0cmVhbVN0YXRlSGFuZGxldAAyTG9yZy9hcGFjaGUvZmxpbmsvcnVudGltZS9zdGF0ZS9TdHJlYW1TdGF0ZUhhbmRsZTt4cHNyADlvcmcuYXBhY2hlLmZsaW5rLnJ1bnRpbWUuc3RhdGUuZmlsZXN5c3RlbS5GaWxlU3RhdGVIYW5kbGUE3HXYYr0bswIAAkoACXN0YXRlU2l6ZUwACGZpbGVQYXRodAAfTG9yZy9hcGFjaGUvZmxpbmsvY29yZS9mcy9QYXRoO3hwAAAAAAAAEABzcgAdb3JnLmFwYWNoZS5mbGluay5jb3JlLmZzLlBhdGgAAAAAAAAAAQIAAUwAA3VyaXQADkxqYXZhL25ldC9VUkk7eHBzcgAMamF2YS5uZXQuVVJJrAF4LkOeSasDAAFMAAZzdHJpbmd0ABJMamF2YS9sYW5nL1N0cmluZzt4cHQAMWZpbGU6Ly8vZmxpbmstaGEvYzEvc3VibWl0dGVkSm9iR3JhcGhkNzA1NGZmM2U5MzV4'

describe('ConfigMap selection (kubernetes-layout.md §7)', () => {
  it('knows the names Flink gives HA maps', () => {
    expect(haMapKind('c1', 'c1-cluster-config-map')).toEqual({kind: 'cluster'})
    expect(haMapKind('c1', `c1-${J}-config-map`)).toEqual({kind: 'job', jobId: J})
    expect(haMapKind('c1', 'c1-restserver-leader')).toEqual({kind: 'legacy-leader', component: 'restserver'})
    expect(haMapKind('c1', `c1-${J}-jobmanager-leader`)).toEqual({kind: 'legacy-job', jobId: J})
    expect(haMapKind('c1', 'c1x-cluster-config-map')).toBeUndefined()
    expect(haMapKind('c1', 'c1-ABC-config-map')).toBeUndefined()
    expect(haMapKind('a.b', 'aXb-cluster-config-map')).toBeUndefined()
  })

  it('never takes autoscaler maps or maps owned by a Deployment, whatever their labels', () => {
    const ha = {app: 'c1', type: 'flink-native-kubernetes', 'configmap-type': 'high-availability'}
    expect(classifyMap('c1', 'c1-cluster-config-map', ha).ha).toBe(true)
    expect(classifyMap('c1', 'anything', ha)).toEqual({ha: true, kind: {kind: 'other-ha'}})
    expect(classifyMap('c1', 'c1-cluster-config-map', {...ha, component: 'autoscaler'}).ha).toBe(false)
    expect(classifyMap('c1', 'autoscaler-c1', {app: 'c1', component: 'autoscaler'}).skipped).toContain('autoscaler')
    const owned = classifyMap('c1', 'flink-config-c1', {app: 'c1', type: 'flink-native-kubernetes'}, [{kind: 'Deployment', name: 'c1'}])
    expect(owned).toEqual({ha: false, skipped: 'owned by Deployment c1: not HA data'})
    expect(classifyMap('c1', 'c1-cluster-config-map', ha, [{kind: 'Deployment', name: 'c1'}]).ha).toBe(false)
    expect(classifyMap('c1', 'pod-template-c1', {app: 'c1'}).ha).toBe(false)
    // Spotify's operator sets owner references to its CR: still HA data.
    expect(classifyMap('c1', 'c1-cluster-config-map', ha, [{kind: 'FlinkCluster', name: 'c1'}]).ha).toBe(true)
  })
})

describe('keys and values', () => {
  it('leader keys of every version', () => {
    expect(leaderKeyComponent('org.apache.flink.k8s.leader.restserver')).toEqual({component: 'rest_server', jobId: null, layout: '1.15+'})
    expect(leaderKeyComponent(`org.apache.flink.k8s.leader.job-${J}`)).toEqual({component: 'job_master', jobId: J, layout: '1.19+'})
    expect(leaderKeyComponent(`org.apache.flink.k8s.leader.${J}`)).toEqual({component: 'job_master', jobId: J, layout: '1.15-1.18'})
    expect(leaderKeyComponent('org.apache.flink.k8s.leader.other')).toBeUndefined()
    expect(leaderKeyComponent('counter')).toBeUndefined()
  })

  it('leader values split on the first comma; bad ones say why', () => {
    expect(parseLeaderValue(`${UUID},pekko.tcp://flink@h:6123/user/rpc/x,y`)).toEqual({ok: true, sessionId: UUID, address: 'pekko.tcp://flink@h:6123/user/rpc/x,y'})
    expect(parseLeaderValue('no comma')).toMatchObject({ok: false})
    expect(parseLeaderValue('zzz,addr')).toMatchObject({ok: false, reason: expect.stringContaining('not a UUID')})
    expect(parseLeaderValue(`${UUID},`)).toMatchObject({ok: false})
    expect(parseLegacyLeader(undefined, undefined)).toEqual({ok: true, value: null})
    expect(parseLegacyLeader('a', undefined)).toMatchObject({ok: false})
  })

  it('the fabric8 leader annotation', () => {
    const r = parseLeaderAnnotation('{"holderIdentity":"623e39fb","leaseDuration":15.000000000,"acquireTime":"2020-10-20T04:06:31.431000Z","renewTime":"2020-10-22T08:51:36.843000Z","leaderTransitions":37981}')
    expect(r).toEqual({ok: true, value: {holderIdentity: '623e39fb', leaseDurationSeconds: 15, acquireTime: '2020-10-20T04:06:31.431000Z', renewTime: '2020-10-22T08:51:36.843000Z', leaderTransitions: 37981}})
    expect(parseLeaderAnnotation('{"holderIdentity":"","leaseDuration":15}')).toMatchObject({ok: true, value: {holderIdentity: null}})
    expect(parseLeaderAnnotation('not json')).toMatchObject({ok: false})
  })

  it('leaseDuration as Jackson reads a Duration: seconds, a string of seconds, or ISO-8601', () => {
    expect(['15', '15.000000000', 'PT15S', 'pt15s', 'PT1M30S', 'P1DT2H', 'PT0.5S', 'PT0,25S', 'PT2H'].map(durationSeconds)).toEqual([15, 15, 15, 15, 90, 93600, 0.5, 0.25, 7200])
    for (const bad of ['', 'P', 'PT', 'P1DT', '15s', 'PT-1S', '1e3', 'PTS', 'P1W']) expect(durationSeconds(bad), bad).toBeNull()
    expect(parseLeaderAnnotation('{"holderIdentity":"a","leaseDuration":"PT15S"}')).toMatchObject({ok: true, value: {leaseDurationSeconds: 15}})
  })

  it('a record fabric8 cannot read (a required field missing) blocks the election, and says so', () => {
    const lease = (annotation: string) =>
      k8sLease({name: 'm', meta: {annotations: {'control-plane.alpha.kubernetes.io/leader': annotation}}} as never, '2026-01-01T00:00:10Z')!
    const ok = lease('{"holderIdentity":"a","leaseDuration":15.0,"acquireTime":"2026-01-01T00:00:00Z","renewTime":"2026-01-01T00:00:05Z","leaderTransitions":0}')
    expect([ok.valid, ok.blocksElection, ok.problem]).toEqual([true, undefined, null])
    const noDuration = lease('{"holderIdentity":"a","acquireTime":"2026-01-01T00:00:00Z","renewTime":"2026-01-01T00:00:05Z","leaderTransitions":0}')
    expect(noDuration).toMatchObject({valid: true, expiryUnknown: true, blocksElection: true})
    expect(noDuration.problem).toMatch(/lacks a valid leaseDuration: fabric8 cannot read the record, so no JobManager can take leadership .*; its expiry is unknown, so it counts as held \(live\)$/)
    const noAcquire = lease('{"holderIdentity":"a","leaseDuration":15.0,"renewTime":"2026-01-01T00:00:05Z","leaderTransitions":0}')
    expect(noAcquire).toMatchObject({valid: true, blocksElection: true})
    expect(noAcquire.expiryUnknown).toBeUndefined()
    expect(noAcquire.problem).toMatch(/lacks a valid acquireTime: fabric8 cannot read the record/)
  })

  it('checkpoint ids and locators', () => {
    expect(checkpointIdOf('checkpointID-0000000000000000042')).toBe(42n)
    expect(checkpointIdOf('checkpointID-x')).toBeUndefined()
    expect(parseLocator('ns/map')).toEqual({namespace: 'ns', configMap: 'map', key: null})
    expect(parseLocator('ns/map/jobGraph-x')).toEqual({namespace: 'ns', configMap: 'map', key: 'jobGraph-x'})
    expect(parseLocator('ns')).toBeUndefined()
    expect(parseLocator('ns//k')).toBeUndefined()
  })
})

describe('StateHandleWithDeleteMarker decoder', () => {
  it('decodes the wrapper, unmarked and marked, and the bare handle', () => {
    const jg = decodeKubernetesStateHandleValue(JOB_GRAPH)
    expect(jg).toMatchObject({ok: true, value: {wrapped: true, markedForDeletion: false, pointer: {stateSize: 4096, uri: 'file:///flink-ha/c1/submittedJobGraphd7054ff3e935'}}})
    const cp = decodeKubernetesStateHandleValue(MARKED_CHECKPOINT)
    expect(cp).toMatchObject({ok: true, value: {wrapped: true, markedForDeletion: true, pointer: {stateSize: 1007}}})
    expect(decodeKubernetesStateHandleValue(BARE)).toMatchObject({ok: true, value: {wrapped: false, markedForDeletion: false, pointer: {stateSize: 4096}}})
    // The marker is the first value byte after the wrapper's class descriptor (TC_ENDBLOCKDATA, TC_NULL).
    const bytes = Buffer.from(MARKED_CHECKPOINT, 'base64')
    expect(bytes.includes(Buffer.from(STATE_HANDLE_WITH_DELETE_MARKER_CLASS))).toBe(true)
  })

  it('never throws on bad input: truncation, wrong class, bad Base64', () => {
    const bytes = new Uint8Array(Buffer.from(JOB_GRAPH, 'base64'))
    for (const cut of [0, 3, 10, 100, bytes.length - 1]) expect(decodeKubernetesStateHandle(bytes.slice(0, cut)).ok).toBe(false)
    expect(decodeBase64('abc')).toMatchObject({ok: false, error: {code: 'MALFORMED'}})
    expect(decodeBase64('ab$d')).toMatchObject({ok: false})
    expect(decodeKubernetesStateHandleValue('rO0ABXQAA2FiYw==')).toMatchObject({ok: false, error: {code: 'UNEXPECTED'}}) // a String
    const flipped = Buffer.from(bytes)
    flipped[flipped.indexOf(Buffer.from('FileStateHandle')) + 2] ^= 1
    expect(decodeKubernetesStateHandle(flipped).ok).toBe(false)
  })
})

describe('leader records from a Kubernetes inventory', () => {
  const meta = (name: string, annotations: Record<string, string> = {}): K8sMapMeta => ({
    namespace: 'ns', configMap: name, labels: {app: 'c1'}, annotations, resourceVersion: '1', uid: 'u', creationTimestamp: '', deletionTimestamp: null, ownerReferences: [],
  })
  const map = (name: string, data: Record<string, string>, annotations?: Record<string, string>): RawItem[] => {
    const m = meta(name, annotations)
    return [
      {key: name, locator: `ns/${name}`, data: new Uint8Array(0), k8s: {...m, key: null}},
      ...Object.entries(data).map(([k, v]) => ({key: `${name}/${k}`, locator: `ns/${name}/${k}`, data: new TextEncoder().encode(v), k8s: {...m, key: k}})),
    ]
  }
  const lease = (renew: string, duration = 15, holder = 'h-1') => ({'control-plane.alpha.kubernetes.io/leader': JSON.stringify({holderIdentity: holder, leaseDuration: duration, acquireTime: '2026-01-01T00:00:00.000000Z', renewTime: renew, leaderTransitions: 2})})
  const inv = (items: RawItem[], scannedAt = '2026-01-01T00:01:00.000Z'): Inventory => ({backend: 'kubernetes', clusterId: 'c1', root: 'ns', scannedAt, items, k8s: {namespace: 'ns', context: 'x', server: 's', skipped: []}})

  it('alive while renewTime + leaseDuration is after the scan', () => {
    const items = map('c1-cluster-config-map', {'org.apache.flink.k8s.leader.dispatcher': `${UUID},a://d`}, lease('2026-01-01T00:00:50.000000Z'))
    const live = leaderRecords(inv(items)).leaders[0]
    expect(live).toMatchObject({status: 'leader', alive: true, owner: 'h-1', since: '2026-01-01T00:00:00.000000Z', latch: null})
    expect(live.lease).toMatchObject({ageSeconds: 10, valid: true, expiresAt: '2026-01-01T00:01:05.000Z'})
    const dead = leaderRecords(inv(items, '2026-01-01T00:01:06.000Z')).leaders[0]
    expect(dead).toMatchObject({status: 'leader', alive: false})
    expect(dead.evidence).toContain('expired 1s ago')
  })

  it('no cluster map: three no-leader records; legacy-only maps give legacy records', () => {
    expect(k8sLeaderEntries(inv([])).map((e) => [e.component, e.layout, e.present])).toEqual([
      ['dispatcher', '1.15+', false],
      ['resource_manager', '1.15+', false],
      ['rest_server', '1.15+', false],
    ])
    const legacy = leaderRecords(inv(map('c1-dispatcher-leader', {address: 'a://d', sessionId: UUID}, lease('2026-01-01T00:00:59Z')))).leaders
    expect(legacy.map((r) => [r.component, r.layout, r.status, r.alive])).toEqual([
      ['dispatcher', 'legacy-1.15', 'leader', true],
      ['resource_manager', 'legacy-1.15', 'no-leader', false],
      ['rest_server', 'legacy-1.15', 'no-leader', false],
    ])
  })
})
