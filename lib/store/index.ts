/** The store's front door: other modules import from here, never from the files behind it. */
export { openStore, databaseFileName, imagesDirectoryName, type OpenStoreOptions, type Store } from './open-store';
export type {
  Activity,
  ActivityScope,
  BatchPage,
  BatchStore,
  CanceledItems,
  CreatedBatch,
  DeletedBatch,
  DeletedItemImage,
  ImageItem,
  SetItemFavorite,
  ItemLease,
  RetryItemLater,
  FinishItem,
  ItemChange,
  ListBatchesOptions,
  ListEventsOptions,
  ListRunnableItemsOptions,
  NewBatch,
  RequeueableStatus,
  RequeuedItems,
  RunnableItem,
  StartItem,
  StoreUsage,
} from './batch-store';
export {
  inputImagesOf,
  itemStatuses,
  storedBatchStatuses,
  type BatchEvent,
  type BatchEventInput,
  type BatchParams,
  type BatchRecord,
  type BatchWithItems,
  type ItemRecord,
  type ItemResult,
  type ItemStatus,
  type StoredBatchStatus,
} from './batch-records';
export {
  newWebhookId,
  webhookDeliveryStatuses,
  type ClaimWebhookDeliveries,
  type RecordWebhookAttempt,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  type WebhookDeliveryStore,
} from './webhook-deliveries';
export type { AccountStore, NewToken, NewUser, Role, TokenRecord, UserChange, UserRecord } from './account-store';
export { createSqliteAccountStore } from './sqlite/sqlite-account-store';
export type { BlobStore, ImageRef, ImageTextMetadata, OpenedImage } from './blob-store';
// Types only: the S3 blob store (and the AWS SDK) loads when `openStore({ blobStoreUrl })` asks for it.
export type { ClosableBlobStore } from './s3';
export { StoreError, isStoreError, type StoreErrorKind } from './store-error';
export { extensionByMimeType, parseImageId } from './image-id';
export { toImageTextMetadata, type GenerationDescription } from './image-text-metadata';
export { readPngTextChunks, type PngTextEntry } from './png/png-text-chunks';
export { isStorageFullError } from './storage-full';
export { readBlob } from './read-blob';
