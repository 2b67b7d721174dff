import type { Clock } from '../../core/clock.ts';
import type { Decimal } from '../../core/decimal.ts';
import { formatPrice, formatSize, notional } from '../../core/instrument.ts';
import type { Ledger } from '../../venues/sim/ledger.ts';
import type { SimDoneReason, SimDoneStatus, SimOrderView } from '../../venues/sim/matching-engine.ts';
import { Account } from './account.ts';
import type { IdSource } from './ids.ts';
import type { AccountRouter, SimMarket } from './market.ts';
import type { BybitOrder } from './orders.ts';

export interface AccountsOptions {
  ledger: Ledger;
  clock: Clock;
  ids: IdSource;
  leverage: Decimal;
  historyLimit: number;
  valuation: (coin: string) => Decimal;
}

/** What ends an order, as the venue names it (A8). */
const CANCEL_TYPES: Readonly<Record<NonNullable<SimDoneReason>, string>> = {
  user: 'CancelByUser',
  disconnect: 'CancelByDCP',
  self_trade: 'CancelBySmp',
  ioc_unfilled: 'UNKNOWN',
  no_liquidity: 'UNKNOWN',
  insufficient_funds: 'UNKNOWN',
};

/**
 * The accounts of the simulated venue, one per API key, and the router that turns matching-engine
 * events of their orders into order states and executions. Every account has two ledger owners: a
 * funded one that trades spot and holds the unified wallet, and an unlimited one the perpetual books
 * know it by (perpetual margin is checked and booked by the account, not by the spot-style engine).
 */
export class Accounts implements AccountRouter {
  private readonly options: AccountsOptions;
  private readonly byKey = new Map<string, Account>();
  private readonly byOwner = new Map<number, Account>();

  constructor(options: AccountsOptions) {
    this.options = options;
  }

  add(apiKey: string, apiSecret: string, balances: Readonly<Record<string, string>>): Account {
    if (this.byKey.has(apiKey)) throw new Error('an account with this API key exists already');
    if (apiKey === '' || apiSecret === '') throw new Error('an account needs a non-empty API key and secret');
    const { ledger } = this.options;
    const n = this.byKey.size;
    const spotOwner = ledger.addOwner(`bybit-account-${n}`);
    const linearOwner = ledger.addOwner(`bybit-account-${n}-perp`, true);
    for (const [coin, amount] of Object.entries(balances)) ledger.deposit(spotOwner, coin, amount);
    const account = new Account({
      apiKey,
      apiSecret,
      uid: String(100_000_001 + n),
      ledger,
      clock: this.options.clock,
      spotOwner,
      linearOwner,
      leverage: this.options.leverage,
      historyLimit: this.options.historyLimit,
      valuation: this.options.valuation,
    });
    this.byKey.set(apiKey, account);
    this.byOwner.set(spotOwner, account);
    this.byOwner.set(linearOwner, account);
    return account;
  }

  get(apiKey: string): Account | undefined {
    return this.byKey.get(apiKey);
  }

  all(): Account[] {
    return [...this.byKey.values()];
  }

  // ---- AccountRouter ---------------------------------------------------------------------------

  owns(owner: number): boolean {
    return this.byOwner.has(owner);
  }

  onAccept(market: SimMarket, view: SimOrderView): void {
    const order = view.ref as BybitOrder;
    order.engineId = view.id;
    const account = this.account(view);
    account.markOrder(order);
    // A spot order locks funds as it is accepted: the wallet's `locked` changed.
    if (market.category === 'spot' && order.orderType === 'Limit') account.markWallet();
  }

  onAmend(market: SimMarket, view: SimOrderView): void {
    const order = view.ref as BybitOrder;
    order.price = view.price;
    order.qty = view.size;
    const account = this.account(view);
    account.markOrder(order);
    if (market.category === 'spot') account.markWallet();
  }

  onFill(market: SimMarket, view: SimOrderView, price: number, lots: number, maker: boolean): void {
    const order = view.ref as BybitOrder;
    const account = this.account(view);
    const inst = market.instrument;
    const fee = market.engine.fee(price, lots, maker ? 'maker' : 'taker');
    const value = notional(inst, price, lots);
    order.cumLots = view.filled;
    order.cumValue = order.cumValue.plus(value);
    order.cumFee = order.cumFee.plus(fee);
    if (view.filled < view.size) order.status = 'PartiallyFilled';
    const linear = market.category === 'linear';
    const booked = linear ? account.positions.fill(market, view.side === 'buy', price, lots, fee) : undefined;
    const n = account.executions.nextN();
    const execId = linear ? this.options.ids.uuid() : this.options.ids.digits();
    const execTime = Math.floor(this.options.clock.now());
    const priceText = formatPrice(inst, price);
    const qtyText = formatSize(inst, lots);
    const wire = {
      symbol: market.symbol,
      orderId: order.orderId,
      orderLinkId: order.orderLinkId,
      side: order.side,
      orderPrice: order.price === 0 ? '0' : formatPrice(inst, order.price),
      orderQty: order.qtyText !== '' ? order.qtyText : formatSize(inst, order.qty),
      leavesQty: formatSize(inst, view.size - view.filled),
      createType: 'CreateByUser',
      orderType: order.orderType,
      stopOrderType: '',
      execFee: fee.toFixed(),
      execId,
      execPrice: priceText,
      execQty: qtyText,
      execType: 'Trade',
      execValue: value.toFixed(),
      execTime: String(execTime),
      feeCurrency: linear ? '' : inst.quote,
      isMaker: maker,
      feeRate: maker ? inst.spec.makerFee : inst.spec.takerFee,
      tradeIv: '',
      markIv: '',
      markPrice: linear ? formatPrice(inst, market.markTicks()) : '',
      indexPrice: linear ? formatPrice(inst, market.markTicks()) : '',
      underlyingPrice: '',
      blockTradeId: '',
      closedSize: linear ? formatSize(inst, booked!.closed) : '',
      execPnl: linear ? booked!.pnl.toFixed() : '0',
      seq: market.seq,
      extraFees: '',
      marketUnit: order.marketUnit,
    };
    const fast = {
      category: market.category,
      symbol: market.symbol,
      execId,
      execPrice: priceText,
      execQty: qtyText,
      orderId: order.orderId,
      isMaker: maker,
      orderLinkId: maker ? '' : order.orderLinkId,
      side: order.side,
      execTime: String(execTime),
      seq: market.seq,
    };
    account.addExecution(
      {
        n,
        category: market.category,
        symbol: market.symbol,
        orderId: order.orderId,
        orderLinkId: order.orderLinkId,
        execType: 'Trade',
        execTime,
        wire,
        fast,
      },
      market,
    );
    account.markOrder(order);
  }

  onDone(market: SimMarket, view: SimOrderView, status: SimDoneStatus, reason: SimDoneReason): void {
    const order = view.ref as BybitOrder;
    const account = this.account(view);
    order.qty = view.size;
    order.cumLots = view.filled;
    if (status === 'filled') {
      order.status = 'Filled';
    } else {
      order.status =
        market.category === 'spot' && order.cumLots > 0 ? 'PartiallyFilledCanceled' : 'Cancelled';
      if (order.cancelType === 'UNKNOWN' && reason !== null) order.cancelType = CANCEL_TYPES[reason];
      if (
        order.rejectReason === 'EC_NoError' &&
        order.cumLots === 0 &&
        (reason === 'ioc_unfilled' || reason === 'no_liquidity')
      )
        order.rejectReason = 'EC_NoImmediateQtyToFill';
    }
    order.engineId = 0;
    account.closeOrder(order);
    account.markOrder(order);
    if (!order.cumFee.isZero() || market.category === 'spot') account.markWallet();
  }

  endOperation(_market: SimMarket): void {
    for (const account of this.byKey.values()) account.flush();
  }

  /** Books one funding settlement as an execution of type Funding (A8); the caller flushes. */
  fund(account: Account, market: SimMarket, rate: Decimal, rateText: string): void {
    const mark = market.markTicks();
    const paid = account.positions.funding(market, rate, mark);
    if (paid === undefined) return;
    const inst = market.instrument;
    const p = account.positions.get(market);
    const size = Math.abs(p.size);
    const execTime = Math.floor(this.options.clock.now());
    const wire = {
      symbol: market.symbol,
      orderId: '',
      orderLinkId: '',
      side: p.size > 0 ? 'Buy' : 'Sell',
      orderPrice: '0',
      orderQty: '0',
      leavesQty: '0',
      createType: '',
      orderType: 'UNKNOWN',
      stopOrderType: '',
      execFee: paid.toFixed(),
      execId: this.options.ids.uuid(),
      execPrice: formatPrice(inst, mark),
      execQty: formatSize(inst, size),
      execType: 'Funding',
      execValue: notional(inst, mark, size).toFixed(),
      execTime: String(execTime),
      feeCurrency: '',
      isMaker: false,
      feeRate: rateText,
      tradeIv: '',
      markIv: '',
      markPrice: formatPrice(inst, mark),
      indexPrice: formatPrice(inst, mark),
      underlyingPrice: '',
      blockTradeId: '',
      closedSize: '0',
      execPnl: '0',
      seq: market.seq,
      extraFees: '',
      marketUnit: '',
    };
    account.addExecution(
      {
        n: account.executions.nextN(),
        category: 'linear',
        symbol: market.symbol,
        orderId: '',
        orderLinkId: '',
        execType: 'Funding',
        execTime,
        wire,
        fast: undefined,
      },
      market,
    );
  }

  private account(view: SimOrderView): Account {
    return this.byOwner.get(view.owner)!;
  }
}
