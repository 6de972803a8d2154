/**
 * Durations as Flink's `TimeUtils.parseDuration` accepts them: a number, optional white space and
 * an optional unit; no unit means milliseconds (the 1.x int options such as
 * `high-availability.zookeeper.client.session-timeout: 60000` keep working in 2.x this way).
 */
const UNITS: Array<[string[], number]> = [
  [['ns', 'nano', 'nanos', 'nanosecond', 'nanoseconds'], 1e-6],
  [['µs', 'micro', 'micros', 'microsecond', 'microseconds'], 1e-3],
  [['ms', 'milli', 'millis', 'millisecond', 'milliseconds'], 1],
  [['s', 'sec', 'secs', 'second', 'seconds'], 1000],
  [['min', 'm', 'minute', 'minutes'], 60_000],
  [['h', 'hour', 'hours'], 3_600_000],
  [['d', 'day', 'days'], 86_400_000],
]

/** Returns milliseconds, or undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zµ]*)\s*$/i.exec(text)
  if (!m) return undefined
  const amount = Number(m[1])
  const unit = m[2].toLowerCase()
  if (unit === '') return amount
  for (const [names, factor] of UNITS) if (names.includes(unit)) return amount * factor
  return undefined
}
