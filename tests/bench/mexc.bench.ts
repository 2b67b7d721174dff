/**
 * The MEXC spot adapter against the local MEXC simulator, on loopback:
 * - mexc.tick_to_wire_p50_us / p99_us: a depth push in on the public socket to the REST order request
 *   (create or cancel) it caused handed to the HTTP client, in a TradingApp quoting BTCUSDT
 *   (mexc-wire.ts).
 * - mexc.book_vs_ccxt_ratio: our decode-and-apply rate of recorded protobuf depth pushes over ccxt
 *   pro's handleMessage on the same pushes, both from the same REST snapshot (mexc-book.ts).
 * The simulator runs off our event loop, in a child process (on a CPU of its own where there are two
 * or more); every process and socket is closed before returning.
 */
import type { Emit } from './figure.ts';
import { ccxtProMexc } from '../support/ccxt-mexc.ts';
import { bookVsCcxt, type CcxtProMexcBook } from './mexc-book.ts';
import { tickToWire } from './mexc-wire.ts';

export default async function mexc(emit: Emit): Promise<void> {
  // First, on a fresh heap: the latency figure, recording depth pushes from the same run.
  const wire = await tickToWire(emit);

  // ccxt pro parses the simulator's exchangeInfo recorded in that run; the decode bench runs offline
  // (the URLs are the simulator's, which is gone: nothing dials them).
  const offline = { rest: 'http://127.0.0.1:9', ws: 'ws://127.0.0.1:9/ws' };
  const pro = ccxtProMexc(offline);
  (pro as unknown as { spotPublicGetExchangeInfo: () => Promise<unknown> }).spotPublicGetExchangeInfo = () =>
    Promise.resolve(wire.exchangeInfo);
  try {
    await pro.loadMarkets();
    await bookVsCcxt(emit, wire.recording, wire.spec, pro as unknown as CcxtProMexcBook, offline.ws);
  } finally {
    await pro.close();
  }
}
