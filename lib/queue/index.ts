/** The durable work queue's front door: other modules import from here, never from the files behind it. */
export { createBatchQueue, type BatchQueue, type BatchQueueOptions } from './batch-queue';
export { isFinishedStatus } from './batch-journal';
export type { BatchEventListener, ItemProgressListener } from './batch-event-bus';
export type { QueueLog } from './batch-worker';
