/**
 * The browser tests' ports: 3210-3214 by default. E2E_PORT_BASE moves all five, so two checkouts on one
 * machine can run their browser tests at once.
 */
const base = Number(process.env.E2E_PORT_BASE ?? 3210);

export const e2ePorts = {
  /** The demo server without accounts (most specs). */
  main: base,
  /** real-provider-picker.spec.ts's own server (OpenAI fake). */
  realProvider: base + 1,
  /** The server with accounts (accounts-*.spec.ts). */
  accounts: base + 2,
  /** accounts-setup.spec.ts's own server (setup link). */
  accountsSetup: base + 3,
  /** local-providers.spec.ts's own server (A1111, ComfyUI and OpenRouter fakes). */
  localProviders: base + 4,
} as const;
