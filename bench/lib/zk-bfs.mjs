// The floor a ZooKeeper scan is measured against: a pipelined breadth-first read (data, stat and
// children of every node under a path) with the same `zookeeper` binding haadm uses, 1024 requests in
// flight, nothing kept. Prints the node count. Usage: node bench/lib/zk-bfs.mjs <connect> <path>
// ZK_BINDING=<dir> loads the binding from another directory (to compare builds of it).
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
const ZooKeeper = require(process.env.ZK_BINDING || 'zookeeper')
const [connect, root] = process.argv.slice(2)
const zk = new ZooKeeper({connect, timeout: 10000, debug_level: 0})
await new Promise((resolve) => (zk.once('connect', resolve), zk.init({})))
const n = zk.native
let count = 0, inFlight = 0
const queue = [root]
await new Promise((done) => {
  const pump = () => {
    while (inFlight < 1024 && queue.length > 0) {
      const path = queue.pop()
      inFlight += 1
      n.a_get(path, false, (rc, _e, stat) => {
        count++
        if (rc === 0 && stat.numChildren > 0) {
          inFlight++
          n.a_get_children(path, false, (rc2, _e2, children) => {
            if (rc2 === 0) for (const c of children) queue.push(`${path}/${c}`)
            if (--inFlight === 0 && queue.length === 0) done(); else pump()
          })
        }
        if (--inFlight === 0 && queue.length === 0) done(); else pump()
      })
    }
  }
  pump()
})
console.log(count)
zk.close()
