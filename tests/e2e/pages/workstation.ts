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

export type BybitEnvName = 'testnet' | 'demo' | 'mainnet';
/** A key set in the Credentials view: one per Bybit environment, and MEXC's one account. */
export type KeySetName = BybitEnvName | 'mexc';
export type BybitCategoryName = 'spot' | 'linear';

/** What the header shows of the venue link; null where a field is not drawn (the simulator). */
export interface HeaderLink {
  mode: string;
  venue: string;
  env: string | null;
  venueLink: string | null;
  rateHeadroom: number | null;
  rateLimit: number | null;
  clockOffsetMs: number | null;
  live: boolean;
}

/** The venue dialog (Connect and Credentials) and the header's venue fields. */
export class ConnectPage {
  readonly page: Page;
  readonly dialog: Locator;
  readonly connectView: Locator;
  readonly credentialsView: Locator;
  readonly current: Locator;
  readonly choicesError: Locator;
  readonly symbols: Locator;
  readonly symbolsError: Locator;
  readonly mainnetWarning: Locator;
  readonly confirmation: Locator;
  readonly submit: Locator;
  readonly progress: Locator;
  readonly error: Locator;
  /** The mode the chosen venue would run in, as the connect view names it. */
  readonly chosenMode: Locator;
  readonly keychainError: Locator;
  readonly credentialsChoicesError: Locator;
  readonly liveBand: Locator;
  readonly linkStatus: Locator;
  readonly venueEnv: Locator;
  readonly venueLink: Locator;
  readonly rateHeadroom: Locator;
  readonly clockOffset: Locator;
  readonly linkSwitching: Locator;
  readonly linkError: Locator;

  constructor(page: Page) {
    this.page = page;
    this.dialog = page.getByTestId('venue-dialog');
    this.connectView = page.getByTestId('connect-view');
    this.credentialsView = page.getByTestId('credentials-view');
    this.current = page.getByTestId('connect-current');
    this.choicesError = page.getByTestId('connect-choices-error');
    this.symbols = page.getByTestId('connect-symbols');
    this.symbolsError = page.getByTestId('connect-symbols-error');
    this.mainnetWarning = page.getByTestId('connect-mainnet-warning');
    this.confirmation = page.getByTestId('connect-confirm');
    this.submit = page.getByTestId('connect-submit');
    this.progress = page.getByTestId('connect-progress');
    this.error = page.getByTestId('connect-error');
    this.chosenMode = page.getByTestId('connect-mode');
    this.keychainError = page.getByTestId('credentials-keychain-error');
    this.credentialsChoicesError = page.getByTestId('credentials-choices-error');
    this.liveBand = page.getByTestId('live-band');
    this.linkStatus = page.getByTestId('link-status');
    this.venueEnv = page.getByTestId('venue-env');
    this.venueLink = page.getByTestId('venue-link');
    this.rateHeadroom = page.getByTestId('rate-headroom');
    this.clockOffset = page.getByTestId('clock-offset');
    this.linkSwitching = page.getByTestId('link-switching');
    this.linkError = page.getByTestId('link-error');
  }

  /** Opens the connect view (from the header, or its tab when the dialog is open) and waits for its form. */
  async open(): Promise<void> {
    if (await this.dialog.isVisible()) await this.page.getByTestId('venue-tab-connect').click();
    else await this.page.getByTestId('open-connect').click();
    await this.page.getByTestId('connect-form').or(this.choicesError).first().waitFor();
  }

  async openCredentials(): Promise<void> {
    if (await this.dialog.isVisible()) await this.page.getByTestId('venue-tab-credentials').click();
    else await this.page.getByTestId('open-credentials').click();
    await this.credentialsView.waitFor();
  }

  async close(): Promise<void> {
    await this.page.getByTestId('venue-dialog-close').click();
    await this.dialog.waitFor({ state: 'detached' });
  }

  async chooseVenue(venue: 'sim' | 'paper' | 'bybit' | 'mexc'): Promise<void> {
    await this.page.getByTestId(`connect-venue-${venue}`).check();
  }

  async chooseEnv(env: BybitEnvName): Promise<void> {
    await this.page.getByTestId(`connect-env-${env}`).check();
  }

  async chooseCategory(category: BybitCategoryName): Promise<void> {
    await this.page.getByTestId(`connect-category-${category}`).check();
  }

  async setSymbols(text: string): Promise<void> {
    await this.symbols.fill(text);
  }

  async typeConfirmation(text: string): Promise<void> {
    await this.confirmation.fill(text);
  }

  async connect(): Promise<void> {
    await this.submit.click();
  }

  /** One environment's line in the connect view (carries data-env). */
  envRow(env: BybitEnvName): Locator {
    return this.page.locator(`[data-testid="connect-env-row"][data-env="${env}"]`);
  }

  /** The REST and WS URLs the connect view shows for an environment. */
  async endpoints(env: BybitEnvName): Promise<{ rest: string; ws: string }> {
    const row = this.envRow(env);
    return {
      rest: (await row.getByTestId('connect-env-rest').textContent()) ?? '',
      ws: (await row.getByTestId('connect-env-ws').textContent()) ?? '',
    };
  }

  /** The connect view's words for an environment's saved key ("key …AB12 saved …" or "no key"). */
  envCredentials(env: BybitEnvName): Locator {
    return this.envRow(env).getByTestId('connect-env-credentials');
  }

  /**
   * The whole connect flow: open, choose Bybit and an environment, product and symbols, type the
   * confirmation when given, connect, and wait until the dialog has closed (a failure leaves it open
   * with the engine's message, and this throws with that message).
   */
  async connectBybit(options: {
    env: BybitEnvName;
    category: BybitCategoryName;
    symbols: string;
    confirm?: string;
  }): Promise<void> {
    await this.open();
    await this.chooseVenue('bybit');
    await this.chooseEnv(options.env);
    await this.chooseCategory(options.category);
    await this.setSymbols(options.symbols);
    if (options.confirm !== undefined) await this.typeConfirmation(options.confirm);
    await this.connect();
    await this.settled();
  }

  /** Waits until a connect closed the dialog; throws with the engine's message if it failed. */
  private async settled(): Promise<void> {
    const timeout = 30_000;
    const outcome = await Promise.race([
      this.dialog.waitFor({ state: 'detached', timeout }).then(
        () => 'closed' as const,
        () => 'timeout' as const,
      ),
      this.error.waitFor({ timeout }).then(
        () => 'failed' as const,
        () => 'timeout' as const,
      ),
    ]);
    if (outcome === 'failed') throw new Error(`connect failed: ${(await this.error.textContent()) ?? ''}`);
    if (outcome === 'timeout') throw new Error('connect neither finished nor failed within 30 s');
  }

  /** MEXC's account row in the connect view: its endpoints and saved key. */
  async mexcEndpoints(): Promise<{ rest: string; ws: string }> {
    return {
      rest: (await this.page.getByTestId('connect-mexc-rest').textContent()) ?? '',
      ws: (await this.page.getByTestId('connect-mexc-ws').textContent()) ?? '',
    };
  }

  mexcCredentials(): Locator {
    return this.page.getByTestId('connect-mexc-credentials');
  }

  /** Connects to MEXC (real money: the confirmation is typed) with the symbols, and waits for the dialog to close. */
  async connectMexc(options: { symbols: string; confirm: string }): Promise<void> {
    await this.open();
    await this.chooseVenue('mexc');
    await this.setSymbols(options.symbols);
    await this.typeConfirmation(options.confirm);
    await this.connect();
    await this.settled();
  }

  /** Paper trading's data source as the connect view shows it: environment and endpoints. */
  async paperSource(): Promise<{ env: string; rest: string; ws: string }> {
    return {
      env: (await this.page.getByTestId('connect-paper-source').getAttribute('data-env')) ?? '',
      rest: (await this.page.getByTestId('connect-paper-rest').textContent()) ?? '',
      ws: (await this.page.getByTestId('connect-paper-ws').textContent()) ?? '',
    };
  }

  /** Opens the connect view, chooses PAPER with the symbols, connects and waits for the dialog to close. */
  async connectPaper(symbols: string): Promise<void> {
    await this.open();
    await this.chooseVenue('paper');
    await this.setSymbols(symbols);
    await this.connect();
    await this.settled();
  }

  /** One key set's credentials form (carries data-venue, data-env and data-exists). */
  credentialsForm(env: KeySetName): Locator {
    if (env === 'mexc') return this.page.getByTestId('credentials-mexc-form');
    return this.page.locator(`[data-testid="credentials-form"][data-env="${env}"]`);
  }

  credentialStatus(env: KeySetName): Locator {
    return this.credentialsForm(env).getByTestId('credentials-status');
  }

  credentialResult(env: KeySetName): Locator {
    return this.credentialsForm(env).getByTestId('credentials-result');
  }

  async fillCredentials(env: KeySetName, apiKey: string, apiSecret: string): Promise<void> {
    const form = this.credentialsForm(env);
    await form.getByTestId('credentials-key').fill(apiKey);
    await form.getByTestId('credentials-secret').fill(apiSecret);
  }

  /** Fills and saves a key and secret, and waits for the engine's answer. */
  async saveCredentials(env: KeySetName, apiKey: string, apiSecret: string): Promise<void> {
    await this.fillCredentials(env, apiKey, apiSecret);
    await this.credentialsForm(env).getByTestId('credentials-save').click();
    await this.credentialResult(env).waitFor();
  }

  /** Tests the saved key; resolves with the result line (permissions or the venue's message). */
  async testCredentials(env: KeySetName): Promise<{ ok: boolean; text: string; permissions: string[] }> {
    const form = this.credentialsForm(env);
    await form.getByTestId('credentials-test').click();
    const result = this.credentialResult(env);
    await result.waitFor();
    const permissions = await form.getByTestId('credentials-permissions').locator('li').allTextContents();
    return {
      ok: (await result.getAttribute('data-ok')) === 'true',
      text: (await result.textContent()) ?? '',
      permissions,
    };
  }

  async deleteCredentials(env: KeySetName): Promise<void> {
    const form = this.credentialsForm(env);
    await form.getByTestId('credentials-delete').click();
    await form.getByTestId('credentials-delete-confirm').click();
    await form.and(this.page.locator('[data-exists="false"]')).waitFor();
  }

  /** The header's venue fields, read in one pass. */
  async headerLink(): Promise<HeaderLink> {
    // Absent fields are read as null at once (getAttribute on a missing element would wait).
    const text = async (l: Locator) => ((await l.count()) > 0 ? ((await l.textContent()) ?? '') : null);
    const attr = async (l: Locator, name: string) =>
      (await l.count()) > 0 ? await l.getAttribute(name) : null;
    const number = async (l: Locator, name: string) => {
      const v = await attr(l, name);
      return v === null || v === '' ? null : Number(v);
    };
    return {
      mode: (await this.page.getByTestId('mode').textContent()) ?? '',
      venue: (await this.page.getByTestId('venue').textContent()) ?? '',
      env: await text(this.venueEnv),
      venueLink: await attr(this.venueLink, 'data-state'),
      rateHeadroom: await number(this.rateHeadroom, 'data-headroom'),
      rateLimit: await number(this.rateHeadroom, 'data-limit'),
      clockOffsetMs: await number(this.clockOffset, 'data-offset-ms'),
      live: (await this.liveBand.count()) > 0,
    };
  }

  /**
   * Everything a planted secret could hide in on the page: the serialised DOM, every input's live
   * value (not an attribute) and both web storages.
   */
  async pageContents(): Promise<string> {
    // The element and storage types are spelled out: this project's Node-side tsconfig has no DOM types.
    return this.page.evaluate(() => {
      const g = globalThis as unknown as {
        document: {
          documentElement: { outerHTML: string };
          querySelectorAll(selector: string): ArrayLike<{ value: string }>;
        };
        localStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null };
        sessionStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null };
      };
      const parts = [g.document.documentElement.outerHTML];
      for (const input of Array.from(g.document.querySelectorAll('input, textarea'))) parts.push(input.value);
      for (const storage of [g.localStorage, g.sessionStorage])
        for (let i = 0; i < storage.length; i++) {
          const key = storage.key(i) ?? '';
          parts.push(key, storage.getItem(key) ?? '');
        }
      return parts.join('\n');
    });
  }
}
