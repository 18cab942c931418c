import { appendFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

// CI reads a plain closing line "N passed, N failed, N skipped"; vitest's own summary has another shape.
// `npm test` (test/run-all.sh) runs the projects one after the other: each run appends its counts to
// CP_TEST_SUMMARY_FILE and run-all.sh prints the total at the end.
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of modules) {
      const tests = [...mod.children.allTests()];
      for (const test of tests) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load has no tests but is a failure all the same.
      if (mod.state() === 'failed' && tests.length === 0) failed++;
    }
    const file = process.env.CP_TEST_SUMMARY_FILE;
    if (file) appendFileSync(file, `${JSON.stringify({ passed, failed, skipped })}\n`);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
