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
