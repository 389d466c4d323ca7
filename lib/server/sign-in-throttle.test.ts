import { describe, expect, it } from 'vitest';
import { useTestApp, jsonRequest } from './testing/route-test-helpers';
import { respondToSignIn } from './account-endpoints';

const adminPassword = 'correct horse battery';

describe('POST /api/session against password guessing', () => {
  it('refuses a username with 429 after ten wrong passwords, even the right one, and says when to try again', async () => {
    useTestApp({ ADMIN_PASSWORD: adminPassword, ADMIN_USERNAME: 'throttled-admin' });
    const signIn = (password: string) => respondToSignIn(jsonRequest('/api/session', { username: 'throttled-admin', password }));

    for (let attempt = 1; attempt <= 10; attempt += 1) expect((await signIn(`wrong guess ${attempt}`)).status).toBe(401);
    const refused = await signIn(adminPassword);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(60);
    expect((await refused.json()).error).toMatch(/Too many wrong passwords.*try again in \d+ minutes/);
    expect(refused.headers.get('set-cookie')).toBeNull();
  });

  it('forgets the wrong tries once the right password is given', async () => {
    useTestApp({ ADMIN_PASSWORD: adminPassword, ADMIN_USERNAME: 'forgiven-admin' });
    const signIn = (password: string) => respondToSignIn(jsonRequest('/api/session', { username: 'forgiven-admin', password }));
    for (let attempt = 1; attempt <= 9; attempt += 1) expect((await signIn(`wrong guess ${attempt}`)).status).toBe(401);
    expect((await signIn(adminPassword)).status).toBe(200);
    for (let attempt = 1; attempt <= 9; attempt += 1) expect((await signIn(`wrong again ${attempt}`)).status).toBe(401);
    expect((await signIn(adminPassword)).status).toBe(200);
  });
});
