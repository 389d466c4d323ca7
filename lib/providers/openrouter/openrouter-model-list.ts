import { z } from 'zod';
import type { OutputModalities } from './openrouter-models';

/**
 * OpenRouter's model listing (`GET /api/v1/models?output_modalities=image`), read once per base URL
 * and kept for an hour. The adapter consults it only for model ids it does not know (from
 * `OPENROUTER_MODELS`): to send `["image"]` to image-only models, which refuse `["image","text"]`,
 * and to fail an id that is no image model at once instead of paying for a text answer.
 */

const modelListSchema = z.object({
  data: z.array(
    z
      .object({
        id: z.string(),
        architecture: z.object({ output_modalities: z.array(z.string()).optional() }).loose().optional(),
      })
      .loose(),
  ),
});

/** How long a listing is trusted: model ids change over weeks, not minutes. */
export const modelListTtlMs = 60 * 60_000;

/** Image-output model id → what it answers with. */
export type ImageModelListing = ReadonlyMap<string, OutputModalities>;

interface CachedListing {
  fetchedAtMs: number;
  listing: Promise<ImageModelListing | undefined>;
}

const listingsByBaseUrl = new Map<string, CachedListing>();

/**
 * The image-output models OpenRouter lists, or undefined when the listing could not be read (the
 * caller then goes on without it: a listing is a hint, never a reason to fail an image). A failed
 * read is not kept, so the next call tries again.
 */
export async function openRouterImageModels(
  baseUrl: string,
  options: { apiKey: string; timeoutMs?: number; now?: () => number } ,
): Promise<ImageModelListing | undefined> {
  const { now = Date.now } = options;
  const cached = listingsByBaseUrl.get(baseUrl);
  if (cached && now() - cached.fetchedAtMs < modelListTtlMs) return cached.listing;
  const listing = fetchImageModels(baseUrl, options.apiKey, options.timeoutMs ?? 10_000);
  const entry = { fetchedAtMs: now(), listing };
  listingsByBaseUrl.set(baseUrl, entry);
  const result = await listing;
  if (result === undefined && listingsByBaseUrl.get(baseUrl) === entry) listingsByBaseUrl.delete(baseUrl);
  return result;
}

async function fetchImageModels(baseUrl: string, apiKey: string, timeoutMs: number): Promise<ImageModelListing | undefined> {
  try {
    const response = await fetch(`${baseUrl}/models?output_modalities=image`, {
      headers: { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    const parsed = modelListSchema.safeParse(await response.json());
    if (!parsed.success) return undefined;
    const listing = new Map<string, OutputModalities>();
    for (const model of parsed.data.data) {
      const outputs = model.architecture?.output_modalities ?? [];
      if (outputs.includes('image')) listing.set(model.id, outputs.includes('text') ? ['image', 'text'] : ['image']);
    }
    return listing;
  } catch {
    return undefined;
  }
}
