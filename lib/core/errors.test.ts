import { describe, expect, it } from 'vitest';
import { ProviderError, isProviderError, toItemError } from './errors';

describe('isProviderError', () => {
  it('recognises errors from another copy of the class (Next bundles routes and pages separately)', () => {
    const foreignCopy = Object.assign(new Error('x'), { [Symbol.for('imagegen.AppError')]: true, name: 'ProviderError', kind: 'safety_blocked' });
    expect(isProviderError(new ProviderError('safety_blocked', 'blocked'))).toBe(true);
    expect(isProviderError(foreignCopy)).toBe(true);
    expect(isProviderError(new Error('plain'))).toBe(false);
    expect(isProviderError(Object.assign(new Error('look-alike'), { name: 'ProviderError', kind: 'auth' }))).toBe(false);
  });

  it('turns provider errors into item errors with a human message and the provider words', () => {
    const error = new ProviderError('rate_limited', 'quota', { retryAfterMs: 5000, details: 'Please retry in 5s' });
    expect(toItemError(error)).toEqual({
      kind: 'rate_limited',
      message: 'Rate limited by the provider',
      details: 'Please retry in 5s',
      retryAfterMs: 5000,
    });
    expect(toItemError(new TypeError('boom'))).toEqual({ kind: 'internal', message: 'Internal error', details: 'boom' });
  });
});

describe('AppError: one way to recognise our errors across bundles', () => {
  it('tells our kinds apart by name, and a look-alike without the marker is not ours', async () => {
    const { ConfigError, isConfigError, isAppError } = await import('.');
    expect(isConfigError(new ConfigError('PACING_MODE: bad'))).toBe(true);
    expect(isConfigError(new ProviderError('auth', 'no'))).toBe(false);
    expect(isAppError(new ProviderError('auth', 'no'))).toBe(true);
    expect(isConfigError(Object.assign(new Error('x'), { name: 'ConfigError' }))).toBe(false);
    const foreignConfigError = Object.assign(new Error('x'), { [Symbol.for('imagegen.AppError')]: true, name: 'ConfigError' });
    expect(isConfigError(foreignConfigError)).toBe(true);
  });
});
