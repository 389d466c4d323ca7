import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sleep } from './sleep';
import { trackPromise } from '@/lib/engine/testing/track-promise';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('sleep', () => {
  it('resolves after the duration, not before', async () => {
    const sleeping = trackPromise(sleep(1_000));
    await vi.advanceTimersByTimeAsync(999);
    expect(sleeping.isSettled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(sleeping.isSettled).toBe(true);
  });

  it('rejects with the abort reason and clears its timer', async () => {
    const controller = new AbortController();
    const sleeping = sleep(1_000, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await expect(sleeping).rejects.toMatchObject({ name: 'AbortError' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when already aborted', async () => {
    await expect(sleep(1_000, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
