import { describe, expect, it } from 'vitest';
import { summarizeReports } from './test-summary';

describe('summarizeReports', () => {
  it('sums both reports and names every failed test, unit and browser', () => {
    const unit = {
      numPassedTests: 3,
      numFailedTests: 1,
      testResults: [
        { name: '/repo/lib/a.test.ts', status: 'failed', assertionResults: [{ status: 'passed', fullName: 'a works' }, { status: 'failed', fullName: 'a breaks' }] },
        { name: '/repo/lib/b.test.ts', status: 'failed', message: 'Cannot find module x', assertionResults: [] },
      ],
    };
    const e2e = {
      stats: { expected: 5, flaky: 1, unexpected: 2 },
      suites: [
        { title: 'gallery.spec.ts', specs: [{ title: 'fills the width', file: 'gallery.spec.ts', line: 12, tests: [{ status: 'unexpected' }] }], suites: [
          { title: 'on a phone', specs: [{ title: 'no overlap', file: 'gallery.spec.ts', line: 40, tests: [{ status: 'unexpected' }] }] },
        ] },
      ],
    };
    expect(summarizeReports(unit, e2e, '/repo')).toEqual({
      passed: 9,
      failed: 3,
      failedNames: [
        'unit: lib/a.test.ts › a breaks',
        'unit: lib/b.test.ts (Cannot find module x)',
        'browser: fills the width (gallery.spec.ts:12)',
        'browser: on a phone › no overlap (gallery.spec.ts:40)',
      ],
    });
  });

  it('counts nothing from a missing report', () => {
    expect(summarizeReports(undefined, undefined)).toEqual({ passed: 0, failed: 0, failedNames: [] });
  });
});
