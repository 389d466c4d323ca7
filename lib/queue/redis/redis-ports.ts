import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ItemProgressEvent } from '@/lib/core';
import type { BatchEvent, BatchStore } from '@/lib/store';
import { createBatchEventBus, type BatchEventBus } from '../batch-event-bus';
import { createInProcessCancelSignals } from '../in-process/cancel-signals';
import { createStoreWorkSource } from '../in-process/store-work-source';
import type { CancelSignals, WorkSource } from '../ports';
import type { Lane, LaneOptions } from '@/lib/engine';
import { createRedisLane } from './redis-lane';

export interface RedisPortsOptions {
  /** `redis://host:6379/0` (REDIS_URL). */
  url: string;
  /** The store every process shares (PostgreSQL): the work source reads its runnable items. */
  store: BatchStore;
  /**
   * Channel names start with this: processes with the same prefix (and the same database) are
   * one cluster. @default 'imagegen'
   */
  prefix?: string;
  /** How long a shared lane's slot lasts without renewal (see redis-lane.ts). @default 30000 */
  slotLeaseMs?: number;
}

/** The queue's cross-process ports, and how to let go of their two connections. */
export interface RedisPorts {
  /** A command connection, for other shared state (the provider lanes). */
  redis: Redis;
  /** The connection in subscriber mode; more channels may be added to it (the lanes' releases). */
  subscriber: Redis;
  prefix: string;
  /** The lane of a provider key and model shared by every process (see redis-lane.ts). */
  sharedLane(name: string, options: LaneOptions): Lane;
  bus: BatchEventBus;
  cancelSignals: CancelSignals;
  source: WorkSource;
  close(): Promise<void>;
}

type Message =
  | { origin: string; kind: 'event'; event: BatchEvent }
  | { origin: string; kind: 'progress'; progress: ItemProgressEvent }
  | { origin: string; kind: 'cancel'; batchId: string }
  | { origin: string; kind: 'work' };

/**
 * The ports of lib/queue/ports.ts across processes, over Redis pub/sub: each process keeps its
 * in-process fan-out, and what happens in one (an event logged, a cancel, new work) is also
 * published to the others, which hand it to their own listeners. Pub/sub rather than PostgreSQL
 * LISTEN/NOTIFY: REDIS_URL is what the other cross-process parts use, and a NOTIFY payload is
 * capped at 8000 bytes (an event with a long prompt or error may exceed it). Pub/sub keeps no
 * history, and needs none: events are in the store's log first (a follower fills any gap from it),
 * a cancel also changes the store, and the work source's safety poll finds any work it missed.
 */
export async function createRedisPorts({ url, store, prefix = 'imagegen', slotLeaseMs }: RedisPortsOptions): Promise<RedisPorts> {
  const origin = randomUUID();
  const channel = `${prefix}:queue`;
  const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  // A broken connection is retried by ioredis; meanwhile the store keeps the truth (see above).
  publisher.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  try {
    await publisher.connect();
    await subscriber.connect();
    await subscriber.subscribe(channel);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw new Error(`REDIS_URL: cannot reach Redis (${error instanceof Error ? error.message : String(error)})`);
  }

  const localBus = createBatchEventBus();
  const localCancels = createInProcessCancelSignals();
  const localSource = createStoreWorkSource(store);
  const publish = (message: Message) => {
    publisher.publish(channel, JSON.stringify(message)).catch(() => undefined);
  };

  subscriber.on('message', (messageChannel: string, text: string) => {
    if (messageChannel !== channel) return;
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (message.origin === origin) return;
    if (message.kind === 'event') localBus.publish(message.event);
    else if (message.kind === 'progress') localBus.publishProgress(message.progress);
    else if (message.kind === 'cancel') localCancels.cancel(message.batchId);
    else if (message.kind === 'work') localSource.announce();
  });

  return {
    redis: publisher,
    subscriber,
    prefix,
    sharedLane: (name, options) => createRedisLane({ redis: publisher, subscriber, key: `${prefix}:lane:${name}`, ...(slotLeaseMs === undefined ? {} : { slotLeaseMs }), ...options }),
    bus: {
      publish(event) {
        localBus.publish(event);
        publish({ origin, kind: 'event', event });
      },
      subscribe: (batchId, listener) => localBus.subscribe(batchId, listener),
      listenerCount: (batchId) => localBus.listenerCount(batchId),
      // Step progress: lost if Redis hiccups, and that is fine (the next step reports again).
      publishProgress(progress) {
        localBus.publishProgress(progress);
        publish({ origin, kind: 'progress', progress });
      },
      subscribeProgress: (batchId, listener) => localBus.subscribeProgress(batchId, listener),
    },
    cancelSignals: {
      cancel(batchId) {
        localCancels.cancel(batchId);
        publish({ origin, kind: 'cancel', batchId });
      },
      onCancel: (listener) => localCancels.onCancel(listener),
    },
    source: {
      candidates: (limit) => localSource.candidates(limit),
      nextDueAtMs: () => localSource.nextDueAtMs(),
      announce() {
        localSource.announce();
        publish({ origin, kind: 'work' });
      },
      waitForWork: (timeoutMs) => localSource.waitForWork(timeoutMs),
    },
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
      await publisher.quit().catch(() => publisher.disconnect());
    },
  };
}
