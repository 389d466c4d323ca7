import type { z } from 'zod';
import type { ImageProvider, ModelCapabilities, ModelInfo, ModelPrice } from '@/lib/core';

/**
 * A provider as one folder describes it: its environment, its models and what they take, how to
 * build an adapter. The registry is a list of these; config, `GET /api/providers`, pacing overrides
 * and option checks are all read from it. Adding a provider = its folder + one registry line + docs.
 */
export interface ProviderDescriptor<Env extends Record<string, unknown> = Record<string, unknown>> {
  /** `gemini`, `openai`, `demo`, …: also the prefix of its variables (`GEMINI_PACING_MODE`). */
  id: string;
  /** A name for people. */
  label: string;
  /** The offline demo: labelled as a demo everywhere, never presented as AI, costs nothing. */
  isDemo: boolean;
  /** Its environment variables (and only its own), with their defaults. */
  envSchema: z.ZodType<Env>;
  /** Whether this server can call it (a key or URL is set; keyless providers say so their way). */
  isConfigured(env: Env): boolean;
  /** What to set when it is not configured, for error messages: `set GEMINI_API_KEY`. */
  configureHint: string;
  /** The models this server offers, from its env (the first is the default), with prices. */
  models(env: Env): ModelInfo[];
  /**
   * Pacing this provider needs by default, under `<ID>_PACING_*` and an explicit
   * `PACING_MIN_INTERVAL_MS`: a local server (ComfyUI) needs no spacing between prompts.
   * @default the global `PACING_*` settings
   */
  pacingDefaults?: { minIntervalMs?: number };
  /** An adapter for one of `models(env)`. Keys stay inside it; nothing here logs them. */
  createProvider(env: Env, model: ModelInfo, settings: ProviderSettings): ImageProvider;
}

/** Settings every adapter takes, from the global config. */
export interface ProviderSettings {
  /** Timeout of one provider call. */
  timeoutMs: number;
}

/** A known model: its capabilities and list price, before env overrides. */
export interface KnownModel {
  id: string;
  label: string;
  capabilities: ModelCapabilities;
  price?: ModelPrice;
}

/**
 * The offered models: `configured` (a comma list from env, e.g. `GEMINI_MODELS`) narrows or extends
 * the known ones, in its order; without it every known model is offered, `defaultId` first. A
 * `single` model (the older one-model variable, e.g. `GEMINI_MODEL`) becomes the default, put first.
 * An id we do not know gets `unknownCapabilities(id)` and no price.
 */
export function offeredModels(options: {
  known: readonly KnownModel[];
  defaultId: string;
  configured?: readonly string[];
  single?: string;
  unknownCapabilities: (id: string) => ModelCapabilities;
  priceOverrides?: ReadonlyMap<string, number>;
}): ModelInfo[] {
  const { known, single, unknownCapabilities, priceOverrides } = options;
  const defaultId = single ?? options.defaultId;
  const configured = options.configured && single ? [single, ...options.configured] : options.configured;
  const ids = configured && configured.length > 0 ? [...new Set(configured)] : [defaultId, ...known.map((model) => model.id).filter((id) => id !== defaultId)];
  return ids.map((id) => {
    const model = known.find((candidate) => candidate.id === id);
    const override = priceOverrides?.get(id);
    const price: ModelPrice | undefined = override === undefined ? model?.price : { perImageUsd: { '*': override } };
    return {
      id,
      label: model?.label ?? id,
      capabilities: model?.capabilities ?? unknownCapabilities(id),
      ...(price ? { price } : {}),
    };
  });
}
