import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {basename, dirname, join, sep} from 'node:path'
import {fileURLToPath} from 'node:url'
import {HaadmError} from '../errors.js'

/** How haadm was installed, which decides the command that brings the ZooKeeper binding in. */
export type Installation =
  | {kind: 'global'; packageDir: string; prefix: string}
  | {kind: 'dependency'; packageDir: string; project: string}
  | {kind: 'checkout'; packageDir: string}

/** The directory of haadm's package.json, found upwards from this module (dist/src/backends/). */
export function packageDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pj = join(dir, 'package.json')
    if (existsSync(pj)) {
      try {
        if (JSON.parse(readFileSync(pj, 'utf8')).name === 'haadm') return dir
      } catch {
        // not ours: keep looking
      }
    }
    if (dirname(dir) === dir) return from
  }
}

/**
 * npm puts a global package in <prefix>/lib/node_modules/<name> (<prefix>\node_modules\<name> on
 * Windows) and a project's dependency in <project>/node_modules/<name>; anything else is a checkout.
 */
export function installationOf(pkgDir: string): Installation {
  const parent = dirname(pkgDir)
  if (basename(parent) !== 'node_modules') return {kind: 'checkout', packageDir: pkgDir}
  const above = dirname(parent)
  if (sep === '/' && basename(above) === 'lib' && !existsSync(join(above, 'package.json')))
    return {kind: 'global', packageDir: pkgDir, prefix: dirname(above)}
  if (sep === '\\' && !existsSync(join(above, 'package.json'))) return {kind: 'global', packageDir: pkgDir, prefix: above}
  return {kind: 'dependency', packageDir: pkgDir, project: above}
}

const TOOLCHAIN = 'install python3, make and g++ (Debian: apt-get install python3 make g++)'

/** The error for a missing or unbuilt `zookeeper` binding: exit 3, with a hint that works for this installation. */
export function zookeeperClientMissing(cause: unknown, pkgDir = packageDir()): HaadmError {
  const install = installationOf(pkgDir)
  let bindingDir: string | undefined
  try {
    bindingDir = dirname(createRequire(join(pkgDir, 'package.json')).resolve('zookeeper/package.json'))
  } catch {
    bindingDir = undefined
  }
  const q = (p: string) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`)
  let message: string
  let hint: string
  if (bindingDir) {
    // Present but not compiled: installed with scripts disabled, or its build failed.
    const root = dirname(dirname(bindingDir))
    message = `the ZooKeeper client library (npm package "zookeeper" in ${bindingDir}) has no compiled binding: it was installed with install scripts disabled, or its build failed`
    hint = `ZooKeeper commands need it; Kubernetes and --snapshot commands work without it. To build it, ${TOOLCHAIN}, then run: cd ${q(root)} && npm rebuild zookeeper`
  } else {
    message = 'the ZooKeeper client library (npm package "zookeeper", an optional dependency) is not installed'
    const range = optionalRange(pkgDir)
    const how =
      install.kind === 'global'
        ? `cd ${q(install.packageDir)} && npm install --no-save --omit=dev ${q(`zookeeper@${range}`)}   (haadm is installed globally under ${install.prefix})`
        : install.kind === 'dependency'
          ? `cd ${q(install.project)} && npm install ${q(`zookeeper@${range}`)}`
          : `cd ${q(install.packageDir)} && npm install`
    hint = `ZooKeeper commands need it; Kubernetes and --snapshot commands work without it. ${TOOLCHAIN[0].toUpperCase()}${TOOLCHAIN.slice(1)}, then run: ${how}`
  }
  return new HaadmError('ZK_CLIENT_MISSING', message, {
    hint,
    details: {installation: install.kind, packageDir: pkgDir, binding: bindingDir ?? null},
    cause,
  })
}

function optionalRange(pkgDir: string): string {
  try {
    return JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).optionalDependencies?.zookeeper ?? 'latest'
  } catch {
    return 'latest'
  }
}
