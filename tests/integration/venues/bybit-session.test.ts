/**
 * A whole trading session through the Bybit adapter against the local protocol simulator, on the wall
 * clock and real loopback sockets: quotes placed and amended, a fill, the kill switch, and a restart
 * that reconciles to the venue's account exactly after orders and fills happened while we were away.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../engine/api/contract.ts';
import { Engine } from '../../../engine/api/engine.ts';
import { WallClock } from '../../../engine/core/clock.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import { startBybitSim, type BybitSim } from '../../../engine/simulators/bybit/sim.ts';
import { bybitApp, until } from './bybit-harness.ts';
import { BybitRateLimiter } from '../../../engine/venues/bybit/rate-limit.ts';
import { BybitRest } from '../../../engine/venues/bybit/rest-client.ts';

const KEY = 'it-session-key-0001';
const SECRET = 'it-session-secret-0123456789';

let sim: BybitSim;
const dirs: string[] = [];

beforeAll(async () => {
  sim = await startBybitSim({ apiKey: KEY, apiSecret: SECRET, seed: 11 });
});

afterAll(async () => {
  await sim.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function session(dataDir: string) {
  const app = bybitApp(sim, { apiKey: KEY, apiSecret: SECRET }, { dataDir });
  const clock = app.node.clock;
  const engine = new Engine({ clock, session: app });
  const events: EngineEvent[] = [];
  engine.onEvent((e) => events.push(e));
  return { app, engine, events, clock };
}

const BTC0 = new Decimal('10');

describe('a whole session through the Bybit adapter against the simulator', () => {
  it('quotes, amends, fills, kills to zero open orders, and reconciles exactly after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mmws-bybit-'));
    dirs.push(dataDir);
    const first = session(dataDir);
    await first.engine.start();
    expect(first.app.venue.connectionState()).toBe('connected');
    expect((await first.engine.invoke('quoting.start', {})).ok).toBe(true);

    await until('quotes resting at the venue', () => sim.openOrders({ category: 'spot' }).length >= 2);
    await until('a quote amended', () =>
      first.events.some((e) => e.name === 'order.changed' && e.payload.status === 'pending-amend'),
    );

    // Quotes pulled first, so our buy takes the market's liquidity rather than our own ask.
    expect((await first.engine.invoke('quoting.stop', {})).ok).toBe(true);
    await until('quotes pulled', () => sim.openOrders({ category: 'spot' }).length === 0);
    // A marketable buy of ours: filled at the venue, the fill back through the private stream.
    const book = first.app.snapshot().book;
    const ask = new Decimal(book.asks[0]![0]);
    const placed = await first.engine.invoke('orders.place', {
      side: 'buy',
      price: ask.mul('1.001').toDecimalPlaces(1).toFixed(1),
      size: '0.01',
      postOnly: false,
    });
    expect(placed.ok).toBe(true);
    const manualId = placed.ok ? (placed.value as { clientId: string }).clientId : '';
    await until('the fill of our buy', () =>
      first.events.some((e) => e.name === 'fill.executed' && e.payload.clientId === manualId),
    );

    // Quotes again, then the kill switch: every order cancelled at the venue, the account halted.
    expect((await first.engine.invoke('quoting.start', {})).ok).toBe(true);
    await until('quotes resting again', () => sim.openOrders({ category: 'spot' }).length >= 2);
    await until('a quote filled', () =>
      first.events.some((e) => e.name === 'fill.executed' && e.payload.clientId !== manualId),
    );
    expect((await first.engine.invoke('risk.kill', {})).ok).toBe(true);
    await until('zero open orders at the venue', () => sim.openOrders({ category: 'spot' }).length === 0);
    expect(first.app.snapshot().risk.tradingState).toBe('halted');
    const firstPosition = first.app.node.desk('BTCUSDT').portfolio.positionLots();
    // Both kinds of fill happened: a quote of ours taken by the market, and our own marketable buy.
    const fills = first.events.flatMap((e) => (e.name === 'fill.executed' ? [e.payload] : []));
    expect(fills.some((f) => f.clientId !== manualId && f.liquidity === 'maker')).toBe(true);
    await first.engine.stop();

    // While we are away: an order of ours fills (a missed execution) and another rests (a stranger).
    const clock = new WallClock();
    const rest = new BybitRest({
      baseUrl: sim.rest,
      clock,
      limiter: new BybitRateLimiter(clock),
      credentials: { apiKey: KEY, apiSecret: SECRET },
    });
    await rest.syncTime();
    const offBook = await rest.get('/v5/market/orderbook', { category: 'spot', symbol: 'BTCUSDT', limit: 1 });
    expect(offBook.ok).toBe(true);
    const top = (offBook as { result: { a: [string, string][]; b: [string, string][] } }).result;
    const sold = await rest.signedPost(
      '/v5/order/create',
      {
        category: 'spot',
        symbol: 'BTCUSDT',
        side: 'Sell',
        orderType: 'Limit',
        timeInForce: 'IOC',
        qty: '0.004',
        price: new Decimal(top.b[0]![0]).mul('0.999').toDecimalPlaces(1).toFixed(1),
        orderLinkId: 'away-sell-1',
      },
      'spot',
    );
    expect(sold.ok).toBe(true);
    const resting = await rest.signedPost(
      '/v5/order/create',
      {
        category: 'spot',
        symbol: 'BTCUSDT',
        side: 'Buy',
        orderType: 'Limit',
        timeInForce: 'PostOnly',
        qty: '0.001',
        price: new Decimal(top.b[0]![0]).mul('0.9').toDecimalPlaces(1).toFixed(1),
        orderLinkId: 'away-rest-1',
      },
      'spot',
    );
    expect(resting.ok).toBe(true);
    await until('the away orders settled at the venue', () =>
      sim.openOrders({ category: 'spot' }).some((o) => o.orderLinkId === 'away-rest-1'),
    );

    const second = session(dataDir);
    await second.engine.start();
    const desk = second.app.node.desk('BTCUSDT');
    // The kill switch survived the restart.
    expect(second.app.snapshot().risk.kill.engaged).toBe(true);
    // Position: the fills of the first run from the journal, plus the one missed while away.
    const venueBalances = sim.balances();
    const btc = new Decimal(venueBalances.BTC!.walletBalance);
    expect(desk.instrument.lotSize.mul(desk.portfolio.positionLots()).toFixed()).toBe(
      btc.minus(BTC0).toFixed(),
    );
    const awayLots = new Decimal('0.004').div(desk.instrument.lotSize).toNumber();
    expect(desk.portfolio.positionLots()).toBe(firstPosition - awayLots);
    // Open orders: the stranger is cancelled by policy, nothing of ours is left.
    await until('the stranger cancelled', () => sim.openOrders({ category: 'spot' }).length === 0);
    // The away sell may have filled in several executions (levels); the stranger is one order.
    expect(second.app.node.lastReconciliation()?.missedFills).toBeGreaterThanOrEqual(1);
    expect(second.app.node.lastReconciliation()?.strangers).toBe(1);
    // Balances: exactly the venue's, as exact decimal strings.
    const ours = Object.fromEntries(second.app.node.balances().map((b) => [b.asset, b.total]));
    for (const [coin, b] of Object.entries(venueBalances))
      expect(new Decimal(ours[coin] ?? '0').toFixed()).toBe(new Decimal(b.walletBalance).toFixed());
    await second.engine.stop();
  }, 60_000);
});
