import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '@/lib/core';
import { isServiceRequired } from '@/lib/store/postgres/testing/test-postgres';
import { createRedisLane, type RedisLane } from './redis-lane';

const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReason(): Promise<string | undefined> {
  const client = new Redis(testRedisUrl, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${testRedisUrl} is not reachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    client.disconnect();
  }
}

const unavailable = await redisReason();
if (unavailable) console.warn(`[Redis lane] ${isServiceRequired('redis') ? 'FAILS (REQUIRE_SERVICES names redis)' : 'SKIPPED'}: ${unavailable}`);

describe.runIf(unavailable === undefined || isServiceRequired('redis'))('one lane across processes (Redis)', () => {
  const opened: { lane: RedisLane; connections: Redis[] }[] = [];
  let key: string;

  /** A lane as one process sees it: its own two connections. */
  async function laneOfAProcess(options: { concurrency: number; minIntervalMs: number; burst?: number; slotLeaseMs?: number }): Promise<RedisLane> {
    if (unavailable) throw new Error(unavailable);
    const redis = new Redis(testRedisUrl);
    const subscriber = new Redis(testRedisUrl);
    const lane = createRedisLane({ redis, subscriber, key, burst: 1, ...options });
    opened.push({ lane, connections: [redis, subscriber] });
    return lane;
  }

  key = `imagegen-test:lane:${randomBytes(6).toString('hex')}`;
  afterEach(async () => {
    for (const { lane, connections } of opened.splice(0)) {
      await lane.close();
      for (const connection of connections) connection.disconnect();
    }
    key = `imagegen-test:lane:${randomBytes(6).toString('hex')}`;
  });

  it('never has more calls in flight across processes than its concurrency, and serves every waiter', async () => {
    const lanes = [await laneOfAProcess({ concurrency: 2, minIntervalMs: 0 }), await laneOfAProcess({ concurrency: 2, minIntervalMs: 0 })];
    let inFlight = 0;
    let maxInFlight = 0;
    const call = async (lane: RedisLane) => {
      const release = await lane.acquire();
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight -= 1;
      release({ status: 'succeeded' });
    };
    await Promise.all(Array.from({ length: 12 }, (_, index) => call(lanes[index % 2]!)));
    expect(maxInFlight).toBe(2);
  });

  it('spaces the starts of both processes together: n starts take at least (n - 1) intervals', async () => {
    const lanes = [await laneOfAProcess({ concurrency: 10, minIntervalMs: 60 }), await laneOfAProcess({ concurrency: 10, minIntervalMs: 60 })];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 6 }, async (_, index) => {
        const release = await lanes[index % 2]!.acquire();
        release();
      }),
    );
    // Spacing per process alone would let the 6 starts finish after 2 intervals (3 each, in parallel).
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 60 - 5);
  });

  it("a pause one process takes (Retry-After) holds the other's starts too", async () => {
    const [first, second] = [await laneOfAProcess({ concurrency: 2, minIntervalMs: 0 }), await laneOfAProcess({ concurrency: 2, minIntervalMs: 0 })];
    first.pauseFor(400);
    await first.refresh(); // after the pause's write on the same connection: it is in Redis
    const started = Date.now();
    (await second.acquire())();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("a closure one process takes (quota used up) is the other's closedBy once it gets a slot", async () => {
    const [first, second] = [await laneOfAProcess({ concurrency: 2, minIntervalMs: 0 }), await laneOfAProcess({ concurrency: 2, minIntervalMs: 0 })];
    first.closeFor(new ProviderError('quota_exhausted', 'Daily quota used up', { resetsAtMs: 1_900_000_000_000 }), 60_000);
    await first.refresh();
    const release = await second.acquire();
    expect(second.closedBy).toMatchObject({ kind: 'quota_exhausted', message: 'Daily quota used up', resetsAtMs: 1_900_000_000_000 });
    release();
  });

  it("a killed process's slots free themselves when their lease runs out", async () => {
    const crashed = await laneOfAProcess({ concurrency: 1, minIntervalMs: 0, slotLeaseMs: 300 });
    await crashed.acquire(); // never released: the process "dies" holding it
    await crashed.close(); // no more renewals
    const survivor = await laneOfAProcess({ concurrency: 1, minIntervalMs: 0, slotLeaseMs: 300 });
    const started = Date.now();
    (await survivor.acquire())();
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('an abort while waiting rejects with the reason and takes no slot', async () => {
    const lane = await laneOfAProcess({ concurrency: 1, minIntervalMs: 0 });
    const held = await lane.acquire();
    const controller = new AbortController();
    const waiting = lane.acquire(controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    held();
    (await lane.acquire())();
    expect(lane.inFlight).toBe(0);
  });
});
