/** Flink's `ZooKeeperUtils.generateZookeeperPath`: trim each part's slashes, drop empty parts, join under `/`. */
export function generateZookeeperPath(...parts: string[]): string {
  return '/' + parts.map(trimSlashes).filter((p) => p.length > 0).join('/')
}

function trimSlashes(s: string): string {
  let left = 0
  let right = s.length - 1
  while (left <= right && s[left] === '/') left++
  while (right >= left && s[right] === '/') right--
  return s.slice(left, right + 1)
}

/** Joins a child onto an absolute znode path. */
export function zkJoin(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`
}
