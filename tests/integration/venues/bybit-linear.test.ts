/**
 * Linear USDT perpetuals through the Bybit adapter: a position at the venue, funding payments that
 * reach the portfolio once each, and the venue's position taken after a reconciliation that finds
 * ours different.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../engine/api/engine.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import type { TradingApp } from '../../../engine/host/trading-app.ts';
import { startBybitSim, type BybitSim } from '../../../engine/simulators/bybit/sim.ts';
import { bybitApp, startEngine, until, type RaisedAlert } from './bybit-harness.ts';

const KEY = 'it-linear-key-00001';
const SECRET = 'it-linear-secret-0123456789';

let sim: BybitSim;
let app: TradingApp;
let engine: Engine;
const raised: RaisedAlert[] = [];
/** Every funding payment the venue delivered (stream and reconciliation), by execution id. */
const payments = new Map<string, string>();

/** The venue's signed position in lots of our instrument. */
function venueLots(): number {
  const p = sim.positions().find((x) => x.symbol === 'BTCUSDT');
  if (!p) return 0;
  const size = new Decimal(String(p.size)).div(app.node.desk('BTCUSDT').instrument.lotSize).toNumber();
  return p.side === 'Sell' ? -size : size;
}

beforeAll(async () => {
  sim = await startBybitSim({ apiKey: KEY, apiSecret: SECRET, seed: 3, fundingIntervalMs: 1500 });
  app = bybitApp(sim, { apiKey: KEY, apiSecret: SECRET }, { category: 'linear' });
  app.node.venue.onFunding?.((p) => payments.set(p.execId, p.amount));
  engine = await startEngine(app, raised);
}, 30_000);

afterAll(async () => {
  await engine.stop();
  await sim.close();
});

describe('Bybit linear perpetuals', () => {
  it('opens a position, and funding reaches the portfolio once per payment', async () => {
    await until('a book', () => app.snapshot().book.asks.length > 0);
    const ask = new Decimal(app.snapshot().book.asks[0]![0]);
    const r = await engine.invoke('orders.place', {
      side: 'buy',
      price: ask.mul('1.002').toDecimalPlaces(1).toFixed(1),
      size: '0.01',
      postOnly: false,
    });
    expect(r.ok).toBe(true);
    const desk = app.node.desk('BTCUSDT');
    await until(
      'the position at the venue and here',
      () => venueLots() > 0 && desk.portfolio.positionLots() === venueLots(),
    );
    await until('a funding payment', () => raised.some((a) => a.code === 'funding'));
    // Longs pay shorts at a positive rate: a cost.
    expect(desk.portfolio.funding().gt(0)).toBe(true);
    // A reconciliation reads the same payments again from the execution list: none counted twice,
    // so the portfolio holds exactly the sum of the distinct payments.
    await app.node.reconcile('test');
    const sum = [...payments.values()].reduce((a, b) => a.plus(b), new Decimal(0));
    expect(desk.portfolio.funding().toFixed()).toBe(sum.toFixed());
  });

  it('takes the venue’s position after a reconciliation that finds ours different, and says so', async () => {
    const desk = app.node.desk('BTCUSDT');
    const truth = venueLots();
    expect(truth).not.toBe(0);
    // Our record drifts (as after a liquidation or a fill older than the venue's history).
    desk.portfolio.adoptPosition(truth + 7, '1');
    await app.node.reconcile('test');
    expect(desk.portfolio.positionLots()).toBe(truth);
    expect(raised.some((a) => a.code === 'position_adopted')).toBe(true);
  });
});
