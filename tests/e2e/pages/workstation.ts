import type { Locator, Page } from '@playwright/test';

/** Locators for the workstation screen, kept in one place so tests read as trader actions. */
export class WorkstationPage {
  readonly page: Page;
  readonly app: Locator;
  readonly mode: Locator;
  readonly link: Locator;
  readonly clock: Locator;
  readonly tradingState: Locator;
  readonly ownRows: Locator;
  readonly ownBidRows: Locator;
  readonly ownAskRows: Locator;
  readonly liveBid: Locator;
  readonly liveAsk: Locator;
  readonly positionSize: Locator;
  readonly overrideError: Locator;
  readonly overridesActive: Locator;
  readonly workingRows: Locator;
  readonly chartCanvas: Locator;

  constructor(page: Page) {
    this.page = page;
    this.app = page.locator('.app');
    this.mode = page.getByTestId('mode');
    this.link = page.getByTestId('link');
    this.clock = page.getByTestId('engine-clock');
    this.tradingState = page.getByTestId('trading-state');
    this.ownRows = page.locator('[data-testid="ladder-row"][data-own="true"]');
    this.ownBidRows = page.locator('[data-testid="ladder-row"][data-own="true"][data-side="bid"]');
    this.ownAskRows = page.locator('[data-testid="ladder-row"][data-own="true"][data-side="ask"]');
    this.liveBid = page.getByTestId('quote-live-bid');
    this.liveAsk = page.getByTestId('quote-live-ask');
    this.positionSize = page.getByTestId('position-size');
    this.overrideError = page.getByTestId('override-error');
    this.overridesActive = page.getByTestId('overrides-active');
    this.workingRows = page.getByTestId('orders-table').locator('.vbody .vrow');
    this.chartCanvas = page.getByTestId('chart').locator('canvas').first();
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.app[data-state="ready"]').waitFor();
  }

  async startQuoting(): Promise<void> {
    await this.page.getByTestId('start-button').click();
  }

  async setOverride(field: string, value: string): Promise<void> {
    await this.page.getByTestId(`override-${field}`).fill(value);
    await this.page.getByTestId(`override-apply-${field}`).click();
  }

  /** How far below the mid our desired bid sits (quote panel level 0 against the ladder's mid). */
  async bidDistance(): Promise<number> {
    const level = (await this.page.getByTestId('quote-level-bid').first().textContent()) ?? '';
    const mid = (await this.page.getByTestId('ladder-spread').textContent()) ?? '';
    const bid = Number(/L0 ([\d.]+)/.exec(level)?.[1]);
    const m = Number(/mid ([\d.]+)/.exec(mid)?.[1]);
    return m - bid;
  }

  /** Price of our working order on a side, read from the ladder. */
  async ownPrice(side: 'bid' | 'ask'): Promise<number> {
    const row = side === 'bid' ? this.ownBidRows.first() : this.ownAskRows.first();
    return Number(await row.getAttribute('data-price'));
  }
}
