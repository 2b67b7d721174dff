/**
 * Trading hot paths on one core:
 * - oms.orders_per_s: full order lifecycles — pre-trade risk, OMS, the simulated venue (matching,
 *   ledger, execution reports), back to a terminal state (filled, or resting then cancelled).
 * - tick_to_quote.p50_us / p99_us: a book update into the session until its order request has left
 *   for the venue, measured on the updates that produced a request.
 * - oms.heap_growth_mb_per_1m_orders: heap after 1M more lifecycles, both sides of a forced GC.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimClock } from '../../engine/core/clock.ts';
import { Decimal } from '../../engine/core/decimal.ts';
import { ClientIdFactory } from '../../engine/core/ids.ts';
import { defineInstrument, type Lots, type Ticks } from '../../engine/core/instrument.ts';
import { OrderManager } from '../../engine/oms/order-manager.ts';
import { Portfolio } from '../../engine/portfolio/portfolio.ts';
import { checkOrder } from '../../engine/risk/pre-trade.ts';
import { RateThrottle } from '../../engine/risk/throttle.ts';
import { createDefaultSim, DEFAULT_SIM_INSTRUMENT } from '../../engine/venues/sim/index.ts';
import { createSession } from '../../engine/api/session-factory.ts';
import { Engine } from '../../engine/api/engine.ts';
import type { BookMessage } from '../../engine/market/types.ts';
import type { Emit } from './figure.ts';
import { percentile } from './figure.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const flush = async (): Promise<void> => {
  for (let i = 0; i < 4; i++) await Promise.resolve();
};

/** A session-free order loop: our orders through risk and the OMS into the simulated venue. */
async function lifecycleRig() {
  const clock = new SimClock(Date.UTC(2026, 0, 5));
  const venue = createDefaultSim(clock, 1, {
    latency: { request: 0, response: 0, feed: 0 },
    historyLimit: 20_000,
  });
  await venue.connect();
  const inst = defineInstrument(DEFAULT_SIM_INSTRUMENT);
  let mid = 650_000;
  venue.subscribeMarket(inst.symbol, {
    onBook: () => undefined,
    onTrade: () => undefined,
  });
  const limits = {
    maxOrderLots: 1000,
    maxOrderNotional: new Decimal('1000000'),
    maxPositionLots: 1_000_000,
    priceBand: 0.5,
    maxOpenOrders: 100_000,
    orderRateCount: 1_000_000,
    orderRateWindowMs: 1,
    maxDrawdown: new Decimal('1e12'),
    dailyLossLimit: new Decimal('1e12'),
    staleFeedMs: 1000,
  };
  const throttle = new RateThrottle(limits.orderRateCount, limits.orderRateWindowMs);
  const portfolio = new Portfolio(inst);
  let done = 0;
  const oms: OrderManager = new OrderManager({
    clock,
    venue,
    symbol: inst.symbol,
    ids: new ClientIdFactory('b'),
    maxInFlight: 1_000_000,
    recentCapacity: 1000,
    gate: (req) =>
      checkOrder(
        inst,
        limits,
        throttle,
        { side: req.side, price: req.price, lots: req.size },
        {
          state: 'active',
          positionLots: portfolio.positionLots(),
          workingBuyLots: oms.workingLotsOn('buy'),
          workingSellLots: oms.workingLotsOn('sell'),
          openOrders: oms.openCount(),
          mid,
          now: clock.now(),
        },
      ),
    emit: (e) => {
      if (e.kind === 'fill') portfolio.apply(e.fill);
      else if (
        e.kind === 'order' &&
        (e.order.status === 'filled' || e.order.status === 'cancelled' || e.order.status === 'rejected')
      )
        done++;
    },
  });
  venue.onExecution((e) => {
    oms.onExecution(e);
  });
  const engine = venue.inspect(inst.symbol).engine;
  /** One batch: half marketable 1-lot IOC orders, half post-only far from the touch, cancelled after. */
  const batch = async (n: number): Promise<void> => {
    const bb = engine.bestBid() ?? mid - 1;
    const ba = engine.bestAsk() ?? mid + 1;
    mid = (bb + ba) / 2;
    const resting: string[] = [];
    for (let i = 0; i < n; i++) {
      const buy = (i & 2) === 0;
      if ((i & 1) === 0) {
        oms.submit({
          side: buy ? 'buy' : 'sell',
          type: 'limit',
          tif: 'ioc',
          price: (buy ? ba + 50 : bb - 50) as Ticks,
          size: 1 as Lots,
          origin: 'manual',
        });
      } else {
        const r = oms.submit({
          side: buy ? 'buy' : 'sell',
          type: 'limit',
          tif: 'post_only',
          price: (buy ? bb - 200 : ba + 200) as Ticks,
          size: 1 as Lots,
          origin: 'manual',
        });
        if (r.ok) resting.push(r.clientId);
      }
    }
    clock.advance(1);
    await flush();
    for (const id of resting) oms.cancel(id);
    clock.advance(1);
    await flush();
  };
  return { batch, done: () => done, oms };
}

async function lifecycles(emit: Emit): Promise<void> {
  const rig = await lifecycleRig();
  for (let i = 0; i < 50; i++) await rig.batch(1000); // warm-up
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const before = rig.done();
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) await rig.batch(1000);
    const rate = ((rig.done() - before) / (performance.now() - t0)) * 1000;
    best = Math.max(best, rate);
  }
  emit({
    figure: 'oms.orders_per_s',
    value: Math.round(best),
    unit: 'orders/s',
    path: 'risk -> OMS -> simulated venue -> ack + fill or cancel',
    open_at_end: rig.oms.openCount(),
  });

  // Every bounded cache (the venue's history, the OMS and portfolio execution ids) is full before the
  // window opens, so what grows inside it is what would grow without bound.
  while (rig.done() < 1_200_000) await rig.batch(1000);
  gc();
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const done0 = rig.done();
  while (rig.done() - done0 < 1_000_000) await rig.batch(1000);
  gc();
  gc();
  const heap1 = process.memoryUsage().heapUsed;
  const perMillion = ((heap1 - heap0) / 1024 / 1024) * (1_000_000 / (rig.done() - done0));
  emit({
    figure: 'oms.heap_growth_mb_per_1m_orders',
    value: Math.round(perMillion * 100) / 100,
    unit: 'MB',
    orders: rig.done() - done0,
  });
}

async function tickToQuote(emit: Emit): Promise<void> {
  const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
  const session = createSession(
    { mode: 'sim', dataDir: mkdtempSync(join(tmpdir(), 'mmws-bench-')), seed: 5 },
    clock,
  );
  const engine = new Engine({ clock, session });
  const start = engine.start();
  while (session.workingOrderCount() === 0 && clock.now() < Date.UTC(2026, 0, 5, 9, 0, 2)) {
    clock.advance(1);
    await flush();
  }
  await start;
  void engine.invoke('quoting.start', {});
  const venue = session.venueForTests();
  let requests = 0;
  for (const m of ['placeOrder', 'amendOrder', 'cancelOrder'] as const) {
    const orig = venue[m].bind(venue) as (r: never) => Promise<unknown>;
    (venue as unknown as Record<string, (r: never) => Promise<unknown>>)[m] = (r: never) => {
      requests++;
      return orig(r);
    };
  }
  const samples: number[] = [];
  const onBook = session.onBook.bind(session);
  let measuring = false;
  session.onBook = (msg: BookMessage) => {
    const before = requests;
    const t0 = process.hrtime.bigint();
    onBook(msg);
    const t1 = process.hrtime.bigint();
    if (measuring && requests > before) samples.push(Number(t1 - t0) / 1000);
  };
  const runFor = async (ms: number) => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.advance(2);
      await flush();
    }
  };
  await runFor(60_000);
  measuring = true;
  await runFor(20 * 60_000);
  const sorted = Float64Array.from(samples).sort();
  emit({
    figure: 'tick_to_quote.p50_us',
    value: Math.round(percentile(sorted, 50) * 100) / 100,
    unit: 'us',
    samples: sorted.length,
  });
  emit({
    figure: 'tick_to_quote.p99_us',
    value: Math.round(percentile(sorted, 99) * 100) / 100,
    unit: 'us',
    samples: sorted.length,
  });
  const st = { finished: false };
  void engine.stop().finally(() => (st.finished = true));
  while (!st.finished) {
    clock.advance(1);
    await flush();
  }
}

export default async function trading(emit: Emit): Promise<void> {
  // Tick-to-quote first, on a fresh heap: the lifecycle runs leave a large heap whose collections
  // would be charged to whatever runs after them.
  await tickToQuote(emit);
  await lifecycles(emit);
}
