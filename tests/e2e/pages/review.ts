import type { Locator, Page } from '@playwright/test';

/** The backtest review screen, by the test ids it promises. */
export class ReviewPage {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  get nav(): Locator {
    return this.page.getByTestId('nav-review');
  }
  get runsTable(): Locator {
    return this.page.getByTestId('runs-table');
  }
  get empty(): Locator {
    return this.page.getByTestId('runs-empty');
  }
  get error(): Locator {
    return this.page.getByTestId('review-error');
  }
  get detail(): Locator {
    return this.page.getByTestId('run-detail');
  }
  get decision(): Locator {
    return this.page.getByTestId('decision-panel');
  }
  /** The rows of the runs table, each `run-row-<id>`. */
  get rows(): Locator {
    return this.page.locator('[data-testid^="run-row-"]');
  }
  row(id: number): Locator {
    return this.page.getByTestId(`run-row-${id}`);
  }
  jobs(): Locator {
    return this.page.locator(
      '[data-testid^="job-"]:not([data-testid^="job-cancel-"]):not([data-testid^="job-error-"])',
    );
  }

  /** The review's home: the runs list and the forms (from the trading screen or a run's page). */
  async open(): Promise<void> {
    await this.nav.click();
    const home = this.page.getByTestId('review-home');
    if (await home.isVisible()) await home.click();
    await this.page.getByTestId('bt-start').waitFor();
  }

  /** Ids of the runs listed, in the table's order. */
  async runIds(): Promise<number[]> {
    const names = await Promise.all((await this.rows.all()).map((r) => r.getAttribute('data-testid')));
    return names.map((n) => Number((n ?? '').replace('run-row-', ''))).filter((n) => Number.isInteger(n));
  }

  /** Starts a backtest from the form: the recording and the parameters given (others default). */
  async startBacktest(
    recording: string,
    params: { gamma?: string; kappa?: string; size?: string } = {},
  ): Promise<void> {
    await this.page.getByTestId('bt-recording').selectOption(recording);
    for (const name of ['gamma', 'kappa', 'size'] as const)
      await this.page.getByTestId(`bt-param-${name}`).fill(params[name] ?? '');
    await this.page.getByTestId('bt-start').click();
  }

  async waitForDetail(): Promise<void> {
    await this.detail.and(this.page.locator('[data-ready="true"]')).waitFor({ timeout: 60_000 });
  }
}
