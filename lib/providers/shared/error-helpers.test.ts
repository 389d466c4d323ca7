import { describe, expect, it } from 'vitest';
import { sanitizeDetails } from './error-helpers';

describe('sanitizeDetails', () => {
  const key = 'test-openai-key-0123456789abcdef';

  it('removes the key, and a piece of it that a truncated snippet kept', () => {
    const snippet = `Unexpected token in JSON at position 12: {"auth":"Bearer ${key.slice(0, 10)}`;
    const clean = sanitizeDetails(snippet, [key]);
    expect(clean).not.toContain(key.slice(0, 10));
    expect(clean).toContain('[redacted]');
    expect(sanitizeDetails(`...${key.slice(-12)}"}`, [key])).not.toContain(key.slice(-12));
    expect(sanitizeDetails(`key ${key} end`, [key])).toBe('key [redacted] end');
  });

  it('removes key-shaped strings it was not told about, short pieces of them included', () => {
    expect(sanitizeDetails('key=AIzaSyA1b2', [])).toBe('key=[redacted]');
    expect(sanitizeDetails('Bearer sk-proj-abc123', [])).toBe('Bearer [redacted]');
  });

  it('keeps ordinary words', () => {
    expect(sanitizeDetails('The model is overloaded. Please try again later.', [key])).toBe('The model is overloaded. Please try again later.');
  });
});
