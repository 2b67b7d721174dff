/**
 * The backtest review through the engine facade: the host's review commands on a Workstation (the
 * embedded simulator trading on a simulated clock), a backtest job on a worker thread, its progress in
 * the state, and its run in the runs list, its page, its export; stopping the host ends the jobs.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CommandName,
  EngineState,
  ReviewRecording,
  Response,
  RunDetail,
  RunView,
} from '../../../engine/api/contract.ts';
import { Engine } from '../../../engine/api/engine.ts';
import { RUN_PAGE_FORMAT, runDetail } from '../../../engine/api/review-views.ts';
import { BacktestStore, backtestsFile } from '../../../engine/backtest/results-store.ts';
import { SimClock } from '../../../engine/core/clock.ts';
import { MemorySecretStore } from '../../../engine/host/secrets/secret-store.ts';
import { Workstation } from '../../../engine/host/workstation.ts';
import { recordSim } from '../../support/sim-recording.ts';

/** Moves the simulated clock with the promise callbacks, so the session's timers run. */
const flush = async (clock: SimClock, ms = 200): Promise<void> => {
  for (let i = 0; i < ms; i++) {
    clock.advance(1);
    for (let k = 0; k < 4; k++) await Promise.resolve();
  }
};

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'mmws-review-'));
  dirs.push(d);
  return d;
};

function rig(dataDir: string) {
  const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
  const station = new Workstation({
    clock,
    base: { dataDir, seed: 3, noStore: true },
    secrets: new MemorySecretStore(clock),
    bybit: { restUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9' },
  });
  const engine = new Engine({ clock, session: station });
  const states: EngineState[] = [];
  engine.onState((s) => states.push(s));
  const call = (name: CommandName, input: object): Promise<Response<unknown>> => engine.invoke(name, input);
  /** The value of an accepted command; fails the test with the engine's message otherwise. */
  const ok = async <T>(name: CommandName, input: object): Promise<T> => {
    const r = await call(name, input);
    if (!r.ok) throw new Error(`${name} refused: ${r.error.message}`);
    return r.value as T;
  };
  const start = async (): Promise<void> => {
    const started = engine.start();
    await flush(clock);
    await started;
  };
  const stop = async (): Promise<void> => {
    const stopped = engine.stop();
    await flush(clock);
    await stopped;
  };
  return { clock, station, engine, states, call, ok, start, stop };
}

let dataDir: string;

beforeAll(async () => {
  dataDir = tmp();
  await recordSim(dataDir, 'small', 20, 6);
}, 60_000);

afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the backtest review through the engine', () => {
  it('lists recordings and runs, runs a backtest on a worker, and shows, exports and deletes its run', async () => {
    const { clock, station, states, call, ok, start, stop } = rig(dataDir);
    await start();
    // No run yet, and no database made just to say so.
    expect(await ok<{ runs: RunView[] }>('review.runs', {})).toEqual({ runs: [] });
    expect(existsSync(backtestsFile(dataDir))).toBe(false);
    const { recordings } = await ok<{ recordings: ReviewRecording[] }>('review.recordings', {});
    expect(recordings.find((r) => r.name === 'small')).toMatchObject({
      source: 'data',
      symbols: ['BTCUSDT'],
    });
    expect(recordings.find((r) => r.name === 'small')!.events).toBeGreaterThan(0);
    expect(recordings.find((r) => r.name === 'sample-btcusdt')).toMatchObject({ source: 'sample' });

    const { job } = await ok<{ at: number; job: string }>('review.start', {
      recording: 'small',
      set: { gamma: '0.2' },
      latencyMs: 8,
    });
    // The job is in the host's state at once, and in the snapshot command's answer.
    expect(station.snapshot().review.jobs).toEqual([
      expect.objectContaining({ id: job, kind: 'backtest', recording: 'small', status: 'running' }),
    ]);
    const snapshot = await ok<EngineState>('engine.snapshot', {});
    expect(snapshot.review.jobs.map((j) => j.id)).toEqual([job]);
    const end = await station.reviewJobs.settled(job);
    expect(end).toMatchObject({ status: 'done', error: null });
    // The end reached the screen: a published state shows the job done.
    await flush(clock, 100);
    expect(states[states.length - 1]!.review.jobs[0]).toMatchObject({ id: job, status: 'done' });

    const { runs } = await ok<{ runs: RunView[] }>('review.runs', {});
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({
      id: end.runId,
      recording: 'small',
      status: 'done',
      set: { gamma: '0.2' },
      latencyMs: 8,
      sweep: null,
    });
    expect(run.stats).not.toBeNull();

    const detail = await ok<RunDetail>('review.run', { id: run.id });
    expect(detail.run.id).toBe(run.id);
    // The job kept the run's page as it stored the run, before showing it done; the page opened is
    // that one, and the same as one built from the run's rows.
    const kept = new BacktestStore(backtestsFile(dataDir));
    try {
      expect(kept.page(run.id, RUN_PAGE_FORMAT)).toBeDefined();
      expect(detail).toEqual(runDetail(kept, run.id));
    } finally {
      kept.close();
    }
    expect(detail.samples.ts.length).toBeGreaterThan(0);
    const exported = await ok<{ fills: string; equity: string; name: string }>('review.export', {
      id: run.id,
    });
    const fillLines = exported.fills.trimEnd().split('\n');
    expect(fillLines[0]).toMatch(/^ts,time,symbol,side,price,size/);
    expect(fillLines).toHaveLength(detail.fills.ts.length + 1);
    expect(exported.equity.trimEnd().split('\n')).toHaveLength(detail.samples.ts.length + 1);
    expect(exported.name).toContain(String(run.id));

    // Refusals come back as error values.
    const unknown = await call('review.start', { recording: 'nope' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (!unknown.ok) expect(unknown.error.message).toMatch(/no recording named nope: the recordings are/);
    const badParam = await call('review.start', { recording: 'small', set: { gamma: '-1' } });
    expect(badParam).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await call('review.run', { id: run.id + 100 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await ok('review.cancel', { job: 'no-such-job' })).toMatchObject({ cancelled: false });

    expect(await ok('review.delete', { ids: [run.id, run.id + 100] })).toMatchObject({ deleted: 1 });
    expect(await ok('review.runs', {})).toEqual({ runs: [] });
    await stop();
  }, 120_000);

  it('runs a sweep whose runs carry its id, and stopping the host cancels the jobs still running', async () => {
    const own = tmp();
    await recordSim(own, 'small', 20, 7);
    // Long enough to be running still when the host stops.
    await recordSim(own, 'long', 240, 8);
    const { station, ok, start, stop } = rig(own);
    await start();
    const sweep = await ok<{ job: string; points: number }>('review.sweep', {
      recording: 'small',
      grid: { gamma: ['0.05', '0.5'], kappa: ['0.5', '1.5'] },
    });
    expect(sweep.points).toBe(4);
    expect(await station.reviewJobs.settled(sweep.job)).toMatchObject({ status: 'done', done: 4, total: 4 });
    const { runs } = await ok<{ runs: RunView[] }>('review.runs', {});
    expect(runs.filter((r) => r.sweep === sweep.job)).toHaveLength(4);

    const { job } = await ok<{ job: string }>('review.start', { recording: 'long' });
    await stop();
    expect(station.reviewJobs.job(job)).toMatchObject({ status: 'cancelled' });
    expect((await ok<{ runs: RunView[] }>('review.runs', {})).runs).toHaveLength(4);
  }, 120_000);
});
