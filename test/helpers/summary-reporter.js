/**
 * Ends the run with one plain line, `N passed, N failed, N skipped`, that any CI log reader
 * understands (jest's own summary is spread over several lines).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    // A suite that could not run at all (syntax error, failing beforeAll) counts as a failure.
    const failed = numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = numPendingTests + numTodoTests;
    process.stdout.write(`\n${numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

module.exports = SummaryReporter;
