import { z } from 'zod';
import { aspectRatios, providerErrorKinds } from '@/lib/core';
import type { ProviderDescriptor } from '../descriptor';
import { optionalText } from '../shared/env-schemas';
import { createDemoProvider, demoModelId } from './demo-provider';

const indexList = z
  .string()
  .optional()
  .transform((value, context) => {
    if (!value || value.trim() === '') return [] as number[];
    const parts = value.split(',').map((part) => Number(part.trim()));
    if (parts.some((part) => !Number.isInteger(part) || part < 1)) {
      context.addIssue({ code: 'custom', message: 'must be a comma-separated list of 1-based image indexes, e.g. "2,4"' });
      return z.NEVER;
    }
    return parts;
  });

const envSchema = z.object({
  /** Simulated latency per image. @default 0 */
  DEMO_LATENCY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /** 1-based indexes that fail, e.g. "2,4". @default none */
  DEMO_FAIL_INDEXES: indexList,
  /** How injected failures are classified. @default `safety_blocked` */
  DEMO_FAIL_KIND: z.enum(providerErrorKinds).default('safety_blocked'),
  /** Inject failures only when the prompt contains this text. @default always */
  DEMO_FAIL_PROMPT_MATCH: optionalText,
});

type DemoEnv = z.output<typeof envSchema>;

/** The offline provider: always configured, free, and labelled as a demo. */
export const demoDescriptor: ProviderDescriptor<DemoEnv> = {
  id: 'demo',
  label: 'Demo (offline, not AI)',
  isDemo: true,
  envSchema,
  isConfigured: () => true,
  configureHint: 'nothing to set',
  models: () => [
    {
      id: demoModelId,
      label: 'Demo shapes',
      capabilities: {
        aspectRatios: [...aspectRatios],
        sizes: [],
        qualities: [],
        outputFormats: ['png', 'jpeg', 'webp'],
        backgrounds: [],
        imageToImage: true,
        maxInputImages: 4,
      },
      price: { perImageUsd: { '*': 0 } },
    },
  ],
  createProvider: (env) =>
    createDemoProvider({
      latencyMs: env.DEMO_LATENCY_MS,
      failIndexes: env.DEMO_FAIL_INDEXES,
      failKind: env.DEMO_FAIL_KIND,
      failPromptMatch: env.DEMO_FAIL_PROMPT_MATCH,
    }),
};
