import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {Hook} from '@oclif/core'

/**
 * After `haadm autocomplete` writes its bash function: the top-level word list is each command's first
 * word, so a topic with three commands (jobs) was offered three times. Make that list unique.
 */
const hook: Hook.Postrun = async function (opts) {
  if (opts.Command.id !== 'autocomplete') return
  const file = join(opts.config.cacheDir, 'autocomplete', 'functions', 'bash', `${opts.config.bin}.bash`)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return
  }
  const fixed = text.replace(`| grep -Eo '^[a-zA-Z0-9_-]+')`, `| grep -Eo '^[a-zA-Z0-9_-]+' | sort -u)`)
  if (fixed !== text) await writeFile(file, fixed)
}

export default hook
