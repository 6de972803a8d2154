import {withBackend} from '../backends/index.js'
import type {Target} from '../config/target.js'
import {type LeadersReport, leaderRecords} from './leaders.js'

/** resolve → backend scan → pure decode: the leaders of one cluster. */
export function readLeaders(target: Target): Promise<LeadersReport> {
  return withBackend(target, async (backend) => leaderRecords(await backend.scan()))
}
