/**
 * Runs `fn` over `items` with at most `limit` calls in flight and yields each result as soon as it
 * is ready (completion order). The source is pulled lazily, so an async iterable of any length
 * holds only `limit` items at a time. The first failure is thrown once the results before it are
 * yielded; calls still in flight then finish unobserved.
 */
export async function* mapConcurrent<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const it: AsyncIterator<T> | Iterator<T> =
    Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]()
  const bound = Math.max(1, Math.floor(limit))
  let ready: R[] = []
  let running = 0
  let done = false
  let failure: {error: unknown} | undefined
  let wake: (() => void) | undefined
  const settle = () => {
    running--
    const w = wake
    wake = undefined
    w?.()
  }
  try {
    for (;;) {
      // Results waiting to be yielded count against the bound too, so a fast `fn` cannot drain the source.
      while (!done && !failure && running + ready.length < bound) {
        const n = await it.next()
        if (n.done) {
          done = true
          break
        }
        running++
        fn(n.value).then(
          (v) => {
            ready.push(v)
            settle()
          },
          (error) => {
            failure ??= {error}
            settle()
          },
        )
      }
      if (ready.length > 0) {
        const batch = ready
        ready = []
        for (const r of batch) yield r
        continue
      }
      if (failure) throw failure.error
      if (done && running === 0) return
      // Nothing ready: wait for the next call to settle (no microtask runs between the checks and here).
      await new Promise<void>((resolve) => (wake = resolve))
    }
  } finally {
    if (!done) await it.return?.()
  }
}

/** Collects an async iterable into an array (for small results). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of items) out.push(x)
  return out
}
