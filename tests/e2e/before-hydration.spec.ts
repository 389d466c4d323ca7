import { expect, test } from './base-test';
import { startBatch, waitUntilIdle } from './helpers';
import { FindPanel } from './pages/find-panel';

/**
 * The server's HTML is usable before the page's script has run (the prompt even has focus): text
 * typed then is kept once the script runs. React hydrates a controlled field with its own state and
 * fires no change for earlier typing; without care the box shows the text while the page holds none
 * (a search that never runs, a prompt called empty). The script is held back here until the typing
 * is done, as a slow connection or a busy machine does.
 */
test('a search and a prompt typed before the page’s script ran are kept: the search runs, the prompt is counted', async ({ page, request, generator }) => {
  const word = `early${Date.now().toString(36)}`;
  const batchId = await startBatch(request, { prompt: `a kite ${word}`, numberOfImages: 1 });
  await waitUntilIdle(request);

  let releaseScripts = () => {};
  const scriptsHeld = new Promise<void>((resolve) => (releaseScripts = resolve));
  await page.route('**/_next/static/chunks/**', async (route) => {
    await scriptsHeld;
    await route.continue();
  });
  // Not until "load" or "domcontentloaded": both wait for scripts held here.
  await page.goto('/', { waitUntil: 'commit' });
  const find = new FindPanel(page);
  const { prompt } = generator;
  await expect(find.search).toBeVisible();
  await find.search.fill(word);
  await prompt.fill('a lighthouse at dusk');
  const searched = page.waitForResponse((response) => {
    const url = new URL(response.url());
    return url.pathname === '/api/batches' && url.searchParams.get('q') === word;
  });

  releaseScripts();
  expect((await searched).status()).toBe(200);
  await expect(find.searchStatus).toHaveText('1 matching batch.');
  await expect(generator.cards).toHaveCount(1);
  await expect(generator.card(batchId)).toBeVisible();
  await expect(find.search).toHaveValue(word);
  await expect(prompt).toHaveValue('a lighthouse at dusk');
  await expect(page.getByTestId('prompt-counter')).toHaveText(/^20\//);
});
