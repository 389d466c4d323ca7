import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { BatchStore, NewBatch } from '../batch-store';
import { createSqliteBatchStore } from '../sqlite/sqlite-batch-store';
import { isStoreError } from '../store-error';
import { sampleImage } from '../testing/conformance-context';
import { createPostgresBatchStore } from './postgres-batch-store';
import { describeOnTestPostgres } from './testing/test-postgres';

/** A clock both stores share, moved by the script only, and ids counted from 1: the two stores' records can be compared whole. */
function deterministic() {
  let nowMs = Date.UTC(2026, 2, 1, 12);
  let lastId = 0;
  return {
    now: () => new Date(nowMs),
    tick: (ms = 1_000) => {
      nowMs += ms;
    },
    createId: () => `batch-${String((lastId += 1)).padStart(3, '0')}`,
  };
}

function batchOf(owner: string | undefined, itemCount: number, extra: Partial<NewBatch> = {}): NewBatch {
  return {
    prompt: `${owner ?? 'nobody'}'s batch`,
    mode: 'text-to-image',
    providerId: 'demo',
    modelId: 'demo-1',
    isDemo: true,
    params: { numberOfImages: itemCount, estimatedImageCostUsd: 0.04 },
    items: Array.from({ length: itemCount }, (_, position) => ({ prompt: `picture ${position + 1}` })),
    ...(owner ? { ownerId: owner } : {}),
    ...extra,
  };
}

/** What a call resolved, or the kind of StoreError it rejected with. */
async function outcomeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { resolved: await promise };
  } catch (error) {
    return { rejected: isStoreError(error) ? error.kind : String(error) };
  }
}

/**
 * One script of everything a service does, with owners, tokens, retries, failures, cancels and a
 * batch retry; what the store answers along the way is the transcript that both stores must agree on.
 */
async function transcriptOf(store: BatchStore, clock: ReturnType<typeof deterministic>): Promise<unknown[]> {
  const transcript: unknown[] = [];
  const note = (label: string, value: unknown) => transcript.push([label, value]);
  const dayStart = clock.now();

  const alice1 = await store.createBatch(
    batchOf('alice', 4, { params: { numberOfImages: 4, estimatedImageCostUsd: 0.04, inputImages: [sampleImage('in1')] }, mode: 'image-to-image' }),
    { type: 'batch-start', provider: 'demo', model: 'demo-1', isDemo: true, mode: 'image-to-image', etaMs: null },
  );
  clock.tick();
  const bob = await store.createBatch(batchOf('bob', 3, { tokenId: 'token-bob' }));
  clock.tick();
  const anonymous = await store.createBatch(batchOf(undefined, 2, { params: { numberOfImages: 2, inputImage: sampleImage('in2') } }));
  clock.tick();
  const alice2 = await store.createBatch(batchOf('alice', 2, { providerId: 'gemini', modelId: 'gemini-2.5-flash-image', isDemo: false }));
  note('created', [alice1, bob, anonymous, alice2]);

  // A worker that always takes the first runnable item: every third fails, every fourth is retried later once.
  let step = 0;
  for (;;) {
    clock.tick();
    const runnable = await store.listRunnableItems({ limit: 10 });
    note('runnable', runnable.map(({ batch, item }) => [batch.id, item.index]));
    const next = runnable[0];
    if (!next) break;
    step += 1;
    const { batchId, index } = next.item;
    const started = await store.startItem({
      batchId,
      index,
      lease: { owner: 'worker', expiresAtMs: clock.now().getTime() + 30_000 },
      event: { type: 'item-start', index, attempt: 1, etaMs: null },
    });
    note('started', started);
    clock.tick(250);
    if (step % 4 === 0 && next.item.runAttempts === 0) {
      note(
        'retry',
        await store.retryItemLater({
          batchId,
          index,
          attemptsInRun: 1,
          notBeforeMs: clock.now().getTime() + 500,
          event: { type: 'item-retry', index, attempt: 1, delayMs: 500, kind: 'overloaded', error: 'busy', etaMs: null },
        }),
      );
      note('next retry', await store.nextRetryAtMs());
      continue;
    }
    const result =
      step % 3 === 0
        ? ({ status: 'failed', error: { kind: 'safety_blocked', message: 'Blocked', details: 'IMAGE_SAFETY' } } as const)
        : ({ status: 'succeeded', image: sampleImage(`${step}`), costUsd: 0.04, ...(step % 2 ? { usage: { outputTokens: step } } : {}) } as const);
    note(
      'finished',
      await store.finishItem({
        batchId,
        index,
        result,
        attemptsInRun: 1,
        event: { type: 'item-end', index, status: result.status, etaMs: 100 },
      }),
    );
    if (step === 5) note('activity mid-run', await store.activity({ ownerId: 'alice' }, dayStart));
    if (step === 6) note('cancel', await store.cancelQueuedItems(bob.id));
  }

  clock.tick();
  const runStart = { type: 'batch-start', provider: 'demo', model: 'demo-1', isDemo: true, mode: 'image-to-image', etaMs: null } as const;
  note('requeue', await store.requeueItems(alice1.id, ['failed', 'canceled'], runStart));
  note('runnable after requeue', (await store.listRunnableItems()).map(({ batch, item }) => [batch.id, item.index]));
  note('batches', await Promise.all([alice1, bob, anonymous, alice2].map((batch) => store.getBatch(batch.id))));
  note('pages', [
    await store.listBatches({ limit: 2, includeItems: true }),
    await store.listBatches({ limit: 2, before: alice2.id }),
    await store.listBatches({ ownerId: 'alice' }),
  ]);
  note('events', await Promise.all([alice1, bob, anonymous, alice2].map((batch) => store.listEvents(batch.id))));
  note('usage', [await store.usage(), await store.usage({ ownerId: 'alice' }), await store.usage({ ownerId: 'nobody' })]);
  note('activity', [
    await store.activity({ ownerId: 'alice' }, dayStart),
    await store.activity({ ownerId: 'bob', tokenId: 'token-bob' }, dayStart),
    await store.activity({ tokenId: 'token-bob' }, clock.now()),
    await store.activity({}, dayStart),
  ]);
  note('image owners', [
    await store.findImageOwner(sampleImage('1').imageId),
    await store.findImageOwner(sampleImage('in1').imageId),
    await store.findImageOwner(sampleImage('in2').imageId),
    await store.findImageOwner('not-an-image.png'),
  ]);
  note('finished before', await store.listFinishedBatchIdsBefore(new Date(clock.now().getTime() + 1)));
  note('interrupted', await store.requeueInterruptedItems({ onlyExpiredLeases: true }));
  note('deleted', await outcomeOf(store.deleteBatch(bob.id)));
  note('delete running', await outcomeOf(store.deleteBatch(alice1.id)));
  return transcript;
}

await describeOnTestPostgres('PostgreSQL matches SQLite', (useDatabase) => {
  let directory: string;
  let schema: { url: string; drop(): Promise<void> };
  const opened: BatchStore[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'imagegen-differential-'));
    schema = await useDatabase().createSchema();
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await schema.drop();
    await rm(directory, { recursive: true, force: true });
  });

  it('answers a whole service script exactly as the SQLite store does, record for record', async () => {
    const sqliteClock = deterministic();
    const postgresClock = deterministic();
    const sqlite = createSqliteBatchStore({ filePath: join(directory, 'imagegen.sqlite'), now: sqliteClock.now, createId: sqliteClock.createId });
    const postgres = await createPostgresBatchStore({
      connection: { connectionString: schema.url },
      now: postgresClock.now,
      createId: postgresClock.createId,
    });
    opened.push(sqlite, postgres);

    const expected = await transcriptOf(sqlite, sqliteClock);
    const actual = await transcriptOf(postgres, postgresClock);

    expect(actual).toEqual(expected);
    // The script did reach what it is about: owners served in turn, a retry, a cancel, a requeue.
    const labels = expected.map((entry) => (entry as [string])[0]);
    expect(labels.filter((label) => label === 'started').length).toBeGreaterThan(10);
    expect(labels).toEqual(expect.arrayContaining(['retry', 'cancel', 'requeue']));
  });

  it('serves owners in turn, however many batches one of them has: null owners count as one owner', async () => {
    const store = await createPostgresBatchStore({ connection: { connectionString: schema.url } });
    opened.push(store);
    const owners = new Map<string, string>();
    for (const [owner, count] of [
      ['alice', 3],
      ['alice', 3],
      ['alice', 3],
      ['bob', 2],
      [undefined, 1],
      [undefined, 1],
    ] as const) {
      const batch = await store.createBatch(batchOf(owner, count));
      owners.set(batch.id, owner ?? 'nobody');
    }

    const order: string[] = [];
    for (;;) {
      const [next] = await store.listRunnableItems({ limit: 1 });
      if (!next) break;
      order.push(owners.get(next.batch.id)!);
      await store.startItem({ batchId: next.batch.id, index: next.item.index });
      await store.finishItem({ batchId: next.batch.id, index: next.item.index, result: { status: 'canceled' }, attemptsInRun: 0 });
    }

    // Round-robin over the three owners while each has work, then alice alone.
    expect(order.slice(0, 6)).toEqual(['alice', 'bob', 'nobody', 'alice', 'bob', 'nobody']);
    expect(order.slice(6)).toEqual(Array(7).fill('alice'));
  });
});
