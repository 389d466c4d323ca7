import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';

export interface ProgressSample {
  now: number;
  max: number;
  unfinished: number;
  /** Tiles of the live batch (result-slots). */
  slots: number;
  /** The live panel's Cancel button is on the page. */
  hasCancel: boolean;
  /** null once the line has cleared. */
  text: string | null;
  /** performance.now() when seen. */
  at: number;
}

/** Records the progress bar and line on every DOM change (of every page load), to check the bar never moves back. */
export async function recordProgress(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const samples: ProgressSample[] = [];
    (window as unknown as { progressSamples: ProgressSample[] }).progressSamples = samples;
    const record = () => {
      const bar = document.querySelector('[data-testid="progress-bar"]');
      const text = document.querySelector('[data-testid="progress-text"]')?.textContent ?? null;
      const previous = samples[samples.length - 1];
      if (!bar) {
        // The line has cleared: noted once, with when, so a test can time how long the last text stayed.
        if (previous && previous.text !== null) samples.push({ ...previous, text: null, at: performance.now() });
        return;
      }
      const sample = {
        at: performance.now(),
        now: Number(bar.getAttribute('aria-valuenow')),
        max: Number(bar.getAttribute('aria-valuemax')),
        unfinished: document.querySelectorAll('[data-testid="result-slot"]:is([data-status="queued"], [data-status="running"])').length,
        slots: document.querySelectorAll('[data-testid="result-slot"]').length,
        hasCancel: document.querySelector('[data-testid="cancel-button"]') !== null,
        text,
      };
      const last = samples[samples.length - 1];
      const isNew = !last || last.now !== sample.now || last.text !== sample.text || last.unfinished !== sample.unfinished;
      if (isNew || last.slots !== sample.slots || last.hasCancel !== sample.hasCancel) samples.push(sample);
    };
    new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

export async function progressSamples(page: Page): Promise<ProgressSample[]> {
  return page.evaluate(() => (window as unknown as { progressSamples: ProgressSample[] }).progressSamples);
}

/** Exactly `count` images in `images`, each visible and decoded. */
export async function expectImagesLoaded(images: Locator, count: number): Promise<void> {
  await expect(images).toHaveCount(count);
  for (const image of await images.all()) {
    await image.scrollIntoViewIfNeeded();
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth > 0)).toBe(true);
  }
}

interface BatchSummary {
  id: string;
  status: string;
  items?: { index: number; status: string; attempts: number }[];
}

export async function getBatch(request: APIRequestContext, batchId: string): Promise<BatchSummary> {
  const response = await request.get(`/api/batches/${batchId}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as BatchSummary;
}

const isActive = (batch: BatchSummary) => batch.status === 'queued' || batch.status === 'running';

/** Starts a batch through the API (POST /api/batches); answers its id. */
export async function startBatch(request: APIRequestContext, body: Record<string, unknown>): Promise<string> {
  const response = await request.post('/api/batches', { data: body });
  expect(response.status()).toBe(202);
  return ((await response.json()) as BatchSummary).id;
}

async function listActive(request: APIRequestContext): Promise<BatchSummary[]> {
  const response = await request.get('/api/batches?limit=100');
  const { batches } = (await response.json()) as { batches: BatchSummary[] };
  return batches.filter(isActive);
}

/** Waits until no batch is queued or running. */
export async function waitUntilIdle(request: APIRequestContext): Promise<void> {
  await expect.poll(async () => (await listActive(request)).length, { timeout: 60_000 }).toBe(0);
}

/** Cancels whatever batch a test left running, and waits until the queue is idle. */
export async function cancelActiveBatches(request: APIRequestContext): Promise<void> {
  for (const batch of await listActive(request)) await request.post(`/api/batches/${batch.id}/cancel`);
  await waitUntilIdle(request);
}

/**
 * Waits until React has taken over the page's HTML: from then on its fields answer changes. The
 * server's HTML can be used before (the prompt has focus at once); text typed then is kept
 * (before-hydration.spec.ts), but a select or a checkbox changed then is not seen.
 */
export async function untilHydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const prompt = document.querySelector('[data-testid="prompt-input"]');
    return prompt !== null && Object.keys(prompt).some((key) => key.startsWith('__reactProps$'));
  });
}
