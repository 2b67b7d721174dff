import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Decimal as DecimalJs } from 'decimal.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PARAMS,
  runBacktest,
  type BacktestOutcome,
  type BacktestParams,
  type BacktestSource,
} from '../../../engine/backtest/runner.ts';
import { openRecording } from '../../../engine/host/backtest-cli.ts';
import { runDetail, storedRunPage } from '../../../engine/api/review-views.ts';
import { BacktestStore, backtestsFile } from '../../../engine/backtest/results-store.ts';
import { RecordingStore, recordingsFile } from '../../../engine/store/recordings.ts';
import { backtestCli } from '../../support/backtest-cli.ts';
import { recordSim } from '../../support/sim-recording.ts';

/** decimal.js with room for every digit of these sums, so the identity is checked without rounding. */
const Exact = DecimalJs.clone({ precision: 100 });
const tmp = () => mkdtempSync(join(tmpdir(), 'mmws-bt-'));

/** One run of a recording of `dir`, the store closed afterwards whatever happens. */
async function runOn(dir: string, name: string, params: BacktestParams): Promise<BacktestOutcome> {
  const { store, source } = openRecording(dir, name);
  try {
    return await runBacktest(source, params);
  } finally {
    store.close();
  }
}

/** The CLI in a child process, as a terminal runs it; several may run at once. */
const cli = (...args: string[]) => backtestCli(args);

const NAME = 'btc-45s';
const PAUSE_AT_MS = 30_000;
let dir: string;
let firstEvent: number;
let baseline: BacktestOutcome;

beforeAll(async () => {
  dir = tmp();
  await recordSim(dir, NAME, 45, 5);
  const { store, info } = openRecording(dir, NAME);
  firstEvent = info.firstLocal!;
  store.close();
  baseline = await runOn(dir, NAME, DEFAULT_PARAMS);
  // Enough activity that a changed model or parameter has something to change.
  expect(baseline.stats.fills).toBeGreaterThan(30);
}, 60_000);

describe('runBacktest', () => {
  it('gives the same statistics and fills on the same recording and parameters', async () => {
    const again = await runOn(dir, NAME, DEFAULT_PARAMS);
    expect(again.stats).toEqual(baseline.stats);
    expect(again.fills).toEqual(baseline.fills);
    expect(again.decisions).toEqual(baseline.decisions);
    expect(again.stats.events).toBe(openRecording(dir, NAME).info.events);
  });

  it('a different gamma changes the statistics and the fills', async () => {
    const other = await runOn(dir, NAME, { ...DEFAULT_PARAMS, set: { gamma: '0.5' } });
    expect(other.decisions.some((d) => d.gamma === 0.5)).toBe(true);
    expect(other.decisions.every((d) => d.gamma === null || d.gamma === 0.5)).toBe(true);
    expect(other.stats).not.toEqual(baseline.stats);
    expect(other.fills).not.toEqual(baseline.fills);
  });

  it('a different queue model or latency changes the fills', async () => {
    const queue = await runOn(dir, NAME, { ...DEFAULT_PARAMS, queue: 'prob-log' });
    expect(queue.fills).not.toEqual(baseline.fills);
    const slow = await runOn(dir, NAME, { ...DEFAULT_PARAMS, latencyMs: 40 });
    expect(slow.fills).not.toEqual(baseline.fills);
  });

  it('a scheduled pause of both sides stops quoting from then on', async () => {
    const pauseAt = firstEvent + PAUSE_AT_MS;
    const latest = pauseAt + DEFAULT_PARAMS.latencyMs;
    // Without the pause there are fills after that time, so the check below can fail.
    expect(baseline.fills.some((f) => f.ts > latest)).toBe(true);
    const paused = await runOn(dir, NAME, {
      ...DEFAULT_PARAMS,
      overrides: [{ atMs: PAUSE_AT_MS, pause: 'both' }],
    });
    expect(paused.fills.some((f) => f.ts < pauseAt)).toBe(true);
    // The pull goes out at the pause and reaches the venue one latency later; nothing fills after.
    expect(paused.fills.filter((f) => f.ts > latest)).toEqual([]);
    // Until the pause the run is the baseline's.
    expect(paused.fills).toEqual(baseline.fills.filter((f) => f.ts <= latest));
    const after = paused.decisions.filter((d) => d.ts >= pauseAt);
    expect(after.length).toBeGreaterThan(100);
    for (const d of after) {
      expect(d.bid).toBeNull();
      expect(d.ask).toBeNull();
    }
  });

  it('refuses an unknown parameter before reading the recording', async () => {
    let read = 0;
    let progress = 0;
    const { store, source } = openRecording(dir, NAME);
    const watched: BacktestSource = {
      ...source,
      chunks: () => {
        read++;
        return source.chunks();
      },
    };
    try {
      await expect(
        runBacktest(
          watched,
          { ...DEFAULT_PARAMS, set: { gamma: '0.1', gammma: '0.1' } },
          { onProgress: () => progress++ },
        ),
      ).rejects.toThrow(/unknown parameter gammma: use gamma, kappa/);
      await expect(runBacktest(watched, { ...DEFAULT_PARAMS, set: { gamma: '-1' } })).rejects.toThrow(
        /gamma must be a positive number/,
      );
      await expect(runBacktest(watched, { ...DEFAULT_PARAMS, queue: 'fifo' })).rejects.toThrow(
        /unknown queue model "fifo"/,
      );
    } finally {
      store.close();
    }
    expect(read).toBe(0);
    expect(progress).toBe(0);
  });

  it('rejects a corrupt chunk naming the recording and the chunk, and leaves the recordings intact', async () => {
    const own = tmp();
    await recordSim(own, 'good', 20, 8);
    // Long enough for two chunks: the run replays the first and meets the corrupt second.
    await recordSim(own, 'bad', 75, 9);
    const file = recordingsFile(own);
    const before = new RecordingStore(file);
    const listed = before.list();
    before.close();
    expect(listed.find((r) => r.name === 'bad')!.chunks).toBeGreaterThan(1);
    const db = new Database(file);
    db.prepare(
      "UPDATE recording_chunks SET data = zeroblob(length(data)) WHERE seq = 1 AND recording_id = (SELECT id FROM recordings WHERE name = 'bad')",
    ).run();
    db.close();

    const { store, source } = openRecording(own, 'bad');
    let progress = 0;
    try {
      await expect(runBacktest(source, DEFAULT_PARAMS, { onProgress: () => progress++ })).rejects.toThrow(
        /recording bad, chunk 1 is corrupt/,
      );
    } finally {
      store.close();
    }
    // The first chunk was replayed before the second was found corrupt.
    expect(progress).toBe(1);
    // The CLI says the same, and exits 1 (a failed run, not a usage error).
    const viaCli = await cli('run', '--recording', 'bad', '--json', '--data-dir', own);
    expect(viaCli.code).toBe(1);
    expect(viaCli.stdout).toBe('');
    expect(viaCli.stderr).toMatch(/^backtest: recording bad, chunk 1 is corrupt/);
    const after = new RecordingStore(file);
    expect(after.list()).toEqual(listed);
    after.close();
    const good = await runOn(own, 'good', DEFAULT_PARAMS);
    expect(good.stats.events).toBe(listed.find((r) => r.name === 'good')!.events);
  });
});

describe('backtest CLI', () => {
  const money = /^-?\d+(\.\d+)?$/;

  it('run --json prints one line of statistics whose PnL adds up exactly', async () => {
    const r = await cli('run', '--recording', NAME, '--json', '--data-dir', dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const stats = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(typeof stats['events']).toBe('number');
    expect(Number.isInteger(stats['fills'])).toBe(true);
    for (const k of ['pnl_total', 'spread_capture', 'inventory_pnl', 'fees']) {
      expect(typeof stats[k], k).toBe('string');
      expect(stats[k], k).toMatch(money);
    }
    const [pnl, spread, inventory, fees] = ['pnl_total', 'spread_capture', 'inventory_pnl', 'fees'].map(
      (k) => new Exact(stats[k] as string),
    );
    expect(spread!.plus(inventory!).minus(fees!).equals(pnl!)).toBe(true);
    // The CLI's defaults are DEFAULT_PARAMS: the same run as in process, plus the stored run's id.
    const { run, ...rest } = stats;
    expect(typeof run).toBe('number');
    expect(rest).toEqual(JSON.parse(JSON.stringify(baseline.stats)));
    // It kept the run's page for the review screen, the page built from the run's rows.
    const results = new BacktestStore(backtestsFile(dir));
    try {
      expect(storedRunPage(results, run as number)).toEqual(runDetail(results, run as number));
    } finally {
      results.close();
    }
  });

  it('exits 2 on a usage error and 1 on a missing recording, printing nothing on stdout', async () => {
    const usage = [
      ['run', '--json', '--data-dir', dir],
      ['run', '--recording', NAME, '--latency-ms', 'fast', '--json', '--data-dir', dir],
      ['run', '--recording', NAME, '--set', 'gammma=1', '--json', '--data-dir', dir],
      ['run', '--recording', NAME, '--bogus', '--data-dir', dir],
      ['walk', '--data-dir', dir],
    ];
    const [missing, ...results] = await Promise.all([
      cli('run', '--recording', 'no-such-recording', '--json', '--data-dir', dir),
      ...usage.map((args) => cli(...args)),
    ]);
    results.forEach((r, i) => {
      const args = usage[i]!.join(' ');
      expect(r.code, args).toBe(2);
      expect(r.stdout, args).toBe('');
      expect(r.stderr, args).toMatch(/^backtest: .+\n$/);
    });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/no recording named no-such-recording/);
  });

  it('runs the shipped sample against an empty data dir', async () => {
    const empty = tmp();
    const r = await cli('run', '--recording', 'sample-btcusdt', '--json', '--data-dir', empty);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(2);
    const stats = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(stats['recording']).toBe('sample-btcusdt');
    const listed = JSON.parse((await cli('list', '--json', '--data-dir', empty)).stdout) as {
      name: string;
      events: number;
    }[];
    expect(stats['events']).toBe(listed.find((l) => l.name === 'sample-btcusdt')!.events);
    expect(stats['fills']).toBeGreaterThan(0);
    const d = (k: string) => new Exact(stats[k] as string);
    expect(d('spread_capture').plus(d('inventory_pnl')).minus(d('fees')).equals(d('pnl_total'))).toBe(true);
  }, 60_000);
});
