import { expect, test } from './base-test';
import { expectNoSeriousViolations } from './axe';
import { expectImagesLoaded, startBatch, untilHydrated, waitUntilIdle } from './helpers';
import type { Locator, Page } from '@playwright/test';

/**
 * Accessibility of the generator page: axe-core finds no serious or critical violation (with
 * batches, a failed image, select mode and the lightbox open), on a desktop and a phone, light and
 * dark; every action of a whole flow is reachable by keyboard with a visible focus; progress is
 * announced politely.
 */

const viewports = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

/** Presses Tab (or Shift+Tab) until `target` has the focus: proof it is reachable by keyboard. */
async function tabTo(page: Page, target: Locator, { backwards = false, maxPresses = 80 } = {}): Promise<void> {
  for (let presses = 0; presses < maxPresses; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${target} was not reached with ${maxPresses} presses of Tab`);
}

/** The focused element draws a visible outline (the page's :focus-visible ring). */
async function expectFocusVisible(target: Locator): Promise<void> {
  await expect(target).toBeFocused();
  const outline = await target.evaluate((element) => {
    const style = getComputedStyle(element);
    return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth), matches: element.matches(':focus-visible') };
  });
  expect(outline.matches, 'matches :focus-visible').toBe(true);
  expect(outline.style).not.toBe('none');
  expect(outline.width).toBeGreaterThanOrEqual(2);
}

let runCount = 0;
const uniqueWord = () => `ax${Date.now().toString(36)}${(runCount += 1)}`;

for (const { name, viewport } of viewports) {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe: the generator page with batches, select mode and the lightbox (${name}, ${colorScheme}): no serious or critical violation`, async ({ page, request, generator }) => {
      // Three scans of a full page: axe takes seconds each on a shared machine.
      test.setTimeout(90_000);
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme });
      const word = uniqueWord();
      await startBatch(request, { prompt: `an accessible harbour ${word} [fail]`, numberOfImages: 3 });
      await startBatch(request, { prompt: `a second batch ${word}`, numberOfImages: 1 });
      await waitUntilIdle(request);
      await generator.goto();
      await expectImagesLoaded(generator.galleryImages.first(), 1);
      await expectNoSeriousViolations(page, `/ (${name}, ${colorScheme})`);

      // A search, a favorite and select mode: their controls and states too.
      await page.goto(`/?q=${word}`);
      await untilHydrated(page);
      await expectImagesLoaded(page.getByTestId('gallery-image'), 3);
      await page.getByTestId('favorite-button').first().click();
      await expect(page.getByTestId('favorite-button').first()).toHaveAttribute('aria-pressed', 'true');
      await page.getByTestId('select-mode').click();
      await page.getByTestId('select-image').first().check();
      await expectNoSeriousViolations(page, `/?q= with select mode (${name}, ${colorScheme})`);

      await page.getByTestId('gallery-image').first().click();
      await expect(generator.lightbox).toBeVisible();
      await expectNoSeriousViolations(page, `the lightbox (${name}, ${colorScheme})`);
    });
  }
}

for (const { name, viewport } of viewports) {
  test(`keyboard only (${name}): type a prompt, generate, open an image, favorite it, close; focus always visible`, async ({ page, generator }) => {
    test.setTimeout(45_000);
    await page.setViewportSize(viewport);
    await generator.goto();
    const word = uniqueWord();
    await page.keyboard.type(`a keyboard-made kite ${word}`);
    await tabTo(page, generator.count);
    await expectFocusVisible(generator.count);
    // A select opens its list on Space in Chromium: arrows change it while closed.
    await page.keyboard.press('Home');
    await expect(generator.count).toHaveValue('1');
    await page.keyboard.press('ArrowDown');
    await expect(generator.count).toHaveValue('2');

    // Progress is announced politely: the line sits in an aria-live="polite" region.
    const batchId = await generator.clickGenerate(async () => {
      await tabTo(page, generator.generateButton);
      await expectFocusVisible(generator.generateButton);
      await page.keyboard.press('Enter');
    });
    await expect(generator.progressText).toBeVisible();
    await expect(page.locator('[aria-live="polite"]').filter({ has: generator.progressText })).toHaveCount(1);
    await expect(generator.progressBar).toHaveAttribute('role', 'progressbar');
    await generator.waitForBatchEnd(2);

    const card = generator.card(batchId);
    const open = card.getByRole('button', { name: 'Open image 1 full size' });
    await tabTo(page, open);
    await expectFocusVisible(open);
    await page.keyboard.press('Enter');
    await expect(generator.lightbox).toBeVisible();
    await expect(generator.lightbox.getByTestId('lightbox-close')).toBeFocused();

    const favorite = generator.lightbox.getByTestId('lightbox-favorite');
    await tabTo(page, favorite, { maxPresses: 20 });
    await expectFocusVisible(favorite);
    await expect(favorite).toHaveAttribute('aria-pressed', 'false');
    await page.keyboard.press('Space');
    await expect(favorite).toHaveAttribute('aria-pressed', 'true');

    await page.keyboard.press('Escape');
    await expect(generator.lightbox).toHaveCount(0);
    await expect(open).toBeFocused();
    // The tile's star shows what the lightbox did, and is itself one Tab away.
    const star = card.locator('li[data-index="1"]').getByTestId('favorite-button');
    await expect(star).toHaveAttribute('aria-pressed', 'true');
    await tabTo(page, star, { maxPresses: 5 });
    await expectFocusVisible(star);
    await page.keyboard.press('Enter');
    await expect(star).toHaveAttribute('aria-pressed', 'false');

    // Search and select mode by keyboard too.
    const search = page.getByTestId('search-input');
    await tabTo(page, search, { backwards: true });
    await expectFocusVisible(search);
    await page.keyboard.type(word);
    await expect(page).toHaveURL(new RegExp(`\\?q=${word}$`));
    await expect(generator.cards).toHaveCount(1);
    const selectMode = page.getByTestId('select-mode');
    await tabTo(page, selectMode);
    await page.keyboard.press('Enter');
    await expect(selectMode).toHaveAttribute('aria-pressed', 'true');
    const checkbox = card.locator('li[data-index="2"]').getByTestId('select-image');
    await tabTo(page, checkbox);
    await expectFocusVisible(checkbox);
    await page.keyboard.press('Space');
    await expect(page.getByTestId('selection-count')).toHaveText('1 image selected');
  });
}
