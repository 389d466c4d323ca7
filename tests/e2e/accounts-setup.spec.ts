import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { resolve } from 'node:path';
import { expect, test as base } from './base-test';
import { e2ePorts } from './ports';

/**
 * A server of its own, started without accounts and without ADMIN_PASSWORD: it logs a one-time
 * setup link. Opening it creates the admin in the page, which turns accounts on; the link then
 * says the server is set up. (Like real-provider-picker.spec.ts, on a port of its own.)
 */
const port = e2ePorts.accountsSetup;
const baseURL = `http://127.0.0.1:${port}`;
let dataDirectory: string | undefined;
let server: ChildProcess | undefined;
let serverOutput = '';

const test = base.extend({
  baseURL: async ({}, use) => {
    await use(baseURL);
  },
  // Nothing runs here, and the server goes with the file: no clean-up through the (soon signed-out) API.
  idleQueue: async ({}, use) => {
    await use();
  },
});

/** The `url` of the server's `setup-link` log line, once it has been written. */
function setupLinkFromLog(): string | undefined {
  for (const line of serverOutput.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { event?: string; url?: string };
      if (entry.event === 'setup-link' && entry.url) return entry.url;
    } catch {
      // Not a log line of ours.
    }
  }
  return undefined;
}

test.describe('the setup link of a server without accounts', () => {
  test.describe.configure({ mode: 'serial' });

  test.beforeAll(async () => {
    test.setTimeout(60_000);
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'imagegen-e2e-setup-'));
    const { ADMIN_PASSWORD: _password, PUBLIC_URL: _publicUrl, ALLOWED_HOSTS: _hosts, LOG_LEVEL: _level, ...env } = process.env;
    server = spawn('node_modules/.bin/next', ['start', '-H', '127.0.0.1', '-p', String(port)], {
      env: {
        ...env,
        PATH: `${resolve('node_modules/.bin')}:${process.env.PATH ?? ''}`,
        PORT: String(port),
        IMAGE_PROVIDER: 'demo',
        DEMO_LATENCY_MS: '100',
        DATA_DIR: dataDirectory,
        NEXT_TELEMETRY_DISABLED: '1',
      },
      // Its own process group, so that afterAll stops next and whatever it started.
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    server.stdout?.setEncoding('utf8');
    server.stdout?.on('data', (chunk: string) => {
      serverOutput += chunk;
    });
    await expect
      .poll(
        async () => {
          if (server?.exitCode !== null) throw new Error(`the setup test server exited with ${server?.exitCode}`);
          return fetch(`${baseURL}/api/session`).then(
            (response) => response.ok,
            () => false,
          );
        },
        { timeout: 45_000 },
      )
      .toBe(true);
  });

  test.afterAll(() => {
    if (server?.pid !== undefined && server.exitCode === null) process.kill(-server.pid, 'SIGTERM');
    server = undefined;
    if (dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
  });

  test('an incomplete or wrong link says so; the right one creates the admin, signs in and turns accounts on; then it is spent', async ({
    page,
    request,
    generator,
  }) => {
    expect(await (await request.get('/api/session')).json()).toMatchObject({ accounts: 'off' });
    await expect.poll(setupLinkFromLog).toMatch(new RegExp(`^${baseURL}/setup\\?token=`));
    const setupLink = setupLinkFromLog()!;

    await page.goto('/setup');
    await expect(page.getByTestId('setup-problem')).toContainText('This link has no token');
    await page.goto('/setup?token=not-the-token');
    await expect(page.getByTestId('setup-problem')).toContainText('This setup link is not valid');

    await page.goto(setupLink);
    const form = page.getByTestId('setup-form');
    await expect(form.getByRole('textbox', { name: 'Username' })).toBeFocused();
    await form.getByRole('textbox', { name: 'Username' }).fill('owner');
    await form.getByLabel(/^Password \(10/).fill('too short');
    await form.getByTestId('setup-button').click();
    await expect(form.locator('[data-testid="field-error"][data-field="password"]')).toHaveText('The password needs at least 10 characters.');
    await form.getByLabel(/^Password \(10/).fill('the owner password');
    await form.getByLabel('Password again').fill('the owner passwort');
    await form.getByTestId('setup-button').click();
    await expect(form.locator('[data-testid="field-error"][data-field="confirm"]')).toHaveText('The two passwords differ.');
    await form.getByLabel('Password again').fill('the owner password');
    mkdirSync('test-results/screenshots', { recursive: true });
    await page.screenshot({ path: 'test-results/screenshots/accounts-setup-desktop.png', animations: 'disabled' });

    const created = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/setup');
    await form.getByTestId('setup-button').click();
    expect((await created).status()).toBe(201);
    await expect(page).toHaveURL(/\/$/);
    await expect(generator.prompt).toBeFocused();
    await expect(page.getByTestId('account-username')).toHaveText('owner');

    // Accounts are on now: signed out is 401; the page's session is the admin.
    expect(await (await page.request.get('/api/session')).json()).toMatchObject({ accounts: 'on', user: { username: 'owner', role: 'admin' } });
    expect((await request.get('/api/batches')).status()).toBe(401);

    await page.goto(setupLink);
    await expect(page.getByTestId('setup-problem')).toContainText('already has its admin');
    expect((await request.post('/api/setup', { data: { token: new URL(setupLink).searchParams.get('token'), username: 'second', password: 'another long password' } })).status()).toBe(403);
  });
});
