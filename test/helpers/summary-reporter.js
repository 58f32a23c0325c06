/**
 * Ends the run with one plain line, `N passed, N failed, N skipped`, that any CI log reader
 * understands (jest's own summary is spread over several lines). Above it, the slowest test files
 * with their wall time, to see where a run's minutes go.
 */
const SLOWEST_SHOWN = 8;

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const files = results.testResults
      .filter((r) => r.perfStats && r.perfStats.end > 0)
      .map((r) => ({ file: r.testFilePath.replace(`${this.rootDir}/`, ''), seconds: (r.perfStats.end - r.perfStats.start) / 1000 }))
      .sort((a, b) => b.seconds - a.seconds);
    if (files.length > 1) {
      const lines = files.slice(0, SLOWEST_SHOWN).map((f) => `  ${f.seconds.toFixed(1).padStart(6)} s  ${f.file}`);
      process.stdout.write(`\nSlowest test files:\n${lines.join('\n')}\n`);
    }
    // A suite that could not run at all (syntax error, failing beforeAll) counts as a failure.
    const failed = numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = numPendingTests + numTodoTests;
    process.stdout.write(`\n${numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

module.exports = SummaryReporter;
