// Creates a subtree of N znodes under a path (fan-out 100 per group node), pipelined.
// Usage: node bench/lib/zk-tree.mjs <connectString> <path> <count>
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
const ZooKeeper = require('zookeeper')
const [connect, base, countText] = process.argv.slice(2)
const count = Number(countText)
const zk = new ZooKeeper({connect, timeout: 10000, debug_level: 0})
await new Promise((resolve) => {
  zk.once('connect', resolve)
  zk.init({})
})
const ignoreExists = (e) => {
  if (!String(e.message).startsWith('-110')) throw e
}
const parts = base.split('/').filter(Boolean)
for (let i = 1; i <= parts.length; i++) await zk.create(`/${parts.slice(0, i).join('/')}`, '', 0).catch(ignoreExists)
const groups = Math.ceil((count - 1) / 101)
const paths = []
for (let g = 0; g < groups; g++) {
  paths.push(`${base}/g${g}`)
  for (let i = 0; i < 100 && paths.length < count - 1; i++) paths.push(`${base}/g${g}/n${i}`)
}
// Parents before children: group nodes first, then leaves, each batch pipelined.
const groupsFirst = [...paths.filter((p) => p.split('/').length === base.split('/').length + 1), ...paths.filter((p) => p.split('/').length > base.split('/').length + 1)]
for (let i = 0; i < groupsFirst.length; i += 2000) await Promise.all(groupsFirst.slice(i, i + 2000).map((p) => zk.create(p, 'data', 0).catch(ignoreExists)))
zk.close()
