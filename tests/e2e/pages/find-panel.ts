import { expect, type Locator, type Page } from '@playwright/test';

/** The search, filters and select mode above the gallery, as a person uses them. */
export class FindPanel {
  readonly search: Locator;
  readonly status: Locator;
  readonly model: Locator;
  readonly from: Locator;
  readonly to: Locator;
  readonly favoritesOnly: Locator;
  readonly clear: Locator;
  readonly searchStatus: Locator;
  readonly selectMode: Locator;
  readonly selectionCount: Locator;
  readonly downloadZip: Locator;
  readonly deleteSelected: Locator;

  constructor(readonly page: Page) {
    this.search = page.getByTestId('search-input');
    this.status = page.getByTestId('filter-status');
    this.model = page.getByTestId('filter-model');
    this.from = page.getByTestId('filter-from');
    this.to = page.getByTestId('filter-to');
    this.favoritesOnly = page.getByTestId('filter-favorites');
    this.clear = page.getByTestId('search-clear');
    this.searchStatus = page.getByTestId('search-status');
    this.selectMode = page.getByTestId('select-mode');
    this.selectionCount = page.getByTestId('selection-count');
    this.downloadZip = page.getByTestId('download-zip');
    this.deleteSelected = page.getByTestId('delete-selected');
  }

  /** Types a search and waits until the gallery answers it (the URL keeps it). */
  async searchFor(text: string): Promise<void> {
    const answered = this.page.waitForResponse((response) => {
      const url = new URL(response.url());
      return url.pathname === '/api/batches' && response.request().method() === 'GET' && url.searchParams.get('q') === text.trim();
    });
    await this.search.fill(text);
    expect((await answered).status()).toBe(200);
    await expect(this.searchStatus).not.toHaveText('Searching…');
    await expect(this.page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(text.trim()).replaceAll('%20', '\\+')}(&|$)`));
  }

  /** Runs `change` (a filter's change) and waits for the list's answer. */
  async answered(change: () => Promise<unknown>): Promise<void> {
    const answered = this.page.waitForResponse((response) => new URL(response.url()).pathname === '/api/batches' && response.request().method() === 'GET');
    await change();
    expect((await answered).status()).toBe(200);
    await expect(this.searchStatus).not.toHaveText('Searching…');
  }

  /** A tile's favorite star (in a card). */
  star(card: Locator, index: number): Locator {
    return card.locator(`li[data-index="${index}"]`).getByTestId('favorite-button');
  }

  /** A tile's checkbox in select mode. */
  checkbox(card: Locator, index: number): Locator {
    return card.locator(`li[data-index="${index}"]`).getByTestId('select-image');
  }
}
