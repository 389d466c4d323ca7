import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { expect, it } from 'vitest';
import type { BatchView } from '@/lib/server';
import { getRequest, readJson, routeContext, useBatchTestApp, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { describeOnTestPostgres } from '@/lib/store/postgres/testing/test-postgres';
import { GET as getBatch } from './[id]/route';
import { POST as createBatch } from './route';

/** The server with DATABASE_URL: batches and their events in PostgreSQL, no SQLite file, the API unchanged. */
await describeOnTestPostgres('the batch API with DATABASE_URL=postgres://…', (useDatabase) => {
  it('keeps the batch, its items and its event log in PostgreSQL', async () => {
    const schema = await useDatabase().createSchema();
    try {
      const { runtime, dataDirectory } = await useBatchTestApp({ DATABASE_URL: schema.url });
      const created = await readJson<BatchView>(await createBatch(jsonRequest('/api/batches', { prompt: 'kept in postgres', numberOfImages: 2 })));
      await waitForBatchEnd(await runtime(), created.id);
      const batch = await readJson<BatchView>(await getBatch(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
      expect(batch).toMatchObject({ status: 'completed', succeeded: 2 });
      expect(existsSync(join(dataDirectory, 'imagegen.sqlite'))).toBe(false);

      const client = new Client({ connectionString: schema.url });
      await client.connect();
      try {
        const items = await client.query('SELECT status FROM items WHERE batch_id = $1', [created.id]);
        expect(items.rows.map((row) => row.status)).toEqual(['succeeded', 'succeeded']);
        const events = await client.query('SELECT type FROM batch_events WHERE batch_id = $1 ORDER BY sequence', [created.id]);
        expect(events.rows.map((row) => row.type)).toEqual(['batch-start', 'item-start', 'item-end', 'item-start', 'item-end', 'batch-end']);
      } finally {
        await client.end();
      }
    } finally {
      await (await import('@/lib/server')).getApp().close();
      await schema.drop();
    }
  });
});
