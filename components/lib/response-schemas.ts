import { z } from 'zod';
import { batchItemViewSchema, batchViewSchema } from '@/lib/core/api-views';
import { quotaSchema } from '@/lib/core/quota';

/**
 * Every schema the page checks the server's answers with (parse, don't cast), in one module that
 * only loads on first use (`import()` in api-request.ts and follow-batch-events.ts): zod is about
 * 35 KB of compressed JavaScript that the first paint does not need.
 */

export { batchActionResultSchema, batchListSchema, batchViewSchema, storageUsageSchema } from '@/lib/core/api-views';
export { itemProgressEventSchema, progressEventSchema } from '@/lib/core/events';

export const userViewSchema = z.object({
  id: z.string().min(1),
  username: z.string(),
  role: z.enum(['admin', 'user']),
  quota: quotaSchema,
  createdAt: z.string(),
});

export const tokenViewSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  quota: quotaSchema,
  createdAt: z.string(),
  lastUsedAt: z.string().nullish(),
  revokedAt: z.string().nullish(),
});

export const signedInSchema = z.object({ user: userViewSchema });
export const tokenListSchema = z.object({ tokens: z.array(tokenViewSchema) });
export const createdTokenSchema = z.object({ token: tokenViewSchema, secret: z.string().min(1) });
export const userListSchema = z.object({ users: z.array(userViewSchema) });

export const itemAnswerSchema = z.object({ item: batchItemViewSchema });
export const batchAnswerSchema = z.object({ batch: batchViewSchema });
