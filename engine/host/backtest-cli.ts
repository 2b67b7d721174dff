#!/usr/bin/env node
/**
 * `npm run backtest -- <command> [options]`: market-data recordings and backtests from a terminal.
 *
 *   run --recording NAME [--set gamma=0.1 --set kappa=1.5 ...] [--queue MODEL] [--latency-ms N] [--json]
 *   sweep --recording NAME --grid gamma=0.05,0.1,0.2 --grid kappa=1,1.5 [--set ...] [--threads N] [--json]
 *   record --venue sim --name NAME --seconds N [--symbols BTCUSDT,...] [--seed N]
 *   record --venue bybit:mainnet|testnet|demo --name NAME --symbols BTCUSDT[,...] [--seconds N]
 *          [--category spot|linear] [--bybit-rest-url URL --bybit-ws-url URL]   (public data, no key)
 *   record --venue mexc --name NAME --symbols BTCUSDT[,...] [--seconds N]
 *          [--mexc-rest-url URL --mexc-ws-url URL]   (MEXC spot's public data, no key)
 *   list [--json]                     recordings (yours, then the samples shipped in resources/)
 *   runs [--json]                     stored backtest runs
 *   delete NAME                       deletes one of your recordings
 *   import --tardis-book FILE [--tardis-trades FILE] --name NAME [--tick-size T] [--lot-size L]
 *          [--base B --quote Q] [--maker-fee F] [--taker-fee F]   Tardis.dev CSV (plain or gzip) into a
 *          recording; prints one JSON line (events, first_ts, last_ts, best_bid, best_ask, ...)
 *   export --run ID --what fills|equity [--out FILE]   a run's fills or equity samples as CSV
 *
 * Every command takes --data-dir DIR (default .data beside the app, as `npm run serve`). `run` shows a
 * progress bar on a terminal; with --json it prints one JSON object of the run's statistics (money as
 * exact decimal strings) on standard output and nothing else there. A usage error prints one sentence
 * to stderr and exits 2; a failed run prints the engine's error and exits 1.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SimClock, WallClock } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import type { BacktestParams } from '../backtest/runner.ts';
import { DEFAULT_PARAMS, PARAMETERS, runBacktest } from '../backtest/runner.ts';
import { BacktestStore, backtestsFile } from '../backtest/results-store.ts';
import { storeRunPage } from '../api/review-views.ts';
import { runSweep, type SweepPointResult } from '../backtest/sweep.ts';
import { equityCsv, fillsCsv, instrumentsBySymbol } from '../backtest/csv-export.ts';
import { SAMPLES_FILE, listRecordings, openRecording } from '../backtest/recording-source.ts';
import { importTardis, type ImportProgress } from '../backtest/tardis-import.ts';
import { writeFile } from 'node:fs/promises';
import { MarketRecorder } from '../store/recorder.ts';
import {
  RecordingStore,
  checkRecordingName,
  recordingsFile,
  type RecordingInfo,
} from '../store/recordings.ts';
import type { BybitEnv } from '../venues/bybit/bybit-venue.ts';
import { MexcMarketData } from '../venues/mexc/market-data.ts';
import { BybitMarketData } from '../venues/paper/bybit-market-data.ts';
import { createDefaultSim, defaultSimInstruments } from '../venues/sim/index.ts';
import { QUEUE_MODEL_NAMES } from '../venues/sim-exec/queue-model.ts';

class UsageError extends Error {}

// The recording opener lives with the backtests (the review's jobs use it too); tests and scripts
// that import it from here keep working.
export { openRecording, SAMPLES_FILE };

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function parseSet(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of values) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set takes NAME=VALUE, got ${JSON.stringify(kv)}`);
    const k = kv.slice(0, eq);
    if (!(k in PARAMETERS))
      throw new UsageError(`unknown parameter ${k}: use ${Object.keys(PARAMETERS).join(', ')}`);
    out[k] = kv.slice(eq + 1);
  }
  return out;
}

/** A one-line bar on a terminal, redrawn at most ten times a second. */
function progressBar(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(share * width);
    stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} events`,
    );
    if (done >= total) stream.write('\n');
  };
}

async function run(argv: string[], dataDir: string): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      recording: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      queue: { type: 'string', default: DEFAULT_PARAMS.queue },
      'latency-ms': { type: 'string', default: String(DEFAULT_PARAMS.latencyMs) },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
    },
  });
  if (values.recording === undefined) throw new UsageError('run needs --recording NAME');
  if (!QUEUE_MODEL_NAMES.includes(values.queue))
    throw new UsageError(`--queue must be one of ${QUEUE_MODEL_NAMES.join(', ')}, got ${values.queue}`);
  if (!/^\d{1,5}(\.\d+)?$/.test(values['latency-ms']))
    throw new UsageError(`--latency-ms must be a number of ms, got ${values['latency-ms']}`);
  const params: BacktestParams = {
    ...DEFAULT_PARAMS,
    set: parseSet(values.set),
    queue: values.queue,
    latencyMs: Number(values['latency-ms']),
  };
  const { store, source } = openRecording(dataDir, values.recording);
  const results = new BacktestStore(backtestsFile(dataDir));
  try {
    const tty = process.stderr.isTTY && !values.json;
    const outcome = await runBacktest(source, params, tty ? { onProgress: progressBar(process.stderr) } : {});
    const id = results.saveRun(values.recording, params, outcome, Date.now());
    // Its page for the review screen, packed now so that opening the run reads it; without it the
    // run is still whole (the screen then packs the page when the run is opened).
    try {
      storeRunPage(results, id);
    } catch (err) {
      process.stderr.write(
        `warning: run ${id} is stored, but its review page was not: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    }
    const stats = { run: id, ...outcome.stats };
    if (values.json) process.stdout.write(`${JSON.stringify(stats)}\n`);
    else {
      process.stdout.write(
        `run ${id} on ${values.recording}: ${stats.events} events, ${stats.fills} fills\n`,
      );
      for (const [k, v] of Object.entries(stats))
        process.stdout.write(`  ${k.padEnd(24)} ${JSON.stringify(v)}\n`);
    }
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    results.saveFailure(values.recording, params, message, Date.now());
    throw err;
  } finally {
    results.close();
    store.close();
  }
}

/**
 * A grid of runs on worker threads, each stored with the sweep's id. Ctrl-C cancels: the points not yet
 * run are dropped, the stored ones stay, and the summary says how many ran (exit code 130).
 */
async function sweep(argv: string[], dataDir: string): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      recording: { type: 'string' },
      grid: { type: 'string', multiple: true, default: [] },
      set: { type: 'string', multiple: true, default: [] },
      queue: { type: 'string', default: DEFAULT_PARAMS.queue },
      'latency-ms': { type: 'string', default: String(DEFAULT_PARAMS.latencyMs) },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
    },
  });
  if (values.recording === undefined) throw new UsageError('sweep needs --recording NAME');
  if (values.grid.length === 0) throw new UsageError('sweep needs --grid NAME=V1,V2,... (one per parameter)');
  const grid: Record<string, string[]> = {};
  for (const g of values.grid) {
    const eq = g.indexOf('=');
    if (eq <= 0) throw new UsageError(`--grid takes NAME=V1,V2,..., got ${JSON.stringify(g)}`);
    const name = g.slice(0, eq);
    if (!(name in PARAMETERS))
      throw new UsageError(`unknown parameter ${name}: use ${Object.keys(PARAMETERS).join(', ')}`);
    if (name in grid) throw new UsageError(`--grid ${name} is given twice: list its values in one --grid`);
    grid[name] = g.slice(eq + 1).split(',');
  }
  if (values.threads !== undefined && !/^\d{1,4}$/.test(values.threads))
    throw new UsageError(`--threads must be a whole number, got ${values.threads}`);
  if (!/^\d{1,5}(\.\d+)?$/.test(values['latency-ms']))
    throw new UsageError(`--latency-ms must be a number of ms, got ${values['latency-ms']}`);
  const base: BacktestParams = {
    ...DEFAULT_PARAMS,
    set: parseSet(values.set),
    queue: values.queue,
    latencyMs: Number(values['latency-ms']),
  };
  const cancel = new AbortController();
  const onSigint = (): void => {
    cancel.abort();
  };
  process.once('SIGINT', onSigint);
  const tty = process.stderr.isTTY && !values.json;
  try {
    const summary = await runSweep({
      dataDir,
      recording: values.recording,
      base,
      grid,
      recordingFiles: [recordingsFile(dataDir), SAMPLES_FILE],
      signal: cancel.signal,
      ...(values.threads === undefined ? {} : { threads: Number(values.threads) }),
      ...(tty
        ? {
            onProgress: (done: number, total: number, last: SweepPointResult) => {
              const what = last.stats ? `pnl ${last.stats.pnl_total}` : `failed: ${last.error ?? ''}`;
              process.stderr.write(
                `\r\x1b[K${done}/${total} points, last ${JSON.stringify(last.params.set)} ${what}`,
              );
              if (done >= total) process.stderr.write('\n');
            },
          }
        : {}),
    });
    if (tty && summary.cancelled) process.stderr.write('\n');
    const row = (r: SweepPointResult): Record<string, unknown> => ({
      run: r.runId,
      params: r.params.set,
      status: r.status,
      ...(r.stats ?? { error: r.error }),
    });
    if (values.json)
      process.stdout.write(
        `${JSON.stringify({
          sweep: summary.sweep,
          recording: summary.recording,
          points: summary.points,
          done: summary.done,
          failed: summary.failed,
          cancelled: summary.cancelled,
          threads: summary.threads,
          best: summary.best && row(summary.best),
          results: summary.results.map(row),
        })}\n`,
      );
    else {
      process.stdout.write(
        `sweep ${summary.sweep} on ${summary.recording}: ${summary.done} of ${summary.points} points ran on ${summary.threads} threads, ${summary.failed} failed${summary.cancelled ? ' (cancelled)' : ''}\n`,
      );
      for (const r of summary.results)
        process.stdout.write(
          `${r === summary.best ? '*' : ' '} run ${String(r.runId).padStart(5)} ${JSON.stringify(r.params.set).padEnd(40)} ${r.stats ? `pnl ${r.stats.pnl_total} fills ${r.stats.fills} sharpe ${String(r.stats.sharpe)}` : `failed: ${r.error ?? ''}`}\n`,
        );
    }
    return summary.cancelled ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function record(argv: string[], dataDir: string): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      venue: { type: 'string', default: 'sim' },
      name: { type: 'string' },
      seconds: { type: 'string' },
      symbols: { type: 'string' },
      seed: { type: 'string', default: '1' },
      category: { type: 'string', default: 'spot' },
      'bybit-rest-url': { type: 'string' },
      'bybit-ws-url': { type: 'string' },
      'mexc-rest-url': { type: 'string' },
      'mexc-ws-url': { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  if (values.name === undefined) throw new UsageError('record needs --name NAME');
  checkRecordingName(values.name);
  const bybit = /^bybit:(mainnet|testnet|demo)$/.exec(values.venue);
  if (bybit) return recordLive({ kind: 'bybit', env: bybit[1] as BybitEnv }, values, dataDir);
  if (values.venue === 'mexc') return recordLive({ kind: 'mexc' }, values, dataDir);
  if (values.venue !== 'sim')
    throw new UsageError(`--venue must be sim, bybit:mainnet|testnet|demo or mexc, got ${values.venue}`);
  if (values.seconds === undefined || !/^\d{1,6}$/.test(values.seconds) || Number(values.seconds) < 1)
    throw new UsageError('record needs --seconds N (a whole number of simulated seconds)');
  if (!/^\d{1,9}$/.test(values.seed))
    throw new UsageError(`--seed must be a whole number, got ${values.seed}`);
  const all = defaultSimInstruments().map((i) => i.spec);
  const wanted = values.symbols?.split(',').map((s) => s.trim()) ?? [all[0]!.symbol];
  const specs = wanted.map((s) => {
    const spec = all.find((a) => a.symbol === s);
    if (!spec)
      throw new UsageError(`the simulator lists no ${s}: it has ${all.map((a) => a.symbol).join(', ')}`);
    return spec;
  });
  const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
  const sim = createDefaultSim(clock, Number(values.seed));
  const store = new RecordingStore(recordingsFile(dataDir));
  try {
    const connected = sim.connect();
    while (sim.connectionState() !== 'connected') clock.advance(1);
    await connected;
    const recorder = new MarketRecorder({
      store,
      market: sim,
      clock,
      venue: 'sim',
      name: values.name,
      instruments: specs,
    });
    recorder.start();
    const end = clock.now() + Number(values.seconds) * 1000;
    // Simulated time runs as fast as the machine allows: a minute of market takes well under a second.
    while (clock.now() < end) {
      clock.advance(Math.min(100, end - clock.now()));
      await Promise.resolve();
    }
    const parts = recorder.stop();
    await sim.disconnect();
    for (const p of parts) process.stdout.write(`${JSON.stringify(describe(p))}\n`);
    return 0;
  } finally {
    store.close();
  }
}

/**
 * Records a live venue's public market data (no key needed) in real time, until --seconds have
 * passed or Ctrl-C; the recording is completed either way. Endpoints follow --bybit-rest-url /
 * --bybit-ws-url (MMWS_BYBIT_REST_URL / MMWS_BYBIT_WS_URL), or the --mexc-… ones, as for `npm run serve`.
 */
async function recordLive(
  venue: { kind: 'bybit'; env: BybitEnv } | { kind: 'mexc' },
  values: {
    name?: string;
    seconds?: string;
    symbols?: string;
    category: string;
    'bybit-rest-url'?: string;
    'bybit-ws-url'?: string;
    'mexc-rest-url'?: string;
    'mexc-ws-url'?: string;
  },
  dataDir: string,
): Promise<number> {
  const name = values.name!;
  const label = venue.kind === 'bybit' ? 'Bybit' : 'MEXC';
  if (values.symbols === undefined)
    throw new UsageError(`recording ${label} needs --symbols BTCUSDT[,ETHUSDT…]`);
  if (values.seconds !== undefined && (!/^\d{1,7}$/.test(values.seconds) || Number(values.seconds) < 1))
    throw new UsageError('--seconds must be a whole number of seconds');
  if (values.category !== 'spot' && values.category !== 'linear')
    throw new UsageError(`--category must be spot or linear, got ${values.category}`);
  if (venue.kind === 'mexc' && values.category !== 'spot')
    throw new UsageError('MEXC is recorded on spot: leave out --category or use spot');
  const symbols = values.symbols.split(',').map((x) => x.trim());
  const clock = new WallClock();
  const prefix = venue.kind === 'bybit' ? 'BYBIT' : 'MEXC';
  const restUrl = values[`${venue.kind}-rest-url`] ?? process.env[`MMWS_${prefix}_REST_URL`];
  const wsUrl = values[`${venue.kind}-ws-url`] ?? process.env[`MMWS_${prefix}_WS_URL`];
  const endpoints = {
    ...(restUrl === undefined ? {} : { restUrl }),
    ...(wsUrl === undefined ? {} : { wsUrl }),
  };
  const market =
    venue.kind === 'bybit'
      ? new BybitMarketData({ env: venue.env, clock, category: values.category, ...endpoints })
      : new MexcMarketData({ clock, ...endpoints });
  const where = venue.kind === 'bybit' ? `Bybit ${venue.env} ${values.category}` : 'MEXC spot';
  const store = new RecordingStore(recordingsFile(dataDir));
  try {
    await market.connect();
    const listed = await market.instruments();
    const specs = symbols.map((sym) => {
      const spec = listed.find((l) => l.symbol === sym);
      if (!spec) throw new EngineError('not_found', `${where} lists no ${sym}`);
      return spec;
    });
    const recorder = new MarketRecorder({
      store,
      market,
      clock,
      venue: venue.kind === 'bybit' ? `bybit:${venue.env}` : 'mexc',
      name,
      instruments: specs,
    });
    recorder.start();
    const tty = process.stderr.isTTY;
    await new Promise<void>((resolveWait) => {
      const stop = () => {
        clearInterval(tick);
        clearTimeout(timer);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolveWait();
      };
      const timer =
        values.seconds === undefined ? undefined : setTimeout(stop, Number(values.seconds) * 1000);
      const tick = setInterval(() => {
        if (!tty) return;
        const st = recorder.status();
        process.stderr.write(
          `\rrecording ${name}: ${st.events.toLocaleString('en-US')} events, ${(st.bytes / 1024).toFixed(0)} KiB`,
        );
      }, 500);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    if (tty) process.stderr.write('\n');
    const parts = recorder.stop();
    for (const p of parts) process.stdout.write(`${JSON.stringify(describe(p))}\n`);
    return 0;
  } finally {
    // Closed on every path, a refusal included: an open socket would keep the process alive.
    await market.disconnect().catch(() => undefined);
    store.close();
  }
}

function describe(r: RecordingInfo): Record<string, unknown> {
  return {
    name: r.name,
    venue: r.venue,
    instruments: r.instruments.map((i) => i.symbol),
    events: r.events,
    book_events: r.bookEvents,
    trade_events: r.tradeEvents,
    bytes: r.bytes,
    first_ts: r.firstLocal,
    last_ts: r.lastLocal,
    status: r.status,
  };
}

function list(argv: string[], dataDir: string): number {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } },
  });
  const all = listRecordings(dataDir);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(all.map((r) => ({ ...describe(r), sample: r.sample })))}\n`);
    return 0;
  }
  if (all.length === 0)
    process.stdout.write(
      'no recordings yet: `npm run backtest -- record --venue sim --name NAME --seconds 600`\n',
    );
  for (const r of all) {
    const span = r.firstLocal === null || r.lastLocal === null ? 0 : (r.lastLocal - r.firstLocal) / 1000;
    process.stdout.write(
      `${r.name.padEnd(28)} ${r.instruments
        .map((i) => i.symbol)
        .join(',')
        .padEnd(
          16,
        )} ${span.toFixed(0).padStart(7)} s ${String(r.events).padStart(10)} events ${(r.bytes / 1024).toFixed(0).padStart(8)} KiB${r.sample ? '  (sample)' : ''}\n`,
    );
  }
  return 0;
}

function runs(argv: string[], dataDir: string): number {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } },
  });
  const store = new BacktestStore(backtestsFile(dataDir));
  try {
    const all = store.list();
    if (values.json) process.stdout.write(`${JSON.stringify(all)}\n`);
    else
      for (const r of all)
        process.stdout.write(
          `${String(r.id).padStart(5)} ${r.recording.padEnd(24)} ${r.status.padEnd(6)} ${r.error ?? JSON.stringify(r.params.set)} pnl ${JSON.stringify(r.stats?.['pnl_total'] ?? '-')}\n`,
        );
    return 0;
  } finally {
    store.close();
  }
}

function remove(argv: string[], dataDir: string): number {
  const { positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' } },
  });
  const name = positionals[0];
  if (name === undefined || positionals.length > 1) throw new UsageError('delete takes one recording name');
  const store = new RecordingStore(recordingsFile(dataDir));
  try {
    if (!store.delete(checkRecordingName(name)))
      throw new EngineError('not_found', `no recording of yours named ${name}`);
    process.stdout.write(`deleted ${name}\n`);
    return 0;
  } finally {
    store.close();
  }
}

const POSITIVE_DECIMAL = /^(?=.*[1-9])\d+(\.\d+)?$/;
const FEE = /^-?\d+(\.\d+)?$/;

async function importCommand(argv: string[], dataDir: string): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'tardis-book': { type: 'string' },
      'tardis-trades': { type: 'string' },
      name: { type: 'string' },
      'tick-size': { type: 'string' },
      'lot-size': { type: 'string' },
      base: { type: 'string' },
      quote: { type: 'string' },
      venue: { type: 'string' },
      'maker-fee': { type: 'string' },
      'taker-fee': { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  const bookFile = values['tardis-book'];
  if (bookFile === undefined)
    throw new UsageError('import needs --tardis-book FILE (a Tardis incremental_book_L2 CSV)');
  if (values.name === undefined) throw new UsageError('import needs --name NAME');
  for (const key of ['tick-size', 'lot-size'] as const) {
    const v = values[key];
    if (v !== undefined && !POSITIVE_DECIMAL.test(v))
      throw new UsageError(`--${key} must be a positive decimal, got ${v}`);
  }
  for (const key of ['maker-fee', 'taker-fee'] as const) {
    const v = values[key];
    if (v !== undefined && !FEE.test(v))
      throw new UsageError(`--${key} must be a decimal fraction (0.0001 = 1 bp), got ${v}`);
  }
  const store = new RecordingStore(recordingsFile(dataDir));
  // Ctrl-C cancels the import, which deletes the partial recording, instead of leaving it behind.
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const progress = process.stderr.isTTY ? importProgress(process.stderr) : undefined;
  try {
    const summary = await importTardis({
      bookFile,
      name: values.name,
      store,
      signal: abort.signal,
      ...(values['tardis-trades'] === undefined ? {} : { tradesFile: values['tardis-trades'] }),
      ...(values['tick-size'] === undefined ? {} : { tickSize: values['tick-size'] }),
      ...(values['lot-size'] === undefined ? {} : { lotSize: values['lot-size'] }),
      ...(values.base === undefined ? {} : { base: values.base }),
      ...(values.quote === undefined ? {} : { quote: values.quote }),
      ...(values.venue === undefined ? {} : { venue: values.venue }),
      ...(values['maker-fee'] === undefined ? {} : { makerFee: values['maker-fee'] }),
      ...(values['taker-fee'] === undefined ? {} : { takerFee: values['taker-fee'] }),
      ...(progress === undefined ? {} : { onProgress: progress.update }),
    });
    progress?.end();
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } catch (err) {
    progress?.end();
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    store.close();
  }
}

function importProgress(stream: NodeJS.WriteStream): {
  update: (p: ImportProgress) => void;
  end: () => void;
} {
  let last = 0;
  let shown = false;
  return {
    update: (p) => {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      const share = p.totalBytes > 0 ? Math.min(100, (100 * p.bytes) / p.totalBytes) : 100;
      const what = p.phase === 'scan' ? 'scanning for the tick and lot' : 'importing';
      stream.write(
        `\r${what} ${share.toFixed(0).padStart(3)}% ${p.events.toLocaleString('en-US')} events   `,
      );
    },
    end: () => {
      if (shown) stream.write('\n');
    },
  };
}

async function exportCommand(argv: string[], dataDir: string): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      run: { type: 'string' },
      what: { type: 'string' },
      out: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  if (values.run === undefined || !/^\d{1,15}$/.test(values.run))
    throw new UsageError('export needs --run ID (a run number from `npm run backtest -- runs`)');
  if (values.what !== 'fills' && values.what !== 'equity')
    throw new UsageError('export needs --what fills or --what equity');
  const id = Number(values.run);
  const results = new BacktestStore(backtestsFile(dataDir));
  try {
    const summary = results.get(id);
    if (!summary)
      throw new EngineError('not_found', `no backtest run ${id}: \`npm run backtest -- runs\` lists them`);
    let instruments: ReturnType<typeof instrumentsBySymbol>;
    try {
      const { store, info } = openRecording(dataDir, summary.recording);
      store.close();
      instruments = instrumentsBySymbol(info.instruments);
    } catch (err) {
      if (!(err instanceof EngineError) || err.code !== 'not_found') throw err;
      throw new EngineError(
        'not_found',
        `run ${id} was on recording ${summary.recording}, which is gone: its tick and lot sizes are needed to print prices`,
      );
    }
    const csv =
      values.what === 'fills'
        ? fillsCsv(results.fills(id), instruments)
        : equityCsv(results.samples(id), instruments);
    if (values.out === undefined) process.stdout.write(csv);
    else await writeFile(values.out, csv);
    return 0;
  } finally {
    results.close();
  }
}

function dataDirOf(argv: string[]): string {
  const i = argv.indexOf('--data-dir');
  const v = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && v === undefined) throw new UsageError('--data-dir needs a directory');
  return resolve(v ?? join(root, '.data'));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const dataDir = dataDirOf(rest);
  switch (command) {
    case 'run':
      return run(rest, dataDir);
    case 'sweep':
      return sweep(rest, dataDir);
    case 'record':
      return record(rest, dataDir);
    case 'list':
      return list(rest, dataDir);
    case 'runs':
      return runs(rest, dataDir);
    case 'delete':
      return remove(rest, dataDir);
    case 'import':
      return importCommand(rest, dataDir);
    case 'export':
      return exportCommand(rest, dataDir);
    default:
      throw new UsageError(
        `the first argument is a command (run, sweep, record, list, runs, delete, import, export), got ${command ?? 'nothing'}`,
      );
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const usage =
        err instanceof UsageError ||
        (err instanceof Error &&
          'code' in err &&
          String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'));
      process.stderr.write(`backtest: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = usage ? 2 : 1;
    },
  );
}
