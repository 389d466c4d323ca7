export {
  createApp,
  getApp,
  authenticateRequest,
  getBatchRuntime,
  getProvidersCatalog,
  resetApp,
  type App,
  type BatchRuntime,
  type ResolvedModel,
} from './create-app';
export { respondToGeneration } from './generate-endpoint';
export { startBatchWorker } from './start-batch-worker';
export { parseImageToImageRequest, parseTextToImageRequest, type GenerationInput } from './generation-input';
export { InputError } from './input-error';
export { toClassicResult } from './classic-result';
export { toErrorResponse } from './to-response';
export { parseBatchRequest, maxImagesPerBatch, type BatchInput } from './batch-input';
export {
  cancelBatch,
  createBatch,
  defaultBatchPageSize,
  deleteBatch,
  getStorageUsage,
  getBatch,
  listBatches,
  retryBatch,
  type BatchList,
  type ListBatchesQuery,
} from './batches';
export { imageUrlOf, toBatchView, type BatchItemView, type BatchView } from './batch-view';
export {
  respondToBatchEvents,
  respondToBatchZip,
  respondToCancelBatch,
  respondToCreateBatch,
  respondToDeleteBatch,
  respondToStorageUsage,
  respondToGetBatch,
  respondToImage,
  respondToListBatches,
  respondToRetryBatch,
  respondToSetFavorite,
  respondToDeleteImage,
  respondToImagesZip,
} from './batch-endpoints';
export { parseBatchFilters, type BatchFilters } from './batch-filters';
export {
  respondToCreateToken,
  respondToCreateUser,
  respondToDeleteUser,
  respondToGetSession,
  respondToListTokens,
  respondToListUsers,
  respondToRevokeToken,
  respondToSetup,
  respondToSignIn,
  respondToSignOut,
  respondToUpdateUser,
  type TokenView,
  type UserView,
} from './account-endpoints';
export { AuthError, isAuthError, type Principal } from './accounts';
export { followBatch, readStoredImage } from './local-batch-access';
export { isInputError, storeErrorKindOf } from './error-kinds';
