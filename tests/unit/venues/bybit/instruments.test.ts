import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../engine/core/errors.ts';
import {
  DEFAULT_FEES,
  fetchAllInstruments,
  MAX_INSTRUMENT_PAGES,
  parseInstrumentsPage,
} from '../../../../engine/venues/bybit/instruments.ts';
import { fixture } from './helpers.ts';

type Body = { retCode: number; result: { list: Record<string, unknown>[]; nextPageCursor?: string } };

const spotBody = fixture('instruments-spot.json') as Body;
const btcBody = fixture('instruments-linear-btcusdt.json') as Body;
const preBody = fixture('instruments-linear-prelaunch.json') as Body;

describe('Bybit instruments-info', () => {
  it('reads spot: basePrecision is the lot and the minimum, minOrderAmt the minimum notional', () => {
    const page = parseInstrumentsPage('spot', spotBody.result);
    expect(page.skipped).toEqual([]);
    expect(page.nextPageCursor).toBe('');
    expect(page.list).toEqual([
      {
        category: 'spot',
        status: 'Trading',
        trading: true,
        spec: {
          symbol: 'BTCUSDT',
          base: 'BTC',
          quote: 'USDT',
          tickSize: '0.1',
          lotSize: '0.000001',
          minSize: '0.000001',
          minNotional: '5',
          makerFee: '0.001',
          takerFee: '0.001',
        },
      },
    ]);
  });

  it('reads linear: qtyStep, minOrderQty, minNotionalValue, contract type and funding interval', () => {
    const page = parseInstrumentsPage('linear', btcBody.result);
    expect(page.list[0]).toEqual({
      category: 'linear',
      status: 'Trading',
      trading: true,
      contractType: 'LinearPerpetual',
      fundingIntervalMin: 480,
      spec: {
        symbol: 'BTCUSDT',
        base: 'BTC',
        quote: 'USDT',
        tickSize: '0.10',
        lotSize: '0.001',
        minSize: '0.001',
        minNotional: '5',
        makerFee: DEFAULT_FEES.linear.makerFee,
        takerFee: DEFAULT_FEES.linear.takerFee,
      },
    });
    const pre = parseInstrumentsPage('linear', preBody.result);
    expect(pre.list[0]).toMatchObject({ status: 'PreLaunch', trading: false, spec: { symbol: 'BIOUSDT' } });
    expect(pre.nextPageCursor).toBe('first%3DBIOUSDT%26last%3DBIOUSDT');
  });

  it('takes fee rates from the caller, per symbol or for all', () => {
    const all = parseInstrumentsPage('linear', btcBody.result, { makerFee: '-0.0001', takerFee: '0.0003' });
    expect(all.list[0]?.spec).toMatchObject({ makerFee: '-0.0001', takerFee: '0.0003' });
    const none = parseInstrumentsPage('linear', btcBody.result, () => undefined);
    expect(none.list).toEqual([]);
    expect(none.skipped[0]).toMatch(/BTCUSDT.*no fee rates/);
  });

  it('skips a malformed item with its reason and keeps the rest', () => {
    const good = btcBody.result.list[0]!;
    const noTick = { ...good, symbol: 'NOTICKUSDT', priceFilter: {} };
    const zeroStep = {
      ...good,
      symbol: 'ZEROUSDT',
      lotSizeFilter: { ...(good.lotSizeFilter as object), qtyStep: '0' },
    };
    const offGrid = { ...good, symbol: 'ODDUSDT', lotSizeFilter: { qtyStep: '0.01', minOrderQty: 'abc' } };
    const page = parseInstrumentsPage('linear', { list: [noTick, good, zeroStep, offGrid, 42] });
    expect(page.list.map((i) => i.spec.symbol)).toEqual(['BTCUSDT']);
    expect(page.skipped).toHaveLength(4);
    expect(page.skipped[0]).toMatch(/^linear NOTICKUSDT: .*priceFilter\.tickSize/);
    expect(page.skipped[1]).toMatch(/^linear ZEROUSDT: .*must be positive/);
    expect(page.skipped[2]).toMatch(/^linear ODDUSDT: .*minSize/);
    expect(page.skipped[3]).toMatch(/^linear item 4: /);
  });

  it('refuses a page that is not one, or is of another category', () => {
    expect(() => parseInstrumentsPage('linear', { list: 'nope' })).toThrow(EngineError);
    expect(() => parseInstrumentsPage('linear', spotBody.result)).toThrow(/for spot, asked for linear/);
  });
});

describe('Bybit instruments paging', () => {
  it('follows nextPageCursor until it is empty, passing each cursor on', async () => {
    const asked: (string | undefined)[] = [];
    const result = await fetchAllInstruments('linear', (cursor) => {
      asked.push(cursor);
      return Promise.resolve(cursor === undefined ? preBody : btcBody.result);
    });
    expect(asked).toEqual([undefined, 'first%3DBIOUSDT%26last%3DBIOUSDT']);
    expect(result.instruments.map((i) => i.spec.symbol)).toEqual(['BIOUSDT', 'BTCUSDT']);
    expect(result.skipped).toEqual([]);
  });

  it('stops after one page for spot, which has no cursor', async () => {
    let calls = 0;
    const result = await fetchAllInstruments('spot', () => {
      calls++;
      return Promise.resolve(spotBody);
    });
    expect(calls).toBe(1);
    expect(result.instruments).toHaveLength(1);
  });

  it('refuses a page that repeats a cursor', async () => {
    const pages = [
      { list: [], nextPageCursor: 'a' },
      { list: [], nextPageCursor: 'b' },
      { list: [], nextPageCursor: 'a' },
    ];
    let i = 0;
    await expect(fetchAllInstruments('linear', () => Promise.resolve(pages[i++]))).rejects.toThrow(
      /page 3 repeats cursor "a"/,
    );
    expect(i).toBe(3);
  });

  it('stops at the page cap when the cursor never ends', async () => {
    let i = 0;
    await expect(
      fetchAllInstruments('linear', () => Promise.resolve({ list: [], nextPageCursor: `c${i++}` })),
    ).rejects.toThrow(new RegExp(`after ${MAX_INSTRUMENT_PAGES} pages`));
    expect(i).toBe(MAX_INSTRUMENT_PAGES);
  });

  it('keeps the first copy of a symbol listed on two pages', async () => {
    const result = await fetchAllInstruments('linear', (cursor) =>
      Promise.resolve(cursor === undefined ? { ...btcBody.result, nextPageCursor: 'x' } : btcBody.result),
    );
    expect(result.instruments).toHaveLength(1);
    expect(result.skipped).toEqual(['linear BTCUSDT: listed twice']);
  });

  it('throws on an error envelope instead of reading it as an empty listing', async () => {
    const err = { retCode: 10016, retMsg: 'System error', result: {}, retExtInfo: {}, time: 1 };
    await expect(fetchAllInstruments('linear', () => Promise.resolve(err))).rejects.toThrow(
      /10016 System error/,
    );
  });
});
