import { expect, type Locator, type Page } from '@playwright/test';

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
  /** Every image on the page: this tab's batches and the saved history. */
  readonly galleryImages: Locator;
  /** Images of the batches started in this tab over the classic route (not saved on the server). */
  readonly sessionImages: Locator;
  readonly cards: Locator;
  readonly sessionCards: Locator;
  /** The batch of the live area (its tiles are the result-slots). */
  readonly currentCard: Locator;
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
    this.sessionCards = page.locator('[data-testid="batch-card"][data-source="session"]');
    this.sessionImages = this.sessionCards.getByTestId('gallery-image');
    this.currentCard = this.cards.filter({ has: page.getByTestId('result-slot') });
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

  async goto(): Promise<void> {
    await this.page.goto('/');
    await expect(this.prompt).toBeFocused();
  }

  /** A batch kept by the server, by id. */
  card(batchId: string): Locator {
    return this.page.locator(`[data-testid="batch-card"][data-batch-id="${batchId}"]`);
  }

  /** Starts a batch of 5+ images (the background queue) and answers its id. */
  async startBackground(prompt: string, numberOfImages: number): Promise<string> {
    await this.fill(prompt, numberOfImages);
    const responsePromise = this.page.waitForResponse((response) => new URL(response.url()).pathname === '/api/batches' && response.request().method() === 'POST');
    await this.generateButton.click();
    const response = await responsePromise;
    expect(response.status()).toBe(202);
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null || !('id' in body) || typeof body.id !== 'string') throw new Error('POST /api/batches answered no id');
    return body.id;
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

  async generate(prompt: string, numberOfImages: number): Promise<void> {
    await this.fill(prompt, numberOfImages);
    await this.generateButton.click();
  }

  /** Waits until every slot has left queued/running. */
  async waitForBatchEnd(numberOfImages: number): Promise<void> {
    await expect(this.slots).toHaveCount(numberOfImages);
    await expect(this.page.locator('[data-testid="result-slot"][data-status="queued"], [data-testid="result-slot"][data-status="running"]')).toHaveCount(0, {
      timeout: 20_000,
    });
    await expect(this.generateButton).toBeEnabled();
  }

  async progressValue(): Promise<{ now: number; max: number }> {
    const [now, max] = await Promise.all([this.progressBar.getAttribute('aria-valuenow'), this.progressBar.getAttribute('aria-valuemax')]);
    return { now: Number(now), max: Number(max) };
  }
}
