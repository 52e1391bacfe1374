/**
 * A jest reporter that names every test that did not run (skipped or todo), with its file, after the summary.
 * Tests gated on a tool this machine lacks carry the reason in their title (test/support/runs-when.ts).
 */
class SkipReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const relative = (file) => (file.startsWith(`${this.rootDir}/`) ? file.slice(this.rootDir.length + 1) : file);
    const skipped = [];
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
          skipped.push(`  - ${relative(file.testFilePath)} › ${t.fullName}`);
        }
      }
    }
    if (skipped.length === 0) return;
    process.stderr.write(`\n${skipped.length} test${skipped.length === 1 ? '' : 's'} did NOT run on this machine:\n${skipped.join('\n')}\n\n`);
  }
}
module.exports = SkipReporter;
