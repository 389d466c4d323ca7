import type { Locator, Page } from '@playwright/test';
import { expect, test } from './base-test';
import { startBatch, waitUntilIdle } from './helpers';

/** A box as the browser lays it out (throws when the element is not rendered). */
async function boxOf(locator: Locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error('no bounding box');
  return box;
}

const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Visible buttons whose accessible name is exactly "Cancel" (or "Canceling…"). */
const visibleCancelButtons = (page: Page) => page.getByRole('button', { name: /^Cancel(ing…)?$/ }).filter({ visible: true });

test.describe('at 1440 px wide', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('the gallery uses the full width and a 1-image batch is a small tile', async ({ page, generator }) => {
    await generator.goto();
    const batchId = await generator.generate('a single paper crane', 1);
    await generator.waitForBatchEnd(1);
    const gallery = page.getByRole('region', { name: 'Gallery' });
    expect((await boxOf(gallery)).width, 'the gallery spans the window, less its padding').toBeGreaterThan(1300);
    const tile = generator.card(batchId).getByTestId('result-slot');
    const tileBox = await boxOf(tile);
    expect(tileBox.height, 'a compact tile, not a 26rem square').toBeLessThanOrEqual(240);
    // The composer keeps a readable width (68rem at most).
    expect((await boxOf(generator.prompt)).width).toBeLessThanOrEqual(68 * 16);
  });

  test('justified rows: each tile has its image’s ratio, no side bars; the density toggle is remembered', async ({ page, request, generator }) => {
    const portraitId = await startBatch(request, { prompt: 'a tall lighthouse, portrait', numberOfImages: 3, aspectRatio: '2:3' });
    const wideId = await startBatch(request, { prompt: 'a wide beach, panorama', numberOfImages: 3, aspectRatio: '16:9' });
    await waitUntilIdle(request);
    await generator.goto();

    for (const [batchId, ratio] of [
      [portraitId, 2 / 3],
      [wideId, 16 / 9],
    ] as const) {
      const images = generator.card(batchId).getByTestId('gallery-image');
      await expect(images).toHaveCount(3);
      const heights = new Set<number>();
      for (const image of await images.all()) {
        await expect.poll(() => image.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth > 0)).toBe(true);
        const box = await boxOf(image);
        expect(Math.abs(box.width / box.height - ratio), 'the tile has the image’s ratio').toBeLessThan(0.03);
        // The image fills its tile: what it draws (object-fit) is its whole box, so no bars at the sides.
        const drawn = await image.evaluate((element: HTMLImageElement) => {
          const scale = Math.min(element.clientWidth / element.naturalWidth, element.clientHeight / element.naturalHeight);
          return { width: element.naturalWidth * scale, box: element.clientWidth };
        });
        expect(drawn.box - drawn.width).toBeLessThan(2);
        heights.add(Math.round(box.height));
      }
      expect(heights.size, 'one row, one height').toBe(1);
    }

    const compact = page.getByTestId('density-compact');
    const large = page.getByTestId('density-large');
    await expect(compact).toHaveAttribute('aria-pressed', 'true');
    const tile = generator.card(portraitId).getByTestId('gallery-image').first();
    const compactHeight = (await boxOf(tile)).height;
    await large.click();
    await expect(large).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(async () => (await boxOf(tile)).height).toBeGreaterThan(compactHeight * 1.4);
    await page.reload();
    await expect(page.getByTestId('density-large')).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(async () => (await boxOf(generator.card(portraitId).getByTestId('gallery-image').first())).height).toBeGreaterThan(compactHeight * 1.4);
    await page.getByTestId('density-compact').click();
  });

  test('a long history is paged as it scrolls, each batch rendered only near the viewport, images lazy', async ({ page, request, generator }) => {
    test.setTimeout(60_000);
    for (let batch = 0; batch < 12; batch += 1) await startBatch(request, { prompt: `history page ${batch}`, numberOfImages: 1, aspectRatio: '1:1' });
    await waitUntilIdle(request);
    // The server sends one page of the history; once the page runs, the rest come as the gallery
    // nears its end (on a wide screen that can be at once: counted in the page, it is a race).
    const served = (await (await request.get('/')).text()).match(/data-testid="batch-card"/g) ?? [];
    expect(served.length).toBeGreaterThan(0);
    expect(served.length).toBeLessThan(12 + 1);
    await generator.goto();
    const before = await generator.cards.count();
    await expect(generator.cards.first()).toHaveCSS('content-visibility', 'auto');
    await expect(page.locator('[data-testid="gallery-slot"] img').first()).toHaveAttribute('loading', 'lazy');
    // Scrolling to the end loads the next page, no click needed.
    await page.keyboard.press('End');
    await page.mouse.wheel(0, 20_000);
    await expect.poll(() => generator.cards.count(), { timeout: 15_000 }).toBeGreaterThan(before);
  });

  test('a 50-image batch: a slim progress strip and a few placeholders, not 50 grey boxes', async ({ page, generator }) => {
    await generator.goto();
    const batchId = await generator.generate('a wall of postcards', 50);
    const card = generator.card(batchId);
    await expect(card.getByTestId('batch-strip')).toBeVisible();
    await expect(card.getByTestId('batch-strip')).toContainText(/of 50/);
    await expect(card.locator('[data-testid="result-slot"][data-status="succeeded"]').first()).toBeVisible({ timeout: 15_000 });
    const waiting = card.locator('[data-testid="result-slot"]:is([data-status="queued"], [data-status="running"])');
    expect(await waiting.count()).toBeLessThanOrEqual(6);
    expect(await card.locator('[data-testid="result-slot"][data-status="queued"]').count()).toBeLessThanOrEqual(4);
    await expect(card.getByTestId('batch-strip')).toContainText(/\d+ more queued/);
  });

  test('one Cancel button for a running batch', async ({ page, generator }) => {
    await generator.goto();
    await generator.generate('a slow procession of lanterns', 8);
    await expect(generator.cancelButton).toBeVisible();
    await expect(visibleCancelButtons(page)).toHaveCount(1);
  });

  test('the retry after a cancel says what it runs, and its progress counts only those images', async ({ page, generator }) => {
    test.setTimeout(60_000);
    await generator.goto();
    const batchId = await generator.generate('a canceled parade', 8);
    const card = generator.card(batchId);
    await expect(card.locator('[data-testid="result-slot"][data-status="succeeded"]').first()).toBeVisible({ timeout: 15_000 });
    await generator.cancelButton.click();
    await expect(card).toHaveAttribute('data-status', 'canceled');
    const retry = card.getByTestId('batch-retry');
    await expect(retry).toHaveText(/^Run the rest \(\d+\)$/);
    const rest = Number(/\((\d+)\)/.exec((await retry.textContent()) ?? '')![1]);
    const startedText = await card.getByTestId('batch-time').textContent();
    await expect(page.getByTestId('progress-text')).toBeHidden({ timeout: 5000 });

    await retry.click();
    await expect(generator.progressText).toHaveText(new RegExp(`^Retrying ${rest} images?: \\d+/${rest}\\.\\.\\.$`));
    await expect(generator.progressBar).toHaveAttribute('aria-valuemax', String(rest));
    await expect(page.getByTestId('progress-elapsed')).toHaveText(/^Retry running for /);
    expect(await card.getByTestId('batch-time').textContent(), 'the card keeps the batch’s time').toBe(startedText);
    await expect(generator.progressText).toHaveText(/^Done: 8\/8 generated$/, { timeout: 20_000 });
  });

  test('an all-failed batch looks failed: error bar, "All N images failed", announced politely', async ({ page, generator }) => {
    const counters = { batchId: 'stub-failed', total: 2, etaMs: null };
    const events = [
      { type: 'batch-start', ...counters, sequence: 1, completed: 0, failed: 0, provider: 'demo', model: 'demo-shapes-v1', isDemo: true, mode: 'text-to-image' },
      { type: 'item-end', ...counters, sequence: 2, completed: 0, failed: 1, index: 1, status: 'failed', kind: 'timeout', error: 'Timed out' },
      { type: 'item-end', ...counters, sequence: 3, completed: 0, failed: 2, index: 2, status: 'failed', kind: 'timeout', error: 'Timed out' },
      { type: 'batch-end', ...counters, sequence: 4, completed: 0, failed: 2, status: 'failed' },
    ];
    const view = (status: string, items: unknown[]) => ({
      id: 'stub-failed',
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      prompt: 'stub-failed',
      prompts: ['stub-failed'],
      mode: 'text-to-image',
      provider: 'demo',
      model: 'demo-shapes-v1',
      isDemo: true,
      aspectRatio: '1:1',
      numberOfImages: 2,
      costUsd: 0,
      status,
      total: 2,
      succeeded: 0,
      failed: status === 'failed' ? 2 : 0,
      canceled: 0,
      url: '/api/batches/stub-failed',
      eventsUrl: '/api/batches/stub-failed/events',
      zipUrl: '/api/batches/stub-failed/zip',
      lastSequence: status === 'failed' ? 4 : 0,
      items,
    });
    const queued = [1, 2].map((index) => ({ index, prompt: 'stub-failed', status: 'queued', attempts: 0 }));
    const failed = [1, 2].map((index) => ({ index, prompt: 'stub-failed', status: 'failed', attempts: 1, error: { kind: 'timeout', message: 'Timed out' } }));
    await page.route('**/api/batches', (route) => (route.request().method() === 'POST' ? route.fulfill({ status: 202, json: view('queued', queued) }) : route.fallback()));
    await page.route('**/api/batches/stub-failed', (route) => route.fulfill({ json: view('failed', failed) }));
    await page.route('**/api/batches/stub-failed/events', (route) =>
      route.fulfill({
        headers: { 'content-type': 'text/event-stream' },
        body: events.map((event) => `id: ${event.sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join(''),
      }),
    );
    await generator.goto();
    await generator.generate('anything', 2);
    await expect(generator.progressText).toHaveText('All 2 images failed');
    await expect(page.locator('[aria-live="polite"]').filter({ has: generator.progressText })).toHaveCount(1);
    const colours = await page.getByTestId('progress-fill').evaluate((fill) => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--danger)';
      document.body.append(probe);
      const danger = getComputedStyle(probe).color;
      probe.remove();
      return { fill: getComputedStyle(fill).backgroundColor, danger };
    });
    expect(colours.fill).toBe(colours.danger);
  });
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('"Image 2 failed" sits below the number badge, never over it', async ({ generator }) => {
    await generator.goto();
    await generator.generate('a row of small houses [fail]', 6);
    await generator.waitForBatchEnd(6);
    const failed = generator.slot(2);
    await expect(failed).toHaveAttribute('data-status', 'failed');
    // The number badge (the tile's aria-hidden <span>, as before it had a test id).
    const badge = await boxOf(failed.locator(':scope > span[aria-hidden="true"]'));
    const reason = await boxOf(failed.getByTestId('slot-error'));
    expect(overlaps(badge, reason), 'the reason does not overlap the badge').toBe(false);
    expect(reason.y).toBeGreaterThanOrEqual(badge.y + badge.height);
    const title = failed.getByText('Image 2 failed');
    if (await title.isVisible()) {
      const titleBox = await boxOf(title);
      expect(overlaps(badge, titleBox)).toBe(false);
    }
  });

  test('toasts are compact: one at a time on a phone, over little of the screen', async ({ page, request, generator }) => {
    await generator.goto();
    await generator.generate('toast one', 1);
    await generator.generate('toast two', 1);
    await generator.generate('toast three', 1);
    await waitUntilIdle(request);
    await expect(generator.toasts).toHaveCount(3, { timeout: 10_000 });
    await expect(page.locator('[data-testid="toast"][data-visible="true"]')).toHaveCount(1);
    const toast = await boxOf(page.locator('[data-testid="toast"][data-visible="true"]'));
    expect(toast.height * toast.width, 'under a tenth of the screen').toBeLessThan((390 * 844) / 10);
  });
});

test('toasts: at most two visible on a desktop, compact', async ({ page, request, generator }) => {
  await generator.goto();
  await generator.generate('desk toast one', 1);
  await generator.generate('desk toast two', 1);
  await generator.generate('desk toast three', 1);
  await waitUntilIdle(request);
  await expect(generator.toasts).toHaveCount(3, { timeout: 10_000 });
  await expect(page.locator('[data-testid="toast"][data-visible="true"]')).toHaveCount(2);
  for (const toast of await page.locator('[data-testid="toast"][data-visible="true"]').all()) {
    const box = await boxOf(toast);
    expect(box.width).toBeLessThanOrEqual(360);
  }
});
