/**
 * Credentials given on the command line (--zk-auth digest:user:password) must not reach a debug
 * log: with DEBUG set, oclif prints process.argv several times. Everything written to standard
 * error is passed through a mask of the secret values found in argv.
 */
const SECRET_FLAGS = ['--zk-auth']

/** The secret values of argv: what follows a secret flag, or its `--flag=value` form. */
export function secretValues(argv: string[]): string[] {
  const out: string[] = []
  argv.forEach((arg, i) => {
    for (const flag of SECRET_FLAGS) {
      if (arg === flag && i + 1 < argv.length) out.push(argv[i + 1])
      else if (arg.startsWith(`${flag}=`)) out.push(arg.slice(flag.length + 1))
    }
  })
  return out.filter((s) => s.length > 0)
}

/** `digest:user:password` → `digest:user:***`; anything else → `***`. */
export function maskSecret(value: string): string {
  const m = /^([^:]+:[^:]+):.+$/.exec(value)
  return m ? `${m[1]}:***` : '***'
}

/** Masks the secrets of argv in everything written to standard error from now on. */
export function redactArgv(argv: string[], stream: NodeJS.WriteStream = process.stderr): void {
  const secrets = secretValues(argv)
  if (secrets.length === 0) return
  const forms = secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1), s.replace(/'/g, "\\'")].map((f) => [f, maskSecret(s)] as const))
  const original = stream.write.bind(stream) as (...a: unknown[]) => boolean
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined
    if (text === undefined) return original(chunk, ...rest)
    let masked = text
    for (const [secret, mask] of forms) masked = masked.split(secret).join(mask)
    return original(masked, ...rest)
  }) as typeof stream.write
}
