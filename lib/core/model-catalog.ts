import type { ModelCapabilities } from './image-options';
import type { ModelPrice } from './usage';

/**
 * The models a server offers, as `GET /api/providers` shows them (and the page reads them):
 * never a key, never a base URL.
 */

export interface ModelInfo {
  /** The provider's model id, e.g. `gemini-3.1-flash-image`. */
  id: string;
  /** A name for people, e.g. `Gemini 3.1 Flash Image`. */
  label: string;
  capabilities: ModelCapabilities;
  /** Prices in USD, when known (none for the demo, which is free). */
  price?: ModelPrice;
}

export interface ProviderInfo {
  id: string;
  label: string;
  /** The offline demo: labelled as a demo everywhere, never presented as AI. */
  isDemo: boolean;
  /** True when this server can call it (its key or URL is set). Only configured providers are listed. */
  configured: boolean;
  /** The first is the provider's default. */
  models: ModelInfo[];
}

export interface ProvidersCatalog {
  providers: ProviderInfo[];
  /** What a request that names no provider or model gets. */
  default: { provider: string; model: string };
}
