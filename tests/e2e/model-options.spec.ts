import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './base-test';

const inputPng = path.join(__dirname, 'fixtures', 'input-64x48.png');

interface CatalogBody {
  providers: { id: string; label: string; isDemo: boolean; models: { id: string; label: string; capabilities: { aspectRatios: string[] } }[] }[];
  default: { provider: string; model: string };
}

/** What the picker should show for a catalog: an optgroup per provider, the demo's models labelled as such. */
function expectedPicker(catalog: CatalogBody) {
  return catalog.providers.map((provider) => ({
    group: provider.label,
    options: provider.models.map((model) => ({ value: `${provider.id}:${model.id}`, text: provider.isDemo ? `${model.label} (demo)` : model.label })),
  }));
}

test('the picker lists what GET /api/providers offers; only the demo model’s options; webp is sent and made', async ({ page, request, generator, generateRequests }) => {
  const catalog = (await (await request.get('/api/providers')).json()) as CatalogBody;
  expect(catalog.providers.map((provider) => provider.id)).toEqual(['demo']);
  const demoModel = catalog.providers[0]!.models[0]!;

  await generator.goto();
  expect(await generator.pickerEntries()).toEqual(expectedPicker(catalog));
  await expect(generator.modelSelect).toHaveValue(`${catalog.default.provider}:${catalog.default.model}`);
  await expect(generator.modelSelect.locator('option:checked')).toHaveText(/\(demo\)$/);
  await expect(generator.providerBadge).toHaveText('demo');

  const aspectRatios = await generator.optionValues(generator.aspectRatio);
  expect(aspectRatios).toEqual(demoModel.capabilities.aspectRatios);
  expect(aspectRatios).toHaveLength(14);
  expect(aspectRatios).toContain('21:9');
  expect(await generator.optionValues(generator.formatSelect)).toEqual(['png', 'jpeg', 'webp']);
  for (const absent of [generator.sizeSelect, generator.qualitySelect, generator.backgroundSelect]) await expect(absent).toHaveCount(0);
  await expect(generator.costEstimate).toHaveText('Free (demo)');

  const prompt = 'a paper kite over the dunes';
  await generator.formatSelect.selectOption('webp');
  await generator.aspectRatio.selectOption('21:9');
  await generator.fill(prompt, 2);
  const requestPromise = page.waitForRequest((candidate) => new URL(candidate.url()).pathname === '/api/batches' && candidate.method() === 'POST');
  await generator.generateButton.click();
  expect((await requestPromise).postDataJSON()).toEqual({
    prompt,
    numberOfImages: 2,
    provider: 'demo',
    model: demoModel.id,
    aspectRatio: '21:9',
    outputFormat: 'webp',
  });
  await generator.waitForBatchEnd(2);
  for (const index of [1, 2]) await expect(generator.slot(index).getByTestId('download-link')).toHaveAttribute('download', `image-${index}.webp`);
  await expect(generator.cardFor(prompt).getByTestId('batch-cost')).toHaveText('Free (demo)');
  expect(generateRequests).toEqual(['POST /api/batches']);
});

test('a larger batch keeps the chosen format and shows its cost on the card', async ({ request, generator }) => {
  await generator.goto();
  await generator.formatSelect.selectOption('jpeg');
  await expect(generator.costEstimate).toHaveText('Free (demo)');
  const batchId = await generator.generate('a row of jpeg lanterns', 6);
  await expect(generator.card(batchId)).toHaveAttribute('data-status', 'completed', { timeout: 20_000 });
  await expect(generator.card(batchId).getByTestId('batch-cost')).toHaveText('Free (demo)');

  const response = await request.get(`/api/batches/${batchId}`);
  const batch = (await response.json()) as { outputFormat?: string; costUsd?: number; items?: { mimeType?: string }[] };
  expect(batch.outputFormat).toBe('jpeg');
  expect(batch.costUsd).toBe(0);
  expect(new Set(batch.items?.map((item) => item.mimeType))).toEqual(new Set(['image/jpeg']));
});

test('several input images: a thumbnail and a remove button each, all sent as image fields', async ({ page, generator, generateRequests }) => {
  // Chromium does not show a form's files in the request's post data: the page's own fetch records them.
  await page.addInitScript(() => {
    const realFetch = window.fetch.bind(window);
    const sent: string[][] = [];
    (window as unknown as { sentForms: string[][] }).sentForms = sent;
    window.fetch = (input, init) => {
      if (init?.body instanceof FormData) {
        sent.push(Array.from(init.body.entries()).map(([name, value]) => `${name}=${value instanceof File ? `file:${value.name}` : value}`));
      }
      return realFetch(input, init);
    };
  });
  await generator.goto();
  await expect(page.getByTestId('image-drop-zone')).toBeVisible();
  await expect(page.getByText('Input images (optional, up to 4)')).toBeVisible();
  const png = readFileSync(inputPng);
  await generator.imageInput.setInputFiles([
    { name: 'first.png', mimeType: 'image/png', buffer: png },
    { name: 'second.png', mimeType: 'image/png', buffer: png },
  ]);
  await expect(generator.imagePreview).toHaveCount(2);
  await expect(generator.removeImage).toHaveCount(2);
  await expect(generator.generateButton).toHaveText('Generate Images from Images');

  await generator.prompt.fill('combine them');
  await generator.count.selectOption('1');
  const requestPromise = page.waitForRequest((candidate) => new URL(candidate.url()).pathname === '/api/batches' && candidate.method() === 'POST');
  await generator.generateButton.click();
  expect((await requestPromise).headers()['content-type']).toContain('multipart/form-data');
  const forms = await page.evaluate(() => (window as unknown as { sentForms: string[][] }).sentForms);
  expect(forms).toHaveLength(1);
  expect(forms[0]!.filter((entry) => entry.startsWith('image='))).toEqual(['image=file:first.png', 'image=file:second.png']);
  expect(forms[0]).toEqual(expect.arrayContaining(['prompt=combine them', 'numberOfImages=1', 'provider=demo', 'aspectRatio=1:1']));
  await generator.waitForBatchEnd(1);
  await expect(generator.slot(1)).toHaveAttribute('data-status', 'succeeded');
  expect(generateRequests).toEqual(['POST /api/batches']);

  await page.getByRole('button', { name: 'Remove input image first.png' }).click();
  await expect(generator.imagePreview).toHaveCount(1);
  await expect(generator.imagePreview).toHaveAttribute('alt', /second\.png/);
  await expect(generator.generateButton).toHaveText('Generate Images from Image');
});
