import { describe, expect, it } from 'vitest';
import { ConfigError } from '@/lib/core';
import { StoreError } from '@/lib/store';
import { InputError } from './input-error';
import { toErrorResponse } from './to-response';

describe('toErrorResponse', () => {
  it('maps our errors to their statuses, with a message and never internals', async () => {
    const cases: [unknown, number][] = [
      [new InputError('Prompt is required.', { field: 'prompt' }), 400],
      [new InputError('Too large.', { field: 'body', status: 413 }), 413],
      [new StoreError('not_found', 'No batch with this id.'), 404],
      [new StoreError('conflict', 'Still running.'), 409],
      [new ConfigError('PACING_MODE: bad'), 500],
    ];
    for (const [error, status] of cases) {
      const response = toErrorResponse(error);
      expect(response.status).toBe(status);
      expect(typeof (await response.json()).error).toBe('string');
    }
  });

  it('a full disk is a 507 that says what to do (from the file system or SQLite)', async () => {
    for (const error of [
      Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC' }),
      Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errstr: 'database or disk is full' }),
    ]) {
      const response = toErrorResponse(error);
      expect(response.status).toBe(507);
      expect(await response.json()).toEqual({ error: "The server's storage is full: free some disk space (or delete old batches) and try again." });
    }
  });

  it('anything else is a 500 without details', async () => {
    const response = toErrorResponse(new Error('secret internals at /home/x'));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'Internal server error' });
  });
});
