import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchList, BatchView } from '@/lib/server';
import { getRequest, readJson, useBatchTestApp, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { GET, POST } from './route';

afterEach(() => vi.unstubAllEnvs());

const list = async (query: string) => {
  const response = await GET(getRequest(`/api/batches?${query}`));
  expect(response.status, `${query}: ${await response.clone().text()}`).toBe(200);
  return readJson<BatchList>(response);
};
const idsOf = (page: BatchList) => page.batches.map((batch) => batch.id);

async function someBatches() {
  const testApp = await useBatchTestApp({ DEMO_LATENCY_MS: '5', DEMO_FAIL_PROMPT_MATCH: '[fail]', DEMO_FAIL_INDEXES: '1' });
  const runtime = await testApp.runtime();
  const created: BatchView[] = [];
  for (const prompt of ['a Red fox in snow', 'a blue whale [fail]', 'red roses', 'a red fox at night']) {
    const batch = await readJson<BatchView>(await POST(jsonRequest('/api/batches', { prompt, numberOfImages: 1 })));
    await waitForBatchEnd(runtime, batch.id);
    created.push(batch);
  }
  return { ...testApp, created };
}

describe('GET /api/batches: search and filters', () => {
  it('finds batches by prompt text and status, pages the results by cursor, and its nextUrl keeps the search', async () => {
    const { created } = await someBatches();
    const [snowFox, whale, roses, nightFox] = created.map((batch) => batch.id);
    expect(idsOf(await list('q=red+FOX'))).toEqual([nightFox, snowFox]);
    expect(idsOf(await list('q=red'))).toEqual([nightFox, roses, snowFox]);
    expect(idsOf(await list('status=failed'))).toEqual([whale]);
    expect(idsOf(await list('status=completed,partial&q=whale'))).toEqual([]);
    expect(idsOf(await list('q=&status='))).toHaveLength(4);
    expect(idsOf(await list('provider=demo&model=nothing'))).toEqual([]);

    const first = await list('q=red&limit=2');
    expect(idsOf(first)).toEqual([nightFox, roses]);
    expect(first.nextUrl).toBe(`/api/batches?limit=2&before=${first.nextCursor}&q=red`);
    const second = await list(first.nextUrl!.split('?')[1]!);
    expect(idsOf(second)).toEqual([snowFox]);
    expect(second.nextCursor).toBeUndefined();
  });

  it('filters by creation day or time: from takes the day, to takes in the whole day', async () => {
    const { created } = await someBatches();
    const today = created[0]!.createdAt.slice(0, 10);
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    expect(idsOf(await list(`from=${today}&to=${today}`))).toHaveLength(4);
    expect(idsOf(await list(`from=${tomorrow}`))).toEqual([]);
    expect(idsOf(await list(`to=${created[1]!.createdAt}`))).toEqual([created[0]!.id]);
    expect(idsOf(await list(`from=${encodeURIComponent(created[2]!.createdAt.replace('Z', '+00:00'))}`))).toEqual([created[3]!.id, created[2]!.id]);
  });

  it('answers a clear 400 naming the parameter for each bad filter', async () => {
    await useBatchTestApp();
    for (const [query, field] of [
      ['status=done', 'status'],
      ['status=completed,', 'status'],
      [`q=${'x'.repeat(201)}`, 'q'],
      [`model=${'m'.repeat(201)}`, 'model'],
      ['from=yesterday', 'from'],
      ['from=2026-02-31', 'from'],
      ['to=2026-05-01T10:00', 'to'],
      ['from=2026-05-02&to=2026-05-01', 'from'],
      ['favorites=yes', 'favorites'],
    ] as const) {
      const response = await GET(getRequest(`/api/batches?${query}`));
      expect(response.status, query).toBe(400);
      const body = await response.json();
      expect(body.field, query).toBe(field);
      expect(body.error, query).toContain(field === 'q' ? 'q (the search)' : field);
    }
  });
});
