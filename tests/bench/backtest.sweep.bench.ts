/**
 * A parameter sweep on every core against the same sweep on one worker thread, in the same run, on an
 * hour-long recording of the embedded simulator made in a temporary data directory. The figure is
 * t_one / t_all; the goal is 0.8 per core. Both times include starting the pool's threads, as a sweep
 * from the CLI pays it.
 *
 * The recording must be long enough for the sweep, not the threads' start, to set the time: a thread's
 * start (loading and type-stripping the engine, then a cold first run) costs about 0.5 s of CPU. Once
 * the node replayed some 300,000 events a second, a point of the ten-minute recording used before took
 * about 0.35 s, and the figure measured the start (1.1 on 2 cores, with 1.4 cores busy for "one"); on
 * an hour (about 1.4 s a point) it measures the sweep. `cpu_*_ms` is the process's CPU time (all
 * threads): `cores_obtained` below `cores` means other work on the machine took the rest.
 *
 * "One core" is one core: for the one-thread sweep the whole process (its worker thread, the main
 * thread storing results, V8's and libuv's helper threads) is pinned to CPU 0 with taskset, where
 * there is one. Unpinned, the helpers of the one-thread sweep (garbage collection, compiling) ran on
 * the idle core, and "one" took about 1.1 cores. `one_core_pinned` says which was measured.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PARAMS } from '../../engine/backtest/runner.ts';
import { runSweep, type SweepSummary } from '../../engine/backtest/sweep.ts';
import { machineBaseline, pinThisProcess, type Emit } from './figure.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GRID = { gamma: ['0.005', '0.02', '0.1', '0.5'], kappa: ['0.5', '1.5'] };
const SECONDS = 3600;

export default async function sweepBench(emit: Emit): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-sweep-bench-'));
  try {
    const made = spawnSync(
      process.execPath,
      [
        join(root, 'engine', 'host', 'backtest-cli.ts'),
        'record',
        '--venue',
        'sim',
        '--name',
        'bench',
        '--seconds',
        String(SECONDS),
        '--data-dir',
        dataDir,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`recording failed: ${made.stderr}`);
    const sweep = async (threads: number): Promise<{ ms: number; cpuMs: number; summary: SweepSummary }> => {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const summary = await runSweep({
        dataDir,
        recording: 'bench',
        base: DEFAULT_PARAMS,
        grid: GRID,
        threads,
      });
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      if (summary.done !== summary.points || summary.failed > 0)
        throw new Error(
          `the ${threads}-thread sweep ran ${summary.done} of ${summary.points}, ${summary.failed} failed`,
        );
      return { ms, cpuMs, summary };
    };
    const cores = availableParallelism();
    const baseline = machineBaseline();
    // Warms the page cache and the module cache of the file system, so neither side pays it alone.
    await runSweep({
      dataDir,
      recording: 'bench',
      base: DEFAULT_PARAMS,
      grid: { gamma: ['0.1'] },
      threads: 1,
    });
    const unpin = cores > 1 ? pinThisProcess('0') : undefined;
    let one;
    try {
      one = await sweep(1);
    } finally {
      unpin?.();
    }
    const all = await sweep(cores);
    const same = one.summary.results.every(
      (r, i) => JSON.stringify(r.stats) === JSON.stringify(all.summary.results[i]?.stats),
    );
    if (!same) throw new Error('the sweep gave different statistics on one thread and on all cores');
    emit({
      figure: 'backtest.sweep_speedup',
      value: Math.round((one.ms / all.ms) * 100) / 100,
      unit: 'x',
      cores,
      goal: Math.round(0.8 * cores * 100) / 100,
      t_one_ms: Math.round(one.ms),
      t_all_ms: Math.round(all.ms),
      cpu_one_ms: Math.round(one.cpuMs),
      cpu_all_ms: Math.round(all.cpuMs),
      cores_obtained: Math.round((all.cpuMs / all.ms) * 100) / 100,
      one_core_pinned: unpin !== undefined,
      points: one.summary.points,
      events: one.summary.results[0]?.stats?.events ?? 0,
      recording_s: SECONDS,
      machine_rng_per_s: baseline,
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
