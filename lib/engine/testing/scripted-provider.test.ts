import { describe, expect, it } from 'vitest';
import { createScriptedProvider, succeed } from './scripted-provider';

describe('scripted provider', () => {
  it('answers what was scripted and records the call', async () => {
    const provider = createScriptedProvider({ script: { 1: [succeed()] } });
    await expect(provider.generate({ prompt: 'p', index: 1 })).resolves.toMatchObject({ mimeType: 'image/png' });
    expect(provider.calls).toMatchObject([{ index: 1, attempt: 1 }]);
  });

  // The failure is reported when the test finishes, even if the engine swallowed the thrown error.
  it.fails('fails the test when called for an unscripted index or attempt', async () => {
    const provider = createScriptedProvider({ script: { 1: [succeed()] } });
    await provider.generate({ prompt: 'p', index: 1 });
    await provider.generate({ prompt: 'p', index: 1 }).catch(() => undefined);
  });
});
