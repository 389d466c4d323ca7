import { expect, type Locator, type Page } from '@playwright/test';
import { untilHydrated } from '../helpers';

/** The generator page, as a person uses it. Selectors are the page's stable data-testids. */
export class GeneratorPage {
  readonly prompt: Locator;
  readonly count: Locator;
  readonly aspectRatio: Locator;
  readonly imageInput: Locator;
  readonly imagePreview: Locator;
  readonly removeImage: Locator;
  readonly generateButton: Locator;
  readonly cancelButton: Locator;
  readonly progressText: Locator;
  readonly progressBar: Locator;
  readonly slots: Locator;
  /** Every image on the page. */
  readonly galleryImages: Locator;
  readonly cards: Locator;
  /** The batch of the live area (its tiles are the result-slots). */
  readonly currentCard: Locator;
  /** The images of the batch of the live area. */
  readonly currentImages: Locator;
  /** "12 batches · 48 images · 23.4 MB" above the gallery. */
  readonly storageUsage: Locator;
  readonly toasts: Locator;
  readonly providerBadge: Locator;
  /** One select: an optgroup per configured provider, an option per model. */
  readonly modelSelect: Locator;
  readonly sizeSelect: Locator;
  readonly customSize: Locator;
  readonly qualitySelect: Locator;
  readonly formatSelect: Locator;
  readonly backgroundSelect: Locator;
  readonly costEstimate: Locator;
  readonly fieldErrors: Locator;
  readonly lightbox: Locator;

  constructor(readonly page: Page) {
    this.prompt = page.getByTestId('prompt-input');
    this.count = page.getByTestId('count-select');
    this.aspectRatio = page.getByTestId('aspect-select');
    this.imageInput = page.getByTestId('image-input');
    this.imagePreview = page.getByTestId('image-preview');
    this.removeImage = page.getByTestId('image-remove');
    this.generateButton = page.getByTestId('generate-button');
    this.cancelButton = page.getByTestId('cancel-button');
    this.progressText = page.getByTestId('progress-text');
    this.progressBar = page.getByTestId('progress-bar');
    this.slots = page.getByTestId('result-slot');
    this.galleryImages = page.getByTestId('gallery-image');
    this.cards = page.getByTestId('batch-card');
    this.currentCard = this.cards.filter({ has: page.getByTestId('result-slot') });
    this.currentImages = this.currentCard.getByTestId('gallery-image');
    this.storageUsage = page.getByTestId('storage-usage');
    this.toasts = page.getByTestId('toast');
    this.providerBadge = page.getByTestId('provider-badge');
    this.modelSelect = page.getByTestId('provider-select');
    this.sizeSelect = page.getByTestId('size-select');
    this.customSize = page.getByTestId('size-custom-input');
    this.qualitySelect = page.getByTestId('quality-select');
    this.formatSelect = page.getByTestId('format-select');
    this.backgroundSelect = page.getByTestId('background-select');
    this.costEstimate = page.getByTestId('cost-estimate');
    this.fieldErrors = page.getByTestId('field-error');
    this.lightbox = page.getByTestId('lightbox');
  }

  /** Opens the page (at `path`, e.g. with a search) and waits until it answers changes. */
  async goto(path = '/'): Promise<void> {
    await this.page.goto(path);
    await expect(this.prompt).toBeFocused();
    await untilHydrated(this.page);
  }

  /** A batch, by id. */
  card(batchId: string): Locator {
    return this.page.locator(`[data-testid="batch-card"][data-batch-id="${batchId}"]`);
  }

  /** Fills in the prompt and count and clicks Generate: the batch is stored (POST /api/batches); answers its id. */
  async generate(prompt: string, numberOfImages: number): Promise<string> {
    await this.fill(prompt, numberOfImages);
    return this.clickGenerate(() => this.generateButton.click());
  }

  /** Runs `click` (a click, a double click, Ctrl+Enter) and answers the id of the batch it created. */
  async clickGenerate(click: () => Promise<void>): Promise<string> {
    const responsePromise = this.page.waitForResponse((response) => new URL(response.url()).pathname === '/api/batches' && response.request().method() === 'POST');
    await click();
    const response = await responsePromise;
    expect(response.status()).toBe(202);
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null || !('id' in body) || typeof body.id !== 'string') throw new Error('POST /api/batches answered no id');
    return body.id;
  }

  /** "12 batches · 48 images · 23.4 MB" as numbers. */
  async storageCounts(): Promise<{ batches: number; images: number; text: string }> {
    const text = (await this.storageUsage.textContent()) ?? '';
    const match = /^([\d,]+) batch(?:es)? · ([\d,]+) images? · /.exec(text);
    if (!match) throw new Error(`unexpected storage usage text: ${text}`);
    return { batches: Number(match[1]!.replaceAll(',', '')), images: Number(match[2]!.replaceAll(',', '')), text };
  }

  /** What the picker offers: per provider (optgroup label), its models' option values (`provider:model`) and texts. */
  async pickerEntries(): Promise<{ group: string; options: { value: string; text: string }[] }[]> {
    return this.modelSelect.evaluate((select) =>
      Array.from(select.querySelectorAll('optgroup')).map((group) => ({
        group: group.label,
        options: Array.from(group.querySelectorAll('option')).map((option) => ({ value: option.value, text: option.text })),
      })),
    );
  }

  /** The values a select offers, in order. */
  async optionValues(select: Locator): Promise<string[]> {
    return select.locator('option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
  }

  /** The card of a batch, by its prompt. */
  cardFor(prompt: string): Locator {
    return this.cards.filter({ has: this.page.getByRole('heading', { name: prompt, exact: true }) });
  }

  slot(index: number): Locator {
    return this.slots.nth(index - 1);
  }

  fieldError(
    field: 'prompt' | 'numberOfImages' | 'model' | 'aspectRatio' | 'size' | 'quality' | 'outputFormat' | 'background' | 'image' | 'form',
  ): Locator {
    return this.page.locator(`[data-testid="field-error"][data-field="${field}"]`);
  }

  async fill(prompt: string, numberOfImages: number): Promise<void> {
    await this.prompt.fill(prompt);
    await this.count.selectOption(String(numberOfImages));
  }

  /** Waits until every slot of the live batch has left queued/running. */
  async waitForBatchEnd(numberOfImages: number): Promise<void> {
    await expect(this.slots).toHaveCount(numberOfImages);
    await expect(this.page.locator('[data-testid="result-slot"][data-status="queued"], [data-testid="result-slot"][data-status="running"]')).toHaveCount(0, {
      timeout: 20_000,
    });
    await expect(this.generateButton).toBeEnabled();
  }

  /** Deletes a finished batch from its card: Delete, then the confirmation. */
  async deleteBatch(card: Locator): Promise<void> {
    await card.getByTestId('delete-button').click();
    await expect(card.getByTestId('delete-cancel')).toBeFocused();
    await card.getByTestId('delete-confirm').click();
  }

  async progressValue(): Promise<{ now: number; max: number }> {
    const [now, max] = await Promise.all([this.progressBar.getAttribute('aria-valuenow'), this.progressBar.getAttribute('aria-valuemax')]);
    return { now: Number(now), max: Number(max) };
  }
}
