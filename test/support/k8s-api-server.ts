// An HTTP server on 127.0.0.1 that follows the Kubernetes API for v1 ConfigMaps and Namespaces,
// faithfully enough that kubectl (apply, get -l, get -o json, delete -l) and @kubernetes/client-node
// work against it: discovery, get, list (label and field selectors, limit/continue, Table output),
// create, update (resourceVersion conflicts), patch (merge, strategic merge, JSON patch), delete
// (preconditions), deletecollection, resourceVersion/resourceVersionMatch on lists (a history of
// every write, so `Exact` lists and continue pages see one revision, until `compact()`), and
// Status objects for every error. Bearer tokens authenticate;
// a token can be set to be forbidden some verbs. Only node built-ins are imported, so bench/k8s-scan
// can compile this file on its own.

import {execFileSync} from 'node:child_process'
import {X509Certificate, randomUUID} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import {createServer as createHttpsServer} from 'node:https'
import type {Server as NetServer, Socket} from 'node:net'
import type {TLSSocket} from 'node:tls'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'

export interface TokenPolicy {
  /** Shown in 403 messages, like the authenticated user's name. Default `system:serviceaccount:default:haadm`. */
  user?: string
  /** Verbs this token may not use, optionally limited to one resource: `delete` or `delete:configmaps`. */
  forbid?: string[]
}

export interface K8sApiServerOptions {
  /** Namespaces that exist. Default: default, kube-system. */
  namespaces?: string[]
  /** Accepted bearer tokens and what they may not do. Default: one token, `test-token`, allowed everything. */
  tokens?: Record<string, TokenPolicy>
  /** What /version reports. Default 1.28.0. */
  version?: {major: string; minor: string}
}

export type Fault = {reset: true} | {hang: true} | {status: number; retryAfter?: string}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  verb?: Verb | 'discovery'
  status: number
}

export interface K8sApiServer {
  /** `https://127.0.0.1:<port>`: TLS with a self-signed certificate (see `caPem`). kubectl sends tokens only over TLS. */
  url: string
  /** `http://127.0.0.1:<port>`: the same server without TLS, on another port. */
  httpUrl: string
  /** The TLS port. */
  port: number
  /** PEM of the self-signed certificate the TLS side presents (for 127.0.0.1), to trust as a CA. */
  caPem: string
  /** The default token (first of `tokens`). */
  token: string
  tokens: Record<string, TokenPolicy>
  /** Every API request, in order. */
  requests: RecordedRequest[]
  addNamespace(name: string): void
  /** Stores a ConfigMap as if created through the API (uid, resourceVersion, creationTimestamp set). */
  putConfigMap(namespace: string, cm: any): any
  getConfigMap(namespace: string, name: string): any | undefined
  listConfigMaps(namespace: string): any[]
  /** Forgets the history, as etcd's compaction does: lists at an older resourceVersion then get 410 Gone. */
  compact(): void
  /** Runs before any API request is handled (tests use it to change the store between a client's requests). */
  beforeRequest?: (verb: Verb | 'discovery', namespace: string | undefined, name: string | undefined) => void
  /**
   * Decides, before a request is handled, whether the server misbehaves: `reset` destroys the
   * connection without an answer, `hang` never answers (the connection stays open until the client
   * gives up or the server stops), `status` answers with that code (and `retryAfter` as the
   * Retry-After header) without touching the store. Undefined: the request is served. Requests
   * answered this way are recorded with status 0 (reset, hang) or the code.
   */
  fault?: (request: {method: string; verb: Verb | 'discovery'; namespace?: string; name?: string}) => Fault | undefined
  /** Ends every open watch connection abruptly (a dropped connection the client must resume after). */
  dropWatches(): void
  /** Accepts the client certificate (PEM) as a credential, with the policy of a token. */
  allowClientCertificate(pem: string, policy?: TokenPolicy): void
  /** Runs before an update or patch of a ConfigMap is applied (tests use it to simulate a concurrent writer). */
  beforeWrite?: (namespace: string, name: string, verb: Verb) => void
  /**
   * Writes a kubeconfig for this server into dir and returns its path: the TLS URL with the
   * certificate as its CA (client-go sends bearer tokens only over TLS). The context is named
   * `test` unless told otherwise; `namespace` is the context's namespace; `token: null` writes a
   * user without credentials.
   */
  writeKubeconfig(dir: string, opts?: {token?: string | null; namespace?: string; context?: string; file?: string; server?: string}): string
  stop(): Promise<void>
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
/** The 1 MiB limit of a ConfigMap's data (etcd's request limit is a bit above). */
const MAX_CONFIGMAP_BYTES = 1024 * 1024

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? {details} : {}), code}
}

const notFound = (resource: string, name: string) =>
  new ApiError(404, 'NotFound', `${resource} "${name}" not found`, {name, kind: resource})
const conflict = (name: string, why: string) =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on configmaps "${name}": ${why}`, {name, kind: 'configmaps'})
const invalid = (name: string, causes: Array<{field: string; message: string}>) =>
  new ApiError(
    422,
    'Invalid',
    `ConfigMap "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    {name, kind: 'ConfigMap', causes: causes.map((c) => ({reason: 'FieldValueInvalid', message: c.message, field: c.field}))},
  )
const badRequest = (message: string) => new ApiError(400, 'BadRequest', message)
const invalidListOptions = (field: string, message: string) =>
  new ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${field}: ${message}`, {group: 'meta.k8s.io', kind: 'ListOptions', causes: [{reason: 'FieldValueInvalid', message, field}]})

// ---------------------------------------------------------------------------------------------
// Label selectors (k8s.io/apimachinery/pkg/labels): a=b, a==b, a!=b, a in (x,y), a notin (x,y), a, !a

type Requirement =
  | {key: string; op: 'in' | 'notin'; values: string[]}
  | {key: string; op: 'exists' | 'doesnotexist'}

export function parseLabelSelector(text: string): Requirement[] {
  const reqs: Requirement[] = []
  // Split on commas outside parentheses.
  const parts: string[] = []
  let depth = 0
  let cur = ''
  for (const ch of text) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) {
      parts.push(cur)
      cur = ''
    } else cur += ch
  }
  if (depth !== 0) throw badRequest(`unable to parse requirement: found unbalanced parentheses in selector ${JSON.stringify(text)}`)
  parts.push(cur)
  for (const raw of parts) {
    const p = raw.trim()
    if (p === '') {
      if (parts.length === 1) continue
      throw badRequest(`unable to parse requirement: found '', expected: identifier`)
    }
    let m: RegExpExecArray | null
    if ((m = /^!\s*([^\s=!(),]+)$/.exec(p))) reqs.push({key: checkKey(m[1]), op: 'doesnotexist'})
    else if ((m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(p))) {
      const key = checkKey(m[1])
      const value = checkValue(m[3])
      reqs.push({key, op: m[2] === '!=' ? 'notin' : 'in', values: [value]})
    } else if ((m = /^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(p))) {
      const values = m[3].split(',').map((v) => checkValue(v.trim()))
      reqs.push({key: checkKey(m[1]), op: m[2] as 'in' | 'notin', values})
    } else if ((m = /^([^\s=!(),]+)$/.exec(p))) reqs.push({key: checkKey(m[1]), op: 'exists'})
    else throw badRequest(`unable to parse requirement: ${JSON.stringify(p)}: not a valid label selector requirement`)
  }
  return reqs
}

function checkKey(k: string): string {
  if (!LABEL_NAME.test(k) || k.length > 316)
    throw badRequest(`unable to parse requirement: invalid label key "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`)
  return k
}
function checkValue(v: string): string {
  if (!LABEL_VALUE.test(v) || v.length > 63)
    throw badRequest(`unable to parse requirement: invalid label value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`)
  return v
}

export function matchesLabels(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {}
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key)
    switch (r.op) {
      case 'exists':
        return has
      case 'doesnotexist':
        return !has
      case 'in':
        return has && r.values.includes(l[r.key])
      case 'notin':
        return !has || !r.values.includes(l[r.key])
    }
  })
}

/** Field selectors ConfigMaps support: metadata.name and metadata.namespace, with =, == and !=. */
function parseFieldSelector(text: string): (obj: any) => boolean {
  const tests: Array<(obj: any) => boolean> = []
  for (const raw of text.split(',')) {
    const p = raw.trim()
    if (p === '') continue
    const m = /^([a-zA-Z.]+)\s*(==|=|!=)\s*(.*)$/.exec(p)
    if (!m) throw badRequest(`invalid selector: '${p}'; can't understand '${p}'`)
    const [, field, op, value] = m
    const get =
      field === 'metadata.name' ? (o: any) => o.metadata.name : field === 'metadata.namespace' ? (o: any) => o.metadata.namespace : undefined
    if (!get) throw badRequest(`"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`)
    tests.push(op === '!=' ? (o) => get(o) !== value : (o) => get(o) === value)
  }
  return (o) => tests.every((t) => t(o))
}

// ---------------------------------------------------------------------------------------------
// Patches

const isPlainObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: any, patch: any): any {
  if (!isPlainObject(patch)) return structuredClone(patch)
  const out: Record<string, any> = isPlainObject(target) ? {...target} : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

/**
 * Strategic merge patch for a ConfigMap: its fields are maps and scalars, merged as a JSON merge
 * patch; ownerReferences merge by uid; `$patch: delete|replace` and the `$retainKeys` /
 * `$setElementOrder` / `$deleteFromPrimitiveList` directives are understood where they can occur.
 */
export function strategicMergePatch(target: any, patch: any): any {
  if (!isPlainObject(patch)) return structuredClone(patch)
  if (patch.$patch === 'delete') return undefined
  if (patch.$patch === 'replace') {
    const {$patch: _, ...rest} = patch
    return stripDirectives(rest)
  }
  const out: Record<string, any> = isPlainObject(target) ? {...target} : {}
  const retain: string[] | undefined = Array.isArray(patch.$retainKeys) ? patch.$retainKeys : undefined
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue
    if (k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue
    if (v === null) delete out[k]
    else if (k === 'ownerReferences' && Array.isArray(v) && Array.isArray(out[k])) {
      const byUid = new Map<string, any>(out[k].map((r: any) => [r.uid, r]))
      for (const r of v) {
        if (isPlainObject(r) && r.$patch === 'delete') byUid.delete(r.uid)
        else byUid.set(r.uid, mergePatch(byUid.get(r.uid), stripDirectives(r)))
      }
      out[k] = [...byUid.values()]
    } else {
      const merged = strategicMergePatch(out[k], v)
      if (merged === undefined) delete out[k]
      else out[k] = merged
    }
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k]
  return out
}

function stripDirectives(v: any): any {
  if (Array.isArray(v)) return v.map(stripDirectives)
  if (!isPlainObject(v)) return v
  return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('$')).map(([k, x]) => [k, stripDirectives(x)]))
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test) with RFC 6901 pointers. */
export function jsonPatch(doc: any, ops: any): any {
  if (!Array.isArray(ops)) throw badRequest('the JSON patch is not an array of operations')
  let out = structuredClone(doc)
  const parse = (ptr: unknown): string[] => {
    if (typeof ptr !== 'string' || (ptr !== '' && !ptr.startsWith('/'))) throw new ApiError(422, 'Invalid', `invalid JSON pointer ${JSON.stringify(ptr)}`)
    return ptr === '' ? [] : ptr.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  }
  const fail = (msg: string) => new ApiError(422, 'Invalid', msg)
  const parentOf = (root: any, path: string[]) => {
    let cur = root
    for (const seg of path.slice(0, -1)) {
      if (cur === null || typeof cur !== 'object' || !(seg in cur)) throw fail(`doc is missing path: "/${path.join('/')}": missing value`)
      cur = cur[seg]
    }
    return cur
  }
  const get = (root: any, path: string[]) => {
    let cur = root
    for (const seg of path) {
      if (cur === null || typeof cur !== 'object' || !(seg in cur)) throw fail(`doc is missing path: "/${path.join('/')}": missing value`)
      cur = cur[seg]
    }
    return cur
  }
  const remove = (root: any, path: string[]) => {
    const parent = parentOf(root, path)
    const last = path[path.length - 1]
    if (Array.isArray(parent)) {
      const i = Number(last)
      if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw fail(`Unable to remove nonexistent key: ${last}: missing value`)
      parent.splice(i, 1)
    } else {
      if (parent === null || typeof parent !== 'object' || !(last in parent)) throw fail(`Unable to remove nonexistent key: ${last}: missing value`)
      delete parent[last]
    }
  }
  const add = (root: any, path: string[], value: any) => {
    if (path.length === 0) return structuredClone(value)
    const parent = parentOf(root, path)
    const last = path[path.length - 1]
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last)
      if (!Number.isInteger(i) || i < 0 || i > parent.length) throw fail(`index out of bounds: ${last}`)
      parent.splice(i, 0, structuredClone(value))
    } else if (parent !== null && typeof parent === 'object') parent[last] = structuredClone(value)
    else throw fail(`doc is missing path: "/${path.join('/')}": missing value`)
    return root
  }
  for (const op of ops) {
    if (!isPlainObject(op)) throw badRequest('a JSON patch operation is not an object')
    const path = parse(op.path)
    switch (op.op) {
      case 'add':
        out = add(out, path, op.value)
        break
      case 'remove':
        remove(out, path)
        break
      case 'replace':
        get(out, path)
        if (path.length === 0) out = structuredClone(op.value)
        else parentOf(out, path)[path[path.length - 1]] = structuredClone(op.value)
        break
      case 'move': {
        const from = parse(op.from)
        const v = get(out, from)
        remove(out, from)
        out = add(out, path, v)
        break
      }
      case 'copy':
        out = add(out, path, get(out, parse(op.from)))
        break
      case 'test':
        if (JSON.stringify(get(out, path)) !== JSON.stringify(op.value)) throw fail(`testing value /${path.join('/')} failed: test failed`)
        break
      default:
        throw badRequest(`Unexpected kind: ${String(op.op)}`)
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Discovery

const CONFIGMAP_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

function apiResourceList() {
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      {name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: CONFIGMAP_VERBS, shortNames: ['cm'], storageVersionHash: 'qFsyl6wFWjQ='},
      {name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ns'], storageVersionHash: 'Q3oi5N2YM8M='},
    ],
  }
}

/** Enough OpenAPI v3 for kubectl: the ConfigMap schema, and the query parameters its endpoints take. */
function openApiV3CoreV1() {
  const gvk = [{group: '', kind: 'ConfigMap', version: 'v1'}]
  const objectMeta = {
    type: 'object',
    properties: {
      name: {type: 'string'},
      namespace: {type: 'string'},
      generateName: {type: 'string'},
      uid: {type: 'string'},
      resourceVersion: {type: 'string'},
      generation: {type: 'integer', format: 'int64'},
      creationTimestamp: {type: 'string', format: 'date-time'},
      deletionTimestamp: {type: 'string', format: 'date-time'},
      deletionGracePeriodSeconds: {type: 'integer', format: 'int64'},
      labels: {type: 'object', additionalProperties: {type: 'string', default: ''}},
      annotations: {type: 'object', additionalProperties: {type: 'string', default: ''}},
      finalizers: {type: 'array', items: {type: 'string', default: ''}, 'x-kubernetes-patch-strategy': 'merge'},
      managedFields: {type: 'array', items: {type: 'object', 'x-kubernetes-preserve-unknown-fields': true}},
      ownerReferences: {
        type: 'array',
        items: {
          type: 'object',
          required: ['apiVersion', 'kind', 'name', 'uid'],
          properties: {
            apiVersion: {type: 'string', default: ''},
            kind: {type: 'string', default: ''},
            name: {type: 'string', default: ''},
            uid: {type: 'string', default: ''},
            controller: {type: 'boolean'},
            blockOwnerDeletion: {type: 'boolean'},
          },
          'x-kubernetes-map-type': 'atomic',
        },
        'x-kubernetes-patch-merge-key': 'uid',
        'x-kubernetes-patch-strategy': 'merge',
      },
    },
  }
  const configMap = {
    description: 'ConfigMap holds configuration data for pods to consume.',
    type: 'object',
    properties: {
      apiVersion: {type: 'string'},
      kind: {type: 'string'},
      metadata: {allOf: [{$ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'}], default: {}},
      data: {type: 'object', additionalProperties: {type: 'string', default: ''}},
      binaryData: {type: 'object', additionalProperties: {type: 'string', format: 'byte'}},
      immutable: {type: 'boolean'},
    },
    'x-kubernetes-group-version-kind': gvk,
  }
  const q = (name: string, type = 'string') => ({name, in: 'query', schema: {type, uniqueItems: true}})
  const writeParams = [q('dryRun'), q('fieldManager'), q('fieldValidation'), q('pretty')]
  const ref = {content: {'application/json': {schema: {$ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMap'}}}}
  const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']
  const op = (id: string, params: any[], body = false) => ({
    operationId: id,
    parameters: params,
    ...(body
      ? {
          requestBody: id.startsWith('patch')
            ? {content: Object.fromEntries(patchTypes.map((t) => [t, {schema: {type: 'object'}}])), required: true}
            : {...ref, required: true},
        }
      : {}),
    responses: {'200': {description: 'OK', ...ref}},
    'x-kubernetes-action': id.startsWith('list') ? 'list' : id.split(/(?=[A-Z])/)[0],
    'x-kubernetes-group-version-kind': gvk[0],
  })
  const listParams = [q('labelSelector'), q('fieldSelector'), q('limit', 'integer'), q('continue'), q('resourceVersion'), q('watch', 'boolean')]
  return {
    openapi: '3.0.0',
    info: {title: 'Kubernetes', version: 'v1.28.0'},
    paths: {
      '/api/v1/namespaces/{namespace}/configmaps': {
        get: op('listCoreV1NamespacedConfigMap', listParams),
        post: op('createCoreV1NamespacedConfigMap', writeParams, true),
        delete: op('deletecollectionCoreV1NamespacedConfigMap', [...listParams, q('dryRun')]),
      },
      '/api/v1/namespaces/{namespace}/configmaps/{name}': {
        get: op('readCoreV1NamespacedConfigMap', []),
        put: op('replaceCoreV1NamespacedConfigMap', writeParams, true),
        patch: op('patchCoreV1NamespacedConfigMap', [...writeParams, q('force', 'boolean')], true),
        delete: op('deleteCoreV1NamespacedConfigMap', [q('dryRun'), q('gracePeriodSeconds', 'integer'), q('propagationPolicy')]),
      },
    },
    components: {
      schemas: {
        'io.k8s.api.core.v1.ConfigMap': configMap,
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': objectMeta,
      },
    },
  }
}

/**
 * The OpenAPI v2 document kubectl fetches before `apply` (validation, patch metadata), in the
 * protobuf form it asks for (gnostic openapi_v2.Document): `swagger: "2.0"` and `info` only. With
 * no definitions kubectl validates nothing client-side and computes strategic merge patches from
 * its built-in ConfigMap type, as it does for any type the schema does not describe.
 */
function openApiV2Protobuf(): Buffer {
  const field = (n: number, payload: Buffer) => Buffer.concat([varint((n << 3) | 2), varint(payload.length), payload])
  const str = (n: number, text: string) => field(n, Buffer.from(text, 'utf8'))
  const info = Buffer.concat([str(1, 'Kubernetes'), str(2, 'v1.28.0')])
  return Buffer.concat([str(1, '2.0'), field(2, info)])
}

function varint(n: number): Buffer {
  const out: number[] = []
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return Buffer.from(out)
}

// ---------------------------------------------------------------------------------------------

interface Route {
  verb: Verb | 'discovery'
  resource?: 'configmaps' | 'namespaces'
  namespace?: string
  name?: string
}

function age(ts: string): string {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000))
  if (s < 120) return `${s}s`
  if (s < 7200) return `${Math.floor(s / 60)}m`
  if (s < 172800) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86400)}d`
}

let certificate: {key: string; cert: string} | undefined

/** A self-signed certificate for 127.0.0.1, made once per process with the openssl CLI. */
function selfSignedCertificate(): {key: string; cert: string} {
  if (certificate) return certificate
  const dir = mkdtempSync(join(tmpdir(), 'haadm-k8s-tls-'))
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '7',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], {stdio: 'ignore'})
    certificate = {key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8')}
    return certificate
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

export async function startK8sApiServer(opts: K8sApiServerOptions = {}): Promise<K8sApiServer> {
  const namespaces = new Map<string, any>()
  const configmaps = new Map<string, Map<string, any>>()
  const tokens: Record<string, TokenPolicy> = opts.tokens ?? {'test-token': {}}
  const version = opts.version ?? {major: '1', minor: '28'}
  let rv = 1000
  const nextRv = () => String(++rv)
  const requests: RecordedRequest[] = []

  const addNamespace = (name: string) => {
    if (namespaces.has(name)) return
    namespaces.set(name, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {name, uid: randomUUID(), resourceVersion: nextRv(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), labels: {'kubernetes.io/metadata.name': name}},
      spec: {finalizers: ['kubernetes']},
      status: {phase: 'Active'},
    })
    configmaps.set(name, new Map())
  }
  for (const ns of opts.namespaces ?? ['default', 'kube-system']) addNamespace(ns)

  const mapsOf = (ns: string) => configmaps.get(ns) ?? new Map<string, any>()

  // Every ConfigMap write, with what it replaced: a list at an older revision undoes the newer ones.
  const history: Array<{rv: number; ns: string; name: string; before: any | undefined}> = []
  let compactedRv = rv
  function write(ns: string, name: string, obj: any | undefined): void {
    const maps = mapsOf(ns)
    const before = maps.get(name)
    if (obj === undefined && before === undefined) return
    const at = obj ? Number(obj.metadata.resourceVersion) : Number(nextRv())
    history.push({rv: at, ns, name, before})
    if (obj) maps.set(name, obj)
    else maps.delete(name)
    for (const w of watchers) w(ns, at, before, obj)
  }
  /** Open watches: each gets every ConfigMap write. */
  const watchers = new Set<(ns: string, rv: number, before: any | undefined, after: any | undefined) => void>()
  const watchResponses = new Set<ServerResponse>()

  /**
   * A watch of ConfigMaps as the apiserver serves one: 200 and one JSON event a line (ADDED,
   * MODIFIED, DELETED; BOOKMARK with allowWatchBookmarks), the writes after `resourceVersion`
   * replayed from the history first, ending after `timeoutSeconds`; a compacted revision is an
   * ERROR event with a 410 Status.
   */
  function serveWatch(res: ServerResponse, ns: string | undefined, query: URLSearchParams): void {
    const selector = parseLabelSelector(query.get('labelSelector') ?? '')
    const rvText = query.get('resourceVersion') ?? ''
    const from = rvText === '' || rvText === '0' ? rv : Number(rvText)
    res.writeHead(200, {'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private'})
    if (!Number.isFinite(from) || from < compactedRv) {
      res.end(`${JSON.stringify({type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${rvText} (${compactedRv})`)})}\n`)
      return
    }
    const send = (type: string, object: any) => res.write(`${JSON.stringify({type, object})}\n`)
    const event = (n: string, at: number, before: any | undefined, after: any | undefined) => {
      if (ns !== undefined && n !== ns) return
      const obj = after ?? before
      if (!obj || !matchesLabels(selector, obj.metadata.labels)) return
      send(before === undefined ? 'ADDED' : after === undefined ? 'DELETED' : 'MODIFIED', after ?? {...before, metadata: {...before.metadata, resourceVersion: String(at)}})
    }
    // replay: the state after each write is the next write's `before`, or what is stored now
    history.forEach((h, i) => {
      if (h.rv <= from) return
      const next = history.slice(i + 1).find((o) => o.ns === h.ns && o.name === h.name)
      event(h.ns, h.rv, h.before, next ? next.before : mapsOf(h.ns).get(h.name))
    })
    watchers.add(event)
    watchResponses.add(res)
    const bookmarks = query.get('allowWatchBookmarks') === 'true' ? setInterval(() => send('BOOKMARK', {kind: 'ConfigMap', apiVersion: 'v1', metadata: {resourceVersion: String(rv)}}), 1000) : undefined
    const timeout = Number(query.get('timeoutSeconds') ?? 0)
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined
    res.on('close', () => {
      watchers.delete(event)
      watchResponses.delete(res)
      if (bookmarks) clearInterval(bookmarks)
      if (timer) clearTimeout(timer)
    })
  }
  /** The ConfigMaps of one namespace (or all) as they were at revision `at`. */
  function configMapsAt(ns: string | undefined, at: number): any[] {
    const state = new Map<string, any>()
    for (const [n, maps] of configmaps) if (ns === undefined || n === ns) for (const [name, o] of maps) state.set(`${n}/${name}`, o)
    for (let i = history.length - 1; i >= 0 && history[i].rv > at; i--) {
      const c = history[i]
      if (ns !== undefined && c.ns !== ns) continue
      if (c.before) state.set(`${c.ns}/${c.name}`, c.before)
      else state.delete(`${c.ns}/${c.name}`)
    }
    return [...state.values()]
  }

  function validateConfigMap(cm: any, name: string): void {
    const causes: Array<{field: string; message: string}> = []
    if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253)
      causes.push({field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`})
    let size = 0
    for (const [field, obj] of [['data', cm.data], ['binaryData', cm.binaryData]] as const) {
      if (obj === undefined || obj === null) continue
      if (!isPlainObject(obj)) {
        causes.push({field, message: 'Invalid value: must be an object'})
        continue
      }
      for (const [k, v] of Object.entries(obj)) {
        if (!CONFIGMAP_KEY.test(k) || k.length > 253)
          causes.push({field: `${field}[${k}]`, message: `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`})
        if (typeof v !== 'string') causes.push({field: `${field}[${k}]`, message: 'Invalid value: must be a string'})
        else size += k.length + v.length
      }
    }
    if (cm.data && cm.binaryData) for (const k of Object.keys(cm.binaryData)) if (k in cm.data) causes.push({field: `binaryData[${k}]`, message: `Invalid value: "${k}": duplicate of key present in data`})
    for (const [field, obj] of [['metadata.labels', cm.metadata?.labels]] as const) {
      if (!obj) continue
      for (const [k, v] of Object.entries(obj)) {
        if (!LABEL_NAME.test(k)) causes.push({field, message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`})
        if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63)
          causes.push({field, message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`})
      }
    }
    if (size > MAX_CONFIGMAP_BYTES) causes.push({field: '[]', message: `Too long: must have at most ${MAX_CONFIGMAP_BYTES} bytes`})
    if (causes.length > 0) throw invalid(name, causes)
  }

  /** Keeps what the apiserver keeps of a written object, and fills in what it sets. */
  function normalise(body: any, ns: string, name: string, existing?: any): any {
    const meta = body.metadata ?? {}
    const out: any = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        ...meta,
        name,
        namespace: ns,
        uid: existing?.metadata.uid ?? randomUUID(),
        resourceVersion: nextRv(),
        creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    }
    delete out.metadata.generateName
    delete out.metadata.managedFields
    delete out.metadata.selfLink
    for (const k of ['labels', 'annotations']) if (out.metadata[k] && Object.keys(out.metadata[k]).length === 0) delete out.metadata[k]
    if (body.data !== undefined && body.data !== null && Object.keys(body.data).length > 0) out.data = body.data
    if (body.binaryData !== undefined && body.binaryData !== null && Object.keys(body.binaryData).length > 0) out.binaryData = body.binaryData
    if (body.immutable !== undefined) out.immutable = body.immutable
    return out
  }

  function checkImmutable(existing: any, next: any): void {
    if (existing.immutable === true) {
      if (JSON.stringify(existing.data ?? {}) !== JSON.stringify(next.data ?? {}) || JSON.stringify(existing.binaryData ?? {}) !== JSON.stringify(next.binaryData ?? {}) || next.immutable !== true)
        throw invalid(existing.metadata.name, [{field: 'data', message: 'Forbidden: field is immutable when `immutable` is set'}])
    }
  }

  function requireNamespace(ns: string): void {
    if (!namespaces.has(ns)) throw notFound('namespaces', ns)
  }

  function authorise(req: IncomingMessage, route: Route): TokenPolicy {
    const h = req.headers.authorization ?? ''
    const m = /^Bearer\s+(.+)$/i.exec(h)
    let policy = m ? tokens[m[1].trim()] : undefined
    const socket = req.socket as TLSSocket
    if (!policy && !m && typeof socket.getPeerCertificate === 'function') {
      const peer = socket.getPeerCertificate()
      if (peer?.fingerprint256) policy = clientCerts.get(peer.fingerprint256)
    }
    if (!policy) throw new ApiError(401, 'Unauthorized', 'Unauthorized')
    if (route.verb === 'discovery' || !route.resource) return policy
    const denied = (policy.forbid ?? []).some((f) => {
      const [verb, resource] = f.split(':')
      return verb === route.verb && (resource === undefined || resource === route.resource)
    })
    if (denied) {
      const user = policy.user ?? 'system:serviceaccount:default:haadm'
      const what = route.name ? `${route.resource} "${route.name}"` : route.resource
      const where = route.namespace ? ` in the namespace "${route.namespace}"` : ' at the cluster scope'
      throw new ApiError(403, 'Forbidden', `${what} is forbidden: User "${user}" cannot ${route.verb} resource "${route.resource}" in API group ""${where}`, {
        ...(route.name ? {name: route.name} : {}),
        kind: route.resource,
      })
    }
    return policy
  }

  /**
   * A list as the apiserver serves it: at the current revision, at exactly `resourceVersion` with
   * `resourceVersionMatch=Exact`, or at the revision of a continue token; 410 Gone once compacted.
   */
  function listResult(itemsAt: (at: number) => any[], query: URLSearchParams, kind: string): any {
    const selector = parseLabelSelector(query.get('labelSelector') ?? '')
    const fields = parseFieldSelector(query.get('fieldSelector') ?? '')
    const rvText = query.get('resourceVersion') ?? ''
    const match = query.get('resourceVersionMatch') ?? ''
    const cont = query.get('continue')
    if (match !== '' && match !== 'Exact' && match !== 'NotOlderThan')
      throw invalidListOptions('resourceVersionMatch', `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`)
    // As apimachinery's ValidateListOptions.
    if (match !== '' && rvText === '') throw invalidListOptions('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided')
    if (match !== '' && cont) throw invalidListOptions('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden when continue is provided')
    if (match === 'Exact' && rvText === '0') throw invalidListOptions('resourceVersionMatch', 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"')
    if (cont && rvText !== '' && rvText !== '0') throw invalidListOptions('resourceVersion', 'Forbidden: specifying resource version is not allowed when using continue')
    if (rvText !== '' && !/^\d+$/.test(rvText)) throw badRequest(`invalid resource version: ${rvText}`)
    let at = rv
    if (match === 'Exact') {
      at = Number(rvText)
      if (at > rv) throw new ApiError(504, 'Timeout', `Too large resource version: ${at}, current: ${rv}`)
    }
    let token: {rv: string; start: string} | undefined
    if (cont) {
      try {
        token = JSON.parse(Buffer.from(cont, 'base64').toString('utf8'))
        if (typeof token!.start !== 'string' || typeof token!.rv !== 'string') throw new Error('bad')
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data or invalid token')
      }
      at = Number(token!.rv)
    }
    if (at < compactedRv)
      throw new ApiError(
        410,
        'Expired',
        token ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.' : `too old resource version: ${at} (${compactedRv})`,
      )
    let all = itemsAt(at).filter((o) => matchesLabels(selector, o.metadata.labels) && fields(o))
    all.sort((a, b) => {
      const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`
      const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`
      return ka < kb ? -1 : ka > kb ? 1 : 0
    })
    const listRv = String(at)
    if (token) all = all.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > token!.start)
    const limitText = query.get('limit')
    const limit = limitText ? Number(limitText) : 0
    if (limitText && (!Number.isInteger(limit) || limit < 0)) throw badRequest(`invalid limit ${JSON.stringify(limitText)}`)
    const metadata: any = {resourceVersion: listRv}
    let page = all
    if (limit > 0 && all.length > limit) {
      page = all.slice(0, limit)
      const last = page[page.length - 1]
      metadata.continue = Buffer.from(JSON.stringify({rv: listRv, start: `${last.metadata.namespace ?? ''}/${last.metadata.name}`})).toString('base64')
      metadata.remainingItemCount = all.length - limit
    }
    return {kind, apiVersion: 'v1', metadata, items: page.map((o) => structuredClone(o))}
  }

  function asTable(list: any, resource: 'configmaps' | 'namespaces', includeObject: string | null): any {
    const columnDefinitions =
      resource === 'configmaps'
        ? [
            {name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0},
            {name: 'Data', type: 'string', format: '', description: 'Data contains the configuration data.', priority: 0},
            {name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp.', priority: 0},
          ]
        : [
            {name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0},
            {name: 'Status', type: 'string', format: '', description: 'The status of the namespace', priority: 0},
            {name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp.', priority: 0},
          ]
    const object = (o: any) =>
      includeObject === 'None'
        ? undefined
        : includeObject === 'Object'
          ? o
          : {kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata}
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: list.metadata,
      columnDefinitions,
      rows: list.items.map((o: any) => ({
        cells:
          resource === 'configmaps'
            ? [o.metadata.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o.metadata.creationTimestamp)]
            : [o.metadata.name, o.status.phase, age(o.metadata.creationTimestamp)],
        object: object(o),
      })),
    }
  }

  function route(method: string, path: string, query: URLSearchParams): Route {
    const seg = path.split('/').filter((s) => s !== '')
    if (seg[0] === 'api' && seg[1] === 'v1') {
      const isWatch = query.get('watch') === 'true' || query.get('watch') === '1'
      if (seg.length === 3 && seg[2] === 'configmaps' && method === 'GET') return {verb: isWatch ? 'watch' : 'list', resource: 'configmaps'}
      if (seg[2] === 'namespaces') {
        if (seg.length === 3 && method === 'GET') return {verb: isWatch ? 'watch' : 'list', resource: 'namespaces'}
        if (seg.length === 4 && method === 'GET') return {verb: 'get', resource: 'namespaces', name: seg[3]}
        const ns = seg[3]
        if (seg.length === 5 && seg[4] === 'configmaps') {
          if (method === 'GET') return {verb: isWatch ? 'watch' : 'list', resource: 'configmaps', namespace: ns}
          if (method === 'POST') return {verb: 'create', resource: 'configmaps', namespace: ns}
          if (method === 'DELETE') return {verb: 'deletecollection', resource: 'configmaps', namespace: ns}
        }
        if (seg.length === 6 && seg[4] === 'configmaps') {
          const name = seg[5]
          if (method === 'GET') return {verb: 'get', resource: 'configmaps', namespace: ns, name}
          if (method === 'PUT') return {verb: 'update', resource: 'configmaps', namespace: ns, name}
          if (method === 'PATCH') return {verb: 'patch', resource: 'configmaps', namespace: ns, name}
          if (method === 'DELETE') return {verb: 'delete', resource: 'configmaps', namespace: ns, name}
        }
      }
    }
    return {verb: 'discovery'}
  }

  function preconditions(existing: any, pre: any): void {
    if (!pre) return
    if (pre.uid && pre.uid !== existing.metadata.uid)
      throw conflict(existing.metadata.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`)
    if (pre.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion)
      throw conflict(existing.metadata.name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`)
  }

  const isDryRun = (query: URLSearchParams) => query.getAll('dryRun').includes('All')

  async function handle(req: IncomingMessage, body: string): Promise<{code: number; body: any; type?: string}> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const method = req.method ?? 'GET'
    const query = url.searchParams

    // Discovery: /version needs no credentials (system:public-info-viewer), the rest does.
    if (path === '/version' && method === 'GET')
      return {code: 200, body: {major: version.major, minor: version.minor, gitVersion: `v${version.major}.${version.minor}.0`, gitCommit: 'haadm-test', gitTreeState: 'clean', buildDate: '2024-01-01T00:00:00Z', goVersion: 'go1.21', compiler: 'gc', platform: 'linux/amd64'}}
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return {code: 200, body: 'ok', type: 'text/plain'}
    const r = route(method, path, query)
    api.beforeRequest?.(r.verb, r.namespace, r.name)
    authorise(req, r)
    if (r.verb === 'discovery') {
      if (method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)
      if (path === '/api') return {code: 200, body: {kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}`}]}}
      if (path === '/api/v1') return {code: 200, body: apiResourceList()}
      if (path === '/apis') return {code: 200, body: {kind: 'APIGroupList', apiVersion: 'v1', groups: []}}
      if (path === '/openapi/v2' || path === '/swagger-2.0.0.pb-v1')
        return {code: 200, body: openApiV2Protobuf(), type: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'}
      if (path === '/openapi/v3') return {code: 200, body: {paths: {'api/v1': {serverRelativeURL: '/openapi/v3/api/v1?hash=HAADMTEST'}}}}
      if (path === '/openapi/v3/api/v1') return {code: 200, body: openApiV3CoreV1()}
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource')
    }

    if (r.resource === 'namespaces') {
      if (r.verb === 'get') {
        const ns = namespaces.get(r.name!)
        if (!ns) throw notFound('namespaces', r.name!)
        return {code: 200, body: ns}
      }
      return {code: 200, body: listResult(() => [...namespaces.values()], query, 'NamespaceList')}
    }

    const ns = r.namespace
    switch (r.verb) {
      case 'list':
      case 'watch': {
        if (r.verb === 'watch') throw new ApiError(405, 'MethodNotAllowed', 'watch is not supported by this test server')
        return {code: 200, body: listResult((at) => configMapsAt(ns, at), query, 'ConfigMapList')}
      }
      case 'get': {
        const cm = mapsOf(ns!).get(r.name!)
        if (!cm) throw notFound('configmaps', r.name!)
        return {code: 200, body: cm}
      }
      case 'create': {
        requireJson(req)
        const obj = parseBody(body)
        if (obj.kind !== undefined && obj.kind !== 'ConfigMap') throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (v1)`)
        if (obj.metadata?.namespace && obj.metadata.namespace !== ns)
          throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
        const name: string = obj.metadata?.name ?? (obj.metadata?.generateName ? `${obj.metadata.generateName}${randomUUID().slice(0, 5)}` : '')
        if (!name) throw invalid('', [{field: 'metadata.name', message: 'Required value: name or generateName is required'}])
        if (obj.metadata?.resourceVersion) throw invalid(name, [{field: 'metadata.resourceVersion', message: 'Invalid value: must be unset to create'}])
        validateConfigMap(obj, name)
        requireNamespace(ns!)
        if (mapsOf(ns!).has(name)) throw new ApiError(409, 'AlreadyExists', `configmaps "${name}" already exists`, {name, kind: 'configmaps'})
        const stored = normalise(obj, ns!, name)
        if (!isDryRun(query)) write(ns!, name, stored)
        return {code: 201, body: stored}
      }
      case 'update': {
        requireJson(req)
        const obj = parseBody(body)
        if (obj.metadata?.name !== undefined && obj.metadata.name !== r.name)
          throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${r.name})`)
        const existing = mapsOf(ns!).get(r.name!)
        if (!existing) throw notFound('configmaps', r.name!)
        api.beforeWrite?.(ns!, r.name!, 'update')
        const current = mapsOf(ns!).get(r.name!)
        if (!current) throw notFound('configmaps', r.name!)
        if (obj.metadata?.resourceVersion && obj.metadata.resourceVersion !== current.metadata.resourceVersion)
          throw conflict(r.name!, 'the object has been modified; please apply your changes to the latest version and try again')
        if (obj.metadata?.uid && obj.metadata.uid !== current.metadata.uid) throw conflict(r.name!, `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${current.metadata.uid}`)
        validateConfigMap(obj, r.name!)
        const stored = normalise(obj, ns!, r.name!, current)
        checkImmutable(current, stored)
        if (isDryRun(query)) return {code: 200, body: stored}
        write(ns!, r.name!, stored)
        return {code: 200, body: stored}
      }
      case 'patch': {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim()
        const existing = mapsOf(ns!).get(r.name!)
        if (type === 'application/apply-patch+yaml')
          throw new ApiError(415, 'UnsupportedMediaType', 'server-side apply is not supported by this test server: use client-side kubectl apply')
        if (!['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'].includes(type))
          throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`)
        if (!existing) throw notFound('configmaps', r.name!)
        api.beforeWrite?.(ns!, r.name!, 'patch')
        const current = mapsOf(ns!).get(r.name!)
        if (!current) throw notFound('configmaps', r.name!)
        const patch = parseBody(body)
        let next: any
        if (type === 'application/json-patch+json') next = jsonPatch(current, patch)
        else if (type === 'application/merge-patch+json') next = mergePatch(current, patch)
        else next = strategicMergePatch(current, patch)
        if (!isPlainObject(next)) throw badRequest('the patch did not produce an object')
        if (next.metadata?.name !== r.name) throw badRequest('metadata.name: Invalid value: the name cannot be changed by a patch')
        if (next.metadata?.uid !== current.metadata.uid) throw conflict(r.name!, `Precondition failed: UID in precondition: ${next.metadata?.uid}, UID in object meta: ${current.metadata.uid}`)
        // A resourceVersion in the patch is a precondition (optimistic concurrency), as in the apiserver.
        if (next.metadata?.resourceVersion !== current.metadata.resourceVersion)
          throw conflict(r.name!, 'the object has been modified; please apply your changes to the latest version and try again')
        validateConfigMap(next, r.name!)
        const stored = normalise(next, ns!, r.name!, current)
        checkImmutable(current, stored)
        if (!isDryRun(query)) write(ns!, r.name!, stored)
        return {code: 200, body: stored}
      }
      case 'delete': {
        const existing = mapsOf(ns!).get(r.name!)
        if (!existing) throw notFound('configmaps', r.name!)
        const opts = body.trim() ? parseBody(body) : {}
        preconditions(existing, opts.preconditions)
        if (!isDryRun(query) && !opts.dryRun?.includes?.('All')) write(ns!, r.name!, undefined)
        return {code: 200, body: {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: {name: r.name, kind: 'configmaps', uid: existing.metadata.uid}}}
      }
      case 'deletecollection': {
        // As the apiserver's Store.DeleteCollection: list (honouring resourceVersion/Exact and limit),
        // then delete each listed name with the same DeleteOptions; not atomic; answers with the list.
        const list = listResult((at) => configMapsAt(ns!, at), query, 'ConfigMapList')
        const opts = body.trim() ? parseBody(body) : {}
        if (!isDryRun(query) && !opts.dryRun?.includes?.('All'))
          for (const o of list.items) {
            const existing = mapsOf(ns!).get(o.metadata.name)
            if (!existing) continue
            preconditions(existing, opts.preconditions)
            write(ns!, o.metadata.name, undefined)
          }
        return {code: 200, body: list}
      }
    }
  }

  /** This server speaks JSON only: other encodings (protobuf, CBOR) get 415, on which clients fall back to JSON. */
  function requireJson(req: IncomingMessage): void {
    const type = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim()
    if (type !== 'application/json' && type !== '*/*' && type !== '')
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`)
  }

  function parseBody(body: string): any {
    try {
      return JSON.parse(body)
    } catch (e) {
      // kubectl and client libraries send JSON; YAML bodies are for server-side apply, which is refused above.
      throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`)
    }
  }

  let port = 0
  const clientCerts = new Map<string, TokenPolicy>()
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const record: RecordedRequest = {method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0}
      {
        const r = route(req.method ?? 'GET', url.pathname, url.searchParams)
        if (r.verb === 'watch' && r.resource === 'configmaps' && !api.fault?.({method: record.method, verb: r.verb, namespace: r.namespace, name: r.name})) {
          record.verb = 'watch'
          try {
            authorise(req, r)
          } catch (err) {
            const e = err as ApiError
            record.status = e.code
            requests.push(record)
            const text = JSON.stringify(status(e.code, e.reason, e.message))
            res.writeHead(e.code, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text)}).end(text)
            return
          }
          record.status = 200
          requests.push(record)
          serveWatch(res, r.namespace, url.searchParams)
          return
        }
      }
      if (api.fault) {
        const r = route(req.method ?? 'GET', url.pathname, url.searchParams)
        const f = api.fault({method: record.method, verb: r.verb, namespace: r.namespace, name: r.name})
        if (f) {
          record.verb = r.verb
          requests.push(record)
          if ('reset' in f) req.socket.destroy()
          else if ('status' in f) {
            record.status = f.status
            const text = JSON.stringify(status(f.status, f.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', f.status === 429 ? 'Too many requests, please try again later.' : 'The server is currently unable to handle the request'))
            res.writeHead(f.status, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...(f.retryAfter !== undefined ? {'Retry-After': f.retryAfter} : {})})
            res.end(text)
          }
          // hang: no answer; stop() destroys the socket
          return
        }
      }
      let result: {code: number; body: any; type?: string}
      handle(req, Buffer.concat(chunks).toString('utf8'))
        .then(
          (r) => (result = r),
          (err) => {
            result =
              err instanceof ApiError
                ? {code: err.code, body: status(err.code, err.reason, err.message, err.details)}
                : {code: 500, body: status(500, 'InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`)}
          },
        )
        .then(() => {
          record.status = result.code
          const r = route(req.method ?? 'GET', url.pathname, url.searchParams)
          record.verb = r.verb
          requests.push(record)
          let payload = result.body
          const accept = String(req.headers.accept ?? '')
          if (result.code < 300 && r.resource && (r.verb === 'list' || r.verb === 'get') && /as=Table/.test(accept)) {
            const list = r.verb === 'get' ? {metadata: {resourceVersion: result.body.metadata.resourceVersion}, items: [result.body]} : result.body
            payload = asTable(list, r.resource, url.searchParams.get('includeObject'))
          }
          const text = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload)
          res.writeHead(result.code, {'Content-Type': result.type ?? 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private'})
          res.end(text)
        })
    })
  }
  // TLS on one port (kubectl sends tokens only over TLS), plain HTTP on another.
  const tls = selfSignedCertificate()
  const httpServer = createServer(onRequest)
  // A client certificate is asked for but not required: tokens work without one, and one that no test allowed is ignored.
  const httpsServer = createHttpsServer({key: tls.key, cert: tls.cert, requestCert: true, rejectUnauthorized: false}, onRequest)
  const sockets = new Set<Socket>()
  const listen = (srv: NetServer) =>
    new Promise<number>((resolve, reject) => {
      srv.on('connection', (socket: Socket) => {
        sockets.add(socket)
        socket.on('close', () => sockets.delete(socket))
      })
      srv.once('error', reject)
      srv.listen(0, '127.0.0.1', () => resolve((srv.address() as {port: number}).port))
    })
  port = await listen(httpsServer)
  const httpPort = await listen(httpServer)
  const url = `https://127.0.0.1:${port}`
  const httpUrl = `http://127.0.0.1:${httpPort}`
  const defaultToken = Object.keys(tokens)[0]

  const api: K8sApiServer = {
    url,
    httpUrl,
    port,
    caPem: tls.cert,
    token: defaultToken,
    tokens,
    requests,
    addNamespace,
    putConfigMap(ns, cm) {
      addNamespace(ns)
      const name = cm.metadata.name
      const existing = mapsOf(ns).get(name)
      const stored = normalise(cm, ns, name, existing)
      // Seeding may set the creation time, to build old or new maps.
      if (cm.metadata.creationTimestamp) stored.metadata.creationTimestamp = cm.metadata.creationTimestamp
      write(ns, name, stored)
      return stored
    },
    getConfigMap: (ns, name) => mapsOf(ns).get(name),
    dropWatches() {
      for (const r of watchResponses) r.socket?.destroy()
    },
    allowClientCertificate(pem, policy = {}) {
      clientCerts.set(new X509Certificate(pem).fingerprint256, policy)
    },
    compact() {
      history.length = 0
      compactedRv = rv
    },
    listConfigMaps: (ns) => [...mapsOf(ns).values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)),
    writeKubeconfig(dir, o = {}) {
      mkdirSync(dir, {recursive: true})
      const context = o.context ?? 'test'
      const file = join(dir, o.file ?? 'kubeconfig')
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{name: 'haadm-test', cluster: {server: o.server ?? url, 'certificate-authority-data': Buffer.from(tls.cert).toString('base64')}}],
        users: [{name: 'haadm-test', user: o.token === null ? {} : {token: o.token ?? defaultToken}}],
        contexts: [{name: context, context: {cluster: 'haadm-test', user: 'haadm-test', ...(o.namespace ? {namespace: o.namespace} : {})}}],
        'current-context': context,
        preferences: {},
      }
      writeFileSync(file, JSON.stringify(config, null, 2), {mode: 0o600})
      return file
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        let open = 2
        const done = () => --open === 0 && resolve()
        httpsServer.close(done)
        httpServer.close(done)
      }),
  }
  return api
}

