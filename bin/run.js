#!/usr/bin/env node
// oclif checks the Node version against its own engines with semver when it is imported, which
// costs ~10 ms on every run; haadm checks its own floor (package.json engines) instead.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= 'true'
if (Number(process.versions.node.split('.')[0]) < 20)
  process.emitWarning(`haadm needs Node.js 20 or later; this is ${process.versions.node}`)

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
