#!/usr/bin/env node
// Development entry point: runs the built commands without the cached manifest,
// so a fresh build is picked up even when oclif.manifest.json is stale.
const {main} = await import('../dist/src/cli/main.js')
await main(import.meta.url, true)
