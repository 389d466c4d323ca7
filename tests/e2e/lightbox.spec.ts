import type { Locator } from '@playwright/test';
import { expect, test } from './base-test';
import { startBatch, waitUntilIdle } from './helpers';

async function widthOf(locator: Locator): Promise<number> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('no bounding box');
  return box.width;
}

test.use({ viewport: { width: 1440, height: 900 } });

test('the lightbox: one counter, real full size with zoom and pan, the image’s settings and its embedded parameters', async ({ page, request, generator }) => {
  test.setTimeout(60_000);
  // 16:9 demo images are 768x432: wider than the old 768 px cap once zoomed.
  const batchId = await startBatch(request, { prompt: 'a harbour at noon, wide', numberOfImages: 2, aspectRatio: '16:9' });
  await waitUntilIdle(request);
  await generator.goto();
  await generator.card(batchId).getByRole('button', { name: 'Open image 1 full size' }).click();
  const lightbox = generator.lightbox;
  await expect(lightbox).toBeVisible();

  // One counter.
  await expect(lightbox.getByText(/\b\d+\s*(\/|of)\s*\d+\b/)).toHaveCount(1);

  const image = page.getByTestId('lightbox-image');
  await expect.poll(() => image.evaluate((element: HTMLImageElement) => element.naturalWidth)).toBe(768);
  // Double-click: the image's own pixels (1:1).
  await image.dblclick();
  await expect.poll(() => widthOf(image)).toBeCloseTo(768, -1);
  // "+" zooms past them: larger than the natural size.
  await page.keyboard.press('+');
  await expect.poll(() => widthOf(image)).toBeGreaterThan(800);
  // Drag pans.
  const before = (await image.boundingBox())!;
  await page.mouse.move(before.x + before.width / 2, before.y + before.height / 2);
  await page.mouse.down();
  await page.mouse.move(before.x + before.width / 2 + 120, before.y + before.height / 2 + 40, { steps: 5 });
  await page.mouse.up();
  await expect.poll(async () => (await image.boundingBox())!.x).toBeGreaterThan(before.x + 60);
  // "0" fits it again: its own width (it fits the stage), centred.
  await page.keyboard.press('0');
  await expect.poll(() => widthOf(image)).toBeCloseTo(768, -1);
  const stage = (await page.getByTestId('lightbox-stage').boundingBox())!;
  await expect.poll(async () => {
    const fittedBox = (await image.boundingBox())!;
    return Math.abs(fittedBox.x + fittedBox.width / 2 - (stage.x + stage.width / 2));
  }).toBeLessThan(2);
  // The wheel zooms too.
  const fitted = await widthOf(image);
  const box = (await image.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await expect.poll(() => widthOf(image)).toBeGreaterThan(fitted * 1.2);
  await page.keyboard.press('-');
  await page.keyboard.press('0');

  // What made it: prompt, model, options, cost, and the PNG's own parameters (read when the lightbox opens).
  const details = page.getByTestId('lightbox-details');
  await expect(page.getByTestId('lightbox-prompt')).toHaveText('a harbour at noon, wide');
  await expect(details).toContainText('demo-shapes-v1');
  await expect(details).toContainText('16:9');
  await expect(details).toContainText(/Cost/);
  const embedded = page.getByTestId('lightbox-embedded');
  await expect(embedded).toContainText('Provider');
  await expect(embedded).toContainText('demo');
  await expect(embedded).toContainText(batchId);

  // Arrows move through the images, the counter follows; Escape closes.
  await page.keyboard.press('ArrowRight');
  await expect(image).toHaveAttribute('alt', /^Image 2:/);
  await page.keyboard.press('Escape');
  await expect(lightbox).toHaveCount(0);
});

test('the lightbox is not in the first page load’s JavaScript: it loads when opened', async ({ page, request, generator }) => {
  const batchId = await startBatch(request, { prompt: 'a lazily loaded lightbox', numberOfImages: 1, aspectRatio: '1:1' });
  await waitUntilIdle(request);
  const scripts: string[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.push(response.url());
  });
  await generator.goto();
  await page.waitForLoadState('networkidle');
  const loaded = scripts.length;
  await generator.card(batchId).getByRole('button', { name: 'Open image 1 full size' }).click();
  await expect(generator.lightbox).toBeVisible();
  expect(scripts.length, 'a chunk arrived for the lightbox').toBeGreaterThan(loaded);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('a swipe moves to the next image', async ({ page, request, generator }) => {
    const batchId = await startBatch(request, { prompt: 'swipe through these', numberOfImages: 2, aspectRatio: '1:1' });
    await waitUntilIdle(request);
    await generator.goto();
    await generator.card(batchId).getByRole('button', { name: 'Open image 1 full size' }).click();
    const image = page.getByTestId('lightbox-image');
    await expect(image).toHaveAttribute('alt', /^Image 1:/);
    const box = (await image.boundingBox())!;
    const y = box.y + box.height / 2;
    await image.dispatchEvent('pointerdown', { pointerId: 1, pointerType: 'touch', clientX: box.x + box.width * 0.8, clientY: y, isPrimary: true, buttons: 1 });
    await image.dispatchEvent('pointermove', { pointerId: 1, pointerType: 'touch', clientX: box.x + box.width * 0.5, clientY: y, isPrimary: true, buttons: 1 });
    await image.dispatchEvent('pointerup', { pointerId: 1, pointerType: 'touch', clientX: box.x + box.width * 0.1, clientY: y, isPrimary: true });
    await expect(image).toHaveAttribute('alt', /^Image 2:/);
  });

  test('a pinch zooms in', async ({ page, request, generator }) => {
    const batchId = await startBatch(request, { prompt: 'pinch this one', numberOfImages: 1, aspectRatio: '1:1' });
    await waitUntilIdle(request);
    await generator.goto();
    await generator.card(batchId).getByRole('button', { name: 'Open image 1 full size' }).click();
    const image = page.getByTestId('lightbox-image');
    await expect.poll(() => image.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth > 0)).toBe(true);
    const box = (await image.boundingBox())!;
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    const touch = { pointerType: 'touch', buttons: 1 };
    await image.dispatchEvent('pointerdown', { ...touch, pointerId: 1, clientX: x - 20, clientY: y, isPrimary: true });
    await image.dispatchEvent('pointerdown', { ...touch, pointerId: 2, clientX: x + 20, clientY: y });
    await image.dispatchEvent('pointermove', { ...touch, pointerId: 2, clientX: x + 100, clientY: y });
    await image.dispatchEvent('pointerup', { ...touch, pointerId: 2, clientX: x + 100, clientY: y });
    await image.dispatchEvent('pointerup', { ...touch, pointerId: 1, clientX: x - 20, clientY: y, isPrimary: true });
    await expect.poll(async () => (await image.boundingBox())!.width).toBeGreaterThan(box.width * 1.5);
  });
});
