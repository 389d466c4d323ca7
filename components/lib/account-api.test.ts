import { describe, expect, it } from 'vitest';
import { minPasswordLength as serverMinimum } from '@/lib/auth';
import { minPasswordLength } from './account-api';
import { tokenViewSchema, userViewSchema } from './response-schemas';

describe('account views', () => {
  it("asks for the server's minimum password length", () => {
    expect(minPasswordLength).toBe(serverMinimum);
  });

  it('reads a user and a token as the API answers them', () => {
    const user = { id: 'u1', username: 'ada', role: 'admin', quota: { imagesPerDay: 5 }, createdAt: '2025-01-01T00:00:00.000Z' };
    expect(userViewSchema.parse(user)).toEqual(user);
    const token = { id: 't1', name: 'laptop', quota: {}, createdAt: '2025-01-01T00:00:00.000Z', lastUsedAt: '2025-01-02T00:00:00.000Z' };
    expect(tokenViewSchema.parse(token)).toEqual(token);
    expect(userViewSchema.safeParse({ ...user, role: 'owner' }).success).toBe(false);
  });
});
