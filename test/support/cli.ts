import {spawn} from 'node:child_process'
import {resolve} from 'node:path'

export const REPO = resolve(import.meta.dirname, '..', '..')
export const BIN = resolve(REPO, 'bin', 'run.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  /** stdout parsed as JSON when it is JSON. */
  json?: any
  ms: number
}

/** Runs the built `bin/run.js` as a user would: a fresh process, no TTY, only the env given here. */
export function haadm(args: string[], opts: {env?: Record<string, string>; timeoutMs?: number; input?: string} = {}): Promise<CliResult> {
  const env: Record<string, string> = {PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...opts.env}
  const started = Date.now()
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      let json: unknown
      try {
        json = JSON.parse(stdout)
      } catch {
        json = undefined
      }
      resolvePromise({code, stdout, stderr, json, ms: Date.now() - started})
    })
    child.stdin.end(opts.input ?? '')
  })
}
