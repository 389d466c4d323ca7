import type { GenerationMode } from '@/lib/core';
import type { StoredBatchStatus } from '@/lib/core';
import type {
  BatchEvent,
  BatchEventInput,
  BatchParams,
  BatchRecord,
  BatchWithItems,
  ItemRecord,
  ItemResult,
} from './batch-records';
import type { WebhookDeliveryStore } from './webhook-deliveries';

export interface NewBatch {
  prompt: string;
  mode: GenerationMode;
  providerId: string;
  modelId: string;
  /** The provider is the offline demo. @default false */
  isDemo?: boolean;
  params: BatchParams;
  /** One entry per image, in order: item `i` gets index `i + 1`. At least one. */
  items: readonly { prompt: string }[];
  /** The user creating it (visibility, quotas, fair share). @default none: accounts are off */
  ownerId?: string;
  /** The API token it is created with. @default none */
  tokenId?: string;
}

export interface ListBatchesOptions {
  /**
   * Batches per page, 1 to 100.
   * @default 20
   */
  limit?: number;
  /**
   * The cursor: only batches created before this batch id (the `nextCursor` of the previous page).
   * @default none: start with the newest batch
   */
  before?: string;
  /**
   * Also load each batch's items (one extra query per page, not per batch).
   * @default false
   */
  includeItems?: boolean;
  /** Only this user's batches. @default every batch */
  ownerId?: string;
  /**
   * Only batches with a prompt (of any item) that contains this text, ignoring case (SQLite folds
   * ASCII letters only; PostgreSQL every letter). `%` and `_` are matched literally.
   * @default any prompt
   */
  promptContains?: string;
  /** Only batches in one of these statuses. @default any status */
  statuses?: readonly StoredBatchStatus[];
  /** Only batches on this provider. @default any provider */
  providerId?: string;
  /** Only batches on this model. @default any model */
  modelId?: string;
  /** Only batches created at or after this time. @default no lower bound */
  createdFrom?: Date;
  /** Only batches created before this time. @default no upper bound */
  createdBefore?: Date;
  /** Only batches with at least one favorite image. @default false */
  onlyWithFavorites?: boolean;
}

export interface SetItemFavorite {
  batchId: string;
  index: number;
  isFavorite: boolean;
}

/** What deleting one image did: the item as it now stands, and the image files the caller deletes next (none when it was gone already). */
export interface DeletedItemImage {
  item: ItemRecord;
  imageIds: string[];
}

/** A made image and where it comes from. */
export interface ImageItem {
  batch: BatchRecord;
  item: ItemRecord;
}

export interface BatchPage {
  /** Newest first; `BatchWithItems` when `includeItems` was set. */
  batches: (BatchRecord | BatchWithItems)[];
  /** Pass as `before` to get the next page; absent on the last page. */
  nextCursor?: string;
}

export interface ListRunnableItemsOptions {
  /** Only batches on this provider. @default any provider */
  providerId?: string;
  /** Only batches on this model. @default any model */
  modelId?: string;
  /**
   * Batches to take an item from, at most one item each.
   * @default 10
   */
  limit?: number;
}

/** A queued item and the batch it belongs to (provider, model, params: all a worker needs to run it). */
export interface RunnableItem {
  batch: BatchRecord;
  item: ItemRecord;
}

export interface ItemChange {
  /** The batch after the change: counters and derived status included. */
  batch: BatchRecord;
  item: ItemRecord;
  /** The accompanying event as logged, when one was given. */
  event?: BatchEvent;
  /** The batch's `batch-end`, when this change ended the batch (logged in the same transaction). */
  batchEnd?: BatchEvent;
}

export interface RetryItemLater {
  batchId: string;
  index: number;
  /** Provider calls made by this attempt; added to the item's `attempts` and `runAttempts`. */
  attemptsInRun: number;
  /** The item is not claimed again before this time (epoch ms). */
  notBeforeMs: number;
  /** Logged in the same transaction (typically `item-retry`). */
  event?: BatchEventInput;
}

/** What a cancel did: how many queued items it canceled, and the events it logged (their `item-end`s, then `batch-end` if it ended the batch). */
export interface CanceledItems {
  count: number;
  events: BatchEvent[];
}

export interface StoreUsage {
  batchCount: number;
  imageCount: number;
  /** The made images' bytes (uploaded input images are not counted). */
  imageBytes: number;
}

/** Whose batches an activity query counts: a user's, a token's, or both conditions at once. */
export interface ActivityScope {
  ownerId?: string;
  tokenId?: string;
}

/** What a user (or token) has done, for quotas. */
export interface Activity {
  /** Images asked for (items not canceled) in batches created since the given time. */
  imagesSince: number;
  /** What items that ended since the given time cost, USD. */
  spentUsdSince: number;
  /** Batches queued or running now. */
  unfinishedBatches: number;
  /** The estimated cost of the items still to run in those batches, USD (0 for models without a price). */
  pendingEstimateUsd: number;
}

/** What deleting a batch left to do: the image files (its images and input images) to delete. */
export interface DeletedBatch {
  imageIds: string[];
}

/** Who holds a claimed item, until when: renewed while the call runs; once expired, the item is free again. */
export interface ItemLease {
  /** The worker's id. */
  owner: string;
  /** Epoch milliseconds. */
  expiresAtMs: number;
}

export interface StartItem {
  batchId: string;
  index: number;
  /** @default none: the item stays claimed until finished or recovered at start-up */
  lease?: ItemLease;
  /** Logged in the same transaction, only if the item was claimed (typically `item-start`). */
  event?: BatchEventInput;
}

export interface FinishItem {
  batchId: string;
  index: number;
  result: ItemResult;
  /** Provider calls made by this run; added to the item's `attempts`. */
  attemptsInRun: number;
  /**
   * Logged in the same transaction as the item's new status (typically `item-end`): an event is
   * never in the log without the state it reports.
   */
  event?: BatchEventInput;
}

export interface ListEventsOptions {
  /**
   * Only events after this sequence (the SSE `Last-Event-ID`). Sequences start at 1.
   * @default 0 (from the first event)
   */
  afterSequence?: number;
  /**
   * Events per call, 1 to 10000: page with `afterSequence` = the last sequence received.
   * @default 1000
   */
  limit?: number;
}

export type RequeueableStatus = 'failed' | 'canceled';

/**
 * The one door between the batch service and its database. Every method is atomic; batch counters
 * and status are recomputed from the items in the same transaction as any item change. Unknown
 * batch ids reject with a `StoreError` of kind `not_found` (except `getBatch`, which resolves
 * undefined). SQLite implements it today; a PostgreSQL implementation must pass the same
 * conformance suite (`lib/store/testing/batch-store-conformance.ts`).
 */
/** What a requeue did: how many items went back to `queued`, and the run's first event as logged. */
export interface RequeuedItems {
  count: number;
  runStart?: BatchEvent;
}

/** A new batch, with its first event as logged when one was given. */
export interface CreatedBatch extends BatchWithItems {
  firstEvent?: BatchEvent;
}

export interface BatchStore extends WebhookDeliveryStore {
  /**
   * Creates a batch and its items (all `queued`) in one transaction; `firstEvent` (its
   * `batch-start`) is logged in the same one, so no crash leaves a batch without it.
   */
  createBatch(batch: NewBatch, firstEvent?: BatchEventInput): Promise<CreatedBatch>;

  getBatch(batchId: string): Promise<BatchWithItems | undefined>;

  /** Newest first, by cursor. Rejects `invalid_id` when `before` names no batch. */
  listBatches(options?: ListBatchesOptions): Promise<BatchPage>;

  /**
   * The lowest-index queued item of each unfinished batch: the least recently served owner's
   * batches first (fair share between users: one user's large batch does not starve another's),
   * then the least recently served batch (a batch moves to the back each time one of its items
   * starts), so taking the first entry each time serves owners, then their batches, round-robin.
   */
  listRunnableItems(options?: ListRunnableItemsOptions): Promise<RunnableItem[]>;

  /** When the earliest retry waiting in the queue (of an unfinished batch) may run, epoch ms; undefined when none waits. */
  nextRetryAtMs(): Promise<number | undefined>;

  /**
   * Claims a queued item whose retry time (if any) has come: `queued` → `running`, with the lease
   * given. Resolves undefined when the item was not claimable (canceled meanwhile, claimed by
   * another worker, or waiting for its retry), in which case nothing changes.
   */
  startItem(change: StartItem): Promise<ItemChange | undefined>;

  /** Extends a running item's lease; false when this owner no longer holds it (it was recovered). */
  renewLease(lease: ItemLease & { batchId: string; index: number }): Promise<boolean>;

  /**
   * A running item's attempt failed and will be retried: back to `queued`, not to be claimed before
   * `notBeforeMs`, its lease released. Rejects `conflict` when the item is not `running`.
   */
  retryItemLater(change: RetryItemLater): Promise<ItemChange>;

  /**
   * Records how a running item ended, with its event, and when that ended the batch, the batch's
   * one `batch-end`, all in one transaction. For `succeeded`, store the bytes (blob store) first.
   * Rejects `conflict` when the item is not `running`.
   */
  finishItem(change: FinishItem): Promise<ItemChange>;

  /**
   * Cancel: the batch's `queued` items become `canceled`, each with its `item-end`, and the
   * `batch-end` when that ended the batch, in one transaction; running items finish on their own.
   * Every `batch-end` (here, in `finishItem`) also creates, in its transaction, one pending webhook
   * delivery per URL of the batch's `params.webhookUrls`.
   */
  cancelQueuedItems(batchId: string): Promise<CanceledItems>;

  /**
   * Deletes a finished batch with its items and events; resolves the image ids whose files the
   * caller deletes next. Rejects `conflict` while it is queued or running, `not_found` when unknown.
   */
  deleteBatch(batchId: string): Promise<DeletedBatch>;

  /**
   * Marks an item's image as a favorite, or not. Rejects `not_found` for an unknown batch or item,
   * `conflict` when marking an item that has no image (not succeeded, or its image deleted).
   * Leaves the batch's `updatedAt` alone: the run did not change.
   */
  setItemFavorite(change: SetItemFavorite): Promise<ItemRecord>;

  /**
   * Deletes one image of a finished batch: the item stays `succeeded` with `imageDeletedAt` and no
   * image (nor favorite); resolves the image id whose file the caller deletes next. Rejects
   * `conflict` while the batch is queued or running, or when the item never had an image;
   * `not_found` for an unknown batch or item. Again on a deleted image: no files, nothing changes.
   */
  deleteItemImage(batchId: string, index: number): Promise<DeletedItemImage>;

  /** The items that made these images (made images only, not uploads), with their batches; unknown ids are left out. */
  findImageItems(imageIds: readonly string[]): Promise<ImageItem[]>;

  /** Finished batches last changed before `before`, oldest first (retention); batches holding a favorite are kept. */
  listFinishedBatchIdsBefore(before: Date, limit?: number): Promise<string[]>;

  /** How many batches there are (of one owner, when given), and how many images they hold, of how many bytes. */
  usage(options?: { ownerId?: string }): Promise<StoreUsage>;

  /** What a user or token has asked for and spent since `since`, and what is still running: for quotas. */
  activity(scope: ActivityScope, since: Date): Promise<Activity>;

  /**
   * Who owns a stored image (made by an item or uploaded as an input image): `{ ownerId: null }` for a
   * batch made while accounts were off; undefined when no batch has the image.
   */
  findImageOwner(imageId: string): Promise<{ ownerId: string | null } | undefined>;

  /**
   * Retry: the batch's items in these statuses go back to `queued` (error cleared, attempts kept).
   * Rejects `conflict` while the batch is still queued or running. Resolves how many, and when some
   * were requeued, `runStart` (the new run's `batch-start`) as logged in the same transaction.
   * @param statuses @default ['failed', 'canceled']
   */
  requeueItems(batchId: string, statuses?: readonly RequeueableStatus[], runStart?: BatchEventInput): Promise<RequeuedItems>;

  /**
   * Recovery: `running` items go back to `queued`; a call that an `item-start` announced and no
   * attempt recorded counts in `attempts` (it was made, and may have been billed). With `onlyExpiredLeases`, only those whose lease
   * has expired (their worker is gone: safe while other workers share the database); without, every
   * one (start-up of the embedded server, the only process on its data directory). Resolves how many.
   */
  requeueInterruptedItems(options?: { onlyExpiredLeases?: boolean }): Promise<number>;

  /** Appends to the batch's event log with the next sequence (1, 2, 3, … per batch, no gaps). */
  appendEvent(batchId: string, event: BatchEventInput): Promise<BatchEvent>;

  /** The batch's logged events in sequence order, for `Last-Event-ID` replay. */
  listEvents(batchId: string, options?: ListEventsOptions): Promise<BatchEvent[]>;

  /** Releases the database; the store is unusable afterwards. Safe to call twice. */
  close(): Promise<void>;
}
