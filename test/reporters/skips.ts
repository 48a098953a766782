/**
 * Ends every run with what was skipped and why (a skipped suite's title carries its reason, see
 * test/helpers/requirement.ts), then one plain closing line: `tests: N passed, N failed, N skipped`.
 * A file that failed before any test ran counts as one failure.
 */
import type { Reporter, TestModule } from "vitest/node";

export default class SkipsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    for (const module of testModules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === "passed") passed++;
        else if (result.state === "failed") failedHere++;
        else if (result.state === "skipped")
          skipped.push(
            `  ${module.project.name} ${module.relativeModuleId} > ${test.fullName}${result.note ? ` (${result.note})` : ""}`,
          );
      }
      failed += failedHere || (module.errors().length > 0 ? 1 : 0);
    }
    const out = process.stdout;
    out.write(
      skipped.length === 0
        ? "\nSkipped: none\n"
        : `\nSkipped (${skipped.length}):\n${skipped.join("\n")}\n`,
    );
    out.write(`tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
  }
}
