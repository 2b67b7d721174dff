import type { Locator, Page } from '@playwright/test';

/** Locators for the workstation screen, kept in one place so tests read as trader actions. */
export class WorkstationPage {
  readonly page: Page;
  readonly app: Locator;
  readonly mode: Locator;
  readonly link: Locator;
  readonly clock: Locator;
  readonly tradingState: Locator;

  constructor(page: Page) {
    this.page = page;
    this.app = page.locator('.app');
    this.mode = page.getByTestId('mode');
    this.link = page.getByTestId('link');
    this.clock = page.getByTestId('engine-clock');
    this.tradingState = page.getByTestId('trading-state');
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.app[data-state="ready"]').waitFor();
  }
}
