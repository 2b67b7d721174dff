import type { Clock } from '../../core/clock.ts';
import type { Decimal } from '../../core/decimal.ts';
import { signaturesEqual, signRest, signWsAuth } from '../../venues/bybit/sign.ts';
import type { Ledger } from '../../venues/sim/ledger.ts';
import type { ExecutionRecord } from './executions.ts';
import { ExecutionLog } from './executions.ts';
import type { SimMarket } from './market.ts';
import type { BybitOrder } from './orders.ts';
import { isOpen, orderWire } from './orders.ts';
import { LinearPositions } from './positions.ts';
import type { Category } from './wire.ts';
import { walletItem } from './wallet.ts';

/** A private push before it is framed: the topic family and its items (`category` on each, where the family has one). */
export interface PrivatePush {
  readonly topic: 'order' | 'execution' | 'execution.fast' | 'position' | 'wallet';
  readonly data: readonly Readonly<Record<string, unknown>>[];
}

export interface AccountOptions {
  apiKey: string;
  apiSecret: string;
  uid: string;
  ledger: Ledger;
  clock: Clock;
  /** Owner id of the funded spot wallet (which is also the unified USDT margin). */
  spotOwner: number;
  /** Owner id the perpetual books know the account by (unlimited: margin is checked here, not by the engine). */
  linearOwner: number;
  leverage: Decimal;
  historyLimit: number;
  /** USD value of one unit of a coin, for the wallet's usdValue. */
  valuation: (coin: string) => Decimal;
}

/**
 * One API key's unified account: its orders (open and recent), executions, perpetual positions and
 * the pushes the operation in progress produced. The secret stays inside: callers ask the account to
 * verify a signature, never for the secret.
 */
export class Account {
  readonly apiKey: string;
  readonly uid: string;
  readonly spotOwner: number;
  readonly linearOwner: number;
  readonly ledger: Ledger;
  readonly positions: LinearPositions;
  readonly executions: ExecutionLog;
  /** Receives the account's pushes (the private streams). */
  sink: ((push: PrivatePush) => void) | undefined;
  private readonly secret: string;
  private readonly clock: Clock;
  private readonly valuation: (coin: string) => Decimal;
  private readonly historyLimit: number;
  private readonly orders = new Map<string, BybitOrder>();
  private readonly open = new Map<string, BybitOrder>();
  private readonly byLinkId = new Map<string, BybitOrder>();
  /** Closed orders, oldest first, bounded by historyLimit. */
  private readonly closed: BybitOrder[] = [];
  private nextOrderN = 1;
  private readonly changedOrders: BybitOrder[] = [];
  private readonly newExecutions: ExecutionRecord[] = [];
  private readonly changedPositions = new Set<SimMarket>();
  private walletChanged = false;

  constructor(options: AccountOptions) {
    this.apiKey = options.apiKey;
    this.secret = options.apiSecret;
    this.uid = options.uid;
    this.ledger = options.ledger;
    this.clock = options.clock;
    this.spotOwner = options.spotOwner;
    this.linearOwner = options.linearOwner;
    this.valuation = options.valuation;
    this.historyLimit = options.historyLimit;
    this.executions = new ExecutionLog(options.historyLimit);
    this.positions = new LinearPositions({
      ledger: options.ledger,
      owner: options.spotOwner,
      asset: 'USDT',
      leverage: options.leverage,
      clock: options.clock,
    });
  }

  // ---- authentication --------------------------------------------------------------------------

  /** Whether `signature` is the HMAC of the request as received (A2). */
  verifyRest(timestamp: string, recvWindow: string, payload: string, signature: string): boolean {
    return signaturesEqual(signRest(this.secret, timestamp, this.apiKey, recvWindow, payload), signature);
  }

  verifyWs(expires: number, signature: string): boolean {
    return signaturesEqual(signWsAuth(this.secret, expires), signature);
  }

  // ---- orders ----------------------------------------------------------------------------------

  orderN(): number {
    return this.nextOrderN++;
  }

  /** Records a new order (open or already finished). */
  addOrder(order: BybitOrder): void {
    this.orders.set(order.orderId, order);
    if (order.orderLinkId !== '') this.byLinkId.set(linkKey(order.market.category, order.orderLinkId), order);
    if (isOpen(order)) this.open.set(order.orderId, order);
    else this.remember(order);
  }

  /** An order leaves the book: it moves to the history. */
  closeOrder(order: BybitOrder): void {
    if (this.open.delete(order.orderId)) this.remember(order);
  }

  findOrder(
    category: Category,
    orderId: string | undefined,
    orderLinkId: string | undefined,
  ): BybitOrder | undefined {
    // If both are given, orderId wins (A9).
    const o =
      orderId !== undefined
        ? this.orders.get(orderId)
        : orderLinkId !== undefined
          ? this.byLinkId.get(linkKey(category, orderLinkId))
          : undefined;
    return o !== undefined && o.market.category === category ? o : undefined;
  }

  linkIdUsed(category: Category, orderLinkId: string): boolean {
    return this.byLinkId.has(linkKey(category, orderLinkId));
  }

  /** Open orders, newest first. */
  openOrders(category?: Category): BybitOrder[] {
    const list = [...this.open.values()].filter(
      (o) => category === undefined || o.market.category === category,
    );
    return list.sort((a, b) => b.n - a.n);
  }

  /** Closed orders, newest first. */
  closedOrders(category?: Category): BybitOrder[] {
    const list: BybitOrder[] = [];
    for (let i = this.closed.length - 1; i >= 0; i--) {
      const o = this.closed[i]!;
      if (category === undefined || o.market.category === category) list.push(o);
    }
    return list;
  }

  openCount(category: Category, symbol?: string): number {
    let n = 0;
    for (const o of this.open.values())
      if (o.market.category === category && (symbol === undefined || o.market.symbol === symbol)) n++;
    return n;
  }

  // ---- pushes ----------------------------------------------------------------------------------

  markOrder(order: BybitOrder): void {
    order.updatedTime = Math.floor(this.clock.now());
    if (order.changed) return;
    order.changed = true;
    this.changedOrders.push(order);
    if (order.market.category === 'linear') this.changedPositions.add(order.market);
  }

  addExecution(record: ExecutionRecord, market: SimMarket): void {
    this.executions.add(record);
    this.newExecutions.push(record);
    this.walletChanged = true;
    if (market.category === 'linear') this.changedPositions.add(market);
  }

  markWallet(): void {
    this.walletChanged = true;
  }

  /**
   * Ends an operation: recomputes the perpetual margin, then pushes what changed — executions, then
   * orders, then positions, then the wallet — each once.
   */
  flush(): void {
    if (
      this.changedOrders.length === 0 &&
      this.newExecutions.length === 0 &&
      !this.walletChanged &&
      this.changedPositions.size === 0
    )
      return;
    const before = this.positions.lockedByLinear();
    this.positions.relock(this.open.values());
    if (!before.eq(this.positions.lockedByLinear())) this.walletChanged = true;
    const sink = this.sink;
    const execs = this.newExecutions.splice(0);
    const orders = this.changedOrders.splice(0);
    for (const o of orders) o.changed = false;
    const markets = [...this.changedPositions];
    this.changedPositions.clear();
    const wallet = this.walletChanged;
    this.walletChanged = false;
    if (sink === undefined) return;
    if (execs.length > 0) {
      sink({ topic: 'execution', data: execs.map((e) => ({ category: e.category, ...e.wire })) });
      const fast = execs.filter((e) => e.fast !== undefined).map((e) => e.fast!);
      if (fast.length > 0) sink({ topic: 'execution.fast', data: fast });
    }
    if (orders.length > 0) sink({ topic: 'order', data: orders.map((o) => orderWire(o, true)) });
    if (markets.length > 0) {
      sink({ topic: 'position', data: markets.map((m) => this.positions.wire(this.positions.get(m), true)) });
    }
    if (wallet) sink({ topic: 'wallet', data: [this.wallet()] });
  }

  /** The wallet-balance item (`list[0]` of GET /v5/account/wallet-balance and the `wallet` topic). */
  wallet(coins?: readonly string[]): Record<string, unknown> {
    return walletItem(this, this.valuation, coins);
  }

  private remember(order: BybitOrder): void {
    this.closed.push(order);
    if (this.closed.length > this.historyLimit) {
      // Memory stays bounded: an order older than the history is forgotten, and its link id with it.
      const old = this.closed.shift()!;
      this.orders.delete(old.orderId);
      if (old.orderLinkId !== '') this.byLinkId.delete(linkKey(old.market.category, old.orderLinkId));
    }
  }
}

function linkKey(category: Category, orderLinkId: string): string {
  return `${category}:${orderLinkId}`;
}
