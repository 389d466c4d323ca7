import { describe, expect, it } from 'vitest';
import { StoreError, isStoreError } from './store-error';

describe('isStoreError', () => {
  it('recognises errors from another copy of the class (Next bundles instrumentation and routes separately)', () => {
    const foreignCopy = Object.assign(new Error('gone'), { [Symbol.for('imagegen.AppError')]: true, name: 'StoreError', kind: 'not_found' });
    expect(isStoreError(new StoreError('conflict', 'busy'))).toBe(true);
    expect(isStoreError(foreignCopy)).toBe(true);
    expect(isStoreError(Object.assign(new Error('look-alike'), { name: 'StoreError', kind: 'not_found' }))).toBe(false);
  });
});
