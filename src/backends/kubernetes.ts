/**
 * The Kubernetes backend: Flink's HA ConfigMaps of one cluster id in one namespace.
 *
 * Scan: list the ConfigMaps labelled `app=<cluster-id>` (pages of 500 with limit/continue), keep
 * the HA maps (kubernetes-layout.md §7: named as Flink names them, or labelled
 * `configmap-type=high-availability`; never `component=autoscaler`, never owned by a Deployment),
 * and return one RawItem per map (key `<configmap>`) and one per data key (key `<configmap>/<key>`).
 *
 * Removal locators: `<namespace>/<configmap>` deletes the whole map, with a precondition on the
 * uid and resourceVersion the target carries (a re-created or changed map is not deleted: the
 * outcome is `failed`, scan again). `<namespace>/<configmap>/<key>` removes one key with an
 * update guarded by the map's resourceVersion; on 409 Conflict the map is read again and the
 * update retried (at most 5 times). Keys of one map are removed in one update. Maps are worked on
 * with bounded concurrency; a missing map or key counts as `absent`.
 *
 * Whole-cluster removal in one request: when the maps to delete include every map that carries
 * Flink's HA labels (`app=<cluster-id>,type=flink-native-kubernetes,configmap-type=high-availability`
 * up to 1.20, the selector of Flink's own label delete in 1.15.x–1.18.0; `app` and `type` alone for
 * 2.x maps, which have no configmap-type: layout.ts haLabelSelectors) as the last scan saw them (same uid
 * and resourceVersion), they go in one deletecollection with that selector, `resourceVersion` =
 * the scan's list revision, `resourceVersionMatch=Exact` and `limit` = their number. The apiserver
 * lists at exactly that revision (Store.DeleteCollection; with a limit it stops after that one
 * page), so a map created after the scan is never touched; it then deletes each listed name. What
 * the answer does not list, and everything when the request is refused (no `deletecollection`
 * permission, a compacted revision: 410 Gone, an old server), falls back to one delete per map with
 * its preconditions. Per-map preconditions do not apply inside a collection delete, so right before
 * it the labelled maps are listed again: only when every one is exactly as the scan saw it (same
 * names, uids and resourceVersions: no lease renewed, no entry written, no map created) does the
 * collection delete go ahead; otherwise each map is deleted on its own with its preconditions, and a
 * map that changed since the scan (a JobManager that came back and renewed its lease) fails with
 * 409 Conflict and stays.
 */
import type {Target} from '../config/target.js'
import {ExitCode, HaadmError} from '../errors.js'
import {type KubeConnection, type KubeResponse, connectKube, statusOf} from './kubernetes/client.js'
import {classifyMap, haLabelSelectors} from './kubernetes/layout.js'
import {type ReadDepth, readDepthOf} from './read-spec.js'
import type {FleetBackend, FleetInventory, FleetScanOptions, Inventory, K8sMapMeta, RawItem, RemovableBackend, RemovalOutcome, RemovalTarget, ScanOptions, WatchingBackend} from './types.js'

const PAGE_SIZE = 500
const CONFLICT_RETRIES = 5
// Deletes in flight at once: an API server handles many; the bound keeps a large cleanup from flooding it.
const DEFAULT_CONCURRENCY = 32
/** Below this many maps, single deletes (with their preconditions) cost no more than one collection delete. */
const COLLECTION_DELETE_MIN = 2

/** What the last scan listed: the list's revision and every map labelled `app=<cluster-id>`. */
interface ListedMaps {
  resourceVersion: string
  maps: Array<{name: string; uid: string; resourceVersion: string; labels: Record<string, string>}>
}
const utf8 = new TextEncoder()
const EMPTY = new Uint8Array(0)

const enc = encodeURIComponent

export class KubernetesBackend implements RemovableBackend, WatchingBackend, FleetBackend {
  readonly kind = 'kubernetes' as const
  private lastList: ListedMaps | undefined

  private constructor(
    private readonly conn: KubeConnection,
    private readonly target: Target,
  ) {}

  static async connect(target: Target): Promise<KubernetesBackend> {
    return new KubernetesBackend(await connectKube(target), target)
  }

  get namespace(): string {
    return this.conn.namespace
  }

  private get clusterId(): string {
    return this.target.clusterId.value
  }

  /** Lists every ConfigMap matching a label selector, page by page (one revision: the first page's). */
  private async listAll(labelSelector: string, progress?: (items: number) => void): Promise<{items: any[]; resourceVersion: string}> {
    const items: any[] = []
    let cont: string | undefined
    let resourceVersion = ''
    do {
      const res = await this.conn.request('GET', `/api/v1/namespaces/${enc(this.namespace)}/configmaps`, {
        query: {labelSelector, limit: String(PAGE_SIZE), continue: cont},
      })
      if (res.status !== 200) throw this.apiError(res, 'list', 'configmaps')
      items.push(...(res.body?.items ?? []))
      progress?.(items.length)
      resourceVersion ||= String(res.body?.metadata?.resourceVersion ?? '')
      cont = res.body?.metadata?.continue || undefined
    } while (cont)
    return {items, resourceVersion}
  }

  async scan(opts: ScanOptions = {}): Promise<Inventory> {
    const listed = await this.listAll(`app=${this.clusterId}`, opts.progress)
    const maps = listed.items
    this.lastList = {
      resourceVersion: listed.resourceVersion,
      maps: maps.map((cm) => ({name: String(cm.metadata?.name), uid: String(cm.metadata?.uid ?? ''), resourceVersion: String(cm.metadata?.resourceVersion ?? ''), labels: cm.metadata?.labels ?? {}})),
    }
    const items: RawItem[] = []
    const skipped: Array<{configMap: string; reason: string}> = []
    const depthOf = readDepthOf(opts.read)
    let haMaps = 0
    for (const cm of maps) {
      const md = cm.metadata ?? {}
      const verdict = classifyMap(this.clusterId, md.name, md.labels ?? {}, md.ownerReferences ?? [])
      if (!verdict.ha) {
        skipped.push({configMap: md.name, reason: verdict.skipped!})
        continue
      }
      haMaps++
      if (depthOf(md.name) !== 'skip') items.push(...mapItems(cm, this.namespace, depthOf))
    }
    if (haMaps === 0)
      throw opts.brief
        ? new HaadmError('CLUSTER_NOT_FOUND', `no HA ConfigMaps of cluster ${this.clusterId} in namespace ${this.namespace}`, {exit: ExitCode.UNREACHABLE})
        : await this.clusterNotFound(skipped)
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return {
      backend: 'kubernetes',
      clusterId: this.clusterId,
      root: this.namespace,
      scannedAt: new Date().toISOString(),
      items,
      k8s: {namespace: this.namespace, context: this.conn.context, server: this.conn.server, skipped},
    }
  }

  /**
   * Every map with an `app` label in the namespace, or in every namespace with `allNamespaces`: one
   * list (pages of PAGE_SIZE), as scan() reads one cluster's. The layout groups them into clusters.
   */
  async scanFleet(opts: FleetScanOptions): Promise<FleetInventory> {
    const all = opts.allNamespaces === true
    const items: RawItem[] = []
    let cont: string | undefined
    let count = 0
    do {
      const res = await this.conn.request('GET', all ? '/api/v1/configmaps' : `/api/v1/namespaces/${enc(this.namespace)}/configmaps`, {
        query: {labelSelector: 'app', limit: String(PAGE_SIZE), continue: cont},
      })
      if (res.status === 403 && all)
        throw new HaadmError('K8S_FORBIDDEN', `not allowed to list configmaps in all namespaces: ${statusOf(res).message}`, {
          exit: ExitCode.UNREACHABLE,
          hint: 'Listing every namespace needs "list" on "configmaps" at the cluster scope (a ClusterRole); without -A haadm lists one namespace.',
          details: {status: 403, verb: 'list', resource: 'configmaps'},
        })
      if (res.status === 404 && !all) {
        const nsRes = await this.conn.request('GET', `/api/v1/namespaces/${enc(this.namespace)}`)
        if (nsRes.status === 404)
          throw new HaadmError('K8S_NAMESPACE_NOT_FOUND', `namespace ${this.namespace} does not exist on ${this.conn.server}`, {
            exit: ExitCode.UNREACHABLE,
            hint: `The namespace came from ${this.conn.namespaceSource}; pass the right one with -n/--namespace (kubectl get namespaces lists them).`,
            details: {namespace: this.namespace},
          })
      }
      if (res.status !== 200) throw this.apiError(res, 'list', 'configmaps')
      for (const cm of res.body?.items ?? []) items.push(...mapItems(cm, all ? String(cm.metadata?.namespace ?? '') : this.namespace))
      count += (res.body?.items ?? []).length
      opts.progress?.(count)
      cont = res.body?.metadata?.continue || undefined
    } while (cont)
    return {backend: 'kubernetes', root: all ? '*' : this.namespace, scannedAt: new Date().toISOString(), items, notLookedInto: [], k8s: {context: this.conn.context, server: this.conn.server}}
  }

  /** No HA map: say whether the namespace exists, and which cluster ids (app labels) it holds. */
  private async clusterNotFound(skipped: Array<{configMap: string; reason: string}>): Promise<HaadmError> {
    const ns = this.namespace
    const nsRes = await this.conn.request('GET', `/api/v1/namespaces/${enc(ns)}`)
    if (nsRes.status === 404)
      return new HaadmError('K8S_NAMESPACE_NOT_FOUND', `namespace ${ns} does not exist on ${this.conn.server}`, {
        exit: ExitCode.UNREACHABLE,
        hint: `The namespace came from ${this.conn.namespaceSource}; pass the right one with -n/--namespace (kubectl get namespaces lists them).`,
        details: {namespace: ns},
      })
    // 403 on namespaces is common for namespaced roles: go on without knowing.
    let apps: string[] = []
    try {
      const labelled = (await this.listAll('app')).items
      apps = [...new Set(labelled.map((c) => String(c.metadata?.labels?.app)))].sort()
    } catch {
      // listing worked a moment ago; if it fails now, report what is known
    }
    const also = skipped.length > 0 ? ` (only ${skipped.map((s) => s.configMap).join(', ')}, which ${skipped.length === 1 ? 'is' : 'are'} not HA data)` : ''
    return new HaadmError('CLUSTER_NOT_FOUND', `no HA ConfigMaps of cluster ${this.clusterId} in namespace ${ns}${also}`, {
      exit: ExitCode.UNREACHABLE,
      hint:
        apps.length > 0
          ? `Cluster ids (app labels) in namespace ${ns}: ${apps.join(', ')}. Pass one with --cluster-id, or another -n/--namespace.`
          : `Namespace ${ns} holds no ConfigMap with an app label. Check -n/--namespace (from ${this.conn.namespaceSource}) and --cluster-id.`,
      details: {namespace: ns, clusterIds: apps, skipped},
    })
  }

  /** Turns an error response into a HaadmError that names the verb and resource. */
  private apiError(res: KubeResponse, verb: string, resource: string, name?: string): HaadmError {
    const s = statusOf(res)
    const what = name ? `${resource} "${name}"` : resource
    if (res.status === 401)
      return new HaadmError('K8S_UNAUTHORIZED', `the API server at ${this.conn.server} rejected the credentials of context ${this.conn.context ?? '(in-cluster)'} (401 Unauthorized)`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Renew the token or certificate in the kubeconfig; kubectl with the same kubeconfig fails the same way.',
        details: {status: 401},
      })
    if (res.status === 403)
      return new HaadmError('K8S_FORBIDDEN', `not allowed to ${verb} ${what} in namespace ${this.namespace}: ${s.message}`, {
        exit: ExitCode.UNREACHABLE,
        hint: `Grant the account "${verb}" on "${resource}" in namespace ${this.namespace} (a Role and RoleBinding); haadm reads with get and list, and cleans up with update and delete.`,
        details: {status: 403, verb, resource, namespace: this.namespace},
      })
    return new HaadmError('K8S_ERROR', `cannot ${verb} ${what} in namespace ${this.namespace}: ${s.message || `HTTP ${res.status}`} (${res.status}${s.reason ? ` ${s.reason}` : ''})`, {
      exit: ExitCode.UNREACHABLE,
      details: {status: res.status, reason: s.reason, verb, resource},
    })
  }

  async *remove(targets: RemovalTarget[], opts: {concurrency?: number} = {}): AsyncIterable<RemovalOutcome> {
    // Group by map in the order given: one task per map (its keys in one update, then the map itself).
    const groups = new Map<string, Array<{target: RemovalTarget; key: string | null}>>()
    const outcomes: RemovalOutcome[] = []
    for (const target of targets) {
      const parsed = parseLocator(target.locator)
      if (!parsed || parsed.namespace !== this.namespace) {
        outcomes.push({target, status: 'failed', error: `not a ConfigMap locator of namespace ${this.namespace}: ${target.locator} (expected <namespace>/<configmap>[/<key>])`})
        continue
      }
      const list = groups.get(parsed.configMap) ?? []
      list.push({target, key: parsed.key})
      groups.set(parsed.configMap, list)
    }
    yield* outcomes
    yield* await this.deleteCollection(groups)

    const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY)
    const queue = [...groups.entries()]
    const ready: RemovalOutcome[] = []
    let wake: (() => void) | undefined
    let active = 0
    const pump = () => {
      while (active < concurrency && queue.length > 0) {
        const [name, group] = queue.shift()!
        active++
        this.removeFromMap(name, group)
          .then(
            (res) => ready.push(...res),
            // A request that failed without an answer (reset, timeout) may have been applied: unknown, not failed.
            (err) => ready.push(...group.map(({target}) => ({target, status: 'unknown' as const, error: err instanceof Error ? err.message : String(err)}))),
          )
          .finally(() => {
            active--
            pump()
            wake?.()
          })
      }
    }
    pump()
    while (active > 0 || ready.length > 0 || queue.length > 0) {
      if (ready.length === 0) await new Promise<void>((r) => (wake = r))
      wake = undefined
      while (ready.length > 0) yield ready.shift()!
    }
  }

  /**
   * The one-request path (see the module comment). Returns the outcomes of the maps it deleted and
   * takes them out of `groups`; returns nothing, and leaves `groups` as it was, when it does not apply
   * or the server refuses it.
   */
  private async deleteCollection(groups: Map<string, Array<{target: RemovalTarget; key: string | null}>>): Promise<RemovalOutcome[]> {
    const listed = this.lastList
    if (!listed?.resourceVersion) return []
    // Flink's selectors, narrowest first: 1.15–1.20 label HA maps with configmap-type, 2.x only with app and type.
    let labels: Record<string, string> | undefined
    let labelled: ListedMaps['maps'] = []
    for (const candidate of haLabelSelectors(this.clusterId)) {
      labelled = listed.maps.filter((m) => Object.entries(candidate).every(([k, v]) => m.labels[k] === v))
      if (labelled.length < COLLECTION_DELETE_MIN) continue
      // Every map the selector matches must be planned whole, exactly as scanned: else it would take too much.
      const whole = labelled.every((m) => {
        const group = groups.get(m.name)
        const t = group?.length === 1 && group[0].key === null ? group[0].target : undefined
        return t !== undefined && t.uid === m.uid && (t.version === undefined || String(t.version) === m.resourceVersion)
      })
      if (whole) {
        labels = candidate
        break
      }
    }
    if (!labels) return []
    const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')
    // Liveness at the moment of deletion: the maps (and their leases) exactly as the scan saw them, or no collection delete.
    try {
      const now = await this.listAll(selector)
      const seen = new Map(labelled.map((m) => [m.name, m]))
      if (now.items.length !== labelled.length) return []
      for (const cm of now.items) {
        const was = seen.get(String(cm?.metadata?.name))
        if (!was || was.uid !== String(cm.metadata?.uid ?? '') || was.resourceVersion !== String(cm.metadata?.resourceVersion ?? '')) return []
      }
    } catch {
      return []
    }
    let res: KubeResponse
    try {
      res = await this.conn.request('DELETE', `/api/v1/namespaces/${enc(this.namespace)}/configmaps`, {
        query: {
          labelSelector: selector,
          resourceVersion: listed.resourceVersion,
          resourceVersionMatch: 'Exact',
          limit: String(labelled.length),
        },
        body: {kind: 'DeleteOptions', apiVersion: 'v1'},
      })
    } catch {
      return [] // the single deletes will meet the same trouble and report it per map
    }
    if (res.status !== 200 || !Array.isArray(res.body?.items)) return []
    const planned = new Map(labelled.map((m) => [m.name, m.uid]))
    const out: RemovalOutcome[] = []
    for (const item of res.body.items) {
      const name = String(item?.metadata?.name)
      const uid = String(item?.metadata?.uid ?? '')
      if (planned.get(name) === uid) {
        out.push({target: groups.get(name)![0].target, status: 'removed'})
        groups.delete(name)
      } else {
        // Only a server that ignored resourceVersionMatch=Exact lists a map the scan did not see.
        out.push({
          target: {key: name, locator: `${this.namespace}/${name}`, uid},
          status: 'failed',
          error: `the API server deleted ConfigMap ${name}, which was not in the plan (created after the scan; the server ignored resourceVersionMatch=Exact)`,
        })
      }
    }
    return out
  }

  private async removeFromMap(name: string, group: Array<{target: RemovalTarget; key: string | null}>): Promise<RemovalOutcome[]> {
    const out: RemovalOutcome[] = []
    const keys = group.filter((g) => g.key !== null)
    const whole = group.filter((g) => g.key === null)
    if (keys.length > 0) out.push(...(await this.removeKeys(name, keys as Array<{target: RemovalTarget; key: string}>)))
    for (const {target} of whole) out.push(await this.deleteMap(name, target))
    return out
  }

  private mapPath(name: string): string {
    return `/api/v1/namespaces/${enc(this.namespace)}/configmaps/${enc(name)}`
  }

  private async deleteMap(name: string, target: RemovalTarget): Promise<RemovalOutcome> {
    const preconditions: Record<string, string> = {}
    if (target.uid) preconditions.uid = target.uid
    if (target.version !== undefined) preconditions.resourceVersion = String(target.version)
    const res = await this.conn.request('DELETE', this.mapPath(name), {
      body: {kind: 'DeleteOptions', apiVersion: 'v1', ...(Object.keys(preconditions).length > 0 ? {preconditions} : {})},
    })
    if (res.status === 200 || res.status === 202) return {target, status: 'removed'}
    if (res.status === 404) return {target, status: 'absent'}
    if (res.status === 409)
      return {target, status: 'failed', error: `ConfigMap ${name} changed since the scan (${statusOf(res).message}); nothing deleted: scan again`}
    return {target, status: 'failed', error: this.apiError(res, 'delete', 'configmaps', name).message}
  }

  private async removeKeys(name: string, keys: Array<{target: RemovalTarget; key: string}>): Promise<RemovalOutcome[]> {
    for (let attempt = 0; ; attempt++) {
      const got = await this.conn.request('GET', this.mapPath(name))
      if (got.status === 404) return keys.map(({target}) => ({target, status: 'absent' as const}))
      if (got.status !== 200) return fail(keys, this.apiError(got, 'get', 'configmaps', name).message)
      const cm = got.body
      const uid = keys.find((k) => k.target.uid)?.target.uid
      if (uid && cm.metadata?.uid !== uid) return keys.map(({target}) => ({target, status: 'absent' as const}))
      const data: Record<string, string> = {...(cm.data ?? {})}
      const binary: Record<string, string> = {...(cm.binaryData ?? {})}
      const present = keys.filter(({key}) => key in data || key in binary)
      if (present.length === 0) return keys.map(({target}) => ({target, status: 'absent' as const}))
      for (const {key} of present) {
        delete data[key]
        delete binary[key]
      }
      const body = {...cm, data, ...(cm.binaryData ? {binaryData: binary} : {})}
      // resourceVersion from the read: the update fails with 409 if anyone wrote in between.
      const put = await this.conn.request('PUT', this.mapPath(name), {body})
      if (put.status === 200 || put.status === 201)
        return keys.map(({target, key}) => ({target, status: present.some((p) => p.key === key) ? ('removed' as const) : ('absent' as const)}))
      if (put.status === 404) return keys.map(({target}) => ({target, status: 'absent' as const}))
      if (put.status === 409 && attempt < CONFLICT_RETRIES) continue
      if (put.status === 409) return fail(keys, `ConfigMap ${name} kept changing: ${CONFLICT_RETRIES + 1} updates in a row met 409 Conflict`)
      return fail(keys, this.apiError(put, 'update', 'configmaps', name).message)
    }
  }

  /**
   * A watch of the maps labelled app=<cluster-id> from the last list's resourceVersion (so nothing
   * written since that scan is missed), resumed from the last event or bookmark seen after a dropped
   * connection or the server's timeout. A change: any map added or deleted, or a change to a map
   * `keys.items` names. A revision too old to watch from (410) also counts: the caller lists again.
   */
  async waitForChange(_inv: Inventory, keys: {items: string[]; children: string[]}, signal: AbortSignal): Promise<boolean> {
    let rv = this.lastList?.resourceVersion || undefined
    const watched = new Set(keys.items)
    for (let drops = 0; ; ) {
      let changed = false
      const res = await this.conn.watch(
        `/api/v1/namespaces/${enc(this.namespace)}/configmaps`,
        {labelSelector: `app=${this.clusterId}`, watch: '1', resourceVersion: rv, allowWatchBookmarks: 'true', timeoutSeconds: '300'},
        (ev) => {
          const md = ev?.object?.metadata
          if (ev?.type === 'ERROR') return (changed = true)
          if (md?.resourceVersion) rv = String(md.resourceVersion)
          if (ev?.type === 'BOOKMARK') return false
          if (ev?.type !== 'MODIFIED' || watched.has(String(md?.name))) changed = true
          return changed
        },
        signal,
      )
      if (changed) return true
      // Aborted, or the run's deadline: the end. A connection reset before the answer (status 0, dropped) is a drop.
      if (signal.aborted || (res.status === 0 && !res.dropped)) return false
      if (res.status !== 200 && !res.dropped) throw this.apiError(res, 'watch', 'configmaps')
      // the stream ended (the server's timeout) or broke: resume where it was, a few broken ones in a row at most
      drops = res.dropped ? drops + 1 : 0
      if (drops > 5) throw new HaadmError('K8S_UNREACHABLE', `the watch of ConfigMaps on ${this.conn.server} kept breaking`, {exit: ExitCode.UNREACHABLE})
      if (drops > 0) await new Promise((r) => setTimeout(r, 200 * drops))
    }
  }

  async close(): Promise<void> {
    this.conn.close()
  }
}

/**
 * One RawItem for the map (key `<configmap>`) and one per data key (key `<configmap>/<key>`); `depthOf`
 * (a scan's read spec) leaves keys out, or keeps them without their value.
 */
function mapItems(cm: any, namespace: string, depthOf: (key: string) => ReadDepth = () => 'data'): RawItem[] {
  const md = cm.metadata ?? {}
  const meta: K8sMapMeta = {
    namespace,
    configMap: md.name,
    labels: md.labels ?? {},
    annotations: md.annotations ?? {},
    resourceVersion: String(md.resourceVersion ?? ''),
    uid: String(md.uid ?? ''),
    creationTimestamp: String(md.creationTimestamp ?? ''),
    deletionTimestamp: md.deletionTimestamp ?? null,
    ownerReferences: md.ownerReferences ?? [],
  }
  const mapLocator = `${namespace}/${md.name}`
  const items: RawItem[] = [{key: md.name, locator: mapLocator, data: new Uint8Array(0), k8s: {...meta, key: null}}]
  for (const [k, v] of Object.entries<string>(cm.data ?? {})) {
    const key = `${md.name}/${k}`
    const d = depthOf(key)
    if (d !== 'skip') items.push({key, locator: `${mapLocator}/${k}`, data: d === 'data' ? utf8.encode(v) : EMPTY, k8s: {...meta, key: k}})
  }
  for (const [k, v] of Object.entries<string>(cm.binaryData ?? {})) {
    const key = `${md.name}/${k}`
    const d = depthOf(key)
    if (d !== 'skip') items.push({key, locator: `${mapLocator}/${k}`, data: d === 'data' ? new Uint8Array(Buffer.from(v, 'base64')) : EMPTY, k8s: {...meta, key: k, binary: true}})
  }
  return items
}

function fail(keys: Array<{target: RemovalTarget}>, error: string): RemovalOutcome[] {
  return keys.map(({target}) => ({target, status: 'failed' as const, error}))
}

/** `<namespace>/<configmap>` or `<namespace>/<configmap>/<key>`. */
export function parseLocator(locator: string): {namespace: string; configMap: string; key: string | null} | undefined {
  const parts = locator.split('/')
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return undefined
  return {namespace: parts[0], configMap: parts[1], key: parts[2] ?? null}
}
