import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expectNoSeriousViolations } from './axe';
import { expect, test } from './base-test';
import { startBatch, waitUntilIdle } from './helpers';
import { automatic1111Parameters, pngWithText } from './fixtures/png-with-parameters';

/**
 * The composer, second edition: several prompts and {a|b} variations with their count and cost
 * before Generate, the prompt history, "Use these settings" and "More like this" from the gallery,
 * a dropped PNG's embedded settings, the phone layout's hint and sentence-case labels.
 */

const inputPng = path.join(__dirname, 'fixtures', 'input-64x48.png');

let runCount = 0;
const uniqueWord = () => `cp${Date.now().toString(36)}${(runCount += 1)}`;

interface BatchJson {
  prompts: string[];
  numberOfImages: number;
  total: number;
  aspectRatio?: string;
  items: { index: number; prompt: string }[];
}

async function readBatch(page: Page, batchId: string): Promise<BatchJson> {
  const response = await page.request.get(`/api/batches/${batchId}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as BatchJson;
}

/** The body of the next POST /api/batches the page sends. */
function nextBatchRequestBody(page: Page): Promise<unknown> {
  return page
    .waitForRequest((request) => new URL(request.url()).pathname === '/api/batches' && request.method() === 'POST')
    .then((request) => request.postDataJSON() as unknown);
}

/** A file in a DataTransfer in the page, as a drop or a paste carries it. */
async function transferOf(page: Page, file: { name: string; mimeType: string; buffer: Buffer }) {
  return page.evaluateHandle(
    ({ base64, name, mimeType }) => {
      const transfer = new DataTransfer();
      const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type: mimeType }));
      return transfer;
    },
    { base64: file.buffer.toString('base64'), name: file.name, mimeType: file.mimeType },
  );
}

test('variations: the count and cost show before Generate, update as you type, and the card lists every prompt', async ({ page, generator, generateRequests }) => {
  const word = uniqueWord();
  await generator.goto();
  await generator.fill(`a {red|green} kite ${word}`, 1);
  await expect(generator.costEstimate).toHaveText('2 prompts × 1 image = 2 images · Free (demo)');
  await generator.prompt.press('End');
  await generator.prompt.pressSequentially(' {at dawn|at dusk}');
  await expect(generator.costEstimate).toHaveText('4 prompts × 1 image = 4 images · Free (demo)');
  await expect(page.getByLabel('Images per prompt')).toHaveValue('1');

  const bodyPromise = nextBatchRequestBody(page);
  const batchId = await generator.clickGenerate(() => generator.generateButton.click());
  const expected = [`a red kite ${word} at dawn`, `a red kite ${word} at dusk`, `a green kite ${word} at dawn`, `a green kite ${word} at dusk`];
  expect(await bodyPromise).toMatchObject({ prompts: expected, numberOfImages: 1 });
  expect(generateRequests).toEqual(['POST /api/batches']);

  const card = generator.card(batchId);
  await expect(card.getByRole('heading', { level: 3 })).toHaveText(expected[0]!);
  await card.getByTestId('batch-prompts-toggle').click();
  await expect(card.getByTestId('batch-prompts').locator('li')).toHaveText(expected);
  await generator.waitForBatchEnd(4);
  expect((await readBatch(page, batchId)).items.map((item) => item.prompt)).toEqual(expected);
});

test('several lines are several prompts; over 100 images is an error and Generate refuses', async ({ page, generator, generateRequests }) => {
  const word = uniqueWord();
  await generator.goto();
  await expect(page.getByLabel('Number of images')).toBeVisible();
  await generator.fill(`a first line ${word}\n\na second line ${word}\n`, 2);
  await expect(generator.costEstimate).toHaveText('2 prompts × 2 images = 4 images · Free (demo)');
  await expect(page.getByLabel('Images per prompt')).toHaveValue('2');

  await generator.count.selectOption('100');
  await expect(generator.costEstimate).toHaveText('2 prompts × 100 images: more than 100 images');
  await expect(generator.costEstimate).toHaveAttribute('data-over-limit', 'true');
  await generator.generateButton.click();
  await expect(generator.fieldError('numberOfImages')).toHaveText(
    'A batch makes at most 100 images; 2 prompts × 100 images is 200. Use fewer prompts or fewer images per prompt.',
  );
  expect(generateRequests).toEqual([]);

  await generator.count.selectOption('2');
  await expect(generator.fieldError('numberOfImages')).toHaveCount(0);
  const batchId = await generator.clickGenerate(() => generator.prompt.press('Control+Enter'));
  await generator.waitForBatchEnd(4);
  const batch = await readBatch(page, batchId);
  expect(batch).toMatchObject({ prompts: [`a first line ${word}`, `a second line ${word}`], numberOfImages: 2, total: 4 });
  expect(batch.items.map((item) => item.prompt)).toEqual([`a first line ${word}`, `a first line ${word}`, `a second line ${word}`, `a second line ${word}`]);
});

test('prompt history: a used prompt comes back from the History popover (keyboard, star, Escape)', async ({ page, generator }) => {
  const prompt = `a remembered harbour ${uniqueWord()}`;
  await generator.goto();
  await generator.generate(prompt, 1);
  await generator.waitForBatchEnd(1);
  await generator.goto();
  await expect(generator.prompt).toHaveValue('');

  const historyButton = page.getByTestId('history-button');
  const popover = page.getByTestId('history-popover');
  await historyButton.focus();
  await page.keyboard.press('Enter');
  await expect(popover).toBeVisible();
  await expect(popover.getByTestId('history-entry').first()).toBeFocused();
  await expect(popover.getByTestId('history-entry').first()).toHaveText(prompt);

  const star = popover.getByRole('button', { name: `Star “${prompt}”` });
  await star.click();
  await expect(star).toHaveAttribute('aria-pressed', 'true');
  await expect(popover.getByRole('region', { name: 'Starred' }).getByTestId('history-entry')).toHaveText([prompt]);
  await expectNoSeriousViolations(page, 'the prompt history popover', '[data-testid="history-popover"]');
  await page.keyboard.press('Escape');
  await expect(popover).toBeHidden();
  await expect(historyButton).toBeFocused();

  await historyButton.click();
  await popover.getByTestId('history-entry').filter({ hasText: prompt }).click();
  await expect(popover).toBeHidden();
  await expect(generator.prompt).toHaveValue(prompt);
  await expect(generator.prompt).toBeFocused();
});

test('"Use these settings" fills the composer from a card: prompts, count, options and input image', async ({ page, request, generator }) => {
  const word = uniqueWord();
  const prompts = [`settings one ${word}`, `settings two ${word}`];
  const image = { data: readFileSync(inputPng).toString('base64'), mimeType: 'image/png' };
  const batchId = await startBatch(request, { prompts, numberOfImages: 2, aspectRatio: '16:9', outputFormat: 'webp', image });
  await waitUntilIdle(request);
  await generator.goto();

  await generator.card(batchId).getByTestId('batch-use-settings').click();
  await expect(generator.prompt).toHaveValue(prompts.join('\n'));
  await expect(generator.prompt).toBeFocused();
  await expect(generator.count).toHaveValue('2');
  await expect(generator.aspectRatio).toHaveValue('16:9');
  await expect(generator.formatSelect).toHaveValue('webp');
  await expect(generator.imagePreview).toHaveCount(1);
  expect(await generator.imagePreview.evaluate((element: HTMLImageElement) => element.naturalWidth)).toBe(64);
  await expect(generator.costEstimate).toHaveText('2 prompts × 2 images = 4 images · Free (demo)');
  await expect(page.getByLabel('Images per prompt')).toBeVisible();
});

test('"More like this" makes a new one-image batch with the image’s prompt and settings', async ({ page, request, generator }) => {
  const prompt = `more like this ${uniqueWord()}`;
  const batchId = await startBatch(request, { prompts: [`another prompt ${prompt}`, prompt], numberOfImages: 1, aspectRatio: '3:2' });
  await waitUntilIdle(request);
  await generator.goto();

  const tile = generator.card(batchId).getByTestId('gallery-slot').nth(1);
  const newBatchId = await generator.clickGenerate(() => tile.getByRole('button', { name: 'More like image 2' }).click());
  expect(newBatchId).not.toBe(batchId);
  await expect(generator.card(newBatchId)).toBeVisible();
  await generator.waitForBatchEnd(1);
  expect(await readBatch(page, newBatchId)).toMatchObject({ prompts: [prompt], numberOfImages: 1, total: 1, aspectRatio: '3:2' });
});

test('a dropped, chosen or pasted PNG with AUTOMATIC1111 parameters fills the prompt and settings, not the input image', async ({ page, generator }) => {
  const prompt = `a cat on a windowsill ${uniqueWord()}`;
  const buffer = await pngWithText('parameters', automatic1111Parameters(prompt));
  const notice = page.getByTestId('settings-notice');
  await generator.goto();
  await expect(generator.aspectRatio).toHaveValue('1:1');

  await page.getByTestId('image-drop-zone').dispatchEvent('drop', { dataTransfer: await transferOf(page, { name: 'a1111.png', mimeType: 'image/png', buffer }) });
  await expect(generator.prompt).toHaveValue(prompt);
  await expect(generator.aspectRatio).toHaveValue('2:3');
  await expect(notice).toHaveText(/Read the prompt and settings from a1111\.png/);
  await expectNoSeriousViolations(page, 'the composer with the settings notice', 'form');
  await expect(generator.imagePreview).toHaveCount(0);
  await notice.getByTestId('settings-image-as-input').click();
  await expect(notice).toBeHidden();
  await expect(generator.imagePreview).toHaveAttribute('alt', /a1111\.png/);
  await generator.removeImage.click();

  await generator.prompt.fill('');
  await generator.imageInput.setInputFiles({ name: 'chosen.png', mimeType: 'image/png', buffer });
  await expect(generator.prompt).toHaveValue(prompt);
  await expect(notice).toHaveText(/from chosen\.png/);
  await expect(generator.imagePreview).toHaveCount(0);
  await notice.getByTestId('settings-notice-dismiss').click();
  await expect(notice).toBeHidden();

  await generator.prompt.fill('');
  const pasted = await transferOf(page, { name: 'pasted.png', mimeType: 'image/png', buffer });
  await page.evaluate((clipboardData) => window.dispatchEvent(new ClipboardEvent('paste', { clipboardData })), pasted);
  await expect(generator.prompt).toHaveValue(prompt);
  await expect(notice).toHaveText(/from pasted\.png/);

  // A PNG without settings is an input image, as before.
  await page.getByTestId('image-drop-zone').dispatchEvent('drop', { dataTransfer: await transferOf(page, { name: 'plain.png', mimeType: 'image/png', buffer: readFileSync(inputPng) }) });
  await expect(generator.imagePreview).toHaveAttribute('alt', /plain\.png/);
  await expect(generator.prompt).toHaveValue(prompt);
});

test('the Ctrl+Enter hint is hidden on a phone; the character counter stays', async ({ page, generator }) => {
  await generator.goto();
  await expect(page.getByTestId('shortcut-hint')).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId('shortcut-hint')).toBeHidden();
  await generator.prompt.fill('a small boat');
  await expect(page.getByTestId('prompt-counter')).toBeVisible();
  await expect(page.getByTestId('prompt-counter')).toHaveText('12/4000');
});

test('the composer’s option labels are in sentence case', async ({ page, generator }) => {
  await generator.goto();
  const labels = await page
    .getByRole('form', { name: 'Generate images' })
    .locator('label')
    .evaluateAll((elements) =>
      elements
        .filter((label) => ['SELECT', 'TEXTAREA'].includes((label as HTMLLabelElement).control?.tagName ?? ''))
        .map((label) => label.textContent?.trim() ?? ''),
    );
  expect(labels).toEqual(expect.arrayContaining(['Prompt', 'Number of images', 'Provider / model', 'Aspect ratio', 'Format']));
  for (const label of labels) expect(label, `"${label}" is in sentence case`).toMatch(/^[A-Z][^A-Z]*$/);
});
