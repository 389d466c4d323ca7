import { afterEach, beforeEach, describe } from 'vitest';
import type { BatchStore } from '../batch-store';
import type { BatchStoreHarness, ConformanceContext, CreateBatchStoreHarness } from './conformance-context';
import { describeBatches } from './conformance/batches';
import { describeDurability } from './conformance/durability';
import { describeEvents } from './conformance/events';
import { describeFindAndKeep } from './conformance/find-and-keep';
import { describeItems } from './conformance/items';
import { describeOwners } from './conformance/owners';
import { describeScheduling } from './conformance/scheduling';
import { describeWebhookDeliveries } from './conformance/webhook-deliveries';

export type { BatchStoreHarness, CreateBatchStoreHarness } from './conformance-context';

/**
 * The behaviour every `BatchStore` owes the service, as one suite: call it from an
 * implementation's test file with a harness factory (a fresh database per test).
 *
 * @example
 * describeBatchStoreConformance('SQLite', async () => {
 *   const directory = await mkdtemp(join(tmpdir(), 'store-'));
 *   return {
 *     open: async () => createSqliteBatchStore({ filePath: join(directory, 'test.sqlite') }),
 *     dispose: () => rm(directory, { recursive: true, force: true }),
 *   };
 * });
 */
export function describeBatchStoreConformance(implementationName: string, createHarness: CreateBatchStoreHarness): void {
  describe(`BatchStore conformance: ${implementationName}`, () => {
    let harness: BatchStoreHarness;
    let context: ConformanceContext;
    let opened: BatchStore[] = [];

    beforeEach(async () => {
      harness = await createHarness();
      opened = [];
      const open = async () => {
        const store = await harness.open();
        opened.push(store);
        return store;
      };
      context = { store: await open(), openAnother: open };
    });

    afterEach(async () => {
      for (const store of opened) await store.close();
      await harness.dispose();
    });

    const useContext = () => context;
    describeBatches(useContext);
    describeItems(useContext);
    describeEvents(useContext);
    describeDurability(useContext);
    describeScheduling(useContext);
    describeOwners(useContext);
    describeFindAndKeep(useContext);
    describeWebhookDeliveries(useContext);
  });
}
