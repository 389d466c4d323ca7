import { describe, expect, it } from 'vitest';
import { isConfigError } from '@/lib/core';
import { createApp } from './create-app';

const base = { IMAGE_PROVIDER: 'demo', LOG_LEVEL: 'silent', GEMINI_API_KEY: '', OPENAI_API_KEY: '' };

describe('createApp: the process roles', () => {
  it('refuses WORKER=off without the shared database and Redis its batches and their progress need', () => {
    for (const env of [{ WORKER: 'off' }, { WORKER: 'off', DATABASE_URL: 'postgres://127.0.0.1/x' }, { WORKER: 'off', REDIS_URL: 'redis://127.0.0.1:6379' }]) {
      let thrown: unknown;
      try {
        createApp({ ...base, ...env });
      } catch (error) {
        thrown = error;
      }
      expect(isConfigError(thrown), JSON.stringify(env)).toBe(true);
      expect((thrown as Error).message).toMatch(/WORKER=off needs DATABASE_URL and REDIS_URL/);
    }
  });

  it('takes WORKER=off with both, and refuses a WORKER value it does not know', () => {
    expect(createApp({ ...base, WORKER: 'off', DATABASE_URL: 'postgres://127.0.0.1/x', REDIS_URL: 'redis://127.0.0.1:6379' }).config.WORKER).toBe('off');
    expect(() => createApp({ ...base, WORKER: 'maybe' })).toThrow(/WORKER/);
    expect(createApp(base).config.WORKER).toBe('on');
  });
});
