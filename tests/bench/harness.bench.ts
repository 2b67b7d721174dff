import type { Emit } from './figure.ts';
import { opsPerSecond } from './figure.ts';
import { Rng } from '../../engine/core/random.ts';

/** Baseline figure for the machine: how fast the seeded generator runs, to compare other groups against. */
export default function harness(emit: Emit): void {
  const rng = new Rng(1);
  let sink = 0;
  const rate = opsPerSecond(() => {
    for (let i = 0; i < 100_000; i++) sink += rng.next();
    return 100_000;
  }, 300);
  emit({ figure: 'harness.rng_per_s', value: Math.round(rate), unit: 'draws/s', sink: sink > 0 });
}
