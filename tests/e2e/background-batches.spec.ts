import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './base-test';
import { expectImagesLoaded, getBatch, progressSamples, recordProgress, startBatch, waitUntilIdle } from './helpers';

/**
 * Every batch goes to the server's queue (POST /api/batches) and is followed over its event
 * stream; it is saved, so it survives a reload. These are the larger ones (5+ images). The demo
 * provider takes about 0.5 s per image here (DEMO_LATENCY_MS=400, one at a time).
 */

const inputPng = path.join(__dirname, 'fixtures', 'input-64x48.png');

test('8 images in the background: progress survives a reload and goes on, then Download all (ZIP)', async ({ page, request, generator, generateRequests }) => {
  test.setTimeout(60_000);
  await recordProgress(page);
  await generator.goto();
  const batchId = await generator.generate('a field of sunflowers under a summer sky', 8);
  expect(generateRequests).toEqual(['POST /api/batches']);
  await expect(generator.generateButton).toBeEnabled();
  await expect(generator.progressText).toHaveText(/^Generating [1-8]\/8\.\.\.$/);
  await expect(generator.progressBar).toHaveAttribute('aria-valuemax', '8');
  // All 8 counted in the card's strip; placeholders only for the next few (not 8 grey boxes).
  await expect(generator.card(batchId).getByTestId('batch-strip')).toContainText('of 8 done');
  await expect(generator.card(batchId)).toHaveAttribute('data-status', /queued|running/);

  await expect.poll(async () => (await generator.progressValue()).now, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
  const beforeReload = (await generator.progressValue()).now;
  expect(beforeReload).toBeLessThan(8);
  const imagesBeforeReload = await generator.currentCard.getByTestId('gallery-image').count();
  await page.reload();

  // The live area follows the batch again, from where it was: never from 0, never backwards.
  await expect(generator.progressText).toHaveText(/^Generating [1-8]\/8\.\.\.$/);
  await generator.waitForBatchEnd(8);
  await expect(generator.progressText).toHaveText('Done: 8/8 generated');
  const samples = await progressSamples(page);
  const values = samples.map((sample) => sample.now);
  expect(values[0], 'the first progress after the reload').toBeGreaterThanOrEqual(beforeReload);
  expect(values, 'the bar never moves back').toEqual([...values].sort((left, right) => left - right));
  expect(samples.filter((sample) => sample.now === sample.max && sample.unfinished > 0), 'never full before the end').toEqual([]);
  expect(new Set(values).size, 'progress kept arriving after the reload').toBeGreaterThan(1);
  expect(imagesBeforeReload).toBeGreaterThanOrEqual(3);

  const card = generator.card(batchId);
  await expect(card).toHaveAttribute('data-status', 'completed');
  await expectImagesLoaded(card.getByTestId('gallery-image'), 8);
  await expect(card.getByTestId('gallery-image').first()).toHaveAttribute('src', /^\/api\/images\//);
  await expect(generator.toasts.filter({ hasText: 'Successfully generated 8 images.' })).toBeVisible();
  await expect(card.getByTestId('batch-retry')).toHaveCount(0);

  const [download] = await Promise.all([page.waitForEvent('download'), card.getByTestId('batch-zip').click()]);
  expect(download.suggestedFilename()).toMatch(/\.zip$/);
  const zip = readFileSync(await download.path());
  expect([...zip.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
  const batch = await getBatch(request, batchId);
  let imageBytes = 0;
  for (const item of batch.items ?? []) {
    const response = await request.get(`/api/images/${(item as { imageId?: string }).imageId}`);
    imageBytes += (await response.body()).length;
  }
  expect(imageBytes).toBeGreaterThan(0);
  expect(zip.length).toBeGreaterThan(imageBytes);
});

test('the gallery survives a reload: saved batches come back from the server, older ones as it scrolls', async ({ page, request, generator }) => {
  test.setTimeout(60_000);
  // Enough saved batches for a second page (10 per page).
  for (let count = 1; count <= 11; count += 1) await startBatch(request, { prompt: `saved batch ${count}`, numberOfImages: 1 });
  await waitUntilIdle(request);
  // The server renders the first page (10 batches); the page goes on loading older ones as they near the viewport.
  const firstPage = await (await request.get('/')).text();
  expect(firstPage.match(/data-testid="batch-card"/g)?.length).toBe(10);
  await generator.goto();
  const savedCards = generator.cards;
  await expect.poll(() => savedCards.count()).toBeGreaterThanOrEqual(10);
  const newest = generator.cards.first();
  await expect(newest).toContainText('saved batch 11');
  await expect(newest).toHaveAttribute('data-status', 'completed');
  await expect(newest.getByTestId('batch-status')).toHaveText('Completed');
  await expect(newest.locator('time')).toHaveText(/\d{2}:\d{2}/);
  await expect(newest.locator('[data-demo="true"]')).toHaveText('demo');
  await expectImagesLoaded(newest.getByTestId('gallery-image'), 1);

  // A small batch started here is saved like the others: after a reload it is the newest card.
  const smallId = await generator.generate('a small batch from this page', 2);
  await generator.waitForBatchEnd(2);
  await expect(page.getByText('this tab only')).toHaveCount(0);
  await page.reload();
  await expect(generator.prompt).toBeFocused();
  await expect.poll(() => savedCards.count()).toBeGreaterThanOrEqual(10);
  await expect(generator.cards.first()).toHaveAttribute('data-batch-id', smallId);
  await expectImagesLoaded(generator.card(smallId).getByTestId('gallery-image'), 2);
  await expect(generator.cards.nth(1)).toContainText('saved batch 11');
  await expect(generator.progressText).toHaveCount(0);

  // Older batches page in as the gallery scrolls ("Load more" stays for a keyboard).
  await expect
    .poll(
      async () => {
        await page.mouse.wheel(0, 5000);
        return page.getByText('saved batch 1', { exact: true }).count();
      },
      { timeout: 20_000 },
    )
    .toBe(1);
  expect(await savedCards.count()).toBeGreaterThan(10);
  const ids = await savedCards.evaluateAll((cards) => cards.map((card) => card.getAttribute('data-batch-id')));
  expect(new Set(ids).size, 'no batch twice').toBe(ids.length);
  await expect(page.getByText('saved batch 1', { exact: true })).toBeVisible();
});

test('"Retry failed" runs only the failed image again; its new attempt fails the same way', async ({ page, request, generator, generateRequests }) => {
  test.setTimeout(60_000);
  await recordProgress(page);
  await generator.goto();
  await generator.fill('a lighthouse in the fog [fail]', 6);
  const batchId = await generator.clickGenerate(() => generator.generateButton.dblclick());
  await generator.waitForBatchEnd(6);
  expect(generateRequests, 'a double click starts one batch').toEqual(['POST /api/batches']);

  const card = generator.card(batchId);
  await expect(card).toHaveAttribute('data-status', 'partial');
  await expect(generator.slot(2)).toHaveAttribute('data-status', 'failed');
  await expect(generator.slot(2)).toContainText('Blocked by the safety filter');
  const toast = generator.toasts.filter({ hasText: 'Successfully generated 5 of 6 images. 1 failed.' });
  await expect(toast).toHaveAttribute('data-type', 'warning');
  await expect(toast).toContainText('Failed: image 2 (Blocked by the safety filter)');
  const before = await getBatch(request, batchId);
  expect(before.items?.map((item) => item.attempts)).toEqual([1, 1, 1, 1, 1, 1]);

  // Every status each tile goes through from here on.
  await page.evaluate(() => {
    const history: Record<string, string[]> = {};
    (window as unknown as { slotHistory: typeof history }).slotHistory = history;
    const record = () => {
      for (const slot of document.querySelectorAll('[data-testid="result-slot"]')) {
        const seen = (history[slot.getAttribute('data-index') ?? '?'] ??= []);
        const status = slot.getAttribute('data-status') ?? '?';
        if (seen.at(-1) !== status) seen.push(status);
      }
    };
    record();
    new MutationObserver(record).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-status'] });
  });

  const retry = card.getByTestId('batch-retry');
  await expect(retry).toHaveText('Retry failed (1)');
  await retry.click();
  await expect(generator.toasts.filter({ hasText: 'Successfully generated 5 of 6 images. 1 failed.' })).toHaveCount(2, { timeout: 15_000 });
  await expect(generator.slot(2)).toHaveAttribute('data-status', 'failed');
  // The batch ran again (the live line came back), and only image 2 left its ended state.
  const history = await page.evaluate(() => (window as unknown as { slotHistory: Record<string, string[]> }).slotHistory);
  expect(history['2']?.[0]).toBe('failed');
  expect(history['2']?.at(-1)).toBe('failed');
  expect(history['2']?.some((status) => status === 'queued' || status === 'running')).toBe(true);
  for (const index of ['1', '3', '4', '5', '6']) expect(history[index]).toEqual(['succeeded']);
  const texts = (await progressSamples(page)).map((sample) => sample.text);
  // The retry's progress counts only the image it runs again.
  expect(texts.lastIndexOf('Retrying 1 image: 1/1...')).toBeGreaterThan(texts.indexOf('Done: 5/6 generated, 1 failed'));
  await expect(card).toHaveAttribute('data-status', 'partial');

  const after = await getBatch(request, batchId);
  expect(after.items?.map((item) => item.attempts), 'a new attempt for image 2 only').toEqual([1, 2, 1, 1, 1, 1]);
  await expect(retry).toHaveText('Retry failed (1)');
  await expectImagesLoaded(card.getByTestId('gallery-image'), 5);
});

// 24 images at 400 ms each, one at a time: about 12 s, so a loaded machine still leaves time to cancel mid-way.
test('cancel a 24-image batch (from an image) mid-way: what had not run is canceled, retry offers it', async ({ page, request, generator }) => {
  test.setTimeout(60_000);
  await generator.goto();
  await generator.imageInput.setInputFiles(inputPng);
  await expect(generator.generateButton).toHaveText('Generate Images from Image');
  const requestPromise = page.waitForRequest((candidate) => new URL(candidate.url()).pathname === '/api/batches');
  const batchId = await generator.generate('turn it into a night scene', 24);
  expect((await requestPromise).headers()['content-type']).toContain('multipart/form-data');

  const card = generator.card(batchId);
  // At least two made (not exactly two: a busy machine may show the first ones late).
  await expect.poll(() => card.locator('[data-testid="result-slot"][data-status="succeeded"]').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  // One Cancel: the live panel's (the card leaves it out while the panel shows this batch).
  await expect(card.getByTestId('batch-cancel')).toHaveCount(0);
  await generator.cancelButton.click();
  await expect(card).toHaveAttribute('data-status', 'canceled');
  await expect(generator.progressText).toHaveText(/^Canceled: \d+\/24 generated$/);
  await expect(generator.toasts.filter({ hasText: 'Canceled.' })).toBeVisible();
  await expect(card.getByTestId('batch-cancel')).toHaveCount(0);

  // The made images keep their tiles; the canceled ones (6 or more here) share one tile.
  const statuses = await generator.slots.evaluateAll((slots) => slots.map((slot) => slot.getAttribute('data-status')));
  expect(statuses.every((status) => status === 'succeeded')).toBe(true);
  const canceledTile = card.getByTestId('canceled-tile');
  const canceled = Number(await canceledTile.getAttribute('data-count'));
  expect(canceled).toBeGreaterThanOrEqual(6);
  await expect(canceledTile).toHaveText(`${canceled} canceled`);
  expect(statuses.length + canceled).toBe(24);

  // The server agrees, and stays that way: nothing more runs.
  const batch = await getBatch(request, batchId);
  expect(batch.status).toBe('canceled');
  expect(batch.items?.filter((item) => item.status === 'succeeded')).toHaveLength(statuses.length);
  expect(batch.items?.filter((item) => item.status === 'canceled')).toHaveLength(canceled);
  await page.waitForTimeout(1200);
  expect((await getBatch(request, batchId)).items?.map((item) => item.status)).toEqual(batch.items?.map((item) => item.status));
  // Nothing failed: the button says it runs the rest, not "Retry failed".
  await expect(card.getByTestId('batch-retry')).toHaveText(`Run the rest (${canceled})`);
  await expect(card.getByTestId('batch-zip')).toBeVisible();
});
