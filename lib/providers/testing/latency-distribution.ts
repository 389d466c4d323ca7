/**
 * Latency shapes for the provider simulator, and a seeded random source so that two runs of a
 * benchmark draw the same latencies in the same order.
 */

/** How long one accepted call takes, in simulated milliseconds. */
export type LatencyDistribution =
  | {
      kind: 'log-normal';
      /** Half the calls are faster than this. */
      medianMs: number;
      /** Spread of the underlying normal: 0.35 puts p95 at ~1.8x and p99 at ~2.3x the median. */
      sigma: number;
      /** Longest latency drawn (the tail is cut here). @default 120000 */
      maxMs?: number;
    }
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number };

/**
 * Shaped like image models measured in the field (gemini-2.5-flash-image p50 ~8.8 s, p95 ~14 s,
 * with a longer tail): median 9 s, p95 ~16 s, p99 ~20 s.
 */
export const imageModelLatency: LatencyDistribution = Object.freeze({ kind: 'log-normal', medianMs: 9_000, sigma: 0.35, maxMs: 120_000 });

/** A draw from `distribution` with `random` (uniform in [0, 1)), in simulated milliseconds. */
export function sampleLatencyMs(distribution: LatencyDistribution, random: () => number): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.ms;
    case 'uniform':
      return distribution.minMs + random() * (distribution.maxMs - distribution.minMs);
    case 'log-normal': {
      // Box-Muller; 1 - random() keeps the logarithm's argument in (0, 1].
      const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return Math.min(distribution.maxMs ?? 120_000, distribution.medianMs * Math.exp(distribution.sigma * normal));
    }
  }
}

/** The distribution's mean in simulated milliseconds (the log-normal's, ignoring the cut tail). */
export function meanLatencyMs(distribution: LatencyDistribution): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.ms;
    case 'uniform':
      return (distribution.minMs + distribution.maxMs) / 2;
    case 'log-normal':
      return distribution.medianMs * Math.exp((distribution.sigma * distribution.sigma) / 2);
  }
}

/** mulberry32: a small, fast, seeded PRNG; uniform in [0, 1). Not for anything secret. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
