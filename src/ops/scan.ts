import {layoutOf, targetLayout, withBackend} from '../backends/index.js'
import type {Target} from '../config/target.js'
import type {LeadersReport} from '../model/ha.js'

/** resolve → backend scan (only what leader records need) → the layout's leader records. */
export function readLeaders(target: Target): Promise<LeadersReport> {
  return withBackend(target, async (backend) => {
    const inv = await backend.scan({read: targetLayout(target).reads({command: 'leaders'})})
    return layoutOf(inv, target).leaders(inv)
  })
}
