#!/usr/bin/env node
// For bench/startup: serves the test API server with one small Flink cluster (`bench`: a cluster
// map with three leaders and a lease) in namespace flink, writes token.kubeconfig and
// exec.kubeconfig into the directory given, prints "ready" and serves until its stdin closes.

import {dirname, join, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const dir = process.argv[2]
const {loadK8sApiServer, writeKubeconfigs} = await import(pathToFileURL(join(repo, 'bench', 'lib', 'k8s-kubeconfigs.mjs')).href)
const {startK8sApiServer} = await loadK8sApiServer(repo)
const server = await startK8sApiServer({namespaces: ['default', 'flink']})
const session = '6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c'
const now = new Date().toISOString().replace('Z', '000Z')
server.putConfigMap('flink', {
  metadata: {
    name: 'bench-cluster-config-map',
    labels: {app: 'bench', type: 'flink-native-kubernetes', 'configmap-type': 'high-availability'},
    annotations: {'control-plane.alpha.kubernetes.io/leader': JSON.stringify({holderIdentity: session, leaseDuration: 15, acquireTime: now, renewTime: now, leaderTransitions: 1})},
  },
  data: {
    'org.apache.flink.k8s.leader.dispatcher': `${session},pekko.tcp://flink@10.0.0.1:6123/user/rpc/dispatcher_1`,
    'org.apache.flink.k8s.leader.resourcemanager': `${session},pekko.tcp://flink@10.0.0.1:6123/user/rpc/resourcemanager_0`,
    'org.apache.flink.k8s.leader.restserver': `${session},http://10.0.0.1:8081`,
  },
})
writeKubeconfigs(server, join(dir), 'flink')
console.log('ready')
process.stdin.resume()
process.stdin.on('end', () => server.stop().then(() => process.exit(0)))
