import { describe, expect, it } from 'vitest';
import { parseCpuLine, wasmSpin } from '../../bench/host-tail.ts';

/** The generator the hand-assembled module is meant to run, in JavaScript. */
function jsSpin(n: number, x: number): number {
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1_664_525) + 1_013_904_223) | 0;
  return x;
}

describe('the host-tail bench loop', () => {
  it('runs the integer generator it says, step for step, wrapping as i32', () => {
    const spin = wasmSpin();
    for (const [n, x] of [
      [0, 7],
      [1, 1],
      [2, -5],
      [1000, 123_456_789],
      [65_537, 2_147_483_647],
    ] as const)
      expect(spin(n, x)).toBe(jsSpin(n, x));
  });

  it('reads total and stolen time from /proc/stat and refuses what is not its first line', () => {
    expect(parseCpuLine('cpu  1250316 19495 252004 3319710 9154 0 17252 283508 0 0')).toEqual({
      total: 1250316 + 19495 + 252004 + 3319710 + 9154 + 0 + 17252 + 283508,
      steal: 283508,
    });
    expect(parseCpuLine('cpu0 1 2 3 4 5 6 7 8 0 0')).toBeUndefined();
    expect(parseCpuLine('cpu  1 2 3')).toBeUndefined();
    expect(parseCpuLine('cpu  1 2 3 4 5 6 7 x 0 0')).toBeUndefined();
  });
});
