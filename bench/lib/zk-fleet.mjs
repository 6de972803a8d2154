// Creates N dead Flink-shaped clusters of about 100 znodes each under a root: an emptied leader
// record, a latch node, and 7 jobs, each with an execution-plan entry and its locks node, a counter
// and 4 checkpoints with their locks nodes (98 znodes per cluster). Persistent nodes only, pipelined.
// Usage: node bench/lib/zk-fleet.mjs <connectString> <root> <clusters>
import {createRequire} from 'node:module'
import {randomBytes} from 'node:crypto'

const require = createRequire(import.meta.url)
const ZooKeeper = require('zookeeper')
const [connect, root, countText] = process.argv.slice(2)
const count = Number(countText)
const zk = new ZooKeeper({connect, timeout: 10000, debug_level: 0})
await new Promise((resolve) => {
  zk.once('connect', resolve)
  zk.init({})
})
const ignoreExists = (e) => {
  if (!String(e.message).startsWith('-110')) throw e
}
const parts = root.split('/').filter(Boolean)
for (let i = 1; i <= parts.length; i++) await zk.create(`/${parts.slice(0, i).join('/')}`, '', 0).catch(ignoreExists)
// Levels of one cluster, parents first: each level is created for every cluster before the next.
const levels = [[], [], [], [], [], []]
for (let c = 0; c < count; c++) {
  const base = `${root}/c-${c}`
  levels[0].push(base)
  levels[1].push(`${base}/leader`, `${base}/jobgraphs`, `${base}/jobs`)
  levels[2].push(`${base}/leader/dispatcher`, `${base}/leader/latch`)
  levels[3].push(`${base}/leader/dispatcher/connection_info`)
  for (let j = 0; j < 7; j++) {
    const job = randomBytes(16).toString('hex')
    levels[2].push(`${base}/jobgraphs/${job}`, `${base}/jobs/${job}`)
    levels[3].push(`${base}/jobgraphs/${job}/locks`, `${base}/jobs/${job}/checkpoints`, `${base}/jobs/${job}/checkpoint_id_counter`)
    for (let k = 1; k <= 4; k++) {
      const cp = `${base}/jobs/${job}/checkpoints/${String(k).padStart(19, '0')}`
      levels[4].push(cp)
      levels[5].push(`${cp}/locks`)
    }
  }
}
for (const level of levels)
  for (let i = 0; i < level.length; i += 2000) await Promise.all(level.slice(i, i + 2000).map((p) => zk.create(p, 'data', 0).catch(ignoreExists)))
zk.close()
