import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('the scale-out knobs', () => {
  it('keep their defaults when unset: 60 s leases, a 5 s safety poll, 30 s lane slots, no Redis prefix of its own', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ QUEUE_LEASE_MS: 60_000, QUEUE_SAFETY_POLL_MS: 5_000, LANE_SLOT_LEASE_MS: 30_000 });
    expect(config.REDIS_PREFIX).toBeUndefined();
    expect(config.WORKER_CONCURRENCY).toBeUndefined();
  });

  it('take shorter values, within their bounds', () => {
    expect(loadConfig({ QUEUE_LEASE_MS: '2000', QUEUE_SAFETY_POLL_MS: '250', LANE_SLOT_LEASE_MS: '3000', REDIS_PREFIX: 'test:a1' })).toMatchObject({
      QUEUE_LEASE_MS: 2_000,
      QUEUE_SAFETY_POLL_MS: 250,
      LANE_SLOT_LEASE_MS: 3_000,
      REDIS_PREFIX: 'test:a1',
    });
  });

  it('refuse values that would break recovery, naming the variable', () => {
    expect(() => loadConfig({ QUEUE_LEASE_MS: '10' })).toThrow(/QUEUE_LEASE_MS/);
    expect(() => loadConfig({ QUEUE_SAFETY_POLL_MS: '0' })).toThrow(/QUEUE_SAFETY_POLL_MS/);
    // Renewed at most once a second: a slot shorter than 3 s could expire between two renewals.
    expect(() => loadConfig({ LANE_SLOT_LEASE_MS: '1000' })).toThrow(/LANE_SLOT_LEASE_MS/);
    expect(() => loadConfig({ QUEUE_LEASE_MS: 'soon' })).toThrow(/QUEUE_LEASE_MS/);
    expect(() => loadConfig({ REDIS_PREFIX: 'has space' })).toThrow(/REDIS_PREFIX/);
    expect(() => loadConfig({ WORKER_CONCURRENCY: '0' })).toThrow(/WORKER_CONCURRENCY/);
    expect(loadConfig({ WORKER_CONCURRENCY: '2' }).WORKER_CONCURRENCY).toBe(2);
  });
});
