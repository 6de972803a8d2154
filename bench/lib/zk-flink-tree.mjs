// Writes a Flink-shaped cluster as a stopped Flink 1.18 cluster leaves it (its JobManagers' ephemeral
// leader records and locks gone): for each of J jobs an execution plan jobgraphs/<id> with its empty
// locks node, jobs/<id>/checkpoints/<%019d> x K each with an empty locks node and a state-handle pointer
// (the bytes Flink writes: RetrievableStreamStateHandle -> FileStateHandle -> Path -> URI), and a
// checkpoint id counter; plus leader/latch and the three component directories. Pipelined, with the
// binding haadm uses. 5 + 2K znodes per job. Usage: node bench/lib/zk-flink-tree.mjs <connect> <clusterPath> <jobs> <checkpoints>
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
const ZooKeeper = require('zookeeper')
const [connect, base, jobsText, perJobText] = process.argv.slice(2)
const jobs = Number(jobsText)
const perJob = Number(perJobText)
// Pointers name <storageDir>/<cluster-id>/<file> as Flink writes them, so haadm infers the storage directory.
const storage = `/flink-ha/${base.split('/').pop()}`
// A loaded machine can miss the test server's short session timeout (20 ticks): a batch that fails
// with the session is written again on a new one (creates that exist already are skipped).
const open = async () => {
  const c = new ZooKeeper({connect, timeout: 60000, debug_level: 0})
  await new Promise((resolve) => (c.once('connect', resolve), c.init({})))
  return c
}
let zk = await open()
const batch = async (entries) => {
  for (let attempt = 1; ; attempt++) {
    try {
      await Promise.all(entries.map(([p, d]) => zk.create(p, d, 0).catch(ignoreExists)))
      return
    } catch (e) {
      if (attempt >= 5) throw e
      try {
        zk.close()
      } catch {}
      zk = await open()
    }
  }
}

const str = (s) => {
  const b = Buffer.from(s, 'utf8')
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b])
}
const hex = (h) => Buffer.from(h.replace(/ /g, ''), 'hex')
const i64 = (v) => {
  const b = Buffer.alloc(8)
  b.writeBigInt64BE(BigInt(v))
  return b
}
const b = (...xs) => Buffer.from(xs)
function pointer(uri, size) {
  return Buffer.concat([
    hex('AC ED 00 05'),
    b(0x73, 0x72), str('org.apache.flink.runtime.state.RetrievableStreamStateHandle'), hex('00 01 1E 18 F1 55 97 2B'),
    b(0x02, 0x00, 0x01, 0x4c), str('wrappedStreamStateHandle'), b(0x74), str('Lorg/apache/flink/runtime/state/StreamStateHandle;'), b(0x78, 0x70),
    b(0x73, 0x72), str('org.apache.flink.runtime.state.filesystem.FileStateHandle'), hex('04 DC 75 D8 62 BD 1B B3'),
    b(0x02, 0x00, 0x02, 0x4a), str('stateSize'), b(0x4c), str('filePath'), b(0x74), str('Lorg/apache/flink/core/fs/Path;'), b(0x78, 0x70),
    i64(size),
    b(0x73, 0x72), str('org.apache.flink.core.fs.Path'), hex('00 00 00 00 00 00 00 01'),
    b(0x02, 0x00, 0x01, 0x4c), str('uri'), b(0x74), str('Ljava/net/URI;'), b(0x78, 0x70),
    b(0x73, 0x72), str('java.net.URI'), hex('AC 01 78 2E 43 9E 49 AB'),
    b(0x03, 0x00, 0x01, 0x4c), str('string'), b(0x74), str('Ljava/lang/String;'), b(0x78, 0x70),
    b(0x74), str(uri), b(0x78),
  ])
}
const ignoreExists = (e) => {
  if (!String(e.message).startsWith('-110')) throw e
}
const parts = base.split('/').filter(Boolean)
for (let i = 1; i <= parts.length; i++) await batch([[`/${parts.slice(0, i).join('/')}`, '']])
const levels = [[], [], [], [], []]
const node = (level, path, data = '') => levels[level].push([path, data])
node(0, `${base}/leader`)
node(0, `${base}/jobgraphs`)
node(0, `${base}/jobs`)
node(1, `${base}/leader/latch`)
for (const c of ['dispatcher', 'resource_manager', 'rest_server']) node(1, `${base}/leader/${c}`)
const counter = Buffer.alloc(4)
counter.writeInt32BE(perJob + 1)
for (let j = 0; j < jobs; j++) {
  const id = (j + 1).toString(16).padStart(32, '0')
  node(1, `${base}/jobgraphs/${id}`, pointer(`file:${storage}/submittedJobGraph${id.slice(0, 12)}`, 4242))
  node(2, `${base}/jobgraphs/${id}/locks`)
  node(1, `${base}/jobs/${id}`)
  node(2, `${base}/jobs/${id}/checkpoints`)
  node(2, `${base}/jobs/${id}/checkpoint_id_counter`, counter)
  for (let k = 1; k <= perJob; k++) {
    const name = String(k).padStart(19, '0')
    node(3, `${base}/jobs/${id}/checkpoints/${name}`, pointer(`file:${storage}/completedCheckpoint${(j * 1000 + k).toString(16).padStart(12, '0')}`, 1000 + k))
    node(4, `${base}/jobs/${id}/checkpoints/${name}/locks`)
  }
}
let n = 0
for (const level of levels)
  for (let i = 0; i < level.length; i += 1000) {
    await batch(level.slice(i, i + 1000))
    n += Math.min(1000, level.length - i)
  }
console.log(n + parts.length)
zk.close()
