import {layoutOf, withBackend} from '../backends/index.js'
import type {Target} from '../config/target.js'
import type {LeadersReport} from '../model/ha.js'

/** resolve → backend scan → the layout's leader records. */
export function readLeaders(target: Target): Promise<LeadersReport> {
  return withBackend(target, async (backend) => {
    const inv = await backend.scan()
    return layoutOf(inv, target).leaders(inv)
  })
}
