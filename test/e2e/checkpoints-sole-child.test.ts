import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {haadm} from '../support/cli.js'
import {pointer} from '../support/java-bytes.js'
import {tempDirs} from '../support/temp.js'
import {zooKeeperForFile} from '../support/zk-server.js'

// The state-handle scan reads an entry's one child by name as its `locks` node (the layout's soleChild
// hint) instead of listing it first. Whatever the entry's children are (a locks node with holders, a
// pre-1.15 lock of another name, locks and another child, none), the records must be those of an
// export, which lists every node.

const env = zooKeeperForFile()

const tempDir = tempDirs('haadm-sole-child-')
const A = 'a'.repeat(32)
const B = 'b'.repeat(32)
const CP = (n: number) => String(n).padStart(19, '0')

describe('checkpoints and plans with entries of every shape of children', () => {
  it('gives the same records from a live scan as from an export', async () => {
    const root = '/flink/sole'
    const data = (n: string) => Buffer.from(pointer(`file:/ha/sole/${n}`, 42))
    const nodes: Array<[string, Buffer?]> = [
      [`jobgraphs/${A}`, data('submittedJobGraphA')],
      [`jobgraphs/${A}/locks`],
      [`jobgraphs/${A}/locks/11111111-2222-3333-4444-555555555555`],
      [`jobgraphs/${B}`, data('submittedJobGraphB')], // marked for deletion: no child
      [`jobs/${A}/checkpoints/${CP(1)}`, data('cp1')],
      [`jobs/${A}/checkpoints/${CP(1)}/locks`],
      [`jobs/${A}/checkpoints/${CP(1)}/locks/holder-1`],
      [`jobs/${A}/checkpoints/${CP(2)}`, data('cp2')],
      [`jobs/${A}/checkpoints/${CP(2)}/6a1d0c7e-pre-1.15-lock`], // one child, not named locks
      [`jobs/${A}/checkpoints/${CP(3)}`, data('cp3')],
      [`jobs/${A}/checkpoints/${CP(3)}/locks`],
      [`jobs/${A}/checkpoints/${CP(3)}/stray`], // two children
      [`jobs/${A}/checkpoints/${CP(4)}`, data('cp4')], // marked for deletion
      [`jobs/${A}/checkpoints/${CP(5)}`, data('cp5')],
      [`jobs/${A}/checkpoints/${CP(5)}/locks`], // locked by nobody
    ]
    for (const [key, bytes] of nodes) await env.client.create(`${root}/${key}`, bytes ?? '')

    const q = ['--zk-quorum', env.zk.connectString, '--cluster-id', '/sole']
    const file = join(tempDir(), 'sole.json')
    const exported = await haadm(['export', ...q, '-o', file])
    expect(exported.code, exported.stderr).toBe(0)
    for (const command of ['checkpoints', 'plans']) {
      const live = await haadm([command, ...q, '--json'])
      const fromExport = await haadm([command, '--snapshot', file, '--json'])
      expect(live.code, live.stderr).toBe(0)
      expect(fromExport.code, fromExport.stderr).toBe(0)
      const {scannedAt: _a, backend: _b, ...got} = live.json.result
      const {scannedAt: _c, backend: _d, ...want} = fromExport.json.result
      expect(got, command).toEqual(want)
    }
    const report = (await haadm(['checkpoints', ...q, '--json'])).json.result
    const cps = report.jobs.find((j: any) => j.jobId === A).checkpoints
    expect(cps.map((c: any) => [c.checkpointId, c.markedForDeletion, c.locks.count])).toEqual([
      [1, false, 1],
      [2, false, 1],
      [3, false, 0],
      [4, true, 0],
      [5, false, 0],
    ])
  })
})
