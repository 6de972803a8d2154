/**
 * The run's overall deadline (`--timeout`, HAADM_TIMEOUT): every network call of a run is bounded
 * by it, on top of its own connect and request timeouts, so that a server that stops answering
 * ends the run within the deadline (exit 3 when nothing was removed, 5 when something was).
 *
 * Writes are not sent once the deadline has passed; once a write was sent, reads get READ_GRACE_MS
 * more, so that the check after a removal cut short can still list what remains.
 *
 * Time spent waiting for the user (the confirmation prompt of a cleanup) does not count: the
 * prompt pauses the deadline. Unset (the default) means no overall bound: each request still has
 * its connect and request timeouts.
 */
import {parseDurationMs} from './config/duration.js'
import {usageError} from './errors.js'

/** How far past the deadline a read may still go. */
export const READ_GRACE_MS = 5_000

let deadlineAt: number | undefined
let timeoutMs: number | undefined
let pausedAt: number | undefined

/** `--timeout` (or HAADM_TIMEOUT) as given: a Flink-style duration (`30 s`, `2 min`, `90000`). */
export function setRunTimeout(text: string | undefined, source: string): void {
  if (text === undefined || text.trim() === '') {
    deadlineAt = timeoutMs = undefined
    arm()
    return
  }
  const ms = parseDurationMs(text)
  if (ms === undefined || !(ms > 0))
    throw usageError(`${source} ${JSON.stringify(text)} is not a positive duration`, 'Give a duration such as 30s, 2min or 90000 (milliseconds).')
  timeoutMs = ms
  deadlineAt = Date.now() + ms
  arm()
}

/** Sets the deadline in milliseconds from now (tests, benchmarks); undefined clears it. */
export function setDeadlineIn(ms: number | undefined): void {
  timeoutMs = ms
  deadlineAt = ms === undefined ? undefined : Date.now() + ms
  arm()
}

/**
 * Milliseconds left before the deadline (never negative); Infinity without one. `graceMs` moves
 * the deadline later: reads get a few seconds past it, so that a run cut short can still say
 * what remains.
 */
export function remainingMs(graceMs = 0): number {
  if (deadlineAt === undefined) return Number.POSITIVE_INFINITY
  const now = pausedAt ?? Date.now()
  return Math.max(0, deadlineAt + graceMs - now)
}

/** The deadline as given, for messages: `30 s`. */
export function timeoutText(): string {
  return timeoutMs === undefined ? 'none' : timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`
}

/** Stops the clock (while the user is asked); the returned function starts it again. */
export function pauseDeadline(): () => void {
  if (deadlineAt === undefined || pausedAt !== undefined) return () => {}
  pausedAt = Date.now()
  return () => {
    if (pausedAt === undefined || deadlineAt === undefined) return
    deadlineAt += Date.now() - pausedAt
    pausedAt = undefined
  }
}

// ---- the last resort ----

/** How far past the deadline a run may go before the watchdog ends it. */
export const OVERRUN_MS = READ_GRACE_MS + 5_000

let wroteSomething = false
let watchdog: NodeJS.Timeout | undefined
let onOverrun: ((wrote: boolean) => void) | undefined

/** Called before anything is removed or changed: a run the watchdog ends then exits 5, not 3. */
export function noteWrite(): void {
  wroteSomething = true
}

/**
 * What to do when the run is still going OVERRUN_MS after its deadline (a client without a bound
 * of its own: the ZooKeeper C client's requests, a storage call): print what is known and exit
 * (3, or 5 once something was written). The timer never keeps the process alive.
 */
export function onDeadlineOverrun(fn: (wrote: boolean) => void): void {
  onOverrun = fn
  arm()
}

function arm(): void {
  if (watchdog) clearTimeout(watchdog)
  watchdog = undefined
  if (deadlineAt === undefined || !onOverrun) return
  watchdog = setTimeout(() => {
    watchdog = undefined
    // paused (a prompt) or moved: look again later
    if (pausedAt !== undefined || remainingMs(OVERRUN_MS) > 0) arm()
    else onOverrun?.(wroteSomething)
  }, Math.max(remainingMs(OVERRUN_MS), 1000))
  watchdog.unref()
}
