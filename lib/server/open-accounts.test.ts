import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '@/lib/store';
import { accountSettingsFrom, openAccounts } from './accounts';

let store: Store | undefined;
let directory: string | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await store?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
  store = undefined;
  directory = undefined;
});

async function freshStore(): Promise<Store> {
  directory = await mkdtemp(join(tmpdir(), 'imagegen-accounts-'));
  store = await openStore({ dataDirectory: directory });
  return store;
}

/** The events logged (LOG_LEVEL is not silent here: the log line is the point). */
function loggedEvents(): () => string[] {
  vi.stubEnv('LOG_LEVEL', 'info');
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  return () => log.mock.calls.map(([line]) => JSON.parse(String(line)).event as string);
}

describe('openAccounts at start, with no user yet', () => {
  it('a web process logs a one-time setup link on its port', async () => {
    const events = loggedEvents();
    const accounts = await openAccounts((await freshStore()).accounts, accountSettingsFrom({}), { port: '3600' });
    expect(accounts.setupSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(events()).toEqual(['setup-link']);
    expect(String(vi.mocked(console.log).mock.calls[0]![0])).toContain('http://127.0.0.1:3600/setup?token=');
  });

  it('a worker (no HTTP) logs no setup link, which would lead nowhere', async () => {
    const events = loggedEvents();
    const accounts = await openAccounts((await freshStore()).accounts, accountSettingsFrom({}), { servesHttp: false });
    expect(accounts.setupSecret()).toBeUndefined();
    expect(events()).toEqual([]);
  });

  it('a worker still creates the admin from ADMIN_PASSWORD', async () => {
    const events = loggedEvents();
    const opened = await freshStore();
    await openAccounts(opened.accounts, accountSettingsFrom({ ADMIN_PASSWORD: 'a long enough password' }), { servesHttp: false });
    expect(await opened.accounts.countUsers()).toBe(1);
    expect(events()).toEqual(['admin-created']);
  });
});
