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
