import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '@/lib/store';
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

describe('createApp: a process that shares its DATA_DIR (the imagegen command)', () => {
  /** A batch whose one item another process runs, under a lease that lasts. */
  async function itemRunByAnotherProcess(dataDirectory: string): Promise<string> {
    const store = await openStore({ dataDirectory });
    try {
      const batch = await store.batches.createBatch(
        { prompt: 'p', mode: 'text-to-image', providerId: 'demo', modelId: 'demo-shapes-v1', params: { numberOfImages: 1 }, items: [{ prompt: 'p' }] },
        { type: 'batch-start', provider: 'demo', model: 'demo-shapes-v1', isDemo: true, mode: 'text-to-image', etaMs: null },
      );
      await store.batches.startItem({ batchId: batch.id, index: 1, lease: { owner: 'the server', expiresAtMs: Date.now() + 3_600_000 } });
      return batch.id;
    } finally {
      await store.close();
    }
  }

  it('leaves another process its running item; the sole embedded server takes it back at start', async () => {
    for (const sharesDataDirectory of [true, false]) {
      const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-app-'));
      try {
        const batchId = await itemRunByAnotherProcess(dataDirectory);
        const app = createApp({ ...base, DATA_DIR: dataDirectory, DEMO_LATENCY_MS: '0' }, { sharesDataDirectory });
        const { store } = await app.batches();
        const item = async () => (await store.batches.getBatch(batchId))!.items[0]!;
        if (sharesDataDirectory) {
          // Still the other process's: not requeued, not run here.
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect(await item()).toMatchObject({ status: 'running' });
        } else {
          await expect.poll(async () => (await item()).status, { timeout: 10_000 }).toBe('succeeded');
        }
        await app.close();
      } finally {
        await rm(dataDirectory, { recursive: true, force: true });
      }
    }
  });
});
