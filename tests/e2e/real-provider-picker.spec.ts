import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { resolve } from 'node:path';
import { expect, test } from './base-test';
import { e2ePorts } from './ports';

/**
 * A second server from the same build, with OpenAI configured (a key, and a base URL where nothing
 * listens: no request ever reaches OpenAI, every image fails fast), to see a real provider's models
 * and options in the picker next to the demo.
 */
const port = e2ePorts.realProvider;
const baseURL = `http://127.0.0.1:${port}`;
let dataDirectory: string | undefined;
let server: ChildProcess | undefined;

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null && server?.exitCode !== undefined) throw new Error(`the OpenAI test server exited with ${server.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`the OpenAI test server did not answer at ${url} within ${timeoutMs} ms`);
}

test.describe('with OpenAI configured', () => {
  test.describe.configure({ mode: 'serial' });
  test.use({ baseURL });

  test.beforeAll(async () => {
    test.setTimeout(60_000);
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'imagegen-e2e-openai-'));
    const { GEMINI_API_KEY: _gemini, GOOGLE_API_KEY: _google, OPENAI_API_KEY: _openai, IMAGE_PROVIDER: _provider, ...env } = process.env;
    server = spawn('node_modules/.bin/next', ['start', '-H', '127.0.0.1', '-p', String(port)], {
      env: {
        ...env,
        PATH: `${resolve('node_modules/.bin')}:${process.env.PATH ?? ''}`,
        OPENAI_API_KEY: 'test',
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        DATA_DIR: dataDirectory,
        RETRY_MAX_ATTEMPTS: '1',
        LOG_LEVEL: 'silent',
        NEXT_TELEMETRY_DISABLED: '1',
      },
      // Its own process group, so that afterAll stops next and whatever it started.
      detached: true,
      stdio: 'ignore',
    });
    await waitForServer(`${baseURL}/api/providers`, 45_000);
  });

  test.afterAll(() => {
    if (server?.pid !== undefined && server.exitCode === null) process.kill(-server.pid, 'SIGTERM');
    server = undefined;
    if (dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
  });

  test('the picker shows OpenAI’s models and the demo; a GPT Image 2.5 model offers size, quality and background', async ({ page, request, generator, generateRequests }) => {
    const catalog = (await (await request.get('/api/providers')).json()) as {
      providers: { id: string; label: string; isDemo: boolean; models: { id: string; label: string }[] }[];
      default: { provider: string; model: string };
    };
    expect(catalog.providers.map((provider) => provider.id)).toEqual(expect.arrayContaining(['openai', 'demo']));

    await generator.goto();
    expect(await generator.pickerEntries()).toEqual(
      catalog.providers.map((provider) => ({
        group: provider.label,
        options: provider.models.map((model) => ({ value: `${provider.id}:${model.id}`, text: provider.isDemo ? `${model.label} (demo)` : model.label })),
      })),
    );
    await expect(generator.modelSelect).toHaveValue(`${catalog.default.provider}:${catalog.default.model}`);

    await generator.modelSelect.selectOption('openai:gpt-image-2.5-flare');
    await expect(generator.providerBadge).toHaveText('openai');
    for (const select of [generator.sizeSelect, generator.qualitySelect, generator.backgroundSelect, generator.formatSelect]) await expect(select).toBeVisible();
    expect(await generator.optionValues(generator.qualitySelect)).toEqual(['low', 'medium', 'high', 'auto']);
    expect(await generator.optionValues(generator.backgroundSelect)).toEqual(['auto', 'opaque', 'transparent']);
    expect(await generator.optionValues(generator.sizeSelect)).toEqual(['', '1K', '2K', '4K', '1024x1024', '1536x1024', '1024x1536', 'custom']);
    expect(await generator.optionValues(generator.aspectRatio)).not.toContain('1:8');

    // The estimate, from the model's list price.
    await generator.count.selectOption('4');
    await expect(generator.costEstimate).toHaveText('Estimated cost: about $0.13 (4 × $0.032)');
    await generator.qualitySelect.selectOption('high');
    await expect(generator.costEstimate).toHaveText('Estimated cost: about $0.50 (4 × $0.125)');

    // A custom size is checked next to the field, on leaving it and before anything is sent.
    await generator.sizeSelect.selectOption('custom');
    await generator.customSize.fill('1000x1000');
    await generator.customSize.blur();
    await expect(generator.fieldError('size')).toContainText('multiples of 16');
    await generator.prompt.fill('a glass teapot');
    await generator.generateButton.click();
    await expect(generator.fieldError('size')).toBeVisible();
    expect(generateRequests).toEqual([]);
    await generator.customSize.fill('1536x864');
    await expect(generator.fieldError('size')).toHaveCount(0);

    // Sent as chosen; the server accepts the options (no 400), then the call fails: nothing listens there.
    await generator.count.selectOption('1');
    await generator.backgroundSelect.selectOption('opaque');
    const requestPromise = page.waitForRequest((candidate) => new URL(candidate.url()).pathname === '/api/batches' && candidate.method() === 'POST');
    await generator.generateButton.click();
    expect((await requestPromise).postDataJSON()).toEqual({
      prompt: 'a glass teapot',
      numberOfImages: 1,
      provider: 'openai',
      model: 'gpt-image-2.5-flare',
      aspectRatio: '1:1',
      size: '1536x864',
      quality: 'high',
      background: 'opaque',
    });
    await generator.waitForBatchEnd(1);
    await expect(generator.fieldErrors).toHaveCount(0);
    await expect(generator.slot(1)).toHaveAttribute('data-status', 'failed');
    // Stored like every batch: the estimate while it ran, then what it cost (nothing: no image was made).
    const card = generator.cardFor('a glass teapot');
    await expect(card).toHaveAttribute('data-status', 'failed');
    const cost = card.getByTestId('batch-cost');
    await expect(cost).toHaveText('$0');
    await expect(cost).toHaveAttribute('data-estimate', 'false');
    const batchId = await card.getAttribute('data-batch-id');
    const stored = (await (await request.get(`/api/batches/${batchId}`)).json()) as { estimatedCostUsd?: number; costUsd: number };
    expect(stored.estimatedCostUsd).toBeGreaterThan(0);
    expect(stored.costUsd).toBe(0);

    // Another model: what it does not take goes back to its default; the demo has none of these.
    await generator.modelSelect.selectOption('openai:gpt-image-2.6-flare');
    await expect(generator.sizeSelect).toHaveValue('');
    await expect(generator.customSize).toHaveCount(0);
    await expect(generator.qualitySelect).toHaveValue('high');
    await generator.modelSelect.selectOption({ label: 'Demo shapes (demo)' });
    await expect(generator.providerBadge).toHaveText('demo');
    for (const select of [generator.sizeSelect, generator.qualitySelect, generator.backgroundSelect]) await expect(select).toHaveCount(0);
    await expect(generator.costEstimate).toHaveText('Free (demo)');
  });

  test('the composer with every option of a GPT Image 2.5 model fits desktop and phone, light and dark', async ({ page, generator }) => {
    test.setTimeout(60_000);
    const png = readFileSync(path.join(__dirname, 'fixtures', 'input-64x48.png'));
    const sizes = [
      { name: 'desktop', width: 1280, height: 800 },
      { name: 'phone', width: 390, height: 844 },
    ] as const;
    for (const size of sizes) {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.setViewportSize({ width: size.width, height: size.height });
        await page.emulateMedia({ colorScheme });
        await generator.goto();
        await generator.modelSelect.selectOption('openai:gpt-image-2.5-flare');
        await generator.prompt.fill('a glass teapot on a sunlit windowsill, steam rising');
        await generator.qualitySelect.selectOption('high');
        await generator.sizeSelect.selectOption('custom');
        await generator.customSize.fill('1000x1000');
        await generator.customSize.blur();
        await expect(generator.fieldError('size')).toBeVisible();
        await generator.imageInput.setInputFiles([
          { name: 'kitchen.png', mimeType: 'image/png', buffer: png },
          { name: 'teapot.png', mimeType: 'image/png', buffer: png },
        ]);
        await expect(generator.imagePreview).toHaveCount(2);
        mkdirSync('test-results/screenshots', { recursive: true });
        await page.getByRole('form', { name: 'Generate images' }).screenshot({ path: `test-results/screenshots/openai-${size.name}-${colorScheme}-composer.png`, animations: 'disabled' });
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      }
    }
  });
});
