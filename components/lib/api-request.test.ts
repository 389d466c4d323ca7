import { afterEach, describe, expect, it, vi } from 'vitest';
import { readApiError, send } from './api-request';

describe('readApiError', () => {
  it('keeps the field of a 400 about an option', async () => {
    const response = Response.json({ error: 'quality "ultra" is not available', field: 'quality' }, { status: 400 });
    expect(await readApiError(response)).toEqual({ status: 400, message: 'quality "ultra" is not available', field: 'quality' });
  });
});

describe('send', () => {
  const assign = vi.fn();

  function answer(status: number, body: unknown) {
    vi.stubGlobal('fetch', vi.fn(async () => Response.json(body, { status })));
    vi.stubGlobal('window', { location: { pathname: '/', assign } });
  }

  afterEach(() => {
    vi.unstubAllGlobals();
    assign.mockReset();
  });

  it('sends the person to the sign-in page on a 401 (the session ended)', async () => {
    answer(401, { error: 'Sign in first' });
    expect(await send('/api/batches', { method: 'POST' })).toMatchObject({ ok: false, status: 401 });
    expect(assign).toHaveBeenCalledWith('/sign-in');
  });

  it("shows a form's 401 instead when asked (a wrong password)", async () => {
    answer(401, { error: 'Wrong username or password.' });
    expect(await send('/api/session', { method: 'POST' }, { isSignInRequired: false })).toEqual({ ok: false, status: 401, message: 'Wrong username or password.' });
    expect(assign).not.toHaveBeenCalled();
  });

  it('leaves other refusals to the caller', async () => {
    answer(403, { error: 'Only an admin may manage users.' });
    expect(await send('/api/users', {})).toEqual({ ok: false, status: 403, message: 'Only an admin may manage users.' });
    expect(assign).not.toHaveBeenCalled();
  });
});
