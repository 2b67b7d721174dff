import type { Locator, Page } from '@playwright/test';

/** The header's REC indicator and the recordings dialog (start, stop, list, delete). */
export class RecordingsPage {
  readonly page: Page;
  readonly openButton: Locator;
  readonly indicator: Locator;
  readonly headerStop: Locator;
  readonly dialog: Locator;
  readonly name: Locator;
  readonly start: Locator;
  readonly stop: Locator;
  readonly running: Locator;
  readonly error: Locator;
  readonly outcome: Locator;
  readonly empty: Locator;
  readonly rows: Locator;

  constructor(page: Page) {
    this.page = page;
    this.openButton = page.getByTestId('open-recordings');
    this.indicator = page.getByTestId('rec-indicator');
    this.headerStop = page.getByTestId('rec-stop-header');
    this.dialog = page.getByTestId('recordings-dialog');
    this.name = page.getByTestId('rec-name');
    this.start = page.getByTestId('rec-start');
    this.stop = page.getByTestId('rec-stop');
    this.running = page.getByTestId('rec-running');
    this.error = page.getByTestId('rec-error');
    this.outcome = page.getByTestId('rec-outcome');
    this.empty = page.getByTestId('recordings-empty');
    this.rows = page.getByTestId('recording-row');
  }

  /** Opens the dialog from the header (the REC indicator while recording) and waits for its list. */
  async open(): Promise<void> {
    if (await this.indicator.isVisible()) await this.indicator.click();
    else await this.openButton.click();
    await this.page.getByTestId('recordings-table').or(this.empty).first().waitFor();
  }

  async close(): Promise<void> {
    await this.page.getByTestId('recordings-dialog-close').click();
    await this.dialog.waitFor({ state: 'detached' });
  }

  /** The events the header's indicator counts now (NaN while nothing records). */
  async indicatorEvents(): Promise<number> {
    return Number(await this.indicator.getAttribute('data-events'));
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="recording-row"][data-name="${name}"]`);
  }

  /** Deletes a recording through its row's confirmation and waits until the row is gone. */
  async delete(name: string): Promise<void> {
    const row = this.row(name);
    await row.getByTestId('recording-delete').click();
    await row.getByTestId('recording-delete-confirm').click();
    await row.waitFor({ state: 'detached' });
  }
}
