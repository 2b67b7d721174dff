import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../../engine/core/clock.ts';
import { EngineError } from '../../../../engine/core/errors.ts';
import {
  DEFAULT_FEES,
  loadInstruments,
  parseDefaultSymbols,
  parseExchangeInfo,
  parseSymbol,
  validateSymbol,
  type MexcInstrument,
} from '../../../../engine/venues/mexc/instruments.ts';
import { MexcRest } from '../../../../engine/venues/mexc/rest-client.ts';
import { expectEngineError, expectRejects, localServer, mexcFixture } from './rest-helpers.ts';

type Info = { symbols: Record<string, unknown>[] };
const info = mexcFixture('exchange-info.json') as Info;
const tomo = info.symbols[0]!;
const mx = info.symbols[1]!;

function catalogue(apiSymbols?: Set<string>): Map<string, MexcInstrument> {
  return new Map(parseExchangeInfo(info, apiSymbols).instruments.map((i) => [i.spec.symbol, i]));
}

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

describe('MEXC exchangeInfo', () => {
  it('reads the documented symbol: ticks and lots from the precisions, minimum onto the lot grid', () => {
    const t = parseSymbol(tomo);
    expect(t.spec).toEqual({
      symbol: 'TOMO3LUSDT',
      base: 'TOMO3L',
      quote: 'USDT',
      tickSize: '0.001',
      lotSize: '0.01',
      // baseSizePrecision 0.0001 is below one lot of 0.01: the smallest valid order is one lot.
      minSize: '0.01',
      minNotional: '5',
      makerFee: '0.002',
      takerFee: '0.002',
    });
    expect(t.status).toBe('ENABLED');
    expect(t.state).toBe('online');
    // The documented sample says isSpotTradingAllowed false: listed, but closed to API trading.
    expect(t.trading).toBe(false);
    expect(t.orderTypes).toEqual(['LIMIT', 'LIMIT_MAKER']);
    expect(t.instrument.minLots).toBe(1);
  });

  it('reads status "1" as online, and a baseSizePrecision of "0" as one lot', () => {
    const m = parseSymbol(mx);
    expect(m.state).toBe('online');
    expect(m.trading).toBe(true);
    expect(m.spec).toMatchObject({
      tickSize: '0.0001',
      lotSize: '0.01',
      minSize: '0.01',
      minNotional: '1',
      makerFee: '0',
      takerFee: '0.0005',
    });
  });

  it('reads the status in both forms, numbers included', () => {
    const state = (status: unknown): string => parseSymbol({ ...mx, status }).state;
    expect(state('1')).toBe('online');
    expect(state(1)).toBe('online');
    expect(state('ENABLED')).toBe('online');
    expect(state('2')).toBe('paused');
    expect(state(2)).toBe('paused');
    expect(state('3')).toBe('offline');
    expect(state('HALT')).toBe('unknown');
    expect(parseSymbol({ ...mx, status: '2' }).trading).toBe(false);
  });

  it('falls back to quotePrecision and rounds a minimum up onto the grid', () => {
    const { quoteAssetPrecision: _q, ...old } = mx;
    const s = parseSymbol({ ...old, quotePrecision: 5, baseAssetPrecision: 3, baseSizePrecision: '0.0025' });
    expect(s.spec.tickSize).toBe('0.00001');
    expect(s.spec.lotSize).toBe('0.001');
    expect(s.spec.minSize).toBe('0.003');
    expect(parseSymbol({ ...mx, baseAssetPrecision: 0, baseSizePrecision: '5' }).spec).toMatchObject({
      lotSize: '1',
      minSize: '5',
    });
  });

  it('uses the published base fees when the listing gives none', () => {
    const { makerCommission: _m, takerCommission: _t, ...bare } = mx;
    expect(parseSymbol(bare).spec).toMatchObject({
      makerFee: DEFAULT_FEES.makerFee,
      takerFee: DEFAULT_FEES.takerFee,
    });
  });

  it('reads tradeSideType', () => {
    expect(parseSymbol({ ...mx, tradeSideType: '2' }).sides).toBe('buy');
    expect(parseSymbol({ ...mx, tradeSideType: 3 }).sides).toBe('sell');
    const closing = parseSymbol({ ...mx, tradeSideType: '4' });
    expect(closing.sides).toBe('none');
    expect(closing.trading).toBe(false);
  });

  it('skips a bad item with its reason and keeps the rest', () => {
    const body = {
      symbols: [
        mx,
        { ...tomo, baseAssetPrecision: 'two' },
        { ...tomo, symbol: 'NOPREC', quoteAssetPrecision: undefined, quotePrecision: undefined },
        { ...tomo, quoteAmountPrecision: '-5' },
        { ...mx },
        42,
      ],
    };
    const r = parseExchangeInfo(body);
    expect(r.instruments.map((i) => i.spec.symbol)).toEqual(['MXUSDT']);
    expect(r.skipped).toHaveLength(5);
    expect(r.skipped[0]).toMatch(/^TOMO3LUSDT: .*baseAssetPrecision/);
    expect(r.skipped[1]).toMatch(/^NOPREC: .*neither quoteAssetPrecision nor quotePrecision/);
    expect(r.skipped[2]).toMatch(/quoteAmountPrecision/);
    expect(r.skipped[3]).toBe('MXUSDT: listed twice');
    expect(r.skipped[4]).toMatch(/^item 5: /);
  });

  it('refuses a body without symbols', () => {
    expect(() => parseExchangeInfo({ timezone: 'CST' })).toThrow(EngineError);
    expect(() => parseExchangeInfo(null)).toThrow(/exchangeInfo is malformed/);
  });

  it('joins the API-tradable listing', () => {
    const listed = parseDefaultSymbols(['MXUSDT']);
    const m = catalogue(listed);
    expect(m.get('MXUSDT')!.apiTradable).toBe(true);
    expect(m.get('BTCUSDT')!.apiTradable).toBe(false);
    expect(
      parseDefaultSymbols((mexcFixture('default-symbols.json') as { data: unknown }).data).has('GUMUSDT'),
    ).toBe(true);
    expectEngineError(() => parseDefaultSymbols({ data: [] }), /defaultSymbols/);
  });
});

describe('MEXC symbol validation', () => {
  const specs = catalogue(new Set(['MXUSDT', 'BTCUSDT', 'TOMO3LUSDT']));

  it('gives the instrument of a tradable symbol', () => {
    expect(validateSymbol(specs, 'MXUSDT').instrument.symbol).toBe('MXUSDT');
    expect(validateSymbol(specs, 'MXUSDT', 'sell').spec.symbol).toBe('MXUSDT');
  });

  it('refuses malformed text before looking it up', () => {
    expectEngineError(() => validateSymbol(specs, 'mxusdt'), /uppercase letters and digits/);
    expectEngineError(() => validateSymbol(specs, 'MX_USDT'), /no separator/);
    expectEngineError(() => validateSymbol(specs, 'MX USDT'), /uppercase/);
    expectEngineError(() => validateSymbol(specs, 'MX'), /3 to 30 characters/);
    expectEngineError(() => validateSymbol(specs, 'A'.repeat(31)), /3 to 30 characters/);
    expectEngineError(() => validateSymbol(specs, 42), /must be text/);
  });

  it('refuses an unknown, paused, API-closed or one-sided symbol, saying which', () => {
    expectEngineError(() => validateSymbol(specs, 'ETHUSDT'), /lists no spot symbol ETHUSDT/);
    expectEngineError(() => validateSymbol(specs, 'BTCUSDT'), /BTCUSDT is paused \(status 2\)/);
    expectEngineError(() => validateSymbol(catalogue(new Set()), 'MXUSDT'), /not in defaultSymbols/);
    expectEngineError(() => validateSymbol(specs, 'TOMO3LUSDT'), /not open to spot trading/);
    const buyOnly = new Map([['MXUSDT', parseSymbol({ ...mx, tradeSideType: '2' })]]);
    expect(validateSymbol(buyOnly, 'MXUSDT', 'buy').spec.symbol).toBe('MXUSDT');
    expectEngineError(() => validateSymbol(buyOnly, 'MXUSDT', 'sell'), /buy orders only/);
  });
});

describe('MEXC instruments over REST', () => {
  it('loads exchangeInfo and defaultSymbols together', async () => {
    const server = await localServer((r) =>
      r.path === '/api/v3/exchangeInfo'
        ? { body: info }
        : { body: { code: 200, data: ['MXUSDT', 'TOMO3LUSDT'], msg: null } },
    );
    closers.push(server.close);
    const rest = new MexcRest({ baseUrl: server.url, clock: new SimClock() });
    const r = await loadInstruments(rest);
    expect(r.instruments.map((i) => [i.spec.symbol, i.apiTradable, i.trading])).toEqual([
      ['TOMO3LUSDT', true, false],
      ['MXUSDT', true, true],
      ['BTCUSDT', false, false],
    ]);
  });

  it('fails when either listing fails', async () => {
    const server = await localServer((r) =>
      r.path === '/api/v3/exchangeInfo' ? { body: info } : { status: 503, raw: 'down' },
    );
    closers.push(server.close);
    const rest = new MexcRest({ baseUrl: server.url, clock: new SimClock() });
    const err = await expectRejects(loadInstruments(rest), /defaultSymbols/);
    expect(err.code).toBe('unavailable');
  });
});
