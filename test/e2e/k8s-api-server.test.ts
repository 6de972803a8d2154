// The test API server, checked with kubectl as its client: if kubectl can apply, get, patch and
// delete against it and gets the errors a real API server gives, haadm's Kubernetes tests run
// against something that behaves like Kubernetes.

import {writeFileSync} from 'node:fs'
import {request} from 'node:https'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type K8sEnv, startK8sEnv} from '../support/k8s-fixture.js'

let env: K8sEnv
beforeAll(async () => {
  env = await startK8sEnv({
    tokens: {
      'test-token': {},
      'reader-token': {user: 'system:serviceaccount:flink:reader', forbid: ['delete', 'deletecollection', 'update', 'patch', 'create']},
    },
  })
})
afterAll(async () => {
  await env?.stop()
})

const cm = (name: string, labels: Record<string, string>, data: Record<string, string> = {k: 'v'}) => ({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name, labels}, data})

function manifest(items: unknown[]): string {
  const file = join(env.dir, `m-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(file, JSON.stringify({apiVersion: 'v1', kind: 'List', items}))
  return file
}

/** A raw API call over TLS with the test CA, for what kubectl does not do (deletecollection, preconditions). */
function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{status: number; body: any}> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const req = request(
      `${env.server.url}${path}`,
      {
        method,
        ca: env.server.caPem,
        headers: {Authorization: `Bearer ${env.server.token}`, 'Content-Type': 'application/json', ...(payload ? {'Content-Length': payload.length} : {}), ...headers},
      },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve({status: res.statusCode!, body: text ? JSON.parse(text) : null}))
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

describe('kubectl against the test API server', () => {
  it('apply -f creates, a second apply patches, get -l shows a table, get -o json the objects', async () => {
    const file = manifest([cm('k1-cluster-config-map', {app: 'k1', 'configmap-type': 'high-availability'}), cm('k2-cluster-config-map', {app: 'k2'})])
    const created = await env.kubectl(['apply', '-f', file])
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    expect(created.stdout).toContain('configmap/k1-cluster-config-map created')

    const again = await env.kubectl(['apply', '-f', manifest([cm('k1-cluster-config-map', {app: 'k1', 'configmap-type': 'high-availability'}, {k: 'v2', extra: 'x'})])])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('configmap/k1-cluster-config-map configured')
    const unchanged = await env.kubectl(['apply', '-f', manifest([cm('k2-cluster-config-map', {app: 'k2'})])])
    expect(unchanged.stdout).toContain('configmap/k2-cluster-config-map unchanged')
    // kubectl apply sends a strategic merge patch computed from last-applied-configuration.
    const patches = env.server.requests.filter((r) => r.method === 'PATCH')
    expect(patches.length).toBeGreaterThan(0)

    const table = await env.kubectl(['get', 'cm', '-l', 'app=k1'])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^NAME\s+DATA\s+AGE\n/)
    expect(table.stdout).toMatch(/k1-cluster-config-map\s+2\s+\d+s/)
    expect(table.stdout).not.toContain('k2-')

    const json = await env.kubectl(['get', 'cm', '-l', 'app=k1', '-o', 'json'])
    const list = JSON.parse(json.stdout)
    expect(list.items).toHaveLength(1)
    expect(list.items[0].data).toEqual({k: 'v2', extra: 'x'})
    expect(list.items[0].metadata).toMatchObject({name: 'k1-cluster-config-map', namespace: 'flink', labels: {app: 'k1'}})
    expect(list.items[0].metadata.uid).toMatch(/^[0-9a-f-]{36}$/)
    expect(Number(list.items[0].metadata.resourceVersion)).toBeGreaterThan(0)
  })

  it('label selectors: inequality, set-based, existence; pages with --chunk-size', async () => {
    await env.kubectl(['apply', '-f', manifest([cm('s-a', {app: 'sel', tier: 'a'}), cm('s-b', {app: 'sel', tier: 'b'}), cm('s-c', {app: 'sel'})])])
    const names = async (selector: string, extra: string[] = []) => {
      const r = await env.kubectl(['get', 'cm', '-l', selector, '-o', 'jsonpath={.items[*].metadata.name}', ...extra])
      expect(r.stderr).toBe('')
      return r.stdout.split(' ').filter(Boolean)
    }
    expect(await names('app=sel,tier!=a')).toEqual(['s-b', 's-c'])
    expect(await names('app==sel,tier in (a,b)')).toEqual(['s-a', 's-b'])
    expect(await names('app=sel,tier notin (a)')).toEqual(['s-b', 's-c'])
    expect(await names('app=sel,tier')).toEqual(['s-a', 's-b'])
    expect(await names('app=sel,!tier')).toEqual(['s-c'])
    const before = env.server.requests.length
    expect(await names('app=sel', ['--chunk-size=1'])).toEqual(['s-a', 's-b', 's-c'])
    const pages = env.server.requests.slice(before).filter((r) => r.verb === 'list')
    expect(pages.map((p) => p.query.limit)).toEqual(['1', '1', '1'])
    expect(pages[1].query.continue).toBeTruthy()
    const bad = await env.kubectl(['get', 'cm', '-l', 'app in (x'])
    expect(bad.code).not.toBe(0)
  })

  it('kubectl patch: merge, JSON patch (with a failing test op), strategic', async () => {
    await env.kubectl(['apply', '-f', manifest([cm('p-1', {app: 'patch'}, {a: '1', b: '2'})])])
    expect((await env.kubectl(['patch', 'cm', 'p-1', '--type=merge', '-p', '{"data":{"a":null,"c":"3"}}'])).code).toBe(0)
    expect((await env.kubectl(['patch', 'cm', 'p-1', '--type=json', '-p', '[{"op":"remove","path":"/data/b"},{"op":"add","path":"/data/d","value":"4"}]'])).code).toBe(0)
    expect((await env.kubectl(['patch', 'cm', 'p-1', '-p', '{"metadata":{"labels":{"x":"y"}}}'])).code).toBe(0)
    const got = JSON.parse((await env.kubectl(['get', 'cm', 'p-1', '-o', 'json'])).stdout)
    expect(got.data).toEqual({c: '3', d: '4'})
    expect(got.metadata.labels).toEqual({app: 'patch', x: 'y'})
    const failed = await env.kubectl(['patch', 'cm', 'p-1', '--type=json', '-p', '[{"op":"test","path":"/data/c","value":"nope"}]'])
    expect(failed.code).not.toBe(0)
    expect(failed.stderr).toMatch(/test failed|is invalid/)
    expect(JSON.parse((await env.kubectl(['get', 'cm', 'p-1', '-o', 'json'])).stdout).data).toEqual({c: '3', d: '4'})
  })

  it('replace with a stale resourceVersion is a 409 Conflict', async () => {
    await env.kubectl(['apply', '-f', manifest([cm('c-1', {app: 'conflict'})])])
    const stale = JSON.parse((await env.kubectl(['get', 'cm', 'c-1', '-o', 'json'])).stdout)
    await env.kubectl(['patch', 'cm', 'c-1', '--type=merge', '-p', '{"data":{"k":"changed"}}'])
    stale.data.k = 'mine'
    const res = await env.kubectl(['replace', '-f', manifest([stale])])
    expect(res.code).not.toBe(0)
    expect(res.stderr).toContain('Operation cannot be fulfilled on configmaps "c-1": the object has been modified')
  })

  it('delete -l deletes what the selector matches and nothing else', async () => {
    await env.kubectl(['apply', '-f', manifest([cm('d-1', {app: 'del'}), cm('d-2', {app: 'del'}), cm('d-keep', {app: 'keep'})])])
    const res = await env.kubectl(['delete', 'cm', '-l', 'app=del'])
    expect(res.code).toBe(0)
    expect(res.stdout).toContain('configmap "d-1" deleted')
    expect(res.stdout).toContain('configmap "d-2" deleted')
    expect(env.server.getConfigMap('flink', 'd-1')).toBeUndefined()
    expect(env.server.getConfigMap('flink', 'd-keep')).toBeDefined()
    const none = await env.kubectl(['delete', 'cm', '-l', 'app=del'])
    expect(none.code).toBe(0)
    expect(none.stdout + none.stderr).toContain('No resources found')
    const missing = await env.kubectl(['delete', 'cm', 'd-1'])
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('configmaps "d-1" not found')
  })

  it('a namespace that does not exist: get finds nothing, get ns and create say NotFound', async () => {
    const get = await env.kubectl(['get', 'cm', '-n', 'nope'])
    expect(get.code).toBe(0)
    expect(get.stdout + get.stderr).toContain('No resources found in nope namespace')
    const ns = await env.kubectl(['get', 'ns', 'nope'])
    expect(ns.code).not.toBe(0)
    expect(ns.stderr).toContain('namespaces "nope" not found')
    // -f: kubectl sends JSON (typed generators like `create cm --from-literal` send protobuf since 1.33, which this server answers with 415).
    const create = await env.kubectl(['create', '-f', manifest([cm('x', {app: 'x'})]), '-n', 'nope'])
    expect(create.code).not.toBe(0)
    expect(create.stderr).toContain('namespaces "nope" not found')
    const namespaces = await env.kubectl(['get', 'ns', '-o', 'name'])
    expect(namespaces.stdout.split('\n')).toContain('namespace/flink')
  })

  it('401 for an unknown token, 403 naming verb and resource for a forbidden verb', async () => {
    const badKc = env.server.writeKubeconfig(env.dir, {file: 'bad', token: 'wrong', namespace: 'flink'})
    const unauth = await env.kubectl(['get', 'cm'], {kubeconfig: badKc})
    expect(unauth.code).not.toBe(0)
    expect(unauth.stderr).toMatch(/Unauthorized|provide credentials/)

    await env.kubectl(['apply', '-f', manifest([cm('f-1', {app: 'forbid'})])])
    const readerKc = env.server.writeKubeconfig(env.dir, {file: 'reader', token: 'reader-token', namespace: 'flink'})
    expect((await env.kubectl(['get', 'cm', 'f-1'], {kubeconfig: readerKc})).code).toBe(0)
    const del = await env.kubectl(['delete', 'cm', 'f-1'], {kubeconfig: readerKc})
    expect(del.code).not.toBe(0)
    expect(del.stderr).toContain('configmaps "f-1" is forbidden: User "system:serviceaccount:flink:reader" cannot delete resource "configmaps" in API group "" in the namespace "flink"')
    expect(env.server.getConfigMap('flink', 'f-1')).toBeDefined()
  })

  it('invalid objects are 422 Invalid; an existing name is 409 AlreadyExists', async () => {
    const bad = await env.kubectl(['apply', '-f', manifest([cm('Bad_Name', {app: 'x'})])])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('is invalid')
    const badKey = await env.kubectl(['apply', '-f', manifest([cm('bad-key', {app: 'x'}, {'a/b': 'c'})])])
    expect(badKey.stderr).toContain('a valid config key must consist of alphanumeric characters')
    const dupFile = manifest([cm('dup', {app: 'x'})])
    expect((await env.kubectl(['create', '-f', dupFile])).code).toBe(0)
    const dup = await env.kubectl(['create', '-f', dupFile])
    expect(dup.stderr).toContain('configmaps "dup" already exists')
  })

  it('delete preconditions and deletecollection, as the API defines them', async () => {
    const created = await api('POST', '/api/v1/namespaces/flink/configmaps', cm('pre-1', {app: 'pre'}))
    expect(created.status).toBe(201)
    const {uid, resourceVersion} = created.body.metadata
    const wrongUid = await api('DELETE', '/api/v1/namespaces/flink/configmaps/pre-1', {preconditions: {uid: '00000000-0000-0000-0000-000000000000'}})
    expect(wrongUid.status).toBe(409)
    expect(wrongUid.body).toMatchObject({kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409})
    await api('PATCH', '/api/v1/namespaces/flink/configmaps/pre-1', {data: {k: 'new'}}, {'Content-Type': 'application/merge-patch+json'})
    const staleRv = await api('DELETE', '/api/v1/namespaces/flink/configmaps/pre-1', {preconditions: {uid, resourceVersion}})
    expect(staleRv.status).toBe(409)
    const current = await api('GET', '/api/v1/namespaces/flink/configmaps/pre-1')
    const ok = await api('DELETE', '/api/v1/namespaces/flink/configmaps/pre-1', {preconditions: {uid, resourceVersion: current.body.metadata.resourceVersion}})
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({kind: 'Status', status: 'Success'})
    const gone = await api('DELETE', '/api/v1/namespaces/flink/configmaps/pre-1')
    expect(gone.status).toBe(404)
    expect(gone.body).toMatchObject({reason: 'NotFound', message: 'configmaps "pre-1" not found'})

    await api('POST', '/api/v1/namespaces/flink/configmaps', cm('col-1', {app: 'col'}))
    await api('POST', '/api/v1/namespaces/flink/configmaps', cm('col-2', {app: 'col'}))
    const col = await api('DELETE', '/api/v1/namespaces/flink/configmaps?labelSelector=app%3Dcol')
    expect(col.status).toBe(200)
    expect(col.body.items.map((i: any) => i.metadata.name)).toEqual(['col-1', 'col-2'])
    expect((await env.kubectl(['get', 'cm', '-l', 'app=col', '-o', 'name'])).stdout).toBe('')
    expect((await api('GET', '/api/v1/namespaces/flink/configmaps/x', undefined, {Authorization: ''})).status).toBe(401)
  })

  it('lists at a resourceVersion: Exact and continue pages see one revision; deletecollection at Exact deletes that revision only; 410 after compaction', async () => {
    const list = (q: string) => api('GET', `/api/v1/namespaces/flink/configmaps?${q}`)
    const names = (r: {body: any}) => r.body.items.map((i: any) => i.metadata.name)
    await api('POST', '/api/v1/namespaces/flink/configmaps', cm('rv-1', {app: 'rv'}))
    await api('POST', '/api/v1/namespaces/flink/configmaps', cm('rv-2', {app: 'rv'}))
    const before = await list('labelSelector=app%3Drv&limit=1')
    const rv = before.body.metadata.resourceVersion
    expect(names(before)).toEqual(['rv-1'])
    // Changes after the first page: the continue page and an Exact list still show the old revision.
    await api('DELETE', '/api/v1/namespaces/flink/configmaps/rv-2')
    await api('POST', '/api/v1/namespaces/flink/configmaps', cm('rv-3', {app: 'rv'}))
    await api('PATCH', '/api/v1/namespaces/flink/configmaps/rv-1', {data: {k: 'changed'}}, {'Content-Type': 'application/merge-patch+json'})
    const page2 = await list(`labelSelector=app%3Drv&limit=1&continue=${encodeURIComponent(before.body.metadata.continue)}`)
    expect(names(page2)).toEqual(['rv-2'])
    expect(page2.body.metadata.resourceVersion).toBe(rv)
    const exact = await list(`labelSelector=app%3Drv&resourceVersion=${rv}&resourceVersionMatch=Exact`)
    expect(names(exact)).toEqual(['rv-1', 'rv-2'])
    expect(exact.body.items[0].data).toEqual({k: 'v'})
    expect(names(await list('labelSelector=app%3Drv'))).toEqual(['rv-1', 'rv-3'])
    expect(names(await list(`labelSelector=app%3Drv&resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`))).toEqual(['rv-1', 'rv-3'])
    // Bad combinations are refused as the apiserver refuses them.
    expect((await list('resourceVersionMatch=Exact')).body).toMatchObject({code: 422, reason: 'Invalid'})
    expect((await list(`resourceVersion=${rv}&resourceVersionMatch=Newest`)).status).toBe(422)
    expect((await list(`resourceVersion=999999999&resourceVersionMatch=Exact`)).status).toBe(504)
    expect((await list('resourceVersion=0&resourceVersionMatch=Exact')).body.message).toMatch(/"exact" is forbidden for resourceVersion "0"/)
    expect((await list(`resourceVersion=${rv}&resourceVersionMatch=Exact&continue=${encodeURIComponent(before.body.metadata.continue)}`)).body.message).toMatch(/forbidden when continue is provided/)

    // deletecollection at the old revision: rv-1 and rv-2 listed, rv-1 deleted (rv-2 is gone already), rv-3 kept.
    const del = await api('DELETE', `/api/v1/namespaces/flink/configmaps?labelSelector=app%3Drv&resourceVersion=${rv}&resourceVersionMatch=Exact`)
    expect(del.status).toBe(200)
    expect(names(del)).toEqual(['rv-1', 'rv-2'])
    expect(names(await list('labelSelector=app%3Drv'))).toEqual(['rv-3'])

    env.server.compact()
    const gone = await list(`labelSelector=app%3Drv&resourceVersion=${rv}&resourceVersionMatch=Exact`)
    expect(gone.status).toBe(410)
    expect(gone.body).toMatchObject({kind: 'Status', reason: 'Expired', code: 410})
    expect((await list(`labelSelector=app%3Drv&limit=1&continue=${encodeURIComponent(before.body.metadata.continue)}`)).status).toBe(410)
    expect((await env.kubectl(['delete', 'cm', '-l', 'app=rv'])).stdout).toContain('configmap "rv-3" deleted')
  })
})
