import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { Account } from './account.ts';
import type { Category } from './wire.ts';

/** DCP products (A7) and the category each cancels ("OPTIONS" lists nothing here). */
export type DcpProduct = 'SPOT' | 'DERIVATIVES' | 'OPTIONS';
export const DCP_PRODUCTS: readonly DcpProduct[] = ['SPOT', 'DERIVATIVES', 'OPTIONS'];
const CATEGORY_OF: Readonly<Record<DcpProduct, Category | undefined>> = {
  SPOT: 'spot',
  DERIVATIVES: 'linear',
  OPTIONS: undefined,
};
/** The venue's default window, seconds. */
export const DCP_DEFAULT_WINDOW = 10;

/** The product a `dcp.*` topic arms. */
export function dcpProductOfTopic(topic: string): DcpProduct | undefined {
  return topic === 'dcp.future'
    ? 'DERIVATIVES'
    : topic === 'dcp.spot'
      ? 'SPOT'
      : topic === 'dcp.option'
        ? 'OPTIONS'
        : undefined;
}

interface AccountDcp {
  live: number;
  /** Armed products with their window in seconds. */
  readonly windows: Map<DcpProduct, number>;
  readonly timers: Map<DcpProduct, TimerHandle>;
}

/**
 * Disconnect cancel-all. Armed per product by POST /v5/order/disconnected-cancel-all (with its
 * window) or by subscribing a `dcp.*` topic (the window set before, else 10 s). The countdown starts
 * when the account's last authenticated private or trade connection goes away; a new one stops it.
 * When the window passes with none back, the product's open orders are cancelled (CancelByDCP). DCP
 * stays armed afterwards. An account that never connected is never cancelled.
 */
export class DcpMonitor {
  private readonly clock: Clock;
  private readonly cancel: (account: Account, category: Category) => void;
  private readonly state = new Map<Account, AccountDcp>();

  constructor(clock: Clock, cancel: (account: Account, category: Category) => void) {
    this.clock = clock;
    this.cancel = cancel;
  }

  arm(account: Account, product: DcpProduct, windowSeconds?: number): void {
    const s = this.of(account);
    s.windows.set(product, windowSeconds ?? s.windows.get(product) ?? DCP_DEFAULT_WINDOW);
  }

  info(account: Account): { product: DcpProduct; dcpStatus: 'ON'; timeWindow: string }[] {
    const s = this.state.get(account);
    if (s === undefined) return [];
    return [...s.windows].map(([product, window]) => ({
      product,
      dcpStatus: 'ON',
      timeWindow: String(window),
    }));
  }

  connected(account: Account): void {
    const s = this.of(account);
    s.live++;
    for (const t of s.timers.values()) this.clock.clearTimer(t);
    s.timers.clear();
  }

  disconnected(account: Account): void {
    const s = this.of(account);
    s.live = Math.max(0, s.live - 1);
    if (s.live > 0) return;
    for (const [product, window] of s.windows) {
      this.clock.clearTimer(s.timers.get(product));
      s.timers.set(
        product,
        this.clock.setTimeout(() => {
          s.timers.delete(product);
          const category = CATEGORY_OF[product];
          if (s.live === 0 && category !== undefined) this.cancel(account, category);
        }, window * 1000),
      );
    }
  }

  stop(): void {
    for (const s of this.state.values()) {
      for (const t of s.timers.values()) this.clock.clearTimer(t);
      s.timers.clear();
    }
  }

  private of(account: Account): AccountDcp {
    let s = this.state.get(account);
    if (s === undefined) {
      s = { live: 0, windows: new Map(), timers: new Map() };
      this.state.set(account, s);
    }
    return s;
  }
}
