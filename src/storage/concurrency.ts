/**
 * Runs `fn` over `items` with at most `limit` calls in flight and yields each result as soon as it
 * is ready (completion order). The source is pulled lazily, so an async iterable of any length
 * holds only `limit` items at a time.
 */
export async function* mapConcurrent<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const it = (Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : toAsync(items as Iterable<T>))
  const running = new Map<number, Promise<{id: number; value: R}>>()
  let nextId = 0
  let done = false
  const bound = Math.max(1, Math.floor(limit))
  try {
    for (;;) {
      while (!done && running.size < bound) {
        const n = await it.next()
        if (n.done) {
          done = true
          break
        }
        const id = nextId++
        running.set(
          id,
          fn(n.value).then((value) => ({id, value})),
        )
      }
      if (running.size === 0) return
      const {id, value} = await Promise.race(running.values())
      running.delete(id)
      yield value
    }
  } finally {
    // A consumer that stops early (or a failure) must not leave rejections unobserved.
    for (const p of running.values()) p.catch(() => undefined)
    if (!done) await it.return?.()
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items
}

/** Collects an async iterable into an array (for small results). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of items) out.push(x)
  return out
}
