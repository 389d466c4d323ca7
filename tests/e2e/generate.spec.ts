import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './base-test';
import { expectImagesLoaded, progressSamples, recordProgress } from './helpers';

const inputPng = path.join(__dirname, 'fixtures', 'input-64x48.png');

test('generates 4 images with the demo provider: stored, live progress, slots, green toast, the line clears', async ({ page, generator, generateRequests }) => {
  await recordProgress(page);
  await generator.goto();
  await expect(generator.providerBadge).toHaveText('demo');
  await expect(generator.providerBadge).toBeVisible();
  await expect(generator.generateButton).toHaveText('Generate Images');

  const batchId = await generator.generate('a lighthouse at dusk, calm sea', 4);
  // The batch is stored and queued: the button is free again for the next one at once.
  await expect(generator.generateButton).toBeEnabled();

  await generator.waitForBatchEnd(4);
  // While it ran (read from the page's own record: a 2 s batch can end before a loaded test looks):
  // "Generating k/4...", a bar to 4, four tiles and a Cancel button.
  const running = (await progressSamples(page)).filter((sample) => /^Generating [1-4]\/4\.\.\.$/.test(sample.text ?? ''));
  expect(running.length).toBeGreaterThan(0);
  expect(running.every((sample) => sample.max === 4)).toBe(true);
  expect(running.some((sample) => sample.slots === 4 && sample.hasCancel)).toBe(true);
  for (let index = 1; index <= 4; index += 1) await expect(generator.slot(index)).toHaveAttribute('data-status', 'succeeded');
  await expectImagesLoaded(generator.currentImages, 4);
  await expect(generator.currentImages.first()).toHaveAttribute('src', /^\/api\/images\//);
  await expect(generator.currentCard).toHaveAttribute('data-batch-id', batchId);
  const toast = generator.toasts.filter({ hasText: 'Successfully generated 4 images.' });
  await expect(toast).toBeVisible();
  await expect(toast).toHaveAttribute('data-type', 'success');
  expect(generateRequests).toEqual(['POST /api/batches']);

  // The finished line stays about 2 s, then clears; the images stay. Timed in the page (the
  // recorder's clock), not here: the checks above may take a while under load.
  await expect(generator.progressText).toHaveText('Done: 4/4 generated');
  await expect(generator.progressText).toBeHidden({ timeout: 5000 });
  await expect(generator.progressBar).toBeHidden();
  const timeline = await progressSamples(page);
  const doneAt = timeline.find((sample) => sample.text === 'Done: 4/4 generated')!.at;
  const clearedAt = timeline.find((sample) => sample.text === null && sample.at > doneAt)!.at;
  expect(clearedAt - doneAt).toBeGreaterThan(1000);
  await expect(generator.currentImages).toHaveCount(4);
  await expect(generator.cancelButton).toHaveCount(0);

  const samples = await progressSamples(page);
  const values = samples.map((sample) => sample.now);
  expect(values, 'the bar never moves back').toEqual([...values].sort((a, b) => a - b));
  expect(samples.filter((sample) => sample.now === sample.max && sample.unfinished > 0), 'never full before the end').toEqual([]);
  const texts = new Set(samples.map((sample) => sample.text));
  for (const text of ['Generating 1/4...', 'Generating 2/4...', 'Generating 3/4...', 'Generating 4/4...']) expect(texts).toContain(text);
});

test('a partial batch: orange toast with the seed sentence, the failed slot says why', async ({ page, generator, generateRequests }) => {
  await generator.goto();
  await generator.fill('a red fox in the snow [fail]', 4);
  // A double click must not start two batches.
  const batchId = await generator.clickGenerate(() => generator.generateButton.dblclick());
  await generator.waitForBatchEnd(4);
  expect(generateRequests).toEqual(['POST /api/batches']);

  await expect(generator.slot(2)).toHaveAttribute('data-status', 'failed');
  await expect(generator.slot(2)).toContainText('Blocked by the safety filter');
  for (const index of [1, 3, 4]) await expect(generator.slot(index)).toHaveAttribute('data-status', 'succeeded');
  await expectImagesLoaded(generator.currentImages, 3);

  const toast = generator.toasts.filter({ hasText: 'Successfully generated 3 of 4 images. 1 failed.' });
  await expect(toast).toBeVisible();
  await expect(toast).toHaveAttribute('data-type', 'warning');
  await expect(toast).toContainText('Failed: image 2 (Blocked by the safety filter)');
  await expect(generator.card(batchId).getByTestId('batch-status')).toHaveText('Partial');
  await expect(page.getByTestId('batch-status').first()).toHaveText('Partial');
});

test('image-to-image: upload with preview, the button says so, 2 images from the image', async ({ page, generator, generateRequests }) => {
  await generator.goto();
  await generator.imageInput.setInputFiles(inputPng);
  await expect(generator.imagePreview).toBeVisible();
  expect(await generator.imagePreview.evaluate((element: HTMLImageElement) => element.naturalWidth)).toBe(64);
  await expect(generator.generateButton).toHaveText('Generate Images from Image');

  await generator.prompt.fill('turn it into a watercolour');
  await generator.count.selectOption('2');
  const requestPromise = page.waitForRequest((candidate) => new URL(candidate.url()).pathname === '/api/batches' && candidate.method() === 'POST');
  const batchId = await generator.clickGenerate(() => generator.prompt.press('Control+Enter'));
  const request = await requestPromise;
  expect(request.headers()['content-type']).toContain('multipart/form-data');

  await generator.waitForBatchEnd(2);
  for (const index of [1, 2]) await expect(generator.slot(index)).toHaveAttribute('data-status', 'succeeded');
  await expectImagesLoaded(generator.currentImages, 2);
  await expect(generator.toasts.filter({ hasText: 'Successfully generated 2 images.' })).toBeVisible();
  await expect(generator.card(batchId)).toContainText('from image');
  expect(generateRequests).toEqual(['POST /api/batches']);

  // Remove, then drop a file onto the zone; a file that is not an image is refused next to the field.
  await generator.removeImage.click();
  await expect(generator.imagePreview).toHaveCount(0);
  await expect(generator.generateButton).toHaveText('Generate Images');
  const pngBase64 = readFileSync(inputPng).toString('base64');
  const dataTransfer = await page.evaluateHandle((base64) => {
    const transfer = new DataTransfer();
    const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
    transfer.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
    return transfer;
  }, pngBase64);
  await page.getByTestId('image-drop-zone').dispatchEvent('drop', { dataTransfer });
  await expect(generator.imagePreview).toHaveAttribute('alt', /dropped\.png/);
  await generator.removeImage.click();
  await generator.imageInput.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(generator.fieldError('image')).toContainText('not a PNG, JPEG or WebP image');
  await expect(generator.generateButton).toHaveText('Generate Images');
});

test('an empty prompt shows an error next to the prompt and sends nothing', async ({ page, generator, generateRequests, allowConsoleErrors }) => {
  await generator.goto();
  await generator.generateButton.click();
  await expect(generator.fieldError('prompt')).toHaveText(/Prompt is required/);
  await expect(generator.prompt).toHaveAttribute('aria-invalid', 'true');
  await expect(generator.prompt).toBeFocused();

  await generator.prompt.fill('   ');
  await generator.prompt.press('Control+Enter');
  await expect(generator.fieldError('prompt')).toBeVisible();
  await expect(generator.slots).toHaveCount(0);
  expect(generateRequests).toEqual([]);

  await generator.prompt.fill('a cat');
  await expect(generator.fieldErrors).toHaveCount(0);

  // A 400 from the server lands next to the field it names (stubbed: the client validates the same rules).
  allowConsoleErrors(/status of 400/);
  await page.route('**/api/batches', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({ status: 400, json: { error: 'Prompt is too long (4001 characters); the limit is 4000.', field: 'prompt' } })
      : route.fallback(),
  );
  await generator.generateButton.click();
  await expect(generator.fieldError('prompt')).toHaveText(/Prompt is too long/);
  await expect(generator.slots).toHaveCount(0);
  await expect(generator.progressText).toHaveCount(0);
  await expect(generator.generateButton).toBeEnabled();
});

test('cancel mid-batch: the rest is canceled, the button comes back, the next batch runs', async ({ page, generator }) => {
  await generator.goto();
  // 12 images (about 6 s with the demo's 400 ms each): time to click Cancel on a loaded machine.
  const canceledId = await generator.generate('a slow harbour at night', 12);
  await expect(generator.slot(1)).toHaveAttribute('data-status', 'succeeded');
  await generator.cancelButton.click();

  await expect(generator.generateButton).toBeEnabled();
  await expect(generator.cancelButton).toHaveCount(0);
  await expect(generator.slot(1)).toHaveAttribute('data-status', 'succeeded');
  const statuses = await generator.slots.evaluateAll((slots) => slots.map((slot) => slot.getAttribute('data-status')));
  expect(statuses.every((status) => status === 'succeeded' || status === 'canceled')).toBe(true);
  // Up to 4 canceled images get a tile each; more share one "N canceled" tile.
  const canceledTile = generator.card(canceledId).getByTestId('canceled-tile');
  const canceledTogether = (await canceledTile.count()) === 0 ? 0 : Number(await canceledTile.getAttribute('data-count'));
  const canceledAlone = statuses.filter((status) => status === 'canceled').length;
  expect(canceledAlone === 0 || canceledTogether === 0, 'never both kinds of canceled tile').toBe(true);
  expect(canceledAlone + canceledTogether).toBeGreaterThanOrEqual(2);
  expect(statuses.filter((status) => status === 'succeeded').length + canceledAlone + canceledTogether).toBe(12);
  if (canceledTogether > 0) await expect(canceledTile).toHaveText(`${canceledTogether} canceled`);
  const toast = generator.toasts.filter({ hasText: 'Canceled.' });
  await expect(toast).toBeVisible();
  await expect(generator.card(canceledId).getByTestId('batch-status')).toHaveText('Canceled');
  await expect(generator.card(canceledId).getByTestId('batch-retry')).toBeVisible();

  // Nothing of the canceled batch holds up the next one.
  const startedAt = Date.now();
  const nextId = await generator.generate('after the cancel', 1);
  await generator.waitForBatchEnd(1);
  expect(Date.now() - startedAt).toBeLessThan(5000);
  await expect(generator.slot(1)).toHaveAttribute('data-status', 'succeeded');
  const succeededBefore = statuses.filter((status) => status === 'succeeded').length;
  await expect(generator.card(nextId).getByTestId('gallery-image')).toHaveCount(1);
  await expect(generator.card(canceledId).getByTestId('gallery-image')).toHaveCount(succeededBefore);
  await expect(generator.cards.first()).toHaveAttribute('data-batch-id', nextId);
});

test('gallery and lightbox: full size, download, copy prompt, Esc, focus trap, use as input', async ({ page, context, generator }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await generator.goto();
  await generator.generate('two paper boats', 2);
  await generator.waitForBatchEnd(2);

  const [download] = await Promise.all([page.waitForEvent('download'), generator.slot(2).getByTestId('download-link').click()]);
  expect(download.suggestedFilename()).toBe('image-2.png');

  const opener = generator.slot(1).getByRole('button', { name: 'Open image 1 full size' });
  await opener.click();
  await expect(generator.lightbox).toBeVisible();
  await expect(page.getByTestId('lightbox-prompt')).toHaveText('two paper boats');
  await expect(page.getByTestId('lightbox-download')).toHaveAttribute('download', 'image-1.png');
  expect(await page.getByTestId('lightbox-image').evaluate((element: HTMLImageElement) => element.naturalWidth)).toBeGreaterThan(0);

  for (let step = 0; step < 8; step += 1) {
    await page.keyboard.press('Tab');
    expect(await generator.lightbox.evaluate((dialog) => dialog.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press('Shift+Tab');
  expect(await generator.lightbox.evaluate((dialog) => dialog.contains(document.activeElement))).toBe(true);

  await page.getByTestId('copy-prompt').click();
  await expect(generator.toasts.filter({ hasText: 'Prompt copied.' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('two paper boats');

  await page.keyboard.press('Escape');
  await expect(generator.lightbox).toHaveCount(0);
  await expect(opener).toBeFocused();

  await generator.slot(2).getByRole('button', { name: 'Open image 2 full size' }).click();
  await page.getByTestId('use-as-input').click();
  await expect(generator.lightbox).toHaveCount(0);
  await expect(generator.imagePreview).toBeVisible();
  await expect(generator.generateButton).toHaveText('Generate Images from Image');
  await expect(generator.prompt).toBeFocused();
});

/** A stored batch as `POST /api/batches` answers it, for the stubbed tests. */
function stubView(id: string, total: number, overrides: Record<string, unknown> = {}) {
  const url = `/api/batches/${id}`;
  return {
    id,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    prompt: id,
    prompts: [id],
    mode: 'text-to-image',
    provider: 'demo',
    model: 'demo-shapes-v1',
    isDemo: true,
    aspectRatio: '1:1',
    numberOfImages: total,
    costUsd: 0,
    status: 'queued',
    total,
    succeeded: 0,
    failed: 0,
    canceled: 0,
    url,
    eventsUrl: `${url}/events`,
    zipUrl: `${url}/zip`,
    lastSequence: 0,
    items: Array.from({ length: total }, (_, offset) => ({ index: offset + 1, prompt: id, status: 'queued', attempts: 0 })),
    ...overrides,
  };
}

/** POST /api/batches answers `created`; GET of the batch (read once its stream ends) answers `final`. */
async function stubBatchApi(page: Page, created: ReturnType<typeof stubView>, final: ReturnType<typeof stubView>): Promise<void> {
  await page.route('**/api/batches', (route) => (route.request().method() === 'POST' ? route.fulfill({ status: 202, json: created }) : route.fallback()));
  await page.route(`**/api/batches/${created.id}`, (route) => route.fulfill({ json: final }));
}

test('a batch where every image fails: red toast naming each image (stubbed event stream)', async ({ page, generator }) => {
  const counters = { batchId: 'stub-batch', total: 2, etaMs: null };
  const events = [
    { type: 'batch-start', ...counters, sequence: 1, completed: 0, failed: 0, provider: 'demo', model: 'demo-shapes-v1', isDemo: true, mode: 'text-to-image' },
    { type: 'item-start', ...counters, sequence: 2, completed: 0, failed: 0, index: 1, attempt: 1 },
    { type: 'item-retry', ...counters, sequence: 3, completed: 0, failed: 0, index: 1, attempt: 1, delayMs: 3000, kind: 'rate_limited', error: 'Rate limited by the provider' },
    { type: 'item-end', ...counters, sequence: 4, completed: 0, failed: 1, index: 1, status: 'failed', kind: 'rate_limited', error: 'Rate limited by the provider', details: '429' },
    { type: 'item-end', ...counters, sequence: 6, completed: 0, failed: 2, index: 2, status: 'failed', kind: 'timeout', error: 'Timed out', details: 'after 180 s' },
    { type: 'batch-end', ...counters, sequence: 7, completed: 0, failed: 2, status: 'failed' },
  ];
  const frames = events.map((event) => `id: ${event.sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  // A frame that breaks the schema is skipped (with a console warning), not trusted.
  frames.splice(4, 0, `id: 5\nevent: item-end\ndata: ${JSON.stringify({ type: 'item-end', index: 'two' })}\n\n`);
  const failedItems = [
    { index: 1, prompt: 'stub-batch', status: 'failed', attempts: 1, error: { kind: 'rate_limited', message: 'Rate limited by the provider', details: '429' } },
    { index: 2, prompt: 'stub-batch', status: 'failed', attempts: 1, error: { kind: 'timeout', message: 'Timed out', details: 'after 180 s' } },
  ];
  await stubBatchApi(page, stubView('stub-batch', 2), stubView('stub-batch', 2, { status: 'failed', failed: 2, lastSequence: 7, items: failedItems }));
  await page.route('**/api/batches/stub-batch/events', (route) =>
    route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: frames.join('') }),
  );

  await generator.goto();
  await generator.generate('anything', 2);
  await generator.waitForBatchEnd(2);
  await expect(generator.slot(1)).toHaveAttribute('data-status', 'failed');
  await expect(generator.slot(1)).toContainText('Rate limited by the provider');
  await expect(generator.slot(2)).toContainText('Timed out');
  const toast = generator.toasts.filter({ hasText: 'All 2 images failed.' });
  await expect(toast).toHaveAttribute('data-type', 'error');
  await expect(toast).toContainText('Failed: image 1 (Rate limited by the provider), image 2 (Timed out)');
  await expect(generator.currentImages).toHaveCount(0);
  await expect(generator.currentCard.getByTestId('batch-retry')).toHaveText('Retry failed (2)');
});

test('the page follows the events: retry wait, image on its item-end, bar only from events (scripted stream)', async ({ page, generator }) => {
  // The batch's EventSource is one the test writes to, event by event.
  await page.addInitScript(() => {
    type Listener = (message: MessageEvent<string>) => void;
    const sources: ScriptedSource[] = [];
    class ScriptedSource {
      readyState = 1;
      onerror: ((event: Event) => void) | null = null;
      readonly listeners = new Map<string, Listener[]>();
      constructor(readonly url: string) {
        sources.push(this);
      }
      addEventListener(type: string, listener: Listener) {
        this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
      }
      close() {
        this.readyState = 2;
      }
    }
    const scripted = window as unknown as { EventSource: unknown; sendEvent: (event: { type: string; sequence: number }) => void; closeStream: () => void };
    scripted.EventSource = ScriptedSource;
    scripted.sendEvent = (event) => {
      for (const source of sources.filter((candidate) => candidate.readyState !== 2)) {
        const message = new MessageEvent(event.type, { data: JSON.stringify(event), lastEventId: String(event.sequence) });
        for (const listener of source.listeners.get(event.type) ?? []) listener(message);
      }
    };
    // As the server does after batch-end: the browser sees the connection drop and would reconnect.
    scripted.closeStream = () => {
      for (const source of sources.filter((candidate) => candidate.readyState !== 2)) {
        source.readyState = 0;
        source.onerror?.(new Event('error'));
      }
    };
  });
  const send = (event: Record<string, unknown>) =>
    page.evaluate((frame) => (window as unknown as { sendEvent: (event: unknown) => void }).sendEvent(frame), event);
  const pngUrl = `data:image/png;base64,${readFileSync(inputPng).toString('base64')}`;
  const counters = { batchId: 'scripted', total: 2 };
  const doneItems = [1, 2].map((index) => ({ index, prompt: 'scripted', status: 'succeeded', attempts: 1, imageId: `s${index}.png`, imageUrl: pngUrl, mimeType: 'image/png' }));
  await stubBatchApi(page, stubView('scripted', 2), stubView('scripted', 2, { status: 'completed', succeeded: 2, lastSequence: 8, items: doneItems }));

  await generator.goto();
  await generator.generate('scripted', 2);
  await expect(generator.progressText).toHaveText('Generating 1/2...');
  await expect(generator.progressBar).toHaveAttribute('aria-valuenow', '0');
  await send({ type: 'batch-start', ...counters, sequence: 1, completed: 0, failed: 0, etaMs: null, provider: 'demo', model: 'demo-shapes-v1', isDemo: true, mode: 'text-to-image' });
  await send({ type: 'item-start', ...counters, sequence: 2, completed: 0, failed: 0, etaMs: null, index: 1, attempt: 1 });
  await expect(generator.slot(1)).toHaveAttribute('data-status', 'running');
  await expect(generator.slot(2)).toHaveAttribute('data-status', 'queued');
  await send({ type: 'item-retry', ...counters, sequence: 3, completed: 0, failed: 0, etaMs: null, index: 1, attempt: 1, delayMs: 3000, kind: 'rate_limited', error: 'Rate limited by the provider' });
  await expect(generator.slot(1)).toContainText('Retrying in 3 s');
  await expect(generator.slot(1)).toContainText('Rate limited by the provider');
  await expect(page.getByTestId('progress-eta')).toHaveText('Estimating time left…');

  await send({ type: 'item-start', ...counters, sequence: 4, completed: 0, failed: 0, etaMs: null, index: 1, attempt: 2 });
  await expect(generator.slot(1)).not.toContainText('Retrying');
  await send({ type: 'item-end', ...counters, sequence: 5, completed: 1, failed: 0, etaMs: 4000, index: 1, status: 'succeeded', imageId: 's1.png', imageUrl: pngUrl, mimeType: 'image/png' });
  await expect(generator.slot(1)).toHaveAttribute('data-status', 'succeeded');
  await expect(generator.currentImages).toHaveCount(1);
  await expect(generator.progressText).toHaveText('Generating 2/2...');
  await expect(generator.progressBar).toHaveAttribute('aria-valuenow', '1');
  await expect(page.getByTestId('progress-eta')).toHaveText('About 4 s left');

  // A stale event (lower sequence) changes nothing.
  await send({ type: 'item-end', ...counters, sequence: 2, completed: 0, failed: 1, etaMs: 0, index: 2, status: 'failed', error: 'stale' });
  await expect(generator.slot(2)).toHaveAttribute('data-status', 'queued');

  await send({ type: 'item-start', ...counters, sequence: 6, completed: 1, failed: 0, etaMs: 4000, index: 2, attempt: 1 });
  await send({ type: 'item-end', ...counters, sequence: 7, completed: 2, failed: 0, etaMs: 0, index: 2, status: 'succeeded', imageId: 's2.png', imageUrl: pngUrl, mimeType: 'image/png' });
  await expect(generator.progressBar).toHaveAttribute('aria-valuenow', '2');
  await expect(generator.cancelButton).toBeVisible();
  await expect(generator.toasts.filter({ hasText: 'Successfully generated 2 images.' })).toHaveCount(0);
  await send({ type: 'batch-end', ...counters, sequence: 8, completed: 2, failed: 0, etaMs: 0, status: 'completed' });
  await expect(generator.cancelButton).toHaveCount(0);
  await expect(generator.toasts.filter({ hasText: 'Successfully generated 2 images.' })).toHaveAttribute('data-type', 'success');
  await page.evaluate(() => (window as unknown as { closeStream: () => void }).closeStream());
  await expect(generator.currentCard).toHaveAttribute('data-status', 'completed');
  await expectImagesLoaded(generator.currentImages, 2);
});
