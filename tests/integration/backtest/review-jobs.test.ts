/**
 * The review's jobs (engine/backtest/review-jobs.ts): backtests on worker threads of their own and
 * sweeps on runSweep's pool, on recordings of the embedded simulator made here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecording } from '../../../engine/backtest/recording-source.ts';
import { BacktestStore, backtestsFile, type RunSummary } from '../../../engine/backtest/results-store.ts';
import { ReviewJobs, type JobView } from '../../../engine/backtest/review-jobs.ts';
import { DEFAULT_PARAMS, runBacktest, type BacktestParams } from '../../../engine/backtest/runner.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import { recordingsFile } from '../../../engine/store/recordings.ts';
import { recordSim } from '../../support/sim-recording.ts';

let dataDir: string;
/** Every change the jobs reported, as the screen would have seen it. */
const seen: JobView[][] = [];
let jobs: ReviewJobs;

function runs(): RunSummary[] {
  const store = new BacktestStore(backtestsFile(dataDir));
  try {
    return store.list();
  } finally {
    store.close();
  }
}

/** Every view of one job the changes showed, in order. */
function viewsOf(id: string): JobView[] {
  return seen.flatMap((list) => list.filter((j) => j.id === id));
}

/** The engine's error a call throws; fails the test when it does not throw one. */
function refusal(call: () => unknown): EngineError {
  try {
    call();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('the call was accepted');
}

/** Resolves at the job's first progress short of the end (a backtest reports after each chunk). */
function firstProgress(list: ReviewJobs, id: string): Promise<void> {
  return new Promise((resolve) => {
    const check = setInterval(() => {
      const view = list.job(id);
      if (!view || view.status !== 'running' || view.done > 0) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mmws-review-jobs-'));
  // Five chunks: long enough that a cancel after the first lands before the end.
  await recordSim(dataDir, 'main', 300, 5);
  await recordSim(dataDir, 'small', 20, 6);
  // Two chunks, the second made corrupt: the run replays the first and then fails.
  await recordSim(dataDir, 'bad', 75, 9);
  const db = new Database(recordingsFile(dataDir));
  db.prepare(
    "UPDATE recording_chunks SET data = zeroblob(length(data)) WHERE seq = 1 AND recording_id = (SELECT id FROM recordings WHERE name = 'bad')",
  ).run();
  db.close();
  jobs = new ReviewJobs({
    dataDir,
    now: () => Date.now(),
    onChange: () => seen.push(jobs.jobs()),
    sweepThreads: 2,
  });
  // An earlier run, which everything below must leave as it is.
  const first = jobs.start({ recording: 'small' });
  expect(await jobs.settled(first)).toMatchObject({ status: 'done' });
}, 120_000);

afterAll(async () => {
  await jobs.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ReviewJobs', () => {
  it('runs a backtest on a worker thread with progress, storing what a direct run gives', async () => {
    const settings = { recording: 'main', set: { gamma: '0.2' }, queue: 'prob-log', latencyMs: 10 };
    const params: BacktestParams = {
      ...DEFAULT_PARAMS,
      set: { gamma: '0.2' },
      queue: 'prob-log',
      latencyMs: 10,
    };
    const before = runs();
    const id = jobs.start(settings);
    const started = jobs.job(id)!;
    expect(started).toMatchObject({ kind: 'backtest', recording: 'main', status: 'running', done: 0 });
    expect(jobs.jobs()[0]!.id).toBe(id);
    const end = await jobs.settled(id);

    const { store, info, source } = openRecording(dataDir, 'main');
    let direct;
    try {
      direct = await runBacktest(source, params);
    } finally {
      store.close();
    }
    expect(end).toMatchObject({ status: 'done', error: null, done: info.events, total: info.events });
    expect(end.etaMs).toBeNull();
    // It reported the replay as it went: after the first chunk (short of the end), then to the end.
    const progress = viewsOf(id).filter((v) => v.status === 'running' && v.done > 0);
    expect(progress.some((v) => v.done < v.total)).toBe(true);
    const done = progress.map((v) => v.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done[done.length - 1]).toBe(info.events);

    const after = runs();
    expect(after.slice(1)).toEqual(before);
    const run = after[0]!;
    expect(run.id).toBe(end.runId);
    expect(run).toMatchObject({ recording: 'main', status: 'done', params, sweep: null });
    expect(run.stats).toEqual(JSON.parse(JSON.stringify(direct.stats)));
    const results = new BacktestStore(backtestsFile(dataDir));
    try {
      expect(results.fills(run.id)).toHaveLength(direct.fills.length);
      expect(results.samples(run.id)).toHaveLength(direct.samples.length);
      expect(results.decisionCount(run.id)).toBe(direct.decisions.length);
    } finally {
      results.close();
    }
    expect(direct.fills.length).toBeGreaterThan(0);
  }, 120_000);

  it('does the host’s work on a stored run before the job shows done; a failure of it leaves the run done', async () => {
    const calls: { runId: number; status: string | undefined }[] = [];
    const errors: { runId: number; message: string }[] = [];
    let fail = false;
    let current = '';
    const own: ReviewJobs = new ReviewJobs({
      dataDir,
      now: () => Date.now(),
      onChange: () => undefined,
      afterRun: async (runId) => {
        // The job is still running while the host works on its run.
        calls.push({ runId, status: own.job(current)?.status });
        await new Promise((r) => setTimeout(r, 20));
        if (fail) throw new Error('disk full');
      },
      onAfterRunError: (runId, err) => errors.push({ runId, message: (err as Error).message }),
    });
    try {
      current = own.start({ recording: 'small' });
      const first = await own.settled(current);
      expect(first).toMatchObject({ status: 'done', error: null });
      expect(calls).toEqual([{ runId: first.runId, status: 'running' }]);
      fail = true;
      current = own.start({ recording: 'small' });
      const second = await own.settled(current);
      expect(second).toMatchObject({ status: 'done', error: null });
      expect(errors).toEqual([{ runId: second.runId, message: 'disk full' }]);
      expect(runs().find((r) => r.id === second.runId)).toMatchObject({ status: 'done' });
    } finally {
      await own.close();
    }
    // Failed and cancelled runs have no host work.
    expect(calls).toHaveLength(2);
  }, 120_000);

  it('cancels a running backtest: it ends cancelled and the stored runs stay as they were', async () => {
    const before = runs();
    expect(before.length).toBeGreaterThan(0);
    const id = jobs.start({ recording: 'main' });
    await firstProgress(jobs, id);
    expect(jobs.cancel(id)).toBe(true);
    const end = await jobs.settled(id);
    expect(end).toMatchObject({ status: 'cancelled', runId: null, error: null });
    expect(runs()).toEqual(before);
    // Only a running job can be cancelled.
    expect(jobs.cancel(id)).toBe(false);
    expect(jobs.cancel('no-such-job')).toBe(false);
  }, 120_000);

  it('terminates a cancelled backtest that does not stop in its grace period, the store intact', async () => {
    const before = runs();
    const impatient = new ReviewJobs({
      dataDir,
      now: () => Date.now(),
      onChange: () => undefined,
      cancelGraceMs: 0,
    });
    try {
      const id = impatient.start({ recording: 'main' });
      await firstProgress(impatient, id);
      impatient.cancel(id);
      expect(await impatient.settled(id)).toMatchObject({ status: 'cancelled', runId: null });
    } finally {
      await impatient.close();
    }
    expect(runs()).toEqual(before);
    // The database is whole: a run after it is stored as usual.
    const again = jobs.start({ recording: 'small' });
    expect(await jobs.settled(again)).toMatchObject({ status: 'done' });
    expect(runs().slice(1)).toEqual(before);
  }, 120_000);

  it('fails a run on a corrupt chunk with the engine error naming it, and stores the failure', async () => {
    const before = runs();
    const id = jobs.start({ recording: 'bad' });
    const end = await jobs.settled(id);
    expect(end.status).toBe('failed');
    expect(end.error).toMatch(/recording bad, chunk 1 is corrupt/);
    // The first chunk was replayed before the second was found corrupt.
    expect(end.done).toBeGreaterThan(0);
    expect(end.done).toBeLessThan(end.total);
    const after = runs();
    expect(after.slice(1)).toEqual(before);
    expect(after[0]).toMatchObject({
      id: end.runId,
      recording: 'bad',
      status: 'failed',
      error: end.error,
      stats: null,
    });
  }, 120_000);

  it('refuses an unknown recording or a bad parameter at once, starting nothing', () => {
    const before = runs();
    const listed = jobs.jobs();
    const unknown = refusal(() => jobs.start({ recording: 'nope' }));
    expect(unknown.code).toBe('invalid_input');
    // It names the recording asked for and the ones there are, the shipped sample included.
    expect(unknown.message).toMatch(/no recording named nope: the recordings are .*\bmain\b/);
    expect(unknown.message).toMatch(/sample-btcusdt/);
    expect(refusal(() => jobs.start({ recording: 'bad name!' })).code).toBe('invalid_input');
    const refusals: [() => unknown, RegExp][] = [
      [() => jobs.start({ recording: 'main', set: { gamma: '-1' } }), /gamma must be a positive number/],
      [() => jobs.start({ recording: 'main', set: { gammma: '1' } }), /unknown parameter gammma: use gamma/],
      [() => jobs.start({ recording: 'main', queue: 'fifo' }), /unknown queue model "fifo"/],
      [() => jobs.start({ recording: 'main', latencyMs: 70_000 }), /latency must be 0-60000 ms/],
      [() => jobs.sweep({ recording: 'nope', grid: { gamma: ['0.1'] } }), /no recording named nope/],
      [
        () => jobs.sweep({ recording: 'main', grid: { gamma: ['0.1', 'x'] } }),
        /gamma must be a positive number/,
      ],
      [() => jobs.sweep({ recording: 'main', grid: { gama: ['0.1'] } }), /unknown sweep parameter gama/],
      [
        () => jobs.sweep({ recording: 'main', set: { gamma: '0.1' }, grid: { gamma: ['0.2'] } }),
        /gamma is both set and swept/,
      ],
    ];
    for (const [call, message] of refusals) expect(refusal(call).message).toMatch(message);
    expect(jobs.jobs()).toEqual(listed);
    expect(runs()).toEqual(before);
  });

  it('runs a 2x2 sweep on the pool: four runs tagged with its id, progress point by point', async () => {
    const before = runs();
    const grid = { gamma: ['0.05', '0.5'], kappa: ['0.5', '1.5'] };
    const { job, points } = jobs.sweep({ recording: 'small', grid, latencyMs: 7 });
    expect(points).toBe(4);
    expect(jobs.job(job)).toMatchObject({ kind: 'sweep', status: 'running', done: 0, total: 4, sweep: job });
    const end = await jobs.settled(job);
    expect(end).toMatchObject({ status: 'done', done: 4, total: 4, error: null, sweep: job });
    const progress = viewsOf(job).map((v) => v.done);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(new Set(progress)).toEqual(new Set([0, 1, 2, 3, 4]));
    const tagged = runs().filter((r) => r.sweep === job);
    expect(tagged).toHaveLength(4);
    expect(
      tagged.every((r) => r.status === 'done' && r.recording === 'small' && r.params.latencyMs === 7),
    ).toBe(true);
    expect(
      tagged.map((r) => r.params.set).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual([
      { gamma: '0.05', kappa: '0.5' },
      { gamma: '0.05', kappa: '1.5' },
      { gamma: '0.5', kappa: '0.5' },
      { gamma: '0.5', kappa: '1.5' },
    ]);
    expect(runs().filter((r) => r.sweep !== job)).toEqual(before);
  }, 120_000);

  it('lists running jobs first, then the finished ones newest first, at most ten of them', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(jobs.start({ recording: 'small' }));
    // A job beyond the most that may run at once is refused until one ends.
    expect(refusal(() => jobs.start({ recording: 'small' })).code).toBe('conflict');
    const running = jobs.jobs();
    expect(running.slice(0, 4).map((j) => j.id)).toEqual(ids);
    expect(running.slice(0, 4).every((j) => j.status === 'running')).toBe(true);
    for (const id of ids) await jobs.settled(id);
    const later: string[] = [];
    for (let i = 0; i < 10; i++) {
      later.push(jobs.start({ recording: 'small' }));
      await jobs.settled(later[i]!);
    }
    const listed = jobs.jobs();
    expect(listed.map((j) => j.id)).toEqual([...later].reverse());
    expect(listed.every((j) => j.status === 'done')).toBe(true);
  }, 120_000);

  it('close cancels the jobs running and refuses new ones', async () => {
    const before = runs();
    const closing = new ReviewJobs({
      dataDir,
      now: () => Date.now(),
      onChange: () => undefined,
      sweepThreads: 2,
    });
    const one = closing.start({ recording: 'main' });
    const sweep = closing.sweep({
      recording: 'main',
      grid: { gamma: ['0.1', '0.2', '0.3', '0.4', '0.5', '0.6'] },
    });
    await closing.close();
    expect(closing.job(one)).toMatchObject({ status: 'cancelled' });
    expect(closing.job(sweep.job)?.status).toMatch(/^(cancelled|done)$/);
    expect(refusal(() => closing.start({ recording: 'small' })).code).toBe('unavailable');
    // The backtest stored nothing; the sweep only the points it finished.
    expect(runs().filter((r) => r.sweep !== sweep.job)).toEqual(before);
  }, 120_000);
});
