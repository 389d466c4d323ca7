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
  readonly galleryImages: Locator;
  readonly toasts: Locator;
  readonly providerBadge: Locator;
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
    this.toasts = page.getByTestId('toast');
    this.providerBadge = page.getByTestId('provider-badge');
    this.fieldErrors = page.getByTestId('field-error');
    this.lightbox = page.getByTestId('lightbox');
  }

  async goto(): Promise<void> {
    await this.page.goto('/');
    await expect(this.prompt).toBeFocused();
  }

  slot(index: number): Locator {
    return this.slots.nth(index - 1);
  }

  fieldError(field: 'prompt' | 'numberOfImages' | 'aspectRatio' | 'image' | 'form'): Locator {
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
