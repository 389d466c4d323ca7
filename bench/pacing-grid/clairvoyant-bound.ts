import { sampleLatencyMs, seededRandom } from '@/lib/providers/testing';
import { concurrencyCapAt, GridQuota, SecondClient, stormAt, type PiecewiseTokenBucket } from './grid-quota';
import type { GridScenario } from './grid-scenario';

/**
 * The n-th accepted call's latency, the same stream for the simulated provider and for the bound:
 * every scheduler's n-th accepted call takes the same time, whatever was refused before it.
 */
export function latencyDraws(scenario: GridScenario, seed: number): () => number {
  const random = seededRandom(seed);
  const distribution = { kind: 'log-normal', medianMs: scenario.latency.medianMs, sigma: scenario.latency.sigma, maxMs: 12 * scenario.latency.medianMs } as const;
  // Whole milliseconds: timers (real or fake) run on whole milliseconds, the bound must use the same times.
  return () => Math.ceil(sampleLatencyMs(distribution, random));
}

/**
 * The best wall time for the batch: a scheduler that knows everything about the quota (rate,
 * bucket, calls in flight, when it is halved, when a second client takes its share, when storms
 * come) and starts each image, in order, the moment a token and a slot are both free outside a
 * storm. It is never refused. It knows when the second client's requests come too, and plans around them.
 * `clientMaxConcurrency` is the operator's own cap on calls in flight, which binds every scheduler.
 * On a far provider it counts a call in flight, for the provider's cap too, until its answer is
 * back: knowing the quota is not knowing when each call ends, and a start sent before the answer
 * that frees a slot could reach a provider whose slot is still taken.
 */
export function clairvoyantWallMs(scenario: GridScenario, seed: number, clientMaxConcurrency: number): number {
  const nextLatencyMs = latencyDraws(scenario, seed);
  const bucket = new GridQuota(scenario).bucket;
  const otherClient = new SecondClient(scenario);
  const endsMs: number[] = [];
  let startMs = 0;
  for (let image = 0; image < scenario.images; image += 1) {
    // The second client's requests due before our next start take their tokens first; at a tie, ours goes first.
    for (;;) {
      startMs = earliestStartMs(scenario, bucket, endsMs, startMs, clientMaxConcurrency);
      if (otherClient.nextEventMs >= startMs) break;
      otherClient.act(otherClient.nextEventMs, bucket);
    }
    bucket.take(startMs);
    // The image is back a round trip after its call left, plus the provider's own time.
    endsMs.push(startMs + nextLatencyMs() + (scenario.roundTripMs ?? 0));
  }
  return Math.max(...endsMs);
}

/** From `fromMs`, the first moment with a token, a free slot and no storm (each may push the others later). */
function earliestStartMs(scenario: GridScenario, bucket: PiecewiseTokenBucket, endsMs: readonly number[], fromMs: number, clientMaxConcurrency: number): number {
  let atMs = fromMs;
  for (;;) {
    const tokenAtMs = bucket.nextTokenAtMs(atMs);
    if (tokenAtMs > atMs) {
      atMs = tokenAtMs;
      continue;
    }
    const storm = stormAt(scenario, atMs);
    if (storm) {
      atMs = storm.untilMs;
      continue;
    }
    const cap = Math.min(concurrencyCapAt(scenario, atMs), clientMaxConcurrency);
    const runningEndsMs = endsMs.filter((endMs) => endMs > atMs).sort((left, right) => left - right);
    if (runningEndsMs.length >= cap) {
      // Enough calls must end for one slot to be free: the (running - cap + 1)-th end.
      atMs = runningEndsMs[runningEndsMs.length - cap]!;
      continue;
    }
    return atMs;
  }
}
