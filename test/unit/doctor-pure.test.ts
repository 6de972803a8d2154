import {describe, expect, it} from 'vitest'
import {atOrAbove} from '../../src/ops/doctor.js'
import {type RestoreCandidate, pick} from '../../src/ops/restore-point.js'

const J = '0123456789abcdef0123456789abcdef'
const c = (checkpointId: number, source: RestoreCandidate['source'], usable = true): RestoreCandidate => ({
  jobId: J,
  checkpointId,
  source,
  from: `${source}/${checkpointId}`,
  externalPointer: `s3://b/chk/${J}/chk-${checkpointId}`,
  metadataPath: null,
  metadata: usable ? 'found' : 'missing',
  usable,
  problem: usable ? null : 'no _metadata',
})

describe('restore-point choice (pure)', () => {
  it('an HA entry wins over a higher id elsewhere: Flink restores from its store', () => {
    const [j] = pick([c(7, 'storage-file'), c(5, 'ha-entry'), c(6, 'ha-entry', false)])
    expect(j!.chosen!.checkpointId).toBe(5)
    expect(j!.why).toContain('checkpoint 7 in a completedCheckpoint file in the storageDir is not in the HA store')
  })
  it('without a usable HA entry, the highest usable decoded id; unusable ones never win', () => {
    const [j] = pick([c(9, 'checkpoint-dir', false), c(8, 'storage-file'), c(3, 'checkpoint-dir')])
    expect(j!.chosen!.checkpointId).toBe(8)
    expect(j!.candidates.map((x) => x.checkpointId)).toEqual([9, 8, 3])
  })
  it('nothing usable: no choice, with the reason', () => {
    const [j] = pick([c(2, 'checkpoint-dir', false)])
    expect(j!.chosen).toBeNull()
    expect(j!.why).toBe('none of the 1 candidate(s) is usable: no _metadata')
  })
})

describe('--fail-on levels', () => {
  it('error trips only error; info trips everything', () => {
    expect([atOrAbove('error', 'error'), atOrAbove('warning', 'error'), atOrAbove('info', 'error')]).toEqual([true, false, false])
    expect([atOrAbove('error', 'warning'), atOrAbove('warning', 'warning'), atOrAbove('info', 'warning')]).toEqual([true, true, false])
    expect([atOrAbove('error', 'info'), atOrAbove('warning', 'info'), atOrAbove('info', 'info')]).toEqual([true, true, true])
  })
})
