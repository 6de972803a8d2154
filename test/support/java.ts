import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync} from 'node:fs'
import {join, resolve} from 'node:path'

/** Debian's jars for Curator 5, the ZooKeeper client and what they need. */
export const DEBIAN_JARS = [
  'curator-client',
  'curator-framework',
  'curator-recipes',
  'zookeeper',
  'zookeeper-jute',
  'guava',
  'slf4j-api',
  'slf4j-nop',
  'netty-handler',
  'netty-common',
  'netty-buffer',
  'netty-transport',
  'netty-codec',
  'netty-resolver',
  'netty-transport-native-epoll',
  'netty-transport-native-unix-common',
].map((n) => `/usr/share/java/${n}.jar`)

const REPO = resolve(import.meta.dirname, '..', '..')
const CACHE = join(REPO, '.cache', 'java')

function listJava(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...listJava(p))
    else if (name.endsWith('.java')) out.push(p)
  }
  return out.sort()
}

/**
 * Compiles every .java file under the given source folders (relative to test/java) with javac
 * into a cache folder keyed by the sources' content, and returns the classpath to run them.
 */
export function compileJava(sourceDirs: string[], withDebianJars = true): string {
  const files = sourceDirs.flatMap((d) => listJava(join(REPO, 'test', 'java', d)))
  const hash = createHash('sha256')
  for (const f of files) hash.update(f).update(readFileSync(f))
  hash.update(String(withDebianJars))
  const out = join(CACHE, hash.digest('hex').slice(0, 16))
  const jars = withDebianJars ? DEBIAN_JARS.filter((j) => existsSync(j)) : []
  if (!existsSync(out)) {
    // Compile into a private folder and rename it into place, so parallel test files never see half a build.
    mkdirSync(CACHE, {recursive: true})
    const tmp = mkdtempSync(join(CACHE, 'tmp-'))
    const args = ['-nowarn', '-encoding', 'UTF-8', '-d', tmp]
    if (jars.length > 0) args.push('-cp', jars.join(':'))
    try {
      execFileSync('javac', [...args, ...files], {stdio: ['ignore', 'inherit', 'inherit']})
      renameSync(tmp, out)
    } catch (err) {
      rmSync(tmp, {recursive: true, force: true})
      if (!existsSync(out)) throw err
    }
  }
  return [out, ...jars].join(':')
}

export function runJava(classpath: string, mainClass: string, args: string[], input?: Buffer | string): Buffer {
  return execFileSync('java', ['-cp', classpath, mainClass, ...args], {input, maxBuffer: 64 << 20})
}

export function spawnJava(classpath: string, mainClass: string, args: string[]): ChildProcess {
  return spawn('java', ['-cp', classpath, mainClass, ...args], {stdio: ['pipe', 'pipe', 'pipe']})
}
