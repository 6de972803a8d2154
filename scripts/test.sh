#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every test (unit and end-to-end against a
# real ZooKeeper started on 127.0.0.1), and ends with one summary line: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
npm run --silent build
mkdir -p .cache
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json "$@" || status=$?
node scripts/test-summary.mjs .cache/vitest-report.json || status=1
exit "$status"
