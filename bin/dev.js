#!/usr/bin/env node
// Development entry point: runs the compiled commands without the cached manifest,
// so a fresh `tsc` build is picked up even when oclif.manifest.json is stale.
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
