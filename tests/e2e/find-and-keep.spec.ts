import { readFileSync } from 'node:fs';
import { readZip } from '../../lib/server/testing/read-zip';
import { expect, test } from './base-test';
import { expectImagesLoaded, getBatch, startBatch, untilHydrated, waitUntilIdle } from './helpers';
import { FindPanel } from './pages/find-panel';

/**
 * Find and keep: search and filter the gallery (kept in the URL), favorite images, delete one image,
 * choose images across batches and download them as one ZIP. The server is shared by every spec:
 * each test's prompts carry a word of their own, and each test searches for it first.
 */

const phone = { width: 390, height: 844 };
let runCount = 0;
/** A word no other test's prompt has. */
const uniqueWord = () => `fk${Date.now().toString(36)}${(runCount += 1)}`;

interface BatchWithItems {
  id: string;
  status: string;
  items: { index: number; status: string; imageId?: string; imageUrl?: string; isFavorite?: boolean; imageDeletedAt?: string }[];
}

async function batchOf(request: Parameters<typeof getBatch>[0], batchId: string): Promise<BatchWithItems> {
  return (await getBatch(request, batchId)) as unknown as BatchWithItems;
}

for (const viewport of [undefined, phone]) {
  const device = viewport ? 'phone' : 'desktop';

  test.describe(`find and keep (${device})`, () => {
    if (viewport) test.use({ viewport });

    test('search by prompt text and filter by status, model, days and favorites; the URL keeps the search over a reload', async ({ page, request, generator }) => {
      const word = uniqueWord();
      const fox = await startBatch(request, { prompt: `a red fox ${word}`, numberOfImages: 2 });
      const whale = await startBatch(request, { prompt: `a blue whale ${word} [fail]`, numberOfImages: 2 });
      const other = await startBatch(request, { prompt: `a lighthouse ${word}`, numberOfImages: 1 });
      await waitUntilIdle(request);
      await generator.goto();
      const find = new FindPanel(page);

      await find.searchFor(word);
      await expect(find.searchStatus).toHaveText('3 matching batches.');
      await expect(generator.cards).toHaveCount(3);
      await find.searchFor(`fox ${word}`);
      await expect(generator.cards).toHaveCount(1);
      await expect(generator.card(fox)).toBeVisible();

      await find.searchFor(word);
      await find.answered(() => find.status.selectOption('partial'));
      await expect(generator.cards).toHaveCount(1);
      await expect(generator.card(whale)).toHaveAttribute('data-status', 'partial');
      await expect(page).toHaveURL(new RegExp(`\\?q=${word}&status=partial$`));

      // A reload keeps the search: the same fields, the same cards.
      await page.reload();
      await untilHydrated(page);
      await expect(find.search).toHaveValue(word);
      await expect(find.status).toHaveValue('partial');
      await expect(generator.cards).toHaveCount(1);
      await expect(generator.card(whale)).toBeVisible();

      await find.answered(() => find.status.selectOption(''));
      await find.answered(() => find.model.selectOption('demo:demo-shapes-v1'));
      await expect(generator.cards).toHaveCount(3);
      const today = await page.evaluate(() => new Date().toLocaleDateString('sv'));
      const tomorrow = await page.evaluate(() => new Date(Date.now() + 86_400_000).toLocaleDateString('sv'));
      await find.answered(() => find.from.fill(tomorrow));
      await expect(generator.cards).toHaveCount(0);
      await expect(find.searchStatus).toHaveText('No batch matches this search.');
      await find.answered(() => find.from.fill(today));
      await find.answered(() => find.to.fill(today));
      await expect(generator.cards).toHaveCount(3);

      // Favorites only: the batches holding one, and only the favorite images of each.
      await find.answered(() => find.favoritesOnly.check());
      await expect(generator.cards).toHaveCount(0);
      await find.answered(() => find.favoritesOnly.uncheck());
      await find.star(generator.card(other), 1).click();
      await expect(find.star(generator.card(other), 1)).toHaveAttribute('aria-pressed', 'true');
      await find.answered(() => find.favoritesOnly.check());
      await expect(generator.cards).toHaveCount(1);
      await expect(generator.card(other).getByTestId('gallery-image')).toBeVisible();

      await find.answered(() => find.clear.click());
      await expect(page).toHaveURL(/\/$/);
      await expect(find.search).toHaveValue('');
      await expect(generator.card(fox)).toBeVisible();
    });

    test('favorite an image on its tile and in the lightbox: aria-pressed follows the server, a reload keeps it', async ({ page, request, generator }) => {
      const word = uniqueWord();
      const batchId = await startBatch(request, { prompt: `keep the best ${word}`, numberOfImages: 3 });
      await waitUntilIdle(request);
      await generator.goto(`/?q=${word}`);
      const find = new FindPanel(page);
      const card = generator.card(batchId);
      await expectImagesLoaded(card.getByTestId('gallery-image'), 3);

      const star = find.star(card, 2);
      await expect(star).toHaveAttribute('aria-pressed', 'false');
      await expect(star).toHaveAccessibleName('Favorite image 2');
      await star.click();
      await expect(star).toHaveAttribute('aria-pressed', 'true');
      await expect.poll(async () => (await batchOf(request, batchId)).items.map((item) => item.isFavorite)).toEqual([false, true, false]);

      // The lightbox of image 2 shows it; unmark image 3 there after marking it.
      await card.locator('li[data-index="2"]').getByRole('button', { name: 'Open image 2 full size' }).click();
      const lightboxStar = generator.lightbox.getByTestId('lightbox-favorite');
      await expect(lightboxStar).toHaveAttribute('aria-pressed', 'true');
      await expect(lightboxStar).toHaveText('Favorite');
      await page.keyboard.press('ArrowRight');
      await expect(generator.lightbox.getByTestId('lightbox-prompt')).toHaveText(`keep the best ${word}`);
      await expect(lightboxStar).toHaveAttribute('aria-pressed', 'false');
      await lightboxStar.click();
      await expect(lightboxStar).toHaveAttribute('aria-pressed', 'true');
      await expect(find.star(card, 3)).toHaveAttribute('aria-pressed', 'true');
      await lightboxStar.click();
      await expect(lightboxStar).toHaveAttribute('aria-pressed', 'false');
      await page.keyboard.press('Escape');
      await expect(generator.lightbox).toHaveCount(0);

      await page.reload();
      await expect(find.star(generator.card(batchId), 2)).toHaveAttribute('aria-pressed', 'true');
      await expect(find.star(generator.card(batchId), 3)).toHaveAttribute('aria-pressed', 'false');
    });

    test('delete one image from the lightbox, with a confirmation: its tile says so and its file is gone', async ({ page, request, generator }) => {
      const word = uniqueWord();
      const batchId = await startBatch(request, { prompt: `one too many ${word}`, numberOfImages: 2 });
      await waitUntilIdle(request);
      const before = await batchOf(request, batchId);
      await generator.goto(`/?q=${word}`);
      const card = generator.card(batchId);
      await expectImagesLoaded(card.getByTestId('gallery-image'), 2);

      await card.locator('li[data-index="1"]').getByRole('button', { name: 'Open image 1 full size' }).click();
      await generator.lightbox.getByTestId('lightbox-delete').click();
      // The question takes the focus on its safe answer; Keep changes nothing.
      await expect(generator.lightbox.getByTestId('lightbox-delete-keep')).toBeFocused();
      await generator.lightbox.getByTestId('lightbox-delete-keep').click();
      await expect(generator.lightbox.getByTestId('lightbox-delete')).toBeFocused();
      await generator.lightbox.getByTestId('lightbox-delete').click();
      await generator.lightbox.getByTestId('lightbox-delete-confirm').click();

      await expect(generator.toasts.filter({ hasText: 'Image 1 deleted.' })).toBeVisible();
      const tile = card.locator('li[data-index="1"]');
      await expect(tile).toHaveAttribute('data-status', 'deleted');
      await expect(tile).toContainText('Image deleted');
      await expect(card.getByTestId('gallery-image')).toHaveCount(1);
      await expect(card).toHaveAttribute('data-status', 'completed');
      const after = await batchOf(request, batchId);
      expect(after.items[0]).toMatchObject({ status: 'succeeded', imageDeletedAt: expect.any(String) });
      expect((await request.get(before.items[0]!.imageUrl!)).status()).toBe(404);

      await page.reload();
      await expect(generator.card(batchId).locator('li[data-index="1"]')).toHaveAttribute('data-status', 'deleted');
    });

    test('select images across batches and download them as one ZIP with a manifest; delete the chosen ones', async ({ page, request, generator }) => {
      const word = uniqueWord();
      const first = await startBatch(request, { prompt: `zip me first ${word}`, numberOfImages: 2 });
      const second = await startBatch(request, { prompt: `zip me second ${word}`, numberOfImages: 2 });
      await waitUntilIdle(request);
      await generator.goto(`/?q=${word}`);
      const find = new FindPanel(page);
      await expectImagesLoaded(page.getByTestId('gallery-image'), 4);

      await expect(find.checkbox(generator.card(first), 1)).toHaveCount(0);
      await find.selectMode.click();
      await expect(find.selectMode).toHaveAttribute('aria-pressed', 'true');
      await expect(find.selectionCount).toHaveText('0 images selected');
      await expect(find.downloadZip).toBeDisabled();
      await find.checkbox(generator.card(first), 2).check();
      await find.checkbox(generator.card(second), 1).check();
      await expect(find.selectionCount).toHaveText('2 images selected');
      await expect(find.downloadZip).toHaveText('Download 2 images as ZIP');

      const downloadPromise = page.waitForEvent('download');
      await find.downloadZip.click();
      const download = await downloadPromise;
      expect(download.suggestedFilename()).toMatch(/^images-\d{4}-\d{2}-\d{2}\.zip$/);
      const entries = readZip(readFileSync((await download.path())!));
      const [firstBatch, secondBatch] = [await batchOf(request, first), await batchOf(request, second)];
      const names = entries.map((entry) => entry.name).sort();
      expect(names).toEqual(['manifest.json', `image-${first.slice(0, 8)}-002.png`, `image-${second.slice(0, 8)}-001.png`].sort());
      expect(entries.every((entry) => entry.isCrcValid)).toBe(true);
      const manifest = JSON.parse(entries.find((entry) => entry.name === 'manifest.json')!.data.toString('utf8')) as {
        count: number;
        images: { imageId: string; batchId: string; index: number; prompt: string }[];
      };
      expect(manifest.count).toBe(2);
      expect(manifest.images.map((image) => [image.batchId, image.index, image.imageId, image.prompt]).sort()).toEqual(
        [
          [first, 2, firstBatch.items[1]!.imageId, `zip me first ${word}`],
          [second, 1, secondBatch.items[0]!.imageId, `zip me second ${word}`],
        ].sort(),
      );

      // Delete the chosen ones: a question first, then both tiles say so.
      await find.deleteSelected.click();
      await expect(page.getByTestId('delete-selected-keep')).toBeFocused();
      await page.getByTestId('delete-selected-confirm').click();
      await expect(generator.toasts.filter({ hasText: '2 images deleted.' })).toBeVisible();
      await expect(generator.card(first).locator('li[data-index="2"]')).toHaveAttribute('data-status', 'deleted');
      await expect(generator.card(second).locator('li[data-index="1"]')).toHaveAttribute('data-status', 'deleted');
      await expect(find.selectionCount).toHaveText('0 images selected');
      await expect(page.getByTestId('gallery-image')).toHaveCount(2);

      // "Select all shown", then leaving select mode forgets the choice.
      await page.getByTestId('select-all').click();
      await expect(find.selectionCount).toHaveText('2 images selected');
      await find.selectMode.click();
      await expect(find.selectMode).toHaveAttribute('aria-pressed', 'false');
      await expect(page.getByTestId('select-image')).toHaveCount(0);
    });
  });
}

test('a ZIP with an image the page no longer has is refused with a clear message', async ({ page, request, generator, allowConsoleErrors }) => {
  allowConsoleErrors(/404/);
  const word = uniqueWord();
  const batchId = await startBatch(request, { prompt: `gone meanwhile ${word}`, numberOfImages: 1 });
  await waitUntilIdle(request);
  await generator.goto(`/?q=${word}`);
  const find = new FindPanel(page);
  await expectImagesLoaded(generator.card(batchId).getByTestId('gallery-image'), 1);
  await find.selectMode.click();
  await find.checkbox(generator.card(batchId), 1).check();
  // Another tab deletes it meanwhile.
  expect((await request.delete(`/api/batches/${batchId}/items/1`)).status()).toBe(200);
  await find.downloadZip.click();
  await expect(generator.toasts.filter({ hasText: 'Could not make the ZIP' })).toContainText('No image with the id in images[0].');
});
