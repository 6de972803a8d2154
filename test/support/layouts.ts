import type {Inventory} from '../../src/backends/types.js'
import {ZooKeeperLayout} from '../../src/backends/zookeeper/layout.js'
import type {StateHandleInventory} from '../../src/model/ha.js'

/** The ZooKeeper layout with high-availability.zookeeper.path.jobgraphs configured as `jobGraphsPath`. */
export function zkLayout(inv: Inventory, jobGraphsPath?: string, executionPlansPath?: string): ZooKeeperLayout {
  const r = (value: string) => ({value, source: {kind: 'flag' as const, name: 'test'}})
  return new ZooKeeperLayout({
    clusterPath: inv.root,
    jobGraphs: jobGraphsPath === undefined ? undefined : r(jobGraphsPath),
    executionPlans: executionPlansPath === undefined ? undefined : r(executionPlansPath),
  })
}

export function zkStateHandleInventory(inv: Inventory, jobGraphsPath?: string): StateHandleInventory {
  return zkLayout(inv, jobGraphsPath).stateHandles(inv)
}
