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
  readonly switcher: Locator;
  readonly instrumentTabs: Locator;
  readonly switchError: Locator;
  /** The symbol the ladder's book belongs to (from the same snapshot as the book). */
  readonly instrumentSymbol: Locator;
  readonly ladder: Locator;
  readonly accountEquity: Locator;
  readonly accountPnl: Locator;
  readonly accountState: Locator;

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
    this.switcher = page.getByTestId('instrument-switcher');
    this.instrumentTabs = this.switcher.getByTestId('instrument-tab');
    this.switchError = page.getByTestId('instrument-switch-error');
    this.instrumentSymbol = page.getByTestId('instrument-symbol');
    this.ladder = page.getByTestId('ladder');
    this.accountEquity = page.getByTestId('account-equity');
    this.accountPnl = page.getByTestId('account-pnl');
    this.accountState = page.getByTestId('account-state');
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.app[data-state="ready"]').waitFor();
  }

  /** The switcher's tab for one instrument (carries data-selected, data-quoting, data-mid). */
  instrumentTab(symbol: string): Locator {
    return this.switcher.locator(`[data-testid="instrument-tab"][data-symbol="${symbol}"]`);
  }

  /** Clicks an instrument's tab and waits until the engine's snapshot shows it (tab and ladder). */
  async selectInstrument(symbol: string): Promise<void> {
    const tab = this.instrumentTab(symbol);
    await tab.click();
    await tab.and(this.page.locator('[data-selected="true"]')).waitFor();
    await this.page.locator(`[data-testid="ladder"][data-symbol="${symbol}"]`).waitFor();
  }

  /** An instrument's mid as its switcher line reports it; NaN while it has none. */
  async tabMid(symbol: string): Promise<number> {
    const mid = await this.instrumentTab(symbol).getAttribute('data-mid');
    return mid ? Number(mid) : NaN;
  }

  /** The mid printed in the ladder's spread row; NaN while there is none. */
  async ladderMid(): Promise<number> {
    const text = (await this.page.getByTestId('ladder-spread').textContent()) ?? '';
    return Number(/mid ([\d.]+)/.exec(text)?.[1]);
  }

  /** Every price on the ladder, asks and bids. */
  async ladderPrices(): Promise<number[]> {
    // One read in the page (the rows re-render many times a second); the element type is spelled out
    // because this project's Node-side tsconfig has no DOM types.
    const prices = await this.ladder
      .getByTestId('ladder-row')
      .evaluateAll((rows: { getAttribute(name: string): string | null }[]) =>
        rows.map((row) => row.getAttribute('data-price') ?? ''),
      );
    return prices.map((p) => (p === '' ? NaN : Number(p)));
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
