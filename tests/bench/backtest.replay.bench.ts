/**
 * The backtest engine on a recording of the embedded simulator's BTCUSDT feed (made first, with the
 * CLI a trader uses):
 * - backtest.events_per_s: the recording replayed through the whole node (strategy, risk, OMS,
 *   portfolio, simulated execution with queue and latency, statistics), median of three runs;
 * - backtest.vs_decode_ratio: that rate over the rate of decoding the same recording and applying its
 *   book messages to an OrderBook alone, in the same run;
 * - backtest.heap_growth_mb: the heap after a replay of the whole recording against after a replay of
 *   its first sixth, both after a full GC, to show memory does not grow with the recording's length.
 * Runs are stats-only (keepDetail off), as in a sweep; a run with every quote decision kept for the
 * review screen is reported beside it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SimClock } from '../../engine/core/clock.ts';
import { DEFAULT_PARAMS, runBacktest, type BacktestSource } from '../../engine/backtest/runner.ts';
import { decodeChunk } from '../../engine/market/recording-codec.ts';
import { OrderBook } from '../../engine/market/order-book.ts';
import { RecordingStore, recordingsFile } from '../../engine/store/recordings.ts';
import type { Emit } from './figure.ts';
import { machineBaseline } from './figure.ts';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', '..', 'engine', 'host', 'backtest-cli.ts');
const SECONDS = 3600;
const RUNS = 3;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function source(store: RecordingStore, name: string, maxChunks = Infinity): BacktestSource {
  const info = store.get(name)!;
  return {
    name,
    instruments: info.instruments,
    events: info.events,
    chunks: function* () {
      let n = 0;
      for (const c of store.chunksOf(name)) {
        if (n++ >= maxChunks) return;
        yield c;
      }
    },
  };
}

export default async function backtest(emit: Emit): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mmws-bench-bt-'));
  try {
    execFileSync(
      process.execPath,
      [cli, 'record', '--venue', 'sim', '--name', 'bench', '--seconds', String(SECONDS), '--data-dir', dir],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const store = new RecordingStore(recordingsFile(dir));
    const info = store.get('bench')!;
    const symbols = info.instruments.map((i) => i.symbol);
    const baseline = machineBaseline();

    // Decode and apply alone: the floor the whole node is compared with.
    const decodeRates: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const book = new OrderBook(symbols[0]!, new SimClock());
      let n = 0;
      const t0 = performance.now();
      for (const c of store.chunksOf('bench'))
        decodeChunk(c.data, c.info, symbols, (ev) => {
          n++;
          if (ev.kind === 'book') book.apply(ev.message);
        });
      decodeRates.push(n / ((performance.now() - t0) / 1000));
    }

    const nodeRates: number[] = [];
    let fills = 0;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const out = await runBacktest(source(store, 'bench'), DEFAULT_PARAMS, { keepDetail: false });
      nodeRates.push(out.stats.events / ((performance.now() - t0) / 1000));
      fills = out.stats.fills;
    }
    const t1 = performance.now();
    const detailed = await runBacktest(source(store, 'bench'), DEFAULT_PARAMS, { keepDetail: true });
    const detailedRate = detailed.stats.events / ((performance.now() - t1) / 1000);
    const decisions = detailed.decisions.length;

    // Memory: the heap left after a short and after the whole replay (outcomes dropped, full GC).
    const heapAfter = async (chunks: number): Promise<number> => {
      gc();
      const before = process.memoryUsage().heapUsed;
      let peak = 0;
      const out = await runBacktest(source(store, 'bench', chunks), DEFAULT_PARAMS, {
        keepDetail: false,
        onProgress: () => {
          peak = Math.max(peak, process.memoryUsage().heapUsed - before);
        },
      });
      if (out.stats.events === 0) throw new Error('nothing replayed');
      return peak / 1e6;
    };
    const shortPeak = await heapAfter(Math.max(1, Math.floor(info.chunks / 6)));
    const longPeak = await heapAfter(Infinity);
    store.close();

    const nodeRate = median(nodeRates);
    const decodeRate = median(decodeRates);
    const common = { events: info.events, recording_s: SECONDS, runs: RUNS, machine_rng_per_s: baseline };
    emit({
      figure: 'backtest.events_per_s',
      value: Math.round(nodeRate),
      unit: 'events/s',
      goal: 1_000_000,
      ...common,
      fills,
      all_runs: nodeRates.map(Math.round),
      with_every_decision_kept_per_s: Math.round(detailedRate),
      decisions_kept: decisions,
    });
    emit({
      figure: 'backtest.vs_decode_ratio',
      value: Math.round((nodeRate / decodeRate) * 1000) / 1000,
      unit: 'x',
      goal: 0.3,
      ...common,
      decode_and_apply_per_s: Math.round(decodeRate),
    });
    emit({
      figure: 'backtest.heap_growth_mb',
      value: Math.round((longPeak - shortPeak) * 10) / 10,
      unit: 'MB',
      ...common,
      peak_heap_growth_first_sixth_mb: Math.round(shortPeak * 10) / 10,
      peak_heap_growth_whole_mb: Math.round(longPeak * 10) / 10,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
