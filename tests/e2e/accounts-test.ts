import { request as playwrightRequest, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { accountsServer } from './accounts-server';
import { expect, test as base } from './base-test';
import { cancelActiveBatches } from './helpers';
import { GeneratorPage } from './pages/generator-page';

export interface TestUser {
  id: string;
  username: string;
  password: string;
  role: 'admin' | 'user';
}

interface AccountFixtures {
  /** An API client signed in as the admin (from ADMIN_PASSWORD): it sees every batch and manages users. */
  admin: APIRequestContext;
  /** Creates a user (through the admin), named `${name}-<unique>`, so reruns never collide. */
  createUser: (name: string, options?: { role?: 'admin' | 'user'; quota?: Record<string, unknown> }) => Promise<TestUser>;
  /** An API client signed in as `user` (the session cookie, like a browser's). */
  signedInRequest: (user: Pick<TestUser, 'username' | 'password'>) => Promise<APIRequestContext>;
  /** A browser of its own, signed in as `user`, on the generator page. */
  openAs: (user: Pick<TestUser, 'username' | 'password'>) => Promise<{ context: BrowserContext; page: Page; generator: GeneratorPage }>;
}

export const adminCredentials = { username: accountsServer.adminUsername, password: accountsServer.adminPassword };

/** Signs `context` (an API client or a browser's `page.request`) in: the cookie is kept in it. */
export async function signIn(context: APIRequestContext, user: Pick<TestUser, 'username' | 'password'>): Promise<void> {
  const response = await context.post('/api/session', { data: { username: user.username, password: user.password } });
  expect(response.status(), `signing in as ${user.username}`).toBe(200);
}

let userCount = 0;

/**
 * The specs of the server with accounts (`accountsServer`): every request goes there. Each test
 * ends with no batch running (the admin cancels what is left) and no console error in the page.
 */
export const test = base.extend<AccountFixtures>({
  baseURL: async ({}, use) => {
    await use(accountsServer.baseURL);
  },
  admin: async ({}, use) => {
    const context = await playwrightRequest.newContext({ baseURL: accountsServer.baseURL });
    await signIn(context, adminCredentials);
    await use(context);
    await context.dispose();
  },
  // The signed-out `request` of base-test cannot list batches here: the admin cleans up instead
  // (an override keeps the fixture automatic).
  idleQueue: async ({ admin }, use) => {
    await use();
    await cancelActiveBatches(admin);
  },
  createUser: async ({ admin }, use) => {
    await use(async (name, { role = 'user', quota } = {}) => {
      userCount += 1;
      const username = `${name}-${process.pid}-${userCount}`;
      const password = `${name} password ${userCount}`;
      const response = await admin.post('/api/users', { data: { username, password, role, ...(quota ? { quota } : {}) } });
      expect(response.status(), `creating ${username}`).toBe(201);
      const { id } = (await response.json()) as { id: string };
      return { id, username, password, role };
    });
  },
  signedInRequest: async ({}, use) => {
    const contexts: APIRequestContext[] = [];
    await use(async (user) => {
      const context = await playwrightRequest.newContext({ baseURL: accountsServer.baseURL });
      contexts.push(context);
      await signIn(context, user);
      return context;
    });
    for (const context of contexts) await context.dispose();
  },
  openAs: async ({ browser, consoleProblems }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (user) => {
      const { context, page } = await newSignedInPage(browser, user);
      contexts.push(context);
      // The other browsers' console errors fail the test too.
      page.on('console', (message) => {
        if (message.type() === 'error') consoleProblems.push(`console.error (${user.username}): ${message.text()}`);
      });
      page.on('pageerror', (error) => consoleProblems.push(`pageerror (${user.username}): ${error.message}`));
      const generator = new GeneratorPage(page);
      await generator.goto();
      return { context, page, generator };
    });
    for (const context of contexts) await context.close();
  },
});

async function newSignedInPage(browser: Browser, user: Pick<TestUser, 'username' | 'password'>): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: accountsServer.baseURL, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await signIn(page.request, user);
  return { context, page };
}

export { expect };
