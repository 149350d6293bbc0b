// Prints the plain closing line CI counts: "tests: N passed, M failed, K skipped". Skipped (and todo) tests are
// always counted apart, never as passed, so a capability that is missing shows up in the line.
// A suite that fails to load has no failed tests of its own, so it counts as one failure.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
