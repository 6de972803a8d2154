/**
 * Orders strings by UTF-16 code unit, as `<` does: for ids and names, in place of localeCompare. The first
 * localeCompare of a run builds ICU's collator (5-20 ms of a short command), and its order follows the
 * user's locale (LANG=da_DK sorts "aa" after "z"), which a tool read by scripts should not. For what is
 * sorted with it (hex job ids, Kubernetes names of [a-z0-9.-], ZooKeeper latch paths of lower-case
 * letters, digits, '/' and '_') the order is localeCompare's in English (test/unit/order.test.ts); not
 * for labels with '+' and '-' (layouts), where the two differ. Pure.
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

const plain = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a)

/**
 * localeCompare's order in English without ICU when the two strings first differ at a digit or
 * lower-case letter (they agree up to there, so the first primary difference is there, and digits and
 * lower-case letters have the same order in both): Flink's keys (`jobGraph-<id>`, `checkpointID-<n>`)
 * differ in their ids. Other strings go to localeCompare. Pure.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  let i = 0
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++
  if (i === n) return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
  const x = a.charCodeAt(i)
  const y = b.charCodeAt(i)
  return plain(x) && plain(y) ? (x < y ? -1 : 1) : a.localeCompare(b)
}
