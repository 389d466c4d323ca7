/**
 * `npm test`: typecheck, unit + route tests (vitest), production build, browser tests (Playwright in
 * Debian's Chromium), then one closing line "N passed, N failed" summed from both runners' JSON reports.
 * First makes sure Chromium is at /usr/bin/chromium (scripts/ensure-chromium.ts: installs it with
 * apt-get when root, else stops at once saying what to run). Test tools never download a browser
 * (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 for every step).
 * Runs every step even after a failure of the tests (so the summary is complete); exits non-zero if any failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { summarizeReports } from './test-summary.ts';

// Not under test-results/: Playwright empties that folder when it starts.
const reportsDirectory = 'test-reports';
const unitReport = `${reportsDirectory}/unit.json`;
const e2eReport = `${reportsDirectory}/e2e.json`;

const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };

function run(label: string, command: string, args: string[]): boolean {
  console.log(`\n== ${label}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  console.log(`== ${label}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.status === 0;
}

function readJson(path: string): any {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

rmSync(reportsDirectory, { recursive: true, force: true });
// A separate process (plain Node resolves no extensionless import); before the rest, so a machine
// without Chromium learns what to run in a second, not after the build.
if (!run('Chromium for the browser tests', process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', 'scripts/ensure-chromium.ts'])) {
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}
const bin = 'node_modules/.bin';
const steps: boolean[] = [];
steps.push(run('typecheck', `${bin}/tsc`, ['--noEmit', '-p', '.']));
steps.push(run('unit and route tests', `${bin}/vitest`, ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitReport}`]));
const isBuilt = run('build', `${bin}/next`, ['build']);
steps.push(isBuilt);
if (isBuilt) steps.push(run('browser tests', `${bin}/playwright`, ['test']));

const unit = readJson(unitReport);
const e2e = readJson(e2eReport);
const { passed, failed: failedTests, failedNames } = summarizeReports(unit, e2e);
let failed = failedTests;
// The failed tests' names, repeated at the very end: CI shows only the tail of a long log.
if (failedNames.length > 0) console.log(`\nFailed:\n${failedNames.map((name) => `- ${name}`).join('\n')}`);
const isGreen = steps.every(Boolean) && unit !== undefined && e2e !== undefined;
if (!isGreen && failed === 0) failed = 1; // a step that failed without a test report still counts as a failure
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(isGreen ? 0 : 1);
