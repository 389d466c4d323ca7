import { readFileSync } from 'node:fs';
import { expect, test } from './base-test';
import { expectImagesLoaded, getBatch, progressSamples, recordProgress, startBatch, waitUntilIdle } from './helpers';

/**
 * Every batch is stored on the server, the small ones too: a reload loses nothing, and a finished
 * batch can be retried, downloaded as a ZIP, or deleted (with its images) from its card.
 */

test('a 4-image batch survives a reload mid-batch and after it, with Retry failed and ZIP', async ({ page, request, generator }) => {
  test.setTimeout(60_000);
  await recordProgress(page);
  // Another batch shares the demo's lane (served in turns), so the 4 images take long enough to reload in the middle.
  const ballastId = await startBatch(request, { prompt: 'ballast sharing the lane', numberOfImages: 12 });
  await generator.goto();
  const batchId = await generator.generate('a windmill on a green hill [fail]', 4);
  const card = generator.card(batchId);
  await expect(generator.progressText).toHaveText(/^Generating [1-4]\/4\.\.\.$/);
  await expect(card.locator('[data-testid="result-slot"][data-status="succeeded"]')).toHaveCount(1, { timeout: 15_000 });
  const beforeReload = (await generator.progressValue()).now;
  expect(beforeReload).toBeLessThan(4);

  // Mid-batch: the live area takes the batch again and follows it from where it was.
  await page.reload();
  await expect(generator.progressText).toHaveText(/^Generating [1-4]\/4\.\.\.$/);
  await expect(generator.currentCard).toHaveAttribute('data-batch-id', batchId);
  await generator.waitForBatchEnd(4);
  await expect(generator.progressText).toHaveText('Done: 3/4 generated, 1 failed');
  const values = (await progressSamples(page)).map((sample) => sample.now);
  expect(values[0], 'the first progress after the reload').toBeGreaterThanOrEqual(beforeReload);
  expect(values, 'the bar never moves back').toEqual([...values].sort((left, right) => left - right));
  expect(new Set(values).size, 'progress kept arriving after the reload').toBeGreaterThan(1);
  const toast = generator.toasts.filter({ hasText: 'Successfully generated 3 of 4 images. 1 failed.' });
  await expect(toast).toHaveAttribute('data-type', 'warning');
  await request.post(`/api/batches/${ballastId}/cancel`);
  await waitUntilIdle(request);

  // After it: the card, its images and the failed tile come back from the server.
  await page.reload();
  await expect(generator.prompt).toBeFocused();
  await expect(generator.progressText).toHaveCount(0);
  await expect(card).toHaveAttribute('data-status', 'partial');
  await expectImagesLoaded(card.getByTestId('gallery-image'), 3);
  const failedTile = card.locator('[data-index="2"]');
  await expect(failedTile).toHaveAttribute('data-status', 'failed');
  await expect(failedTile).toContainText('Blocked by the safety filter');

  // Retry failed: only image 2 runs again (and fails again, deterministically), live in the progress area.
  const retry = card.getByTestId('batch-retry');
  await expect(retry).toHaveText('Retry failed (1)');
  await retry.click();
  await expect(generator.toasts.filter({ hasText: 'Successfully generated 3 of 4 images. 1 failed.' })).toHaveCount(1, { timeout: 15_000 });
  await expect(card).toHaveAttribute('data-status', 'partial');
  await expect(failedTile).toHaveAttribute('data-status', 'failed');
  expect((await getBatch(request, batchId)).items?.map((item) => item.attempts), 'a new attempt for image 2 only').toEqual([1, 2, 1, 1]);
  const texts = (await progressSamples(page)).map((sample) => sample.text);
  // Its progress counts only the image it runs again.
  expect(texts.indexOf('Retrying 1 image: 1/1...'), 'the retry ran in the live area').toBeGreaterThanOrEqual(0);
  expect(texts.lastIndexOf('Done: 3/4 generated, 1 failed')).toBeGreaterThan(texts.indexOf('Retrying 1 image: 1/1...'));

  // The ZIP link works: a real ZIP with more bytes than the three images.
  const [download] = await Promise.all([page.waitForEvent('download'), card.getByTestId('batch-zip').click()]);
  expect(download.suggestedFilename()).toMatch(/\.zip$/);
  const zip = readFileSync(await download.path());
  expect([...zip.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
  let imageBytes = 0;
  for (const src of await card.getByTestId('gallery-image').evaluateAll((images) => images.map((image) => image.getAttribute('src') ?? ''))) {
    imageBytes += (await (await request.get(src)).body()).length;
  }
  expect(zip.length).toBeGreaterThan(imageBytes);
});

test('delete a finished batch: confirm, the card goes, the API forgets it, the disk use drops', async ({ page, request, generator, allowConsoleErrors }) => {
  test.setTimeout(60_000);
  const keptId = await startBatch(request, { prompt: 'a batch the server refuses to delete', numberOfImages: 1 });
  await waitUntilIdle(request);
  await generator.goto();
  await expect(generator.storageUsage).toHaveText(/^\d[\d,]* batch(es)? · \d[\d,]* images? · [\d.]+ (B|KB|MB|GB)$/);

  const batchId = await generator.generate('a batch to delete', 2);
  const card = generator.card(batchId);
  // No delete while it runs (cancel first).
  await expect(generator.cancelButton).toBeVisible();
  await expect(card.getByTestId('delete-button')).toHaveCount(0);
  await generator.waitForBatchEnd(2);
  const usage = (await (await request.get('/api/storage')).json()) as { batchCount: number; imageCount: number };
  await expect.poll(async () => (await generator.storageCounts()).images, { message: 'refreshed after the batch ended' }).toBe(usage.imageCount);
  const before = await generator.storageCounts();
  expect(before.batches).toBe(usage.batchCount);

  // "Keep" (or Esc) changes nothing and gives focus back.
  await card.getByTestId('delete-button').click();
  await expect(card.getByTestId('delete-confirmation')).toContainText('Delete this batch and its 2 images?');
  await expect(card.getByTestId('delete-cancel')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(card.getByTestId('delete-confirmation')).toHaveCount(0);
  await expect(card.getByTestId('delete-button')).toBeFocused();

  await generator.deleteBatch(card);
  await expect(card).toHaveCount(0);
  await expect(generator.toasts.filter({ hasText: 'Batch deleted.' })).toBeVisible();
  expect((await request.get(`/api/batches/${batchId}`)).status()).toBe(404);
  await expect.poll(async () => (await generator.storageCounts()).batches).toBe(before.batches - 1);
  const after = await generator.storageCounts();
  expect(after.images).toBe(before.images - 2);
  expect(after.text).not.toBe(before.text);

  // A refusal (the server answers 409 while a batch runs) is said in a toast; the card stays.
  allowConsoleErrors(/status of 409/);
  await page.route(`**/api/batches/${keptId}`, (route) =>
    route.request().method() === 'DELETE' ? route.fulfill({ status: 409, json: { error: 'The batch is still running: cancel it before deleting it.' } }) : route.fallback(),
  );
  const kept = generator.card(keptId);
  await generator.deleteBatch(kept);
  const refusal = generator.toasts.filter({ hasText: 'Could not delete the batch' });
  await expect(refusal).toHaveAttribute('data-type', 'error');
  await expect(refusal).toContainText('cancel it before deleting it');
  await expect(kept).toBeVisible();
  expect((await request.get(`/api/batches/${keptId}`)).status()).toBe(200);
});

test('a batch of several prompts lists them all on its card; each image keeps its own prompt', async ({ page, request, generator }) => {
  const prompts = ['a red fox in the snow', 'a blue whale under the sea', 'a green frog on a lily pad'];
  const batchId = await startBatch(request, { prompts, numberOfImages: 1 });
  await waitUntilIdle(request);
  await generator.goto();
  const card = generator.card(batchId);
  await expect(card.getByRole('heading', { level: 3 })).toHaveText(prompts[0]!);
  const toggle = card.getByTestId('batch-prompts-toggle');
  await expect(toggle).toHaveText('+ 2 more prompts');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(card.getByTestId('batch-prompts')).toBeHidden();
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(card.getByTestId('batch-prompts').locator('li')).toHaveText(prompts);

  await card.getByRole('button', { name: 'Open image 3 full size' }).click();
  await expect(page.getByTestId('lightbox-prompt')).toHaveText(prompts[2]!);
  await expect(page.getByTestId('lightbox-image')).toHaveAttribute('alt', `Image 3: ${prompts[2]}`);
});
