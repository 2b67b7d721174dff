import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { Decimal } from '../../core/decimal.ts';
import { formatPrice, formatSize, notional, ticksToDecimal } from '../../core/instrument.ts';
import type { PushInput } from '../../venues/mexc/proto/codec.ts';
import { encodePush as encode } from '../../venues/mexc/proto/codec.ts';
import { PUSH_ORDER_TYPE, PUSH_STATUS } from '../../venues/mexc/wire.ts';
import type { Ledger } from '../../venues/sim/ledger.ts';
import type { Signer } from './auth.ts';
import { verifyMexc } from './auth.ts';
import type { MexcOrder } from './orders.ts';
import { averagePrice, isOpen, qtyText } from './orders.ts';
import { wireMs } from './wire.ts';

export const ORDERS_CHANNEL = 'spot@private.orders.v3.api.pb';
export const DEALS_CHANNEL = 'spot@private.deals.v3.api.pb';
export const ACCOUNT_CHANNEL = 'spot@private.account.v3.api.pb';
export type PrivateChannel = typeof ORDERS_CHANNEL | typeof DEALS_CHANNEL | typeof ACCOUNT_CHANNEL;
export const PRIVATE_CHANNELS: readonly PrivateChannel[] = [ORDERS_CHANNEL, DEALS_CHANNEL, ACCOUNT_CHANNEL];

/** One private push, encoded once: the channel it belongs to and its bytes. */
export interface PrivatePush {
  readonly channel: PrivateChannel;
  readonly frame: Uint8Array;
}

/** One of our fills, as GET /api/v3/myTrades prints it. */
export interface TradeRecord {
  readonly n: number;
  readonly symbol: string;
  readonly orderId: string;
  readonly time: number;
  readonly wire: Readonly<Record<string, unknown>>;
}

/** What moved a balance in the operation (B8 account change `type`). */
type Cause = 'ENTRUST_PLACE' | 'ENTRUST_CANCEL' | 'ENTRUST';

export interface AccountOptions {
  apiKey: string;
  apiSecret: string;
  uid: string;
  ledger: Ledger;
  clock: Clock;
  owner: number;
  historyLimit: number;
}

/**
 * One API key's spot account: its orders (open and recent), its fills and the pushes the operation
 * in progress produced. The secret stays inside: callers ask the account to verify a signature.
 */
export class MexcAccount implements Signer {
  readonly apiKey: string;
  readonly uid: string;
  readonly owner: number;
  readonly ledger: Ledger;
  /** Receives the account's pushes (the private streams). */
  sink: ((push: PrivatePush) => void) | undefined;
  private readonly secret: string;
  private readonly clock: Clock;
  private readonly historyLimit: number;
  private readonly orders = new Map<string, MexcOrder>();
  private readonly open = new Map<string, MexcOrder>();
  private readonly byClientId = new Map<string, MexcOrder>();
  private readonly closed: MexcOrder[] = [];
  private readonly trades: TradeRecord[] = [];
  private nextN = 1;
  private nextTradeN = 1;
  private readonly changedOrders: MexcOrder[] = [];
  private readonly newDeals: PushInput[] = [];
  private cause: Cause | undefined;
  /** Free and locked per asset as last pushed, to push the changes. */
  private readonly pushed = new Map<string, { free: Decimal; locked: Decimal }>();

  constructor(options: AccountOptions) {
    this.apiKey = options.apiKey;
    this.secret = options.apiSecret;
    this.uid = options.uid;
    this.ledger = options.ledger;
    this.clock = options.clock;
    this.owner = options.owner;
    this.historyLimit = options.historyLimit;
    this.rememberBalances();
  }

  verify(totalParams: string, signature: string): boolean {
    return verifyMexc(this.secret, totalParams, signature);
  }

  // ---- orders ----------------------------------------------------------------------------------

  orderN(): number {
    return this.nextN++;
  }

  addOrder(order: MexcOrder): void {
    this.orders.set(order.orderId, order);
    if (order.clientOrderId !== '') this.byClientId.set(order.clientOrderId, order);
    if (isOpen(order)) this.open.set(order.orderId, order);
    else this.remember(order);
  }

  closeOrder(order: MexcOrder): void {
    if (this.open.delete(order.orderId)) this.remember(order);
  }

  /** By orderId, else by client id (the newest order that used it). */
  findOrder(orderId: string | undefined, clientOrderId: string | undefined): MexcOrder | undefined {
    if (orderId !== undefined) return this.orders.get(orderId);
    return clientOrderId === undefined ? undefined : this.byClientId.get(clientOrderId);
  }

  /** Open orders, oldest first, optionally of one symbol. */
  openOrders(symbol?: string): MexcOrder[] {
    return [...this.open.values()]
      .filter((o) => symbol === undefined || o.symbol.market.symbol === symbol)
      .sort((a, b) => a.n - b.n);
  }

  openCount(): number {
    return this.open.size;
  }

  /** Every remembered order of a symbol, open or closed, oldest first. */
  allOrders(symbol: string): MexcOrder[] {
    return [...this.orders.values()]
      .filter((o) => o.symbol.market.symbol === symbol)
      .sort((a, b) => a.n - b.n);
  }

  /** Fills of a symbol, oldest first. */
  tradesOf(symbol: string): TradeRecord[] {
    return this.trades.filter((t) => t.symbol === symbol);
  }

  // ---- what an operation changed ---------------------------------------------------------------

  markOrder(order: MexcOrder): void {
    order.updateTime = wireMs(this.clock.now());
    if (order.changed) return;
    order.changed = true;
    this.changedOrders.push(order);
  }

  markCause(cause: Cause): void {
    // A fill outranks a cancel, which outranks a placement, when one operation does several.
    const rank: Record<Cause, number> = { ENTRUST_PLACE: 0, ENTRUST_CANCEL: 1, ENTRUST: 2 };
    if (this.cause === undefined || rank[cause] > rank[this.cause]) this.cause = cause;
  }

  /** Records one fill of our order: the myTrades row and its deal push. */
  addFill(
    order: MexcOrder,
    tradeId: string,
    price: number,
    lots: number,
    maker: boolean,
    fee: Decimal,
  ): void {
    const inst = order.symbol.market.instrument;
    const time = wireMs(this.clock.now());
    const value = notional(inst, price, lots);
    const id = tradeId;
    const n = this.nextTradeN++;
    const wire = {
      symbol: inst.symbol,
      id,
      orderId: order.orderId,
      orderListId: -1,
      price: formatPrice(inst, price),
      qty: formatSize(inst, lots),
      quoteQty: value.toFixed(),
      commission: fee.toFixed(),
      commissionAsset: inst.quote,
      time,
      isBuyer: order.side === 'BUY',
      isMaker: maker,
      isBestMatch: true,
      isSelfTrade: false,
      clientOrderId: order.clientOrderId === '' ? null : order.clientOrderId,
    };
    this.trades.push({ n, symbol: inst.symbol, orderId: order.orderId, time, wire });
    if (this.trades.length > this.historyLimit * 2)
      this.trades.splice(0, this.trades.length - this.historyLimit);
    this.newDeals.push({
      channel: DEALS_CHANNEL,
      symbol: inst.symbol,
      sendTime: time,
      privateDeals: {
        price: wire.price,
        quantity: wire.qty,
        amount: wire.quoteQty,
        tradeType: order.side === 'BUY' ? 1 : 2,
        isMaker: maker,
        isSelfTrade: false,
        tradeId: id,
        clientOrderId: order.clientOrderId,
        orderId: order.orderId,
        feeAmount: wire.commission,
        feeCurrency: inst.quote,
        time,
      },
    });
    this.markCause('ENTRUST');
  }

  /**
   * Ends an operation: pushes its deals, then the orders it changed, then every balance whose free or
   * locked part moved, each once.
   */
  flush(): void {
    const deals = this.newDeals.splice(0);
    const orders = this.changedOrders.splice(0);
    for (const o of orders) o.changed = false;
    const cause = this.cause ?? 'ENTRUST';
    this.cause = undefined;
    const balances = this.balanceChanges(cause);
    const sink = this.sink;
    if (sink === undefined) return;
    const now = wireMs(this.clock.now());
    for (const d of deals) sink({ channel: DEALS_CHANNEL, frame: encode({ ...d, sendTime: now }) });
    for (const o of orders) sink({ channel: ORDERS_CHANNEL, frame: encode(orderPush(o, now)) });
    for (const b of balances) sink({ channel: ACCOUNT_CHANNEL, frame: encode({ ...b, sendTime: now }) });
  }

  private balanceChanges(cause: Cause): PushInput[] {
    const out: PushInput[] = [];
    const time = wireMs(this.clock.now());
    for (const asset of this.ledger.assets(this.owner)) {
      const free = this.ledger.free(this.owner, asset);
      const locked = this.ledger.locked(this.owner, asset);
      const before = this.pushed.get(asset) ?? { free: new Decimal(0), locked: new Decimal(0) };
      if (free.eq(before.free) && locked.eq(before.locked)) continue;
      this.pushed.set(asset, { free, locked });
      out.push({
        channel: ACCOUNT_CHANNEL,
        privateAccount: {
          vcoinName: asset,
          coinId: coinId(asset),
          balanceAmount: free.toFixed(),
          balanceAmountChange: free.minus(before.free).toFixed(),
          frozenAmount: locked.toFixed(),
          frozenAmountChange: locked.minus(before.locked).toFixed(),
          type: cause,
          time,
        },
      });
    }
    return out;
  }

  /** Takes the balances as they are now as pushed (after deposits). */
  rememberBalances(): void {
    for (const asset of this.ledger.assets(this.owner)) {
      this.pushed.set(asset, {
        free: this.ledger.free(this.owner, asset),
        locked: this.ledger.locked(this.owner, asset),
      });
    }
  }

  private remember(order: MexcOrder): void {
    this.closed.push(order);
    if (this.closed.length > this.historyLimit) {
      const old = this.closed.shift()!;
      this.orders.delete(old.orderId);
      if (old.clientOrderId !== '' && this.byClientId.get(old.clientOrderId) === old)
        this.byClientId.delete(old.clientOrderId);
    }
  }
}

/** The venue's coin ids are 32 hex digits; a digest of the name gives each asset a stable one. */
function coinId(asset: string): string {
  return createHash('md5').update(asset).digest('hex');
}

/** The `spot@private.orders` push of an order's current state (B9), enums as integers (wire.ts). */
export function orderPush(order: MexcOrder, sendTime: number): PushInput {
  const inst = order.symbol.market.instrument;
  const remainingLots = isOpen(order) ? Math.max(0, order.lots - order.filledLots) : 0;
  const price = ticksToDecimal(inst, order.price).toFixed();
  const amount =
    order.quoteOrderQty !== ''
      ? order.quoteOrderQty
      : order.price === 0
        ? '0'
        : notional(inst, order.price, order.lots).toFixed();
  const remainAmount =
    order.quoteOrderQty !== ''
      ? isOpen(order)
        ? new Decimal(order.quoteOrderQty).minus(order.filledQuote).toFixed()
        : '0'
      : order.price === 0
        ? '0'
        : notional(inst, order.price, remainingLots).toFixed();
  return {
    channel: ORDERS_CHANNEL,
    symbol: inst.symbol,
    sendTime,
    privateOrders: {
      id: order.orderId,
      clientId: order.clientOrderId,
      price,
      quantity:
        order.quantityText !== '' ? new Decimal(order.quantityText).toFixed() : qtyText(order, order.lots),
      amount,
      avgPrice: averagePrice(order),
      orderType: PUSH_ORDER_TYPE[order.type],
      tradeType: order.side === 'BUY' ? 1 : 2,
      isMaker: order.lastMaker,
      remainAmount,
      remainQuantity: qtyText(order, remainingLots),
      ...(order.lastDealLots > 0 ? { lastDealQuantity: qtyText(order, order.lastDealLots) } : {}),
      cumulativeQuantity: qtyText(order, order.filledLots),
      cumulativeAmount: order.filledQuote.toFixed(),
      status: PUSH_STATUS[order.status],
      createTime: order.time,
    },
  };
}
