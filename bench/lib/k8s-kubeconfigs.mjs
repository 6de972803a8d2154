// Shared by bench/startup and bench/k8s-scan: the test API server (test/support/k8s-api-server.ts,
// compiled on its own) and two kubeconfigs for it that sign in with the same token, one directly
// (`token:`) and one through an exec credential plugin (a shell script printing an ExecCredential,
// as `aws eks get-token` and `gke-gcloud-auth-plugin` print one), so that the cost of the exec path
// is measured apart from the plugin's own run time.

import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

/** Compiles and imports the test API server module. */
export async function loadK8sApiServer(repo) {
  const out = join(repo, '.cache', 'bench', 'k8s')
  mkdirSync(out, {recursive: true})
  const tsc = spawnSync(join(repo, 'node_modules', '.bin', 'tsc'), ['--outDir', out, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', 'test/support/k8s-api-server.ts'], {cwd: repo, stdio: 'inherit'})
  if (tsc.status !== 0) process.exit(1)
  return import(pathToFileURL(join(out, 'k8s-api-server.js')).href)
}

/** Writes `token.kubeconfig` and `exec.kubeconfig` (with its plugin) into dir; returns their paths. */
export function writeKubeconfigs(server, dir, namespace) {
  const token = server.writeKubeconfig(dir, {namespace, file: 'token.kubeconfig'})
  const plugin = join(dir, 'exec-plugin.sh')
  const credential = JSON.stringify({apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: {token: server.token}})
  writeFileSync(plugin, `#!/bin/sh\nprintf '%s\\n' '${credential}'\n`)
  chmodSync(plugin, 0o755)
  const exec = join(dir, 'exec.kubeconfig')
  writeFileSync(
    exec,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{name: 'bench', cluster: {server: server.url, 'certificate-authority-data': Buffer.from(server.caPem).toString('base64')}}],
      users: [{name: 'bench', user: {exec: {apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never'}}}],
      contexts: [{name: 'bench', context: {cluster: 'bench', user: 'bench', namespace}}],
      'current-context': 'bench',
    }),
  )
  return {token, exec}
}
