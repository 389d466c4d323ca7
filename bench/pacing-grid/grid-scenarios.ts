import { clairvoyantWallMs } from './clairvoyant-bound';
import type { GridQuotaShape, GridScenario } from './grid-scenario';
import { gridClientMaxConcurrency } from './run-grid-scenario';

/**
 * The pacing grid: quota shapes adaptive pacing was not tuned on. Rates from 0.1 to 20 requests a
 * second, enforced per second (a small bucket) or per minute (a bucket of 5 seconds' worth, 2 to
 * 10), calls in flight capped at 1 to 32 or not at all, latency medians from 0.2 s to 30 s
 * (log-normal, sigma 0.35, or 0.6 for a wide spread); and on some shapes, the quota halved
 * mid-run, a second client taking a third of it, 503 storms, 429s with no retry hint or one in
 * whole seconds, OpenAI's `x-ratelimit-*` headers, and a far provider (a 300 ms network round trip
 * on every answer).
 */

const imagesPerBatch = 80;
const typicalSpread = 0.35;
const wideSpread = 0.6;

interface ShapeSpec {
  family: string;
  quota: GridQuotaShape;
  medianMs: number;
  sigma?: number;
}

function perSecond(requestsPerSecond: number, bucket: number, maxConcurrent: number | undefined, medianMs: number, sigma?: number): ShapeSpec {
  return { family: 'per-second', quota: { requestsPerSecond, bucket, ...(maxConcurrent === undefined ? {} : { maxConcurrent }) }, medianMs, ...(sigma ? { sigma } : {}) };
}

/** A per-minute quota as providers enforce it: a bucket of 5 seconds' worth of the rate, 2 to 10. */
function perMinute(requestsPerMinute: number, maxConcurrent: number | undefined, medianMs: number, sigma?: number): ShapeSpec {
  const bucket = Math.min(10, Math.max(2, Math.round(requestsPerMinute / 12)));
  return { family: 'per-minute', quota: { requestsPerSecond: requestsPerMinute / 60, bucket, ...(maxConcurrent === undefined ? {} : { maxConcurrent }) }, medianMs, ...(sigma ? { sigma } : {}) };
}

/** Bound by calls in flight: a generous rate (20 a second, bucket of 10) that never binds first. */
function inFlight(maxConcurrent: number, medianMs: number, sigma?: number): ShapeSpec {
  return { family: 'in-flight', quota: { requestsPerSecond: 20, bucket: 10, maxConcurrent }, medianMs, ...(sigma ? { sigma } : {}) };
}

function describe(spec: ShapeSpec): string {
  const { requestsPerSecond, bucket, maxConcurrent } = spec.quota;
  const rate = spec.family === 'per-minute' ? `${+(requestsPerSecond * 60).toFixed(1)}/min` : `${requestsPerSecond}/s`;
  const cap = maxConcurrent === undefined ? 'no cap' : `cap ${maxConcurrent}`;
  const spread = spec.sigma === wideSpread ? ', wide spread' : '';
  return `${rate} bucket ${bucket}, ${cap}, ${spec.medianMs >= 1_000 ? `${spec.medianMs / 1_000} s` : `${spec.medianMs} ms`}${spread}`;
}

function scenario(spec: ShapeSpec, extra: Partial<GridScenario> & { tag?: string } = {}): GridScenario {
  const { tag, ...rest } = extra;
  return {
    name: `${spec.family}: ${describe(spec)}${tag ? `; ${tag}` : ''}`,
    family: tag ? `${spec.family} + ${tag.split(/[ :]/)[0]}` : spec.family,
    quota: spec.quota,
    latency: { medianMs: spec.medianMs, sigma: spec.sigma ?? typicalSpread },
    images: imagesPerBatch,
    ...rest,
  };
}

/** A time at this share of the clairvoyant run on the unchanged quota (seed 1): events land mid-batch. */
function atShareOfBatch(spec: ShapeSpec, share: number): number {
  return Math.round(clairvoyantWallMs(scenario(spec), 1, gridClientMaxConcurrency) * share);
}

const plainShapes: ShapeSpec[] = [
  // Per-second token buckets.
  perSecond(1, 1, undefined, 500),
  perSecond(2, 2, undefined, 300),
  perSecond(5, 5, undefined, 800),
  perSecond(10, 10, 32, 200),
  perSecond(20, 10, undefined, 500),
  perSecond(20, 1, undefined, 200),
  perSecond(0.5, 1, undefined, 2_500),
  perSecond(0.3, 1, 4, 9_000),
  perSecond(0.1, 1, undefined, 3_000),
  perSecond(0.1, 3, 2, 30_000),
  perSecond(1, 3, 8, 9_000),
  perSecond(2, 5, 16, 3_000),
  perSecond(5, 2, 8, 1_000),
  perSecond(3, 1, undefined, 1_300, wideSpread),
  // Per-minute quotas.
  perMinute(6, undefined, 9_000),
  perMinute(10, 8, 9_000),
  perMinute(20, 8, 9_000),
  perMinute(60, 8, 9_000),
  perMinute(120, undefined, 9_000),
  perMinute(300, 32, 3_000),
  perMinute(600, undefined, 1_000),
  perMinute(30, undefined, 30_000),
  perMinute(60, undefined, 200),
  perMinute(12, 2, 1_300, wideSpread),
  // Bound by calls in flight.
  inFlight(1, 1_300),
  inFlight(2, 1_300),
  inFlight(3, 1_300),
  inFlight(4, 200),
  inFlight(8, 3_000),
  inFlight(16, 9_000),
  inFlight(32, 9_000),
  inFlight(32, 30_000),
  inFlight(4, 30_000),
  inFlight(8, 500, wideSpread),
  inFlight(1, 9_000),
  inFlight(2, 200),
];

function halved(spec: ShapeSpec): GridScenario {
  return scenario(spec, { tag: 'quota halved mid-run', halvedAtMs: atShareOfBatch(spec, 0.4) });
}

function secondClient(spec: ShapeSpec, share: number): GridScenario {
  return scenario(spec, { tag: `second client takes 1/3${share === 0 ? '' : ' from mid-run'}`, otherClientFromMs: atShareOfBatch(spec, share) });
}

function storm(spec: ShapeSpec): GridScenario {
  const fromMs = atShareOfBatch(spec, 0.3);
  return scenario(spec, { tag: '503 storm of 6 s', storms: [{ fromMs, untilMs: fromMs + 6_000 }] });
}

function noHint(spec: ShapeSpec): GridScenario {
  return scenario(spec, { tag: 'no retry hint', retryHint: 'none' });
}

function secondsHint(spec: ShapeSpec): GridScenario {
  return scenario(spec, { tag: 'hint in whole seconds', retryHint: 'seconds' });
}

function headers(spec: ShapeSpec): GridScenario {
  return scenario(spec, { tag: 'x-ratelimit headers', isSendingRateLimitHeaders: true });
}

/** A far provider: every answer, a 429 as well as an image, comes back a 300 ms round trip after its call left, on top of the provider's own time. */
function farProvider(spec: ShapeSpec): GridScenario {
  return scenario(spec, { tag: 'far: 300 ms round trip', roundTripMs: 300 });
}

export const gridScenarios: readonly GridScenario[] = [
  ...plainShapes.map((spec) => scenario(spec)),
  halved(perSecond(2, 2, undefined, 500)),
  halved(perMinute(60, 8, 9_000)),
  halved(inFlight(8, 3_000)),
  secondClient(perSecond(1, 3, undefined, 1_000), 0.3),
  secondClient(perMinute(20, 8, 9_000), 0.3),
  secondClient(perSecond(5, 5, 16, 1_300), 0),
  storm(perSecond(2, 2, undefined, 1_000)),
  storm(inFlight(4, 1_300)),
  storm(perMinute(60, 8, 9_000)),
  noHint(perSecond(2, 2, undefined, 500)),
  noHint(perSecond(0.5, 1, undefined, 2_500)),
  noHint(inFlight(2, 1_300)),
  secondsHint(perSecond(0.5, 1, undefined, 2_500)),
  secondsHint(perSecond(0.3, 1, 4, 9_000)),
  secondsHint(perMinute(10, 8, 9_000)),
  headers(perMinute(60, 8, 9_000)),
  headers(perSecond(2, 2, undefined, 500)),
  headers(perMinute(10, 8, 9_000)),
  headers(inFlight(4, 1_300)),
  farProvider(perSecond(20, 1, undefined, 200)),
  farProvider(perSecond(0.5, 1, undefined, 2_500)),
  farProvider(perMinute(60, 8, 9_000)),
  farProvider(inFlight(4, 1_300)),
];
