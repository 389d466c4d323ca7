/**
 * `npm run screenshots`: the README's screenshots (docs/screenshot-{desktop,phone}-{light,dark}.png),
 * taken in Debian's Chromium from the production build (`next build` first) on the demo provider,
 * with a small history made through the API: batches of several ratios, one with a failed image, one
 * of several prompts, then a batch in progress while the shots are taken.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { startNextServer } from '@/lib/server/testing/next-start';

const port = 3295;
const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-screenshots-'));
const server = await startNextServer({
  port,
  env: { IMAGE_PROVIDER: 'demo', DATA_DIR: dataDirectory, DEMO_LATENCY_MS: '300', DEMO_FAIL_INDEXES: '3', DEMO_FAIL_PROMPT_MATCH: 'storm' },
});

async function createBatch(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${server.baseURL}/api/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 202) throw new Error(`POST /api/batches answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

async function waitForEnd(batchId: string): Promise<void> {
  for (let waited = 0; waited < 120_000; waited += 250) {
    const batch = (await (await fetch(`${server.baseURL}/api/batches/${batchId}`)).json()) as { status: string };
    if (!['queued', 'running'].includes(batch.status)) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`batch ${batchId} did not end in 2 minutes`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const history = [
    { prompt: 'a lighthouse on a cliff at dusk, warm light over a calm sea', numberOfImages: 4, aspectRatio: '16:9' },
    { prompts: ['a paper lantern festival at night', 'a bowl of ramen, top view'], numberOfImages: 2, aspectRatio: '1:1' },
    { prompt: 'a portrait of a fox in the snow, soft light', numberOfImages: 3, aspectRatio: '2:3' },
    { prompt: 'a ship in a storm, oil painting', numberOfImages: 4, aspectRatio: '4:3' },
  ];
  for (const body of history) await waitForEnd(await createBatch(body));

  for (const viewport of [
    // The first screen is the composer; the shot goes on down into the gallery (`shotHeight`).
    { name: 'desktop', width: 1440, height: 900, shotHeight: 1500 },
    { name: 'phone', width: 390, height: 844, shotHeight: 1900 },
  ]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, colorScheme, deviceScaleFactor: viewport.name === 'phone' ? 2 : 1 });
      const page = await context.newPage();
      // A batch in progress, so the shot shows the live progress line and the strip.
      const running = await createBatch({ prompt: 'a windmill on a green hill, morning', numberOfImages: 8, aspectRatio: '3:2' });
      await page.goto(server.baseURL);
      await page.getByTestId('prompt-input').fill('a {red|blue} vintage car on a coastal road, golden hour');
      await page.waitForTimeout(1_200);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const path = `docs/screenshot-${viewport.name}-${colorScheme}.png`;
      // Images below the first screen load lazily: load those the shot covers, and wait for them.
      await page.evaluate(async (height) => {
        const covered = [...document.images].filter((image) => image.getBoundingClientRect().top < height);
        for (const image of covered) image.loading = 'eager';
        await Promise.all(covered.map((image) => image.decode().catch(() => undefined)));
      }, viewport.shotHeight);
      await page.waitForTimeout(300);
      await page.screenshot({ path, fullPage: true, clip: { x: 0, y: 0, width: viewport.width, height: viewport.shotHeight }, animations: 'disabled' });
      console.log(`wrote ${path}`);
      await context.close();
      await waitForEnd(running);
    }
  }
} finally {
  await browser.close();
  await server.stop();
  await rm(dataDirectory, { recursive: true, force: true });
}
