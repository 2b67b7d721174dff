import type { BybitExchange } from './exchange.ts';
import { linearInstrumentItem, spotInstrumentItem } from './instruments.ts';
import type { Category, Params, Reply } from './wire.ts';
import { fail, intParam, isCategory, nonEmpty, ok, text, wireMs } from './wire.ts';

export type PublicHandler = (params: Params, now: number) => Reply;

const INVALID_CATEGORY = fail(10001, 'params error: category invalid');
const INVALID_SYMBOL = fail(10001, 'params error: symbol invalid');

/** A category the venue knows; the simulator lists only spot and linear, the others answer empty. */
function knownCategory(params: Params): Category | 'inverse' | 'option' | undefined {
  const c = text(params, 'category');
  return isCategory(c) || c === 'inverse' || c === 'option' ? c : undefined;
}

/** The public market-data endpoints (A7). */
export function publicRoutes(exchange: BybitExchange): Map<string, PublicHandler> {
  const fundingMinutes = Math.max(1, Math.round(exchange.fundingIntervalMs / 60_000));
  const routes = new Map<string, PublicHandler>();

  routes.set('GET /v5/market/time', (_params, now) => {
    const ms = BigInt(wireMs(now));
    return ok({ timeSecond: (ms / 1000n).toString(), timeNano: (ms * 1_000_000n).toString() });
  });

  routes.set('GET /v5/market/instruments-info', (params) => {
    const category = knownCategory(params);
    if (category === undefined) return INVALID_CATEGORY;
    const symbol = nonEmpty(params, 'symbol');
    const status = nonEmpty(params, 'status');
    const baseCoin = nonEmpty(params, 'baseCoin');
    const markets = category === 'inverse' || category === 'option' ? [] : exchange.marketsOf(category);
    const matching = markets.filter(
      (m) =>
        (symbol === undefined || m.symbol === symbol) &&
        (status === undefined || status === 'Trading') &&
        (baseCoin === undefined || category === 'spot' || m.instrument.base === baseCoin),
    );
    if (category === 'spot') {
      return ok({ category, list: matching.map((m) => spotInstrumentItem(m.listed, m.instrument)) });
    }
    // Linear pages by `limit` and an opaque cursor (here: the offset of the next item).
    const limit = intParam(params, 'limit', 1, 1000);
    if (limit === null) return fail(10001, 'params error: limit invalid');
    const cursor = nonEmpty(params, 'cursor');
    const offset = cursor === undefined ? 0 : /^p\d{1,6}$/.test(cursor) ? Number(cursor.slice(1)) : -1;
    if (offset < 0) return fail(10001, 'params error: cursor invalid');
    const size = limit ?? 500;
    const page = matching.slice(offset, offset + size);
    const more = offset + size < matching.length;
    return ok({
      category,
      list: page.map((m) => linearInstrumentItem(m.listed, m.instrument, fundingMinutes)),
      nextPageCursor: more ? `p${offset + size}` : '',
    });
  });

  routes.set('GET /v5/market/orderbook', (params, now) => {
    const category = text(params, 'category');
    if (!isCategory(category)) return INVALID_CATEGORY;
    const market = exchange.market(category, text(params, 'symbol') ?? '');
    if (market === undefined) return INVALID_SYMBOL;
    const limit = intParam(params, 'limit', 1, 1000);
    if (limit === null) return fail(10001, 'params error: limit invalid');
    const book = market.book.restBook(limit ?? (category === 'spot' ? 1 : 25));
    return ok({
      s: market.symbol,
      b: book.b,
      a: book.a,
      ts: wireMs(now),
      u: book.u,
      seq: book.seq,
      cts: book.cts,
    });
  });

  routes.set('GET /v5/market/recent-trade', (params) => {
    const category = text(params, 'category');
    if (!isCategory(category)) return INVALID_CATEGORY;
    const market = exchange.market(category, text(params, 'symbol') ?? '');
    if (market === undefined) return INVALID_SYMBOL;
    const spot = category === 'spot';
    const limit = intParam(params, 'limit', 1, spot ? 60 : 1000);
    if (limit === null) return fail(10001, 'params error: limit invalid');
    const list = market.recentTrades(limit ?? (spot ? 1 : 500)).map((t) => ({
      execId: t.i,
      symbol: t.s,
      price: t.p,
      size: t.v,
      side: t.S,
      time: String(t.T),
      isBlockTrade: t.BT,
      isRPITrade: t.RPI,
      seq: String(t.seq),
    }));
    return ok({ category, list });
  });

  return routes;
}
