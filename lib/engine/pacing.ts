import type { AppConfig, PacingMode, PacingOverrides } from '@/lib/core';
import { createAdaptiveLane } from './adaptive-lane';
import { createLane, type Lane } from './lane';

/** One provider's pacing, resolved from configuration. */
export interface PacingSettings {
  mode: PacingMode;
  /**
   * `fixed`: calls in flight at once. Ignored by `sequential` (always 1) and `adaptive` (see `maxConcurrency`).
   * @default 1
   */
  concurrency: number;
  /**
   * `sequential` and `fixed` without `requestsPerMinute`: minimum time between two starts;
   * `adaptive`: the spacing it starts with.
   * @default 500
   */
  minIntervalMs: number;
  /**
   * `fixed`: the start rate (starts `60000 / requestsPerMinute` ms apart, rounded up);
   * `adaptive`: a ceiling it never exceeds. Ignored by `sequential`.
   * @default none
   */
  requestsPerMinute?: number;
  /**
   * `fixed`: starts that may come together after a quiet spell, at the same average rate (the
   * provider's bucket size, when its quota allows bursts). Ignored by the other modes.
   * @default 1 (evenly spaced)
   */
  burst?: number;
  /**
   * `adaptive`: the most calls in flight it may reach.
   * @default 16
   */
  maxConcurrency: number;
  /**
   * `adaptive`: how long a call must stay in flight to count as accepted while ramping up.
   * @default 250
   */
  acceptedAfterMs?: number;
}

/** The lane for one provider: the seed's sequential lane, a fixed limiter, or an adaptive one. */
export function createPacedLane(settings: PacingSettings): Lane {
  switch (settings.mode) {
    case 'sequential':
      return createLane({ concurrency: 1, minIntervalMs: settings.minIntervalMs });
    case 'fixed':
      return createLane({
        concurrency: settings.concurrency,
        minIntervalMs: settings.requestsPerMinute ? Math.ceil(60_000 / settings.requestsPerMinute) : settings.minIntervalMs,
        burst: settings.burst ?? 1,
      });
    case 'adaptive':
      return createAdaptiveLane({
        maxConcurrency: settings.maxConcurrency,
        initialIntervalMs: settings.minIntervalMs,
        ...(settings.acceptedAfterMs === undefined ? {} : { acceptedAfterMs: settings.acceptedAfterMs }),
        requestsPerMinute: settings.requestsPerMinute,
      });
  }
}

type PacingConfig = Pick<
  AppConfig,
  'PACING_MODE' | 'PACING_CONCURRENCY' | 'PACING_MIN_INTERVAL_MS' | 'PACING_RPM' | 'PACING_MAX_CONCURRENCY' | 'PACING_BURST'
>;

/**
 * A provider's pacing: its own overrides (`<PROVIDER>_PACING_*`, see `loadPacingOverrides`) first,
 * then the global `PACING_*` variables. Without a mode, a concurrency above 1 or a rate means
 * `fixed`, as the seed's PACING_CONCURRENCY did; otherwise `sequential`.
 */
export function pacingSettingsFor(config: PacingConfig, own: PacingOverrides = {}): PacingSettings {
  const concurrency = own.concurrency ?? config.PACING_CONCURRENCY;
  const requestsPerMinute = own.requestsPerMinute ?? config.PACING_RPM;
  const burst = own.burst ?? config.PACING_BURST;
  const mode = own.mode ?? config.PACING_MODE ?? (concurrency > 1 || requestsPerMinute !== undefined ? 'fixed' : 'sequential');
  return {
    mode,
    concurrency,
    minIntervalMs: config.PACING_MIN_INTERVAL_MS,
    ...(requestsPerMinute === undefined ? {} : { requestsPerMinute }),
    ...(burst === undefined ? {} : { burst }),
    maxConcurrency: config.PACING_MAX_CONCURRENCY,
  };
}
