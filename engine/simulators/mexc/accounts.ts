import type { Clock } from '../../core/clock.ts';
import { notional } from '../../core/instrument.ts';
import type { Ledger } from '../../venues/sim/ledger.ts';
import type { SimDoneReason, SimDoneStatus, SimOrderView } from '../../venues/sim/matching-engine.ts';
import type { IdSource } from '../bybit/ids.ts';
import type { AccountRouter, SimMarket } from '../bybit/market.ts';
import { MexcAccount } from './account.ts';
import type { MexcOrder } from './orders.ts';

export interface AccountsOptions {
  ledger: Ledger;
  clock: Clock;
  ids: IdSource;
  historyLimit: number;
}

/**
 * The accounts of the simulated venue, one per API key, each one funded ledger owner, and the router
 * that turns the matching engine's events of their orders into order states, fills and pushes.
 */
export class MexcAccounts implements AccountRouter {
  private readonly options: AccountsOptions;
  private readonly byKey = new Map<string, MexcAccount>();
  private readonly byOwner = new Map<number, MexcAccount>();

  constructor(options: AccountsOptions) {
    this.options = options;
  }

  add(apiKey: string, apiSecret: string, balances: Readonly<Record<string, string>>): MexcAccount {
    if (this.byKey.has(apiKey)) throw new Error('an account with this API key exists already');
    if (apiKey === '' || apiSecret === '') throw new Error('an account needs a non-empty API key and secret');
    const { ledger } = this.options;
    const n = this.byKey.size;
    const owner = ledger.addOwner(`mexc-account-${n}`);
    for (const [asset, amount] of Object.entries(balances)) ledger.deposit(owner, asset, amount);
    const account = new MexcAccount({
      apiKey,
      apiSecret,
      uid: String(20_000_001 + n),
      ledger,
      clock: this.options.clock,
      owner,
      historyLimit: this.options.historyLimit,
    });
    this.byKey.set(apiKey, account);
    this.byOwner.set(owner, account);
    return account;
  }

  get(apiKey: string): MexcAccount | undefined {
    return this.byKey.get(apiKey);
  }

  all(): MexcAccount[] {
    return [...this.byKey.values()];
  }

  // ---- AccountRouter ---------------------------------------------------------------------------

  owns(owner: number): boolean {
    return this.byOwner.has(owner);
  }

  onAccept(_market: SimMarket, view: SimOrderView): void {
    const order = view.ref as MexcOrder;
    order.engineId = view.id;
    const account = this.account(view);
    account.markOrder(order);
    account.markCause('ENTRUST_PLACE');
  }

  onAmend(_market: SimMarket, view: SimOrderView): void {
    // The venue has no amend; nothing of ours is ever amended.
    this.account(view).markOrder(view.ref as MexcOrder);
  }

  onFill(market: SimMarket, view: SimOrderView, price: number, lots: number, maker: boolean): void {
    const order = view.ref as MexcOrder;
    const account = this.account(view);
    const fee = market.engine.fee(price, lots, maker ? 'maker' : 'taker');
    order.filledLots = view.filled;
    order.filledQuote = order.filledQuote.plus(notional(market.instrument, price, lots));
    order.fee = order.fee.plus(fee);
    order.lastDealLots = lots;
    order.lastMaker = maker;
    if (view.filled < view.size) order.status = 'PARTIALLY_FILLED';
    account.addFill(order, this.options.ids.digits(), price, lots, maker, fee);
    account.markOrder(order);
  }

  onDone(_market: SimMarket, view: SimOrderView, status: SimDoneStatus, _reason: SimDoneReason): void {
    const order = view.ref as MexcOrder;
    const account = this.account(view);
    order.filledLots = view.filled;
    if (status === 'filled') order.status = 'FILLED';
    else {
      order.status = order.filledLots > 0 ? 'PARTIALLY_CANCELED' : 'CANCELED';
      account.markCause('ENTRUST_CANCEL');
    }
    order.engineId = 0;
    account.closeOrder(order);
    account.markOrder(order);
  }

  endOperation(_market: SimMarket): void {
    for (const account of this.byKey.values()) account.flush();
  }

  private account(view: SimOrderView): MexcAccount {
    return this.byOwner.get(view.owner)!;
  }
}
