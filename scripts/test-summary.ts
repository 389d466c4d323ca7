/** The counts and the failed tests' names from vitest's and Playwright's JSON reports (either may be missing). */
export interface TestSummary {
  passed: number;
  failed: number;
  failedNames: string[];
}

// The reports' shapes, as far as this reads them (vitest's `--reporter=json`, Playwright's `json` reporter).
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults?: { name: string; status: string; message?: string; assertionResults?: { status: string; fullName: string }[] }[];
}
interface PlaywrightSuite {
  title: string;
  specs?: { title: string; file: string; line: number; tests?: { status: string }[] }[];
  suites?: PlaywrightSuite[];
}
interface PlaywrightReport {
  stats: { expected: number; flaky: number; unexpected: number };
  suites?: PlaywrightSuite[];
}

export function summarizeReports(unit: VitestReport | undefined, e2e: PlaywrightReport | undefined, root = process.cwd()): TestSummary {
  let passed = 0;
  let failed = 0;
  const failedNames: string[] = [];
  if (unit) {
    passed += unit.numPassedTests;
    failed += unit.numFailedTests;
    for (const file of unit.testResults ?? []) {
      const name = file.name.replace(`${root}/`, '');
      const tests = file.assertionResults ?? [];
      for (const test of tests) if (test.status === 'failed') failedNames.push(`unit: ${name} › ${test.fullName}`);
      // A file that failed to load has no tests, only its message.
      if (file.status === 'failed' && tests.length === 0) failedNames.push(`unit: ${name} (${(file.message ?? '').slice(0, 300)})`);
    }
  }
  if (e2e) {
    passed += e2e.stats.expected + e2e.stats.flaky;
    failed += e2e.stats.unexpected;
    const visit = (suite: PlaywrightSuite, path: string[]) => {
      for (const spec of suite.specs ?? []) {
        for (const test of spec.tests ?? []) {
          if (test.status === 'unexpected') failedNames.push(`browser: ${[...path, spec.title].filter(Boolean).join(' › ')} (${spec.file}:${spec.line})`);
        }
      }
      for (const child of suite.suites ?? []) visit(child, [...path, child.title]);
    };
    // The top suites are the spec files, which file:line names already.
    for (const suite of e2e.suites ?? []) visit(suite, []);
  }
  return { passed, failed, failedNames };
}
