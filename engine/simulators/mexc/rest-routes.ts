import { Decimal } from '../../core/decimal.ts';
import { formatPrice, formatSize } from '../../core/instrument.ts';
import type { MexcAccount } from './account.ts';
import type { ListedSymbol, MexcExchange } from './exchange.ts';
import { symbolItem } from './instruments.ts';
import type { Params, Reply } from './wire.ts';
import { badParam, fail, intParam, missing, ok, param, wireMs } from './wire.ts';

export type PublicHandler = (params: Params, now: number) => Reply;

export interface SignedRequest {
  readonly account: MexcAccount;
  readonly params: Params;
  readonly now: number;
}

export type SignedHandler = (request: SignedRequest) => Reply;

/** Market data for a symbol the venue does not list (the doc table's 10007). */
const BAD_SYMBOL = fail(10007, 'bad symbol');

function symbolOf(exchange: MexcExchange, params: Params): ListedSymbol | Reply {
  const name = param(params, 'symbol');
  if (name === undefined) return missing('symbol');
  return exchange.symbol(name) ?? BAD_SYMBOL;
}

function isReply(value: ListedSymbol | Reply): value is Reply {
  return 'status' in value;
}

function bookTicker(s: ListedSymbol): Record<string, unknown> {
  const { engine, instrument: inst } = s.market;
  const bid = engine.bestBid();
  const ask = engine.bestAsk();
  return {
    symbol: inst.symbol,
    bidPrice: bid === undefined ? null : formatPrice(inst, bid),
    bidQty: bid === undefined ? null : formatSize(inst, engine.sizeAt('buy', bid)),
    askPrice: ask === undefined ? null : formatPrice(inst, ask),
    askQty: ask === undefined ? null : formatSize(inst, engine.sizeAt('sell', ask)),
  };
}

/** The keyless market-data endpoints (B7). */
export function publicRoutes(exchange: MexcExchange): Map<string, PublicHandler> {
  const routes = new Map<string, PublicHandler>();
  routes.set('GET /api/v3/ping', () => ok({}));
  routes.set('GET /api/v3/time', (_p, now) => ok({ serverTime: wireMs(now) }));
  routes.set('GET /api/v3/defaultSymbols', () =>
    ok({
      code: 200,
      data: exchange
        .all()
        .filter((s) => s.listing.status === '1')
        .map((s) => s.market.symbol),
      msg: null,
    }),
  );

  routes.set('GET /api/v3/exchangeInfo', (params, now) => {
    const one = param(params, 'symbol');
    const many = param(params, 'symbols');
    const names = one !== undefined ? [one] : many?.split(',');
    let listed = exchange.all();
    if (names !== undefined) {
      const found: ListedSymbol[] = [];
      for (const name of names) {
        const s = exchange.symbol(name);
        if (s === undefined) return BAD_SYMBOL;
        found.push(s);
      }
      listed = found;
    }
    return ok({
      timezone: 'CST',
      serverTime: wireMs(now),
      rateLimits: [],
      exchangeFilters: [],
      symbols: listed.map((s) => symbolItem(s.listing, s.market.instrument)),
    });
  });

  routes.set('GET /api/v3/depth', (params, now) => {
    const s = symbolOf(exchange, params);
    if (isReply(s)) return s;
    const limit = intParam(params, 'limit', 1, 5000);
    if (limit === null) return badParam('limit');
    const book = s.feed.restDepth(limit ?? 100);
    return ok({ lastUpdateId: book.lastUpdateId, bids: book.bids, asks: book.asks, timestamp: wireMs(now) });
  });

  routes.set('GET /api/v3/trades', (params) => {
    const s = symbolOf(exchange, params);
    if (isReply(s)) return s;
    const limit = intParam(params, 'limit', 1, 1000);
    if (limit === null) return badParam('limit');
    const trades = s.market.recentTrades(limit ?? 500).reverse();
    return ok(
      trades.map((t) => ({
        id: null,
        price: t.p,
        qty: t.v,
        quoteQty: new Decimal(t.p).mul(t.v).toFixed(),
        time: t.T,
        // The maker bought when the taker sold.
        isBuyerMaker: t.S === 'Sell',
        isBestMatch: true,
        tradeType: t.S === 'Buy' ? 'BID' : 'ASK',
      })),
    );
  });

  routes.set('GET /api/v3/ticker/bookTicker', (params) => {
    if (param(params, 'symbol') === undefined) return ok(exchange.all().map(bookTicker));
    const s = symbolOf(exchange, params);
    return isReply(s) ? s : ok(bookTicker(s));
  });
  return routes;
}

/** The SIGNED endpoints (B7), plus the coin list ccxt's loadMarkets asks for when it holds a key. */
export function signedRoutes(exchange: MexcExchange): Map<string, SignedHandler> {
  const trading = exchange.trading;
  const keys = exchange.listenKeys;
  const routes = new Map<string, SignedHandler>();
  routes.set('POST /api/v3/order/test', (r) => trading.create(r.account, r.params, true));
  routes.set('POST /api/v3/order', (r) => trading.create(r.account, r.params));
  routes.set('DELETE /api/v3/order', (r) => trading.cancel(r.account, r.params));
  routes.set('GET /api/v3/order', (r) => trading.query(r.account, r.params));
  routes.set('POST /api/v3/batchOrders', (r) => trading.batch(r.account, r.params));
  routes.set('GET /api/v3/openOrders', (r) => trading.openOrders(r.account, r.params));
  routes.set('DELETE /api/v3/openOrders', (r) => trading.cancelAll(r.account, r.params));
  routes.set('GET /api/v3/allOrders', (r) => trading.allOrders(r.account, r.params, r.now));
  routes.set('GET /api/v3/myTrades', (r) => trading.myTrades(r.account, r.params, r.now));

  routes.set('GET /api/v3/account', (r) => {
    const { ledger, owner } = r.account;
    const balances = ledger
      .assets(owner)
      .filter((asset) => !ledger.total(owner, asset).isZero())
      .map((asset) => ({
        asset,
        free: ledger.free(owner, asset).toFixed(),
        locked: ledger.locked(owner, asset).toFixed(),
      }));
    return ok({
      makerCommission: null,
      takerCommission: null,
      buyerCommission: null,
      sellerCommission: null,
      canTrade: true,
      canWithdraw: true,
      canDeposit: true,
      updateTime: null,
      accountType: 'SPOT',
      balances,
      permissions: ['SPOT'],
    });
  });

  // The venue documents no codes for these refusals; they borrow the table's closest.
  const noKey = fail(730002, 'Invalid listenKey');
  routes.set('POST /api/v3/userDataStream', (r) => {
    const key = keys.issue(r.account);
    return key === undefined
      ? fail(26, 'operation not allowed: an account holds at most 60 listen keys')
      : ok({ listenKey: key });
  });
  routes.set('PUT /api/v3/userDataStream', (r) => {
    const key = param(r.params, 'listenKey');
    if (key === undefined) return missing('listenKey');
    return keys.extend(r.account, key) ? ok({ listenKey: key }) : noKey;
  });
  routes.set('DELETE /api/v3/userDataStream', (r) => {
    const key = param(r.params, 'listenKey');
    if (key === undefined) return missing('listenKey');
    return keys.close(r.account, key) ? ok({ listenKey: key }) : noKey;
  });
  routes.set('GET /api/v3/userDataStream', (r) => ok({ listenKey: keys.of(r.account) }));

  routes.set('GET /api/v3/capital/config/getall', (r) => {
    const assets = new Set<string>(r.account.ledger.assets(r.account.owner));
    for (const s of exchange.all()) {
      assets.add(s.market.instrument.base);
      assets.add(s.market.instrument.quote);
    }
    return ok(
      [...assets].sort().map((coin) => ({
        coin,
        name: coin,
        networkList: [
          {
            coin,
            depositDesc: null,
            depositEnable: false,
            minConfirm: 0,
            name: coin,
            network: coin,
            withdrawEnable: false,
            withdrawFee: '0',
            withdrawIntegerMultiple: null,
            withdrawMax: '0',
            withdrawMin: '0',
            sameAddress: false,
            contract: '',
            netWork: coin,
          },
        ],
      })),
    );
  });
  return routes;
}
