#!/usr/bin/env node
// oclif checks the Node version against its own engines with semver when it is imported, which
// costs ~10 ms on every run; haadm checks its own floor (package.json engines) instead.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= 'true'
if (Number(process.versions.node.split('.')[0]) < 20)
  process.emitWarning(`haadm needs Node.js 20 or later; this is ${process.versions.node}`)

// A reader that stops reading (`haadm export -o - | head`) is a normal end, not an error.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0)
    throw err
  })

// The bundle (scripts/bundle.mjs): oclif and haadm's commands in a few files. Imported after the lines
// above, which must run first.
const {main} = await import('../dist/src/cli/main.js')
await main(import.meta.url)
