/** The batch engine's front door: other modules import from here, never from the files behind it. */
export { createLane, defaultLaneOptions, type Lane, type LaneOptions, type ReleaseSlot, type SlotOutcome } from './lane';
export { createAdaptiveLane, type AdaptiveLane } from './adaptive-lane';
export {
  createAdaptivePacer,
  type AdaptivePacer,
  type AdaptivePacingOptions,
  type AdaptivePacingPhase,
  type AdaptivePacingSnapshot,
  CallTicket,
  type LaneLoad,
} from './adaptive-pacing';
export { createPacedLane, pacingSettingsFor, type PacingSettings } from './pacing';
export {
  decideRetry,
  defaultRetryPolicy,
  isAbortError,
  resolveRetryPolicy,
  type DecideRetryInput,
  type RetryDecision,
  type RetryPolicy,
} from './retry';
export { sleep } from '@/lib/core';
export { runBatch, type BatchItemResult, type BatchResult, type RunBatchOptions } from './run-batch';
export { runItem, type RunItemOptions } from './run-item';
export { exhaustedQuotaRecheckMs, runAttempt, type AttemptResult, type RunAttemptOptions } from './run-attempt';
export { createCostBudget, type CostBudget, type CostBudgetOptions } from './cost-budget';
export type { EngineEventBody } from './batch-progress';
