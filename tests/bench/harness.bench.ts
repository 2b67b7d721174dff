import type { Emit } from './figure.ts';
import { machineBaseline } from './figure.ts';

/** Baseline figure for the machine: how fast the seeded generator runs, to compare other groups against. */
export default function harness(emit: Emit): void {
  emit({ figure: 'harness.rng_per_s', value: machineBaseline(), unit: 'draws/s' });
}
