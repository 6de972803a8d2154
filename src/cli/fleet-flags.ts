import {Flags} from '@oclif/core'
import {allNamespacesFlag} from '../backends/kubernetes/flags.js'

/** The selection flags of the commands over many clusters: `clusters` and `cleanup --all-dead`. */
export const fleetFlags = {
  'older-than': Flags.string({summary: 'Only clusters whose last change is at least this old (e.g. 90 min, 12 h, 7 d).', helpGroup: 'SELECTION'}),
  match: Flags.string({summary: 'Only cluster ids matching this glob (* ? [...]; the leading / of a ZooKeeper id is optional).', helpGroup: 'SELECTION'}),
  ...allNamespacesFlag,
}
