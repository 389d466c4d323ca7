import { describe, expect, it } from 'vitest';
import { loadConfig, loadPacingOverrides, withProviderPacingDefaults } from '@/lib/core';

/** What the server does: the global config, then the provider's own `<ID>_PACING_*`. */
function settingsFrom(env: Record<string, string>, providerId: string) {
  return pacingSettingsFor(loadConfig(env), loadPacingOverrides(env, providerId));
}
import { createPacedLane, pacingSettingsFor } from './pacing';

describe('pacingSettingsFor', () => {
  it('is the seed sequential pacing by default', () => {
    const settings = settingsFrom({}, 'demo');
    expect(settings).toEqual({ mode: 'sequential', concurrency: 1, minIntervalMs: 500, maxConcurrency: 16 });
    const lane = createPacedLane(settings);
    expect([lane.concurrency, lane.minIntervalMs]).toEqual([1, 500]);
  });

  it("a provider's default spacing (a local server: none) applies unless PACING_MIN_INTERVAL_MS is set; its own overrides still win", () => {
    const withDefaults = (env: Record<string, string>) =>
      pacingSettingsFor(loadConfig(env), withProviderPacingDefaults(loadPacingOverrides(env, 'comfyui'), { minIntervalMs: 0 }, env));
    expect(withDefaults({})).toMatchObject({ mode: 'sequential', concurrency: 1, minIntervalMs: 0 });
    expect(withDefaults({ PACING_MIN_INTERVAL_MS: '250' }).minIntervalMs).toBe(250);
    expect(withDefaults({ COMFYUI_PACING_CONCURRENCY: '2' })).toMatchObject({ mode: 'fixed', concurrency: 2, minIntervalMs: 0 });
    expect(pacingSettingsFor(loadConfig({}), withProviderPacingDefaults({}, undefined, {})).minIntervalMs).toBe(500);
  });

  it('means fixed when only PACING_CONCURRENCY or PACING_RPM is set (the seed variable keeps working)', () => {
    expect(settingsFrom({ PACING_CONCURRENCY: '4' }, 'demo').mode).toBe('fixed');
    expect(settingsFrom({ PACING_RPM: '30' }, 'demo').mode).toBe('fixed');
    expect(settingsFrom({ PACING_MODE: 'sequential', PACING_CONCURRENCY: '4' }, 'demo').mode).toBe('sequential');
  });

  it('fixed: the concurrency, and starts 60000 / PACING_RPM ms apart (rounded up)', () => {
    const lane = createPacedLane(settingsFrom({ PACING_MODE: 'fixed', PACING_CONCURRENCY: '8', PACING_RPM: '7' }, 'demo'));
    expect([lane.concurrency, lane.minIntervalMs]).toEqual([8, Math.ceil(60_000 / 7)]);
    const withoutRate = createPacedLane(settingsFrom({ PACING_MODE: 'fixed', PACING_CONCURRENCY: '3', PACING_MIN_INTERVAL_MS: '250' }, 'demo'));
    expect([withoutRate.concurrency, withoutRate.minIntervalMs]).toEqual([3, 250]);
  });

  it('fixed: PACING_BURST lets that many starts come together, per provider too; evenly spaced by default', () => {
    const spaced = createPacedLane(settingsFrom({ PACING_MODE: 'fixed', PACING_RPM: '60' }, 'gemini'));
    expect(spaced.burst).toBe(1);
    const env = { PACING_MODE: 'fixed', PACING_RPM: '60', PACING_BURST: '5', OPENAI_PACING_BURST: '2' };
    expect(createPacedLane(settingsFrom(env, 'gemini')).burst).toBe(5);
    expect(createPacedLane(settingsFrom(env, 'openai')).burst).toBe(2);
    expect(() => loadConfig({ PACING_BURST: '0' })).toThrow(/PACING_BURST/);
    expect(() => loadPacingOverrides({ GEMINI_PACING_BURST: 'lots' }, 'gemini')).toThrow(/GEMINI_PACING_BURST/);
  });

  it('adaptive: starts at one call, PACING_RPM as a ceiling, PACING_MAX_CONCURRENCY as a cap', () => {
    const settings = settingsFrom({ PACING_MODE: 'adaptive', PACING_RPM: '30', PACING_MAX_CONCURRENCY: '4' }, 'gemini');
    expect(settings).toMatchObject({ mode: 'adaptive', requestsPerMinute: 30, maxConcurrency: 4 });
    const lane = createPacedLane(settings);
    expect(lane.concurrency).toBe(1);
    expect(lane.minIntervalMs).toBe(2_000);
    expect('snapshot' in lane).toBe(true);
  });

  it('lets each provider override the global settings', () => {
    const env = {
      PACING_MODE: 'fixed',
      PACING_CONCURRENCY: '2',
      GEMINI_PACING_MODE: 'adaptive',
      OPENAI_PACING_RPM: '5',
      OPENAI_PACING_CONCURRENCY: '3',
      SOME_NEW_PROVIDER_PACING_BURST: '4',
    };
    expect(settingsFrom(env, 'gemini').mode).toBe('adaptive');
    expect(settingsFrom(env, 'openai')).toMatchObject({ mode: 'fixed', concurrency: 3, requestsPerMinute: 5 });
    expect(settingsFrom(env, 'demo')).toMatchObject({ mode: 'fixed', concurrency: 2 });
    // Read generically: a provider added later gets its own variables with no change to config.
    expect(settingsFrom(env, 'some-new-provider')).toMatchObject({ burst: 4 });
  });

  it('refuses bad values by name', () => {
    expect(() => loadConfig({ PACING_MODE: 'turbo' })).toThrow(/PACING_MODE/);
    expect(() => loadConfig({ PACING_RPM: '0' })).toThrow(/PACING_RPM/);
    expect(() => loadPacingOverrides({ GEMINI_PACING_CONCURRENCY: '100' }, 'gemini')).toThrow(/GEMINI_PACING_CONCURRENCY/);
    expect(loadConfig({ PACING_MODE: '', PACING_RPM: ' ' })).toMatchObject({ PACING_MODE: undefined, PACING_RPM: undefined });
  });
});
