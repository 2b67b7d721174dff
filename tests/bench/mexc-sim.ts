/**
 * The MEXC protocol simulator for the mexc bench group, always off our event loop: the CLI in a
 * child process (`node engine/simulators/cli.ts mexc …`), started the way the bybit group starts
 * its own (bybit-sim.ts).
 */
import type { RunningSim } from './bybit-sim.ts';
import { spawnVenueSimCli } from './bybit-sim.ts';
import { FAST_FLOW } from './bybit-wire.ts';

export const MEXC_BENCH_KEY = 'mx0-bench-key-0001';
export const MEXC_BENCH_SECRET = 'mx0-bench-secret-0123456789';

/**
 * The simulator's per-endpoint weight budget per 10 s. Ours stays at MEXC's 500 (the adapter keeps
 * to it on its side, rate-limit.ts); the simulator's window is kept well above it, so a request our
 * limiter let through at the edge of its window is never answered 429 (which would hold the
 * endpoint for 10 s) for the two windows starting a few ms apart.
 */
export const SIM_RATE_BUDGET = 5000;

/**
 * The MEXC simulator CLI with the Bybit bench's fast flow (a step every 10 ms, so the 10 ms depth
 * stream pushes on nearly every slot) in a child process, on `cpus` if given.
 */
export function spawnMexcSim(seed: number, cpus?: string): Promise<RunningSim> {
  return spawnVenueSimCli('mexc', {
    seed,
    extraArgs: ['--flow', JSON.stringify(FAST_FLOW), '--rate-budget', String(SIM_RATE_BUDGET)],
    cpus: cpus ?? process.env['MEXC_BENCH_SIM_CPUS'],
    apiKey: MEXC_BENCH_KEY,
    apiSecret: MEXC_BENCH_SECRET,
  });
}
