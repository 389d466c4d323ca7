import { mkdirSync } from 'node:fs';
import type { APIRequestContext } from '@playwright/test';
import { expect, test } from './base-test';
import { startBatch, waitUntilIdle } from './helpers';

const historyPrompt = 'a quiet harbour at dawn, fishing boats, soft mist [fail]';
const historyPrompts = ['a paper lantern festival at night', 'a snowy mountain cabin with warm windows', 'a bowl of ramen, top view'];

/** Saved batches in the history (one with a failed image, one of several prompts), made once for all the screenshots. */
async function ensureHistory(request: APIRequestContext): Promise<void> {
  const response = await request.get('/api/batches?limit=100');
  const { batches } = (await response.json()) as { batches: { prompt: string }[] };
  if (batches.some((batch) => batch.prompt === historyPrompt)) return;
  await startBatch(request, { prompts: historyPrompts, numberOfImages: 2, aspectRatio: '1:1' });
  await startBatch(request, { prompt: historyPrompt, numberOfImages: 6, aspectRatio: '3:2' });
  await waitUntilIdle(request);
}

/** The page at desktop and phone sizes, light and dark: screenshots into test-results/screenshots/. */
const viewports = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'wide', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const schemes = ['light', 'dark'] as const;

for (const viewport of viewports) {
  for (const colorScheme of schemes) {
    test.describe(`${viewport.name} ${viewport.width}x${viewport.height}, ${colorScheme}`, () => {
      test.use({ viewport: { width: viewport.width, height: viewport.height }, colorScheme });

      test('looks right and fits the width', async ({ page, request, generator }) => {
        test.setTimeout(60_000);
        await ensureHistory(request);
        const directory = 'test-results/screenshots';
        mkdirSync(directory, { recursive: true });
        const shot = (state: string, fullPage = false) =>
          page.screenshot({ path: `${directory}/${viewport.name}-${colorScheme}-${state}.png`, fullPage, animations: 'disabled' });
        const fitsWidth = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

        await generator.goto();
        await shot('empty');
        expect(await fitsWidth()).toBe(true);

        await generator.prompt.fill('a lighthouse on a cliff at dusk, warm light over a calm sea [fail]');
        await generator.count.selectOption('4');
        await generator.aspectRatio.selectOption(viewport.name === 'phone' ? '3:4' : '4:3');
        await generator.generateButton.click();
        await expect(generator.slot(2)).toHaveAttribute('data-status', 'failed');
        await shot('running');
        expect(await fitsWidth()).toBe(true);

        await generator.waitForBatchEnd(4);
        await expect(generator.toasts.first()).toBeVisible();
        // The batch of several prompts, opened to show them all (paged in as the gallery scrolls, once other runs pushed it past the first page).
        const severalPrompts = generator.cardFor(historyPrompts[0]!).first();
        await expect
          .poll(async () => {
            if ((await severalPrompts.count()) === 0) await page.mouse.wheel(0, 4000);
            return severalPrompts.count();
          })
          .toBe(1);
        await severalPrompts.getByTestId('batch-prompts-toggle').click();
        await shot('done', true);
        expect(await fitsWidth()).toBe(true);

        // Delete asks first, in the card.
        await generator.currentCard.getByTestId('delete-button').click();
        await expect(generator.currentCard.getByTestId('delete-confirmation')).toBeVisible();
        await shot('delete-confirm');
        await page.keyboard.press('Escape');
        await expect(generator.currentCard.getByTestId('delete-confirmation')).toHaveCount(0);
        expect(await fitsWidth()).toBe(true);

        await generator.slot(1).getByRole('button', { name: 'Open image 1 full size' }).click();
        await expect(generator.lightbox).toBeVisible();
        await shot('lightbox');
        await page.keyboard.press('Escape');
        await expect(generator.lightbox).toHaveCount(0);

        // A larger batch on its way: live area, card actions, the history under it.
        await generator.generate('a field of sunflowers under a summer sky [fail]', 12);
        await expect(generator.slot(4)).toHaveAttribute('data-status', 'succeeded', { timeout: 15_000 });
        await shot('background');
        await shot('background-full', true);
        expect(await fitsWidth()).toBe(true);
      });
    });
  }
}
