import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreError } from '@/lib/store';
import { AuthError } from '../accounts';
import { InputError } from '../input-error';
import { QuotaError } from '../quotas';
import { OpenAICompatError, toOpenAIErrorResponse } from './openai-error';

const answer = async (error: unknown) => {
  const response = await toOpenAIErrorResponse(error);
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.json() };
};

afterEach(() => vi.unstubAllEnvs());

describe('toOpenAIErrorResponse', () => {
  it('names the OpenAI parameter for our fields', async () => {
    expect(await answer(new InputError('bad format', { field: 'outputFormat' }))).toMatchObject({
      status: 400,
      body: { error: { message: 'bad format', type: 'invalid_request_error', param: 'output_format', code: null } },
    });
    expect((await answer(new InputError('too many', { field: 'numberOfImages' }))).body.error.param).toBe('n');
    expect((await answer(new InputError('ratio', { field: 'aspectRatio' }))).body.error.param).toBe('size');
    expect((await answer(new InputError('big', { field: 'image', status: 413 }))).status).toBe(413);
  });

  it('answers an unknown or unconfigured provider or model as 404 model_not_found', async () => {
    for (const field of ['model', 'provider'] as const) {
      expect(await answer(new InputError('no such model', { field }))).toMatchObject({ status: 404, body: { error: { param: 'model', code: 'model_not_found' } } });
    }
  });

  it('keeps 401 with WWW-Authenticate, as invalid_api_key', async () => {
    const result = await answer(new AuthError(401, 'Sign in first'));
    expect(result).toMatchObject({ status: 401, body: { error: { type: 'invalid_request_error', code: 'invalid_api_key' } } });
    expect(result.headers['www-authenticate']).toBe('Bearer');
    expect((await answer(new AuthError(403, 'only this machine'))).body.error.type).toBe('permission_error');
  });

  it("keeps a quota's 429 and Retry-After", async () => {
    const resetsAt = new Date(Date.now() + 90_000).toISOString();
    const result = await answer(new QuotaError({ status: 429, limit: 'imagesPerDay', message: 'over the daily images', resetsAt }));
    expect(result).toMatchObject({ status: 429, body: { error: { type: 'rate_limit_error', code: 'quota_exceeded', message: 'over the daily images' } } });
    expect(Number(result.headers['retry-after'])).toBeGreaterThanOrEqual(89);
  });

  it('answers our own faults 500 server_error without details, and its own errors as they are', async () => {
    vi.stubEnv('LOG_LEVEL', 'silent');
    expect(await answer(new Error('disk on fire'))).toMatchObject({ status: 500, body: { error: { message: 'Internal server error', type: 'server_error' } } });
    expect((await answer(new StoreError('not_found', 'gone'))).status).toBe(404);
    expect(await answer(new OpenAICompatError(400, 'no', { param: 'mask' }))).toMatchObject({ status: 400, body: { error: { param: 'mask', type: 'invalid_request_error' } } });
  });
});
