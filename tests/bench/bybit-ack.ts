/**
 * bybit.order_ack_vs_ccxt_ratio: one post-only limit buy far below the touch at a time, placed and
 * answered, against the simulator CLI in a child process. Ours: BybitVenue.placeOrder over the trade
 * socket to its resolved ack. ccxt: `ccxt.bybit` createOrder over REST to its resolved order. The two
 * alternate (which goes first swaps every pair) against the same simulator and account; each order is
 * cancelled afterwards, outside the timing, and the pace keeps the account under the venue's spot
 * quotas (20 creates and 20 cancels a second per UID), which ours and ccxt's orders share.
 */
import ccxt from 'ccxt';
import { WallClock } from '../../engine/core/clock.ts';
import { Decimal } from '../../engine/core/decimal.ts';
import { defineInstrument, priceToTicks, sizeToLots } from '../../engine/core/instrument.ts';
import { BybitVenue } from '../../engine/venues/bybit/bybit-venue.ts';
import type { PlaceRequest } from '../../engine/venues/venue.ts';
import { ccxtUrls } from '../support/ccxt-bybit.ts';
import type { Emit } from './figure.ts';
import { machineBaseline } from './figure.ts';
import type { RunningSim } from './bybit-sim.ts';
import { BENCH_KEY, BENCH_SECRET } from './bybit-sim.ts';

const WARM_UP_PAIRS = 30;
const MEASURED_PAIRS = 210;
/**
 * A pair is two creates and two cancels: one pair per 150 ms is ~13 of each a second, well under 20.
 * Closer to the quota, our limiter (which takes the venue's last "remaining", a count that includes
 * ccxt's orders on the same account, as current for 100 ms) would refuse ours locally at times.
 */
const PAIR_PERIOD_MS = 150;
const SIZE = '0.001';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export async function orderAckVsCcxt(emit: Emit, sim: RunningSim): Promise<void> {
  const clock = new WallClock();
  const venue = new BybitVenue({
    env: 'testnet',
    clock,
    credentials: { apiKey: BENCH_KEY, apiSecret: BENCH_SECRET },
    category: 'spot',
    restUrl: sim.rest,
    wsUrl: sim.ws,
  });
  // ccxt's own request throttle is off: its figure is the request itself, not a wait in its queue.
  const exchange = new ccxt.bybit({
    apiKey: BENCH_KEY,
    secret: BENCH_SECRET,
    urls: ccxtUrls(sim),
    enableRateLimit: false,
  });
  try {
    await venue.connect();
    await exchange.loadMarkets();
    const spec = (await venue.instruments()).find((s) => s.symbol === 'BTCUSDT');
    if (!spec) throw new Error('the simulator lists no BTCUSDT spot');
    const inst = defineInstrument(spec);
    const book = await exchange.fetchOrderBook('BTC/USDT', 1);
    const bid = book.bids[0]?.[0];
    if (bid === undefined) throw new Error('the simulated book has no bid');
    // Far below the touch (post-only never crosses, nothing fills), on the tick grid for both.
    const price = new Decimal(bid)
      .mul('0.8')
      .toDecimalPlaces(inst.tickSize.decimalPlaces(), Decimal.ROUND_DOWN);
    const priceTicks = priceToTicks(inst, price);
    const sizeLots = sizeToLots(inst, SIZE);
    let next = 0;

    const ours = async (): Promise<number> => {
      const req: PlaceRequest = {
        symbol: 'BTCUSDT',
        clientId: `bench-ack-${Date.now().toString(36)}-${next++}`,
        side: 'buy',
        type: 'limit',
        timeInForce: 'post_only',
        price: priceTicks,
        size: sizeLots,
      };
      const t0 = performance.now();
      const r = await venue.placeOrder(req);
      const dt = performance.now() - t0;
      if (!r.ok) throw new Error(`our order was refused: ${r.code} ${r.message}`);
      const c = await venue.cancelOrder({ symbol: 'BTCUSDT', clientId: req.clientId });
      if (!c.ok) throw new Error(`our cancel was refused: ${c.code} ${c.message}`);
      return dt;
    };
    const theirs = async (): Promise<number> => {
      const t0 = performance.now();
      const o = await exchange.createOrder('BTC/USDT', 'limit', 'buy', Number(SIZE), price.toNumber(), {
        postOnly: true,
      });
      const dt = performance.now() - t0;
      if (o.id === undefined) throw new Error('ccxt created an order without an id');
      await exchange.cancelOrder(o.id, 'BTC/USDT');
      return dt;
    };

    const oursMs: number[] = [];
    const ccxtMs: number[] = [];
    const baseline = machineBaseline();
    for (let i = 0; i < WARM_UP_PAIRS + MEASURED_PAIRS; i++) {
      const start = performance.now();
      let o: number;
      let c: number;
      if (i % 2 === 0) {
        o = await ours();
        c = await theirs();
      } else {
        c = await theirs();
        o = await ours();
      }
      if (i >= WARM_UP_PAIRS) {
        oursMs.push(o);
        ccxtMs.push(c);
      }
      const left = PAIR_PERIOD_MS - (performance.now() - start);
      if (left > 0) await sleep(left);
    }
    const open = await venue.openOrders('BTCUSDT');
    if (open.length > 0) throw new Error(`${open.length} bench orders were left open`);

    const oursMedianUs = median(oursMs) * 1000;
    const ccxtMedianUs = median(ccxtMs) * 1000;
    const common = { unit: 'us', samples: oursMs.length, warm_up: WARM_UP_PAIRS };
    emit({
      figure: 'bybit.order_ack_ours_p50_us',
      value: Math.round(oursMedianUs),
      ...common,
      path: 'BybitVenue.placeOrder -> trade channel -> /v5/trade order.create -> answer -> resolved ack',
    });
    emit({
      figure: 'bybit.order_ack_ccxt_p50_us',
      value: Math.round(ccxtMedianUs),
      ...common,
      path: 'ccxt.bybit createOrder -> signed REST POST /v5/order/create -> parsed order',
    });
    emit({
      figure: 'bybit.order_ack_vs_ccxt_ratio',
      value: Math.round((ccxtMedianUs / oursMedianUs) * 100) / 100,
      unit: 'x',
      samples: oursMs.length,
      goal: 2,
      path: 'ccxt median createOrder-to-answer / our median placeOrder-to-ack, interleaved, post-only limit far from the touch',
      simulator: sim.where,
      machine_rng_per_s: baseline,
    });
  } finally {
    await venue.disconnect();
    await exchange.close();
  }
}
