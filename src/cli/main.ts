import {execute} from '@oclif/core'
import {redactArgv} from './redact.js'

/**
 * What bin/run.js and bin/dev.js run. It lives in the bundle (scripts/bundle.mjs) so that oclif and the
 * commands it loads share one copy of @oclif/core, read from one file instead of ~150.
 */
export async function main(dir: string, development = false): Promise<void> {
  // DEBUG=* makes oclif print the command line: credentials given as flags are masked first.
  if (process.env.DEBUG) redactArgv(process.argv)
  await execute({dir, development})
}
