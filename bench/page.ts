import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import sharp from 'sharp';
import type { ImageProvider } from '@/lib/core';
import { createPacedLane } from '@/lib/engine';
import { createBatchQueue, isFinishedStatus } from '@/lib/queue';
import { openStore } from '@/lib/store';
import { startNextServer } from '@/lib/server/testing/next-start';

/**
 * The page's own numbers, in Debian's Chromium against the production build (`next build` first):
 * - page weight: the JavaScript the first load of `/` sends over the wire, compressed (each script
 *   response's encoded body, as Chromium received it, up to the `load` event), and what loads later;
 * - the first screen of a gallery of 1,000 saved images: from navigation to every image in the
 *   viewport decoded and shown (and the page's `load`), 1440×900.
 * The server is `next start` on 127.0.0.1 with the demo provider and a DATA_DIR seeded through the
 * real queue and store (250 batches of 4 images, 1:1, 2:3 and 16:9, 1024 px on the long side).
 */

export interface PageWeightResult {
  /** Scripts fetched before `load`: count and compressed bytes. */
  firstLoadScripts: number;
  firstLoadScriptBytes: number;
  /** Scripts fetched after `load` until the network was idle (lazy chunks the page asked for at once). */
  laterScripts: number;
  laterScriptBytes: number;
}

export interface FirstScreenResult {
  images: number;
  batches: number;
  /** One run per entry: navigation → every image in the viewport decoded (ms). */
  firstScreenMs: number[];
  /** Images in the first screen (the viewport) on the last run. */
  imagesInFirstScreen: number;
  /** Images in the DOM after the first screen (what the page rendered, paged or not). */
  imagesInDocument: number;
  /** Navigation → `load` (ms), per run. */
  loadMs: number[];
  /** The HTML of `/`, bytes as sent (compressed). */
  htmlBytes: number;
}

const port = 3290;
const baseURL = `http://127.0.0.1:${port}`;
const startServer = (dataDirectory: string) => startNextServer({ port, env: { IMAGE_PROVIDER: 'demo', DATA_DIR: dataDirectory } });
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why the page section cannot run here, or undefined. */
export function pageBenchMissing(): string | undefined {
  if (!existsSync('/usr/bin/chromium')) return 'no Chromium at /usr/bin/chromium (apt-get install -y chromium)';
  if (!existsSync('.next/BUILD_ID')) return 'no production build (run `npx next build` first)';
  return undefined;
}

export async function runPageBench(runs = 3): Promise<{ weight: PageWeightResult; firstScreen: FirstScreenResult }> {
  const emptyDirectory = await mkdtemp(join(tmpdir(), 'imagegen-bench-page-'));
  const galleryDirectory = await mkdtemp(join(tmpdir(), 'imagegen-bench-gallery-'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  try {
    let server = await startServer(emptyDirectory);
    let weight: PageWeightResult;
    try {
      weight = await measurePageWeight(browser);
    } finally {
      await server.stop();
    }
    const batches = 250;
    await seedGallery(galleryDirectory, batches, 4);
    server = await startServer(galleryDirectory);
    try {
      const firstScreen = await measureFirstScreen(browser, runs);
      return { weight, firstScreen: { ...firstScreen, images: batches * 4, batches } };
    } finally {
      await server.stop();
    }
  } finally {
    await browser.close();
    await rm(emptyDirectory, { recursive: true, force: true });
    await rm(galleryDirectory, { recursive: true, force: true });
  }
}

async function measurePageWeight(browser: Browser): Promise<PageWeightResult> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const scripts: { url: string; bytes: number; afterLoad: boolean }[] = [];
  let isLoaded = false;
  page.on('load', () => (isLoaded = true));
  page.on('requestfinished', (request) => {
    if (request.resourceType() !== 'script') return;
    const afterLoad = isLoaded;
    void request.sizes().then((sizes) => scripts.push({ url: request.url(), bytes: sizes.responseBodySize, afterLoad }));
  });
  await page.goto(baseURL, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  await new Promise((done) => setTimeout(done, 200));
  await context.close();
  const first = scripts.filter((script) => !script.afterLoad);
  const later = scripts.filter((script) => script.afterLoad);
  const sum = (list: typeof scripts) => list.reduce((total, script) => total + script.bytes, 0);
  return { firstLoadScripts: first.length, firstLoadScriptBytes: sum(first), laterScripts: later.length, laterScriptBytes: sum(later) };
}

async function measureFirstScreen(browser: Browser, runs: number): Promise<Omit<FirstScreenResult, 'images' | 'batches'>> {
  const firstScreenMs: number[] = [];
  const loadMs: number[] = [];
  let imagesInFirstScreen = 0;
  let imagesInDocument = 0;
  let htmlBytes = 0;
  // One unmeasured visit first: the server's first render of a route compiles and warms its caches.
  for (let run = 0; run <= runs; run += 1) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.on('requestfinished', (request) => {
      if (request.resourceType() === 'document') void request.sizes().then((sizes) => (htmlBytes = sizes.responseBodySize));
    });
    await page.goto(baseURL, { waitUntil: 'load' });
    // Every <img> whose box meets the viewport is decoded (complete with pixels), measured in the page.
    const measured = await page.evaluate(async () => {
      const inViewport = () =>
        [...document.images].filter((image) => {
          const box = image.getBoundingClientRect();
          return box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight && box.right > 0 && box.left < window.innerWidth;
        });
      const deadline = performance.now() + 30_000;
      for (;;) {
        const visible = inViewport();
        if (visible.length > 0 && visible.every((image) => image.complete && image.naturalWidth > 0)) {
          await Promise.all(visible.map((image) => image.decode().catch(() => undefined)));
          // The frame that shows them.
          await new Promise((done) => requestAnimationFrame(() => done(undefined)));
          const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          return { atMs: performance.now(), loadMs: navigation.loadEventEnd, visible: visible.length, all: document.images.length };
        }
        if (performance.now() > deadline) throw new Error(`the first screen did not show its images in 30 s (${visible.length} in the viewport)`);
        await new Promise((done) => setTimeout(done, 5));
      }
    });
    await context.close();
    if (run === 0) continue;
    firstScreenMs.push(measured.atMs);
    loadMs.push(measured.loadMs);
    imagesInFirstScreen = measured.visible;
    imagesInDocument = measured.all;
  }
  return { firstScreenMs, loadMs, imagesInFirstScreen, imagesInDocument, htmlBytes };
}

/** Saved batches made through the real queue and store, as the app would have made them. */
async function seedGallery(dataDirectory: string, batches: number, imagesPerBatch: number): Promise<void> {
  const ratios = [
    { aspectRatio: '1:1', width: 1024, height: 1024 },
    { aspectRatio: '2:3', width: 683, height: 1024 },
    { aspectRatio: '16:9', width: 1024, height: 576 },
  ] as const;
  const pictures = new Map<string, Uint8Array>();
  for (const [position, ratio] of ratios.entries()) {
    const hue = [200, 30, 120][position]!;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${ratio.width}" height="${ratio.height}"><defs><linearGradient id="g" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,60%)"/><stop offset="1" stop-color="hsl(${hue + 60},60%,30%)"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="50%" cy="45%" r="20%" fill="hsl(${hue + 180},60%,70%)"/></svg>`;
    pictures.set(ratio.aspectRatio, new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer()));
  }
  const provider: ImageProvider = {
    id: 'demo',
    modelId: 'demo',
    isDemo: true,
    generate: async (request) => ({ bytes: pictures.get(request.aspectRatio ?? '1:1') ?? pictures.get('1:1')!, mimeType: 'image/jpeg' }),
  };
  const store = await openStore({ dataDirectory });
  const lane = createPacedLane({ mode: 'fixed', concurrency: 16, minIntervalMs: 0, maxConcurrency: 16 });
  const queue = createBatchQueue({ store: store.batches, blobs: store.blobs, resolveModel: () => ({ provider, model: {} }), laneFor: () => lane });
  try {
    await queue.start();
    const created = [];
    for (let batch = 0; batch < batches; batch += 1) {
      const { aspectRatio } = ratios[batch % ratios.length]!;
      const prompt = `bench gallery picture ${batch + 1}, ${aspectRatio}`;
      created.push(
        await queue.enqueue({
          prompt,
          mode: 'text-to-image',
          providerId: provider.id,
          modelId: provider.modelId,
          isDemo: true,
          params: { numberOfImages: imagesPerBatch, aspectRatio },
          items: Array.from({ length: imagesPerBatch }, () => ({ prompt })),
        }),
      );
    }
    for (const batch of created) {
      for (let waitedMs = 0; ; waitedMs += 20) {
        const current = await store.batches.getBatch(batch.id);
        if (current && isFinishedStatus(current.status)) {
          if (current.succeeded !== imagesPerBatch) throw new Error(`seeding: batch ${batch.id} ended ${current.status}`);
          break;
        }
        if (waitedMs > 300_000) throw new Error('seeding the gallery took over 5 minutes');
        await new Promise((done) => setTimeout(done, 20));
      }
    }
  } finally {
    await queue.stop();
    await store.close();
  }
}
