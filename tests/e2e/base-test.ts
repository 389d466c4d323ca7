import { test as base, expect } from '@playwright/test';
import { GeneratorPage } from './pages/generator-page';
import { cancelActiveBatches } from './helpers';

interface Fixtures {
  generator: GeneratorPage;
  /** Console errors matching one of these are expected by the test (e.g. a deliberate HTTP 400). */
  allowConsoleErrors: (pattern: RegExp) => void;
  /** Requests the page sent to start a batch: the classic generate routes (never, now) and POST /api/batches. */
  generateRequests: string[];
}

/** Every test fails on a console error or an uncaught exception in the page. */
export const test = base.extend<Fixtures & { consoleProblems: string[]; idleQueue: void }>({
  // The server (and its saved batches) is shared by every test: none leaves a batch running.
  idleQueue: [
    async ({ request }, use) => {
      await use();
      await cancelActiveBatches(request);
    },
    { auto: true },
  ],
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      await use(problems);
    },
    { auto: true },
  ],
  allowConsoleErrors: [
    async ({ consoleProblems }, use) => {
      const allowed: RegExp[] = [];
      await use((pattern) => allowed.push(pattern));
      const unexpected = consoleProblems.filter((problem) => !allowed.some((pattern) => pattern.test(problem)));
      expect(unexpected, 'console errors or uncaught exceptions in the page').toEqual([]);
    },
    { auto: true },
  ],
  generateRequests: async ({ page }, use) => {
    const requests: string[] = [];
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      const isStart = pathname.startsWith('/api/generate') || (pathname === '/api/batches' && request.method() === 'POST');
      if (isStart) requests.push(`${request.method()} ${pathname}`);
    });
    await use(requests);
  },
  generator: async ({ page }, use) => {
    await use(new GeneratorPage(page));
  },
});

export { expect };
