// Prints the plain closing line CI reads: "tests: N passed, N failed, N skipped".
import {readFileSync} from 'node:fs'

const file = process.argv[2]
let report
try {
  report = JSON.parse(readFileSync(file, 'utf8'))
} catch (err) {
  console.log('tests: 0 passed, 1 failed')
  console.error(`no test report at ${file}: ${err.message}`)
  process.exit(1)
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
// A suite that failed to load counts as a failure even when no test in it ran.
const failedSuites = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length
const failed = report.numFailedTests + failedSuites
console.log(`tests: ${report.numPassedTests} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || report.numTotalTests === 0 ? 1 : 0)
