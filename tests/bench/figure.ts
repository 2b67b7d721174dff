import { spawnSync } from 'node:child_process';
import { Rng } from '../../engine/core/random.ts';

/** One benchmark figure, printed as one JSON line by `npm run bench`. */
export interface Figure {
  figure: string;
  value: number;
  unit: string;
  [extra: string]: unknown;
}

export type Emit = (figure: Figure) => void;

/** A bench group module (`tests/bench/<group>.bench.ts`) default-exports one of these. */
export type BenchGroup = (emit: Emit) => Promise<void> | void;

/** Runs `fn` repeatedly until at least `minMs` has passed; returns operations per second. */
export function opsPerSecond(fn: () => number, minMs = 1000): number {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    ops += fn();
    elapsed = performance.now() - start;
  }
  return (ops / elapsed) * 1000;
}

/**
 * How fast this machine runs right now: seeded-generator draws per second over `ms`. Shared VMs speed
 * up and slow down by half or more from one minute to the next, so figures that have an absolute goal
 * print this beside them, measured in the same process just before.
 */
export function machineBaseline(ms = 300): number {
  const rng = new Rng(1);
  let sink = 0;
  const rate = opsPerSecond(() => {
    for (let i = 0; i < 100_000; i++) sink += rng.next();
    return 100_000;
  }, ms);
  if (!(sink > 0)) throw new Error('baseline generator produced nothing');
  return Math.round(rate);
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

/**
 * Pins every thread of this process (and the threads it starts from then on) to the CPUs listed
 * (taskset's list form, "0" or "0-2"); returns what puts the affinity back, or undefined where
 * taskset is missing or refuses (the figure is then measured unpinned and should say so).
 */
export function pinThisProcess(cpus: string): (() => void) | undefined {
  const probe = spawnSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' });
  const mask = /:\s*([0-9a-f]+)\s*$/i.exec(probe.stdout)?.[1];
  if (probe.status !== 0 || mask === undefined) return undefined;
  const set = (list: string[]) => spawnSync('taskset', list, { stdio: 'ignore' }).status === 0;
  if (!set(['-a', '-p', '-c', cpus, String(process.pid)])) return undefined;
  return () => {
    set(['-a', '-p', mask, String(process.pid)]);
  };
}

/**
 * A child's command line run on the CPUs listed (taskset's list form) when they are given, as is
 * otherwise: the command and its arguments for `spawn`.
 */
export function onCpus(cpus: string | undefined, argv: readonly string[]): [string, string[]] {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('onCpus needs a command');
  return cpus === undefined || cpus === '' ? [command, args] : ['taskset', ['-c', cpus, ...argv]];
}
