import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end suites share one ZooKeeper server per file; keep files in parallel, tests in order.
    fileParallelism: true,
    pool: 'forks',
  },
})
