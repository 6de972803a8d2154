#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every test (unit and end-to-end against a
# real ZooKeeper started on 127.0.0.1), and ends with one summary line: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
npm run --silent build
mkdir -p .cache
status=0
# The tests are type-checked too (the build covers src/ and commands/ only); the suite runs either way.
if ! npx tsc -p tsconfig.test.json; then
  echo "type errors in the tests (npx tsc -p tsconfig.test.json): the run fails" >&2
  status=1
fi
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json "$@" || status=$?
node scripts/test-summary.mjs .cache/vitest-report.json || status=1
exit "$status"
