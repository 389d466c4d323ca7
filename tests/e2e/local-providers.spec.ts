import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openrouterResponses, startFakeA1111Server, startFakeComfyUIServer, startFakeOpenRouterServer, type FakeA1111Server, type FakeComfyUIServer, type FakeOpenRouterServer } from '@/lib/providers/testing';
import { startNextServer, type NextServer } from '@/lib/server/testing/next-start';
import { expect, test } from './base-test';
import { e2ePorts } from './ports';

/**
 * A server of its own from the same build with AUTOMATIC1111, ComfyUI and OpenRouter configured,
 * each at its fake server (lib/providers/testing): a batch through the page on each, and the
 * diffusion controls (More options) reaching A1111's request.
 */
let a1111: FakeA1111Server | undefined;
let comfyui: FakeComfyUIServer | undefined;
let openrouter: FakeOpenRouterServer | undefined;
let server: NextServer | undefined;
let dataDirectory: string | undefined;

test.describe('with local and aggregator providers configured', () => {
  test.describe.configure({ mode: 'serial' });
  test.use({ baseURL: `http://127.0.0.1:${e2ePorts.localProviders}` });

  test.beforeAll(async () => {
    test.setTimeout(90_000);
    [a1111, comfyui, openrouter] = await Promise.all([startFakeA1111Server(), startFakeComfyUIServer(), startFakeOpenRouterServer({ apiKey: 'e2e-openrouter-key' })]);
    // Every valid chat completion answers with an image in the requested ratio (the fake checks the request first).
    openrouter.respondAlways(openrouterResponses.imageFor());
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'imagegen-e2e-local-providers-'));
    server = await startNextServer({
      port: e2ePorts.localProviders,
      env: {
        DATA_DIR: dataDirectory,
        GEMINI_API_KEY: '',
        OPENAI_API_KEY: '',
        IMAGE_PROVIDER: 'a1111',
        A1111_URL: a1111.baseUrl,
        COMFYUI_URL: comfyui.baseUrl,
        OPENROUTER_API_KEY: 'e2e-openrouter-key',
        OPENROUTER_BASE_URL: openrouter.baseUrl,
        RETRY_MAX_ATTEMPTS: '1',
      },
    });
  });

  test.afterAll(async () => {
    await server?.stop();
    await Promise.all([a1111?.close(), comfyui?.close(), openrouter?.close()]);
    if (dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
  });

  for (const providerId of ['a1111', 'comfyui', 'openrouter'] as const) {
    test(`a batch on ${providerId} through the page`, async ({ generator }) => {
      await generator.goto();
      const values = (await generator.pickerEntries()).flatMap((group) => group.options.map((option) => option.value));
      const choice = values.find((value) => value.startsWith(`${providerId}:`));
      expect(choice, `the picker offers ${providerId}`).toBeDefined();
      await generator.modelSelect.selectOption(choice!);
      const batchId = await generator.generate(`a lighthouse at dusk, on ${providerId}`, 2);
      await generator.waitForBatchEnd(2);
      await expect(generator.card(batchId).locator('[data-testid="result-slot"][data-status="succeeded"]')).toHaveCount(2);
    });
  }

  test('More options on A1111: the seed, steps and negative prompt reach its txt2img, seed + 1 for the second image', async ({ page, generator }) => {
    await generator.goto();
    const values = (await generator.pickerEntries()).flatMap((group) => group.options.map((option) => option.value));
    await generator.modelSelect.selectOption(values.find((value) => value.startsWith('a1111:'))!);
    await page.getByTestId('more-options').locator('summary').click();
    await page.getByTestId('negativePrompt-input').fill('blurry, text');
    await page.getByTestId('seed-input').fill('42');
    await page.getByTestId('steps-input').fill('12');
    const before = a1111!.requests.length;
    await generator.generate('a fox in the snow', 2);
    await generator.waitForBatchEnd(2);
    const calls = a1111!.requests.slice(before).filter((request) => request.path === '/sdapi/v1/txt2img');
    const bodies = calls.map((request) => request.json as { seed: number; steps: number; negative_prompt: string });
    expect(bodies.map((body) => body.seed).sort()).toEqual([42, 43]);
    expect(bodies.every((body) => body.steps === 12 && body.negative_prompt === 'blurry, text')).toBe(true);
  });

  for (const providerId of ['a1111', 'comfyui'] as const) {
    test(`a running image on ${providerId} shows its sampler step on the tile`, async ({ page, generator }) => {
      // Slow enough for a few step reports (A1111 is asked every second; ComfyUI sends each step).
      a1111!.setGenerationMs(5_000);
      comfyui!.setRunMs(5_000);
      try {
        await generator.goto();
        const values = (await generator.pickerEntries()).flatMap((group) => group.options.map((option) => option.value));
        await generator.modelSelect.selectOption(values.find((value) => value.startsWith(`${providerId}:`))!);
        await page.getByTestId('more-options').locator('summary').click();
        await page.getByTestId('steps-input').fill('30');
        const batchId = await generator.generate(`a slow lighthouse on ${providerId}`, 1);
        const stepLine = generator.card(batchId).getByTestId('slot-step');
        await expect(stepLine).toHaveText(/^Step (\d+) of 30$/, { timeout: 10_000 });
        await expect(stepLine).toBeVisible();
        const bar = generator.card(batchId).getByRole('progressbar', { name: 'Steps done' });
        await expect(bar).toHaveAttribute('aria-valuemax', '30');
        await generator.waitForBatchEnd(1);
        await expect(stepLine).toHaveCount(0);
        await expect(generator.card(batchId).locator('[data-testid="result-slot"][data-status="succeeded"]')).toHaveCount(1);
      } finally {
        a1111!.setGenerationMs(0);
        comfyui!.setRunMs(20);
      }
    });
  }
});
