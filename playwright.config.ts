import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { accountsServer } from './tests/e2e/accounts-server';
import { e2ePorts } from './tests/e2e/ports';

const port = e2ePorts.main;

/**
 * The server's DATA_DIR (SQLite + images): fresh for every run, and outside test-results/, which
 * Playwright empties. Workers load this file too; only the runner, before the server starts, clears it.
 */
const dataDirectory = resolve('.e2e-data');
if (process.env.TEST_WORKER_INDEX === undefined) {
  rmSync(dataDirectory, { recursive: true, force: true });
  rmSync(accountsServer.dataDirectory, { recursive: true, force: true });
}

/** What both servers run with: the demo provider, quick and deterministic. */
const demoEnv = {
  // next's `#!/usr/bin/env node` must find the project's Node 24, not an older global one.
  PATH: `${resolve('node_modules/.bin')}:${process.env.PATH ?? ''}`,
  IMAGE_PROVIDER: 'demo',
  DEMO_LATENCY_MS: '400',
  DEMO_FAIL_INDEXES: '2',
  DEMO_FAIL_PROMPT_MATCH: '[fail]',
  PACING_MIN_INTERVAL_MS: '100',
  RETRY_MAX_ATTEMPTS: '1',
  LOG_LEVEL: 'silent',
  NEXT_TELEMETRY_DISABLED: '1',
  // Webhooks to a receiver on this machine (webhooks.spec.ts), retried soon.
  WEBHOOK_ALLOW_PRIVATE: '1',
  WEBHOOK_RETRY_DELAYS_MS: '10000,2000',
};

/** `next start` on a port (the build is shared). */
function startCommand(serverPort: number): string {
  // Idle connections kept longer than the test client keeps them (Node's agent: 5 s), so the
  // server never closes a socket just as the client reuses it (ECONNRESET, "socket hang up").
  return `node_modules/.bin/next start -H 127.0.0.1 -p ${serverPort} --keepAliveTimeout 65000`;
}

/**
 * Browser tests against the production build (`next build` first) on the offline demo provider, in
 * Debian's Chromium (Playwright never downloads a browser here). The demo fails image 2 with
 * "Blocked by the safety filter" only for prompts containing "[fail]"; one attempt per image, so a
 * failure is final (and fails again, deterministically, when retried).
 */
export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: Boolean(process.env.CI),
  // The JSON report is read by scripts/run-tests.ts (not under test-results/, which Playwright empties).
  reporter: [['list'], ['json', { outputFile: 'test-reports/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    ...devices['Desktop Chrome'],
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      // Without accounts: one person on this machine (every spec but the accounts-*.spec.ts ones).
      command: startCommand(port),
      url: `http://127.0.0.1:${port}`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { ...demoEnv, DATA_DIR: dataDirectory },
    },
    {
      // With accounts (the accounts-*.spec.ts specs): the admin from ADMIN_PASSWORD, users made by the tests.
      command: startCommand(accountsServer.port),
      url: accountsServer.baseURL,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        ...demoEnv,
        DATA_DIR: accountsServer.dataDirectory,
        ADMIN_USERNAME: accountsServer.adminUsername,
        ADMIN_PASSWORD: accountsServer.adminPassword,
      },
    },
  ],
});
