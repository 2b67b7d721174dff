import type { Account } from './account.ts';
import type { DcpProduct } from './dcp.ts';
import { DCP_PRODUCTS } from './dcp.ts';
import type { BybitExchange } from './exchange.ts';
import type { BybitOrder } from './orders.ts';
import { orderWire } from './orders.ts';
import type { BatchOp } from './trading.ts';
import type { Category, Params, Reply } from './wire.ts';
import { fail, intParam, isCategory, nonEmpty, ok, text, wireMs } from './wire.ts';

export interface PrivateRequest {
  readonly account: Account;
  readonly params: Params;
  readonly now: number;
  /** Units the rate limit allowed (a batch asks for one per item). */
  readonly allowed: number;
}

export type PrivateHandler = (request: PrivateRequest) => Reply;

const WEEK_MS = 7 * 24 * 3600 * 1000;
const MISSING_SCOPE = fail(
  10001,
  'Missing some parameters that must be filled in, symbol or settleCoin or baseCoin',
);

/**
 * The signed endpoints (A7) plus what ccxt's bybit asks before trading: account info, the API key's
 * info (it reads `uta` to choose the unified code paths) and the coin list of loadMarkets.
 */
export function privateRoutes(exchange: BybitExchange): Map<string, PrivateHandler> {
  const trading = exchange.trading;
  const routes = new Map<string, PrivateHandler>();
  routes.set('POST /v5/order/create', (r) => trading.create(r.account, r.params));
  routes.set('POST /v5/order/amend', (r) => trading.amend(r.account, r.params));
  routes.set('POST /v5/order/cancel', (r) => trading.cancel(r.account, r.params));
  routes.set('POST /v5/order/cancel-all', (r) => trading.cancelAll(r.account, r.params));
  for (const op of ['create', 'amend', 'cancel'] as const satisfies readonly BatchOp[]) {
    routes.set(`POST /v5/order/${op}-batch`, (r) => trading.batch(op, r.account, r.params, r.allowed));
  }
  routes.set('GET /v5/order/realtime', (r) => openOrders(r));
  routes.set('GET /v5/order/history', (r) => orderHistory(r));
  routes.set('GET /v5/execution/list', (r) => executionList(r));
  routes.set('GET /v5/position/list', (r) => positionList(exchange, r));

  routes.set('GET /v5/account/wallet-balance', (r) => {
    const type = text(r.params, 'accountType');
    if (type !== 'UNIFIED') return fail(10001, 'accountType only support UNIFIED.');
    const coins = nonEmpty(r.params, 'coin')?.split(',');
    return ok({ list: [r.account.wallet(coins)] });
  });

  routes.set('POST /v5/order/disconnected-cancel-all', (r) => {
    const product = text(r.params, 'product') ?? 'OPTIONS';
    if (!(DCP_PRODUCTS as readonly string[]).includes(product))
      return fail(10001, 'params error: product invalid');
    const window = intParam(r.params, 'timeWindow', 3, 300);
    if (window === undefined || window === null) return fail(10001, 'params error: timeWindow must be 3-300');
    exchange.dcp.arm(r.account, product as DcpProduct, window);
    return { retCode: 0, retMsg: 'success' };
  });

  routes.set('GET /v5/account/query-dcp-info', (r) => ok({ dcpInfos: exchange.dcp.info(r.account) }));

  routes.set('GET /v5/account/info', (r) => {
    const dcp = exchange.dcp.info(r.account);
    return ok({
      marginMode: 'REGULAR_MARGIN',
      updatedTime: String(wireMs(r.now)),
      unifiedMarginStatus: 6,
      dcpStatus: dcp.length > 0 ? 'ON' : 'OFF',
      timeWindow: dcp.length > 0 ? Number(dcp[0]!.timeWindow) : 10,
      smpGroup: 0,
      isMasterTrader: false,
      spotHedgingStatus: 'OFF',
    });
  });

  routes.set('GET /v5/user/query-api', (r) =>
    ok({
      id: r.account.uid,
      note: 'venue simulator',
      apiKey: r.account.apiKey,
      readOnly: 0,
      secret: '',
      permissions: {
        ContractTrade: ['Order', 'Position'],
        Spot: ['SpotTrade'],
        Wallet: ['AccountTransfer', 'SubMemberTransfer'],
        Options: [],
        Derivatives: ['DerivativesTrade'],
        CopyTrading: [],
        BlockTrade: [],
        Exchange: [],
        NFT: [],
        Affiliate: [],
      },
      ips: ['*'],
      type: 1,
      deadlineDay: -1,
      expiredAt: '',
      createdAt: '2026-01-01T00:00:00Z',
      unified: 0,
      uta: 1,
      userID: Number(r.account.uid),
      inviterID: 0,
      vipLevel: 'No VIP',
      mktMakerLevel: '0',
      affiliateID: 0,
      rsaPublicKey: '',
      isMaster: true,
      parentUid: '0',
      kycLevel: 'LEVEL_DEFAULT',
      kycRegion: '',
    }),
  );

  routes.set('GET /v5/asset/coin/query-info', (r) => {
    const wanted = nonEmpty(r.params, 'coin');
    const coins = new Set<string>();
    for (const m of exchange.marketsOf()) coins.add(m.instrument.base).add(m.instrument.quote);
    const rows = [...coins]
      .sort()
      .filter((c) => wanted === undefined || c === wanted)
      .map((coin) => ({ name: coin, coin, remainAmount: '1000000', chains: [] }));
    return ok({ rows });
  });

  return routes;
}

type Scope = { category: Category; symbol?: string; baseCoin?: string; settleCoin?: string };

/** category plus the symbol / baseCoin / settleCoin a linear query needs one of. */
function scope(params: Params): Scope | Reply | 'empty' {
  const category = text(params, 'category');
  if (category === 'inverse' || category === 'option') return 'empty';
  if (!isCategory(category)) return fail(10001, 'params error: category invalid');
  const s: Scope = { category };
  const symbol = nonEmpty(params, 'symbol');
  const baseCoin = nonEmpty(params, 'baseCoin');
  const settleCoin = nonEmpty(params, 'settleCoin');
  if (symbol !== undefined) s.symbol = symbol;
  if (baseCoin !== undefined) s.baseCoin = baseCoin;
  if (settleCoin !== undefined) s.settleCoin = settleCoin;
  if (category === 'linear' && symbol === undefined && baseCoin === undefined && settleCoin === undefined) {
    return MISSING_SCOPE;
  }
  return s;
}

function inScope(o: BybitOrder, s: Scope): boolean {
  const inst = o.market.instrument;
  return (
    (s.symbol === undefined || o.market.symbol === s.symbol) &&
    (s.baseCoin === undefined || inst.base === s.baseCoin) &&
    (s.settleCoin === undefined || inst.quote === s.settleCoin)
  );
}

/** Newest-first paging by the creation number `n` of the last item: "n123" lists what is older. */
function page<T extends { n: number }>(
  items: T[],
  params: Params,
  max: number,
  fallback: number,
): { list: T[]; next: string } | Reply {
  const limit = intParam(params, 'limit', 1, max);
  if (limit === null) return fail(10001, 'params error: limit invalid');
  const cursor = nonEmpty(params, 'cursor');
  if (cursor !== undefined && !/^n\d{1,15}$/.test(cursor)) return fail(10001, 'params error: cursor invalid');
  const before = cursor === undefined ? Infinity : Number(cursor.slice(1));
  const older = items.filter((i) => i.n < before);
  const size = limit ?? fallback;
  const list = older.slice(0, size);
  return { list, next: older.length > size ? `n${list[list.length - 1]!.n}` : '' };
}

function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 'retCode' in x;
}

function openOrders(r: PrivateRequest): Reply {
  const s = scope(r.params);
  if (s === 'empty') return ok({ category: text(r.params, 'category'), nextPageCursor: '', list: [] });
  if (isReply(s)) return s;
  const openOnly = intParam(r.params, 'openOnly', 0, 2);
  if (openOnly === null) return fail(10001, 'params error: openOnly invalid');
  const orderId = nonEmpty(r.params, 'orderId');
  const orderLinkId = nonEmpty(r.params, 'orderLinkId');
  let orders: BybitOrder[];
  if (orderId !== undefined || orderLinkId !== undefined) {
    const o = r.account.findOrder(s.category, orderId, orderLinkId);
    orders = o === undefined ? [] : [o];
  } else if (openOnly === 1) {
    orders = r.account.closedOrders(s.category).slice(0, 500);
  } else {
    orders = r.account.openOrders(s.category);
  }
  const paged = page(
    orders.filter((o) => inScope(o, s)),
    r.params,
    50,
    20,
  );
  if (isReply(paged)) return paged;
  return ok({
    category: s.category,
    nextPageCursor: paged.next,
    list: paged.list.map((o) => orderWire(o, false)),
  });
}

function timeRange(params: Params, now: number): { start: number; end: number } | Reply {
  const start = intParam(params, 'startTime', 0, 1e15);
  const end = intParam(params, 'endTime', 0, 1e15);
  if (start === null || end === null) return fail(10001, 'params error: startTime or endTime invalid');
  const e = end ?? (start === undefined ? now : start + WEEK_MS);
  const s = start ?? e - WEEK_MS;
  if (e < s || e - s > WEEK_MS) return fail(10001, 'params error: the time range must be at most 7 days');
  return { start: s, end: e };
}

function orderHistory(r: PrivateRequest): Reply {
  const category = text(r.params, 'category');
  if (category === 'inverse' || category === 'option') return ok({ category, nextPageCursor: '', list: [] });
  if (!isCategory(category)) return fail(10001, 'params error: category invalid');
  const range = timeRange(r.params, r.now);
  if (isReply(range)) return range;
  const symbol = nonEmpty(r.params, 'symbol');
  const orderId = nonEmpty(r.params, 'orderId');
  const orderLinkId = nonEmpty(r.params, 'orderLinkId');
  const status = nonEmpty(r.params, 'orderStatus');
  const all = [...r.account.openOrders(category), ...r.account.closedOrders(category)].sort(
    (a, b) => b.n - a.n,
  );
  const matching = all.filter(
    (o) =>
      (symbol === undefined || o.market.symbol === symbol) &&
      (orderId === undefined || o.orderId === orderId) &&
      (orderLinkId === undefined || o.orderLinkId === orderLinkId) &&
      (status === undefined || o.status === status) &&
      o.createdTime >= range.start &&
      o.createdTime <= range.end,
  );
  const paged = page(matching, r.params, 50, 20);
  if (isReply(paged)) return paged;
  return ok({ category, nextPageCursor: paged.next, list: paged.list.map((o) => orderWire(o, false)) });
}

function executionList(r: PrivateRequest): Reply {
  const category = text(r.params, 'category');
  if (category === 'inverse' || category === 'option') return ok({ category, nextPageCursor: '', list: [] });
  if (!isCategory(category)) return fail(10001, 'params error: category invalid');
  const range = timeRange(r.params, r.now);
  if (isReply(range)) return range;
  const limit = intParam(r.params, 'limit', 1, 100);
  if (limit === null) return fail(10001, 'params error: limit invalid');
  const cursor = nonEmpty(r.params, 'cursor');
  if (cursor !== undefined && !/^n\d{1,15}$/.test(cursor)) return fail(10001, 'params error: cursor invalid');
  const optional = (key: string): Record<string, string> => {
    const v = nonEmpty(r.params, key);
    return v === undefined ? {} : { [key]: v };
  };
  const result = r.account.executions.query({
    category,
    ...optional('symbol'),
    ...optional('orderId'),
    ...optional('orderLinkId'),
    ...optional('execType'),
    startTime: range.start,
    endTime: range.end,
    limit: limit ?? 50,
    ...(cursor === undefined ? {} : { before: Number(cursor.slice(1)) }),
  });
  const last = result.list[result.list.length - 1];
  return ok({
    category,
    nextPageCursor: result.more && last !== undefined ? `n${last.n}` : '',
    list: result.list.map((e) => e.wire),
  });
}

function positionList(exchange: BybitExchange, r: PrivateRequest): Reply {
  const category = text(r.params, 'category');
  if (category === 'inverse' || category === 'option') return ok({ category, nextPageCursor: '', list: [] });
  if (category !== 'linear')
    return fail(10001, 'params error: category only support linear, inverse or option');
  const symbol = nonEmpty(r.params, 'symbol');
  const settleCoin = nonEmpty(r.params, 'settleCoin');
  const baseCoin = nonEmpty(r.params, 'baseCoin');
  if (symbol === undefined && settleCoin === undefined) return MISSING_SCOPE;
  const positions = r.account.positions;
  let items;
  if (symbol !== undefined) {
    const market = exchange.market('linear', symbol);
    if (market === undefined) return fail(10001, 'params error: symbol invalid');
    items = [positions.get(market)];
  } else {
    items = positions
      .all()
      .filter(
        (p) =>
          p.size !== 0 &&
          p.market.instrument.quote === settleCoin &&
          (baseCoin === undefined || p.market.instrument.base === baseCoin),
      );
  }
  const numbered = items.map((p, i) => ({ n: items.length - i, p }));
  const paged = page(numbered, r.params, 200, 20);
  if (isReply(paged)) return paged;
  return ok({
    category,
    nextPageCursor: paged.next,
    list: paged.list.map((x) => positions.wire(x.p, false)),
  });
}
