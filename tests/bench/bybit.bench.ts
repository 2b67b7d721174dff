/**
 * The Bybit v5 adapter against the local Bybit simulator, on loopback:
 * - bybit.tick_to_wire_p50_us / p99_us: an orderbook frame in on the public socket to the order frame
 *   it caused handed to the trade socket, in a TradingApp quoting BTCUSDT spot (bybit-wire.ts).
 * - bybit.order_ack_vs_ccxt_ratio: ccxt's median REST createOrder time over our median placeOrder to
 *   ack on the trade socket, interleaved on one simulator (bybit-ack.ts).
 * - bybit.book_vs_ccxt_ratio: our decode-and-apply rate of recorded orderbook.50 frames over ccxt pro's
 *   handleOrderBook on the same frames (bybit-book.ts).
 * The simulator always runs off our event loop, in a child process (for the latency figure on a CPU of
 * its own where there are two or more); every process and socket is closed before returning.
 */
import ccxt from 'ccxt';
import type { Emit } from './figure.ts';
import { ccxtUrls } from '../support/ccxt-bybit.ts';
import { orderAckVsCcxt } from './bybit-ack.ts';
import { bookVsCcxt } from './bybit-book.ts';
import { spawnSimCli } from './bybit-sim.ts';
import { tickToWire } from './bybit-wire.ts';

export default async function bybit(emit: Emit): Promise<void> {
  // First, on a fresh heap: the latency figure, recording book frames from the same run.
  const wire = await tickToWire(emit);

  const sim = await spawnSimCli(5);
  // ccxt pro's markets come from the simulator once; the decode bench then runs offline.
  const pro = new ccxt.pro.bybit({ urls: ccxtUrls(sim) });
  try {
    await orderAckVsCcxt(emit, sim);
    await pro.loadMarkets();
  } finally {
    await sim.close();
  }
  try {
    bookVsCcxt(emit, wire.frames, wire.spec, pro, `${sim.ws}/v5/public/spot`);
  } finally {
    await pro.close();
  }
}
