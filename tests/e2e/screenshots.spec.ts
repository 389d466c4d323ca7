import { mkdirSync } from 'node:fs';
import { expect, test } from './base-test';

/** The page at desktop and phone sizes, light and dark: screenshots into test-results/screenshots/. */
const viewports = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const schemes = ['light', 'dark'] as const;

for (const viewport of viewports) {
  for (const colorScheme of schemes) {
    test.describe(`${viewport.name} ${viewport.width}x${viewport.height}, ${colorScheme}`, () => {
      test.use({ viewport: { width: viewport.width, height: viewport.height }, colorScheme });

      test('looks right and fits the width', async ({ page, generator }) => {
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
        await shot('done', true);
        expect(await fitsWidth()).toBe(true);

        await generator.slot(1).getByRole('button', { name: 'Open image 1 full size' }).click();
        await expect(generator.lightbox).toBeVisible();
        await shot('lightbox');
      });
    });
  }
}
