import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ProviderError, type ProviderErrorKind } from '@/lib/core';
import type { Lane, LaneOptions, ReleaseSlot } from '@/lib/engine';

/**
 * One rate-limit lane for a provider key and model, shared by every process that reaches the same
 * Redis: the slots in flight, the spacing between starts (with its burst), pauses (Retry-After) and
 * closures (a quota used up) hold for all workers together. The state lives in Redis and changes
 * only inside Lua scripts, which Redis runs one at a time, on Redis's own clock:
 *
 * - `<key>:slots`, a sorted set: each slot held, scored by when its lease ends. A worker renews its
 *   slots while its calls run; a killed worker's slots expire and free themselves.
 * - `<key>:state`, a hash: `tat` (the GCRA "theoretical arrival time" of the next start: starts are
 *   `interval` apart on average, and up to `burst` may come together after a quiet spell, exactly as
 *   the in-process lane's bucket), `paused_until`, `closed_until` and the closing error.
 *
 * Waiters poll the script, woken early by a release published on `<key>:released`. Not FIFO across
 * processes (each process keeps its own waiters in order). Written here: BullMQ's rate limiter is a
 * per-queue window (not a spacing), and no maintained library offers a shared semaphore with
 * spacing, burst and pauses together.
 */

export interface RedisLaneOptions extends LaneOptions {
  /** Commands (its own connection: not one in subscriber mode). */
  redis: Redis;
  /** A connection of its own for `<key>:released`, or none (then waiters poll only). */
  subscriber?: Redis;
  /** `imagegen:lane:openai:gpt-image-2`. */
  key: string;
  /** How long a slot survives without renewal. @default 30000 */
  slotLeaseMs?: number;
  /** Longest a waiter sleeps between two tries when nothing wakes it. @default 250 */
  pollMs?: number;
}

/** Returns 0 and takes the slot, or the ms to wait (-1: no free slot, wait for a release). */
const acquireScript = `
local slots, state = KEYS[1], KEYS[2]
local concurrency, interval, burst, slot, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
local paused = tonumber(redis.call('HGET', state, 'paused_until') or '0')
if paused > now then return paused - now end
if redis.call('ZCARD', slots) >= concurrency then return -1 end
local tat = math.max(tonumber(redis.call('HGET', state, 'tat') or '0'), now)
local early = tat - now - (burst - 1) * interval
if early > 0 then return early end
redis.call('HSET', state, 'tat', tat + interval)
redis.call('ZADD', slots, now + lease, slot)
redis.call('PEXPIRE', state, math.max(lease, (burst + 1) * interval) + 60000)
redis.call('PEXPIRE', slots, lease + 60000)
return 0
`;

/** Extends a field holding an end time (never shortens it); returns what is left, ms. */
const extendScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local wanted = now + tonumber(ARGV[2])
if wanted > current then
  redis.call('HSET', KEYS[1], ARGV[1], wanted)
  if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'closed_by', ARGV[3]) end
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 60000)
  current = wanted
end
return current - now
`;

/** Renews the lease of each slot still held (ARGV: the lease, then the slots). */
const renewScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for index = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[index]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 60000)
return 0
`;

/** What is left of the pause and of the closure (ms), and the closing error. */
const readScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused_until') or '0')
local closed = tonumber(redis.call('HGET', KEYS[1], 'closed_until') or '0')
return { math.max(0, paused - now), math.max(0, closed - now), redis.call('HGET', KEYS[1], 'closed_by') or '' }
`;

export interface RedisLane extends Lane {
  /** Reads the shared pause and closure into this process's view (`pauseRemainingMs`, `closedBy`). */
  refresh(): Promise<void>;
  /** Stops listening for releases and renewing slots. */
  close(): Promise<void>;
}

export function createRedisLane(options: RedisLaneOptions): RedisLane {
  const { redis, subscriber, key } = options;
  const slotLeaseMs = options.slotLeaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 250;
  const slotsKey = `${key}:slots`;
  const stateKey = `${key}:state`;
  const releasedChannel = `${key}:released`;
  let concurrency = options.concurrency;
  let minIntervalMs = options.minIntervalMs;
  const burst = options.burst;
  let inFlight = 0;
  let waiting = 0;
  let pausedUntilMs = 0;
  let closedUntilMs = 0;
  let closedBy: ProviderError | undefined;
  const concurrencyListeners = new Set<() => void>();
  const wakers = new Set<() => void>();
  const heldSlots = new Set<string>();

  const wakeAll = () => {
    for (const wake of [...wakers]) wake();
  };
  const onMessage = (channel: string) => {
    if (channel === releasedChannel) wakeAll();
  };
  if (subscriber) {
    subscriber.on('message', onMessage);
    // Until the subscription holds, waiters still poll: nothing waits on it.
    subscriber.subscribe(releasedChannel).catch(() => undefined);
  }
  // A worker renews the slots its calls hold; a killed worker's slots run out and free themselves.
  const renewal = setInterval(() => {
    if (heldSlots.size === 0) return;
    redis.eval(renewScript, 1, slotsKey, String(slotLeaseMs), ...heldSlots).catch(() => undefined);
  }, Math.max(1_000, Math.floor(slotLeaseMs / 3)));
  renewal.unref?.();

  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });

  const lane: RedisLane = {
    async acquire(signal) {
      waiting += 1;
      try {
        for (;;) {
          signal?.throwIfAborted();
          const slot = randomUUID();
          const wait = Number(
            await redis.eval(acquireScript, 2, slotsKey, stateKey, String(concurrency), String(minIntervalMs), String(burst), slot, String(slotLeaseMs)),
          );
          if (wait === 0) {
            const release = takeSlot(slot);
            // Another worker may have closed the lane (a quota used up): the caller reads closedBy.
            await lane.refresh().catch(() => undefined);
            if (signal?.aborted) {
              release();
              throw signal.reason;
            }
            return release;
          }
          await sleep(wait < 0 ? pollMs : Math.min(wait, pollMs * 4), signal);
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw error;
      } finally {
        waiting -= 1;
      }
    },
    pauseFor(durationMs) {
      if (durationMs <= 0) return;
      pausedUntilMs = Math.max(pausedUntilMs, Date.now() + durationMs);
      redis.eval(extendScript, 1, stateKey, 'paused_until', String(Math.ceil(durationMs)), '').catch(() => undefined);
    },
    setConcurrency(next) {
      const raised = next > concurrency;
      concurrency = next;
      if (raised) {
        for (const listener of [...concurrencyListeners]) listener();
        wakeAll();
      }
    },
    setMinIntervalMs(next) {
      minIntervalMs = next;
    },
    onConcurrencyRaised(listener) {
      concurrencyListeners.add(listener);
      return () => concurrencyListeners.delete(listener);
    },
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return waiting;
    },
    get concurrency() {
      return concurrency;
    },
    get minIntervalMs() {
      return minIntervalMs;
    },
    get burst() {
      return burst;
    },
    get pauseRemainingMs() {
      return Math.max(0, pausedUntilMs - Date.now());
    },
    closeFor(error, durationMs) {
      if (durationMs <= 0) return;
      closedUntilMs = Math.max(closedUntilMs, Date.now() + durationMs);
      closedBy = error;
      const serialized = JSON.stringify({ kind: error.kind, message: error.message, resetsAtMs: error.resetsAtMs });
      redis.eval(extendScript, 1, stateKey, 'closed_until', String(Math.ceil(durationMs)), serialized).catch(() => undefined);
    },
    get closedBy() {
      return closedUntilMs > Date.now() ? closedBy : undefined;
    },
    async refresh() {
      const [pausedMs, closedMs, closing] = (await redis.eval(readScript, 1, stateKey)) as [number, number, string];
      pausedUntilMs = Math.max(pausedUntilMs, Date.now() + Number(pausedMs));
      if (Number(closedMs) > 0 && closing) {
        closedUntilMs = Math.max(closedUntilMs, Date.now() + Number(closedMs));
        if (!closedBy) {
          const parsed = JSON.parse(closing) as { kind: ProviderErrorKind; message: string; resetsAtMs?: number };
          closedBy = new ProviderError(parsed.kind, parsed.message, parsed.resetsAtMs === undefined ? {} : { resetsAtMs: parsed.resetsAtMs });
        }
      }
    },
    async close() {
      clearInterval(renewal);
      wakeAll();
      if (subscriber) {
        subscriber.off('message', onMessage);
        await subscriber.unsubscribe(releasedChannel).catch(() => undefined);
      }
    },
  };

  function takeSlot(slot: string): ReleaseSlot {
    inFlight += 1;
    heldSlots.add(slot);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight -= 1;
      heldSlots.delete(slot);
      redis
        .multi()
        .zrem(slotsKey, slot)
        .publish(releasedChannel, '1')
        .exec()
        .catch(() => undefined);
      wakeAll();
    };
  }

  return lane;
}
