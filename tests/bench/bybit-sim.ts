/**
 * The Bybit protocol simulator for the bybit bench group, always off our event loop: the CLI in a
 * child process (`node engine/simulators/cli.ts bybit …`).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BybitSimOptions } from '../../engine/simulators/bybit/sim.ts';
import { onCpus } from './figure.ts';

export const BENCH_KEY = 'bench-bybit-key-0001';
export const BENCH_SECRET = 'bench-bybit-secret-0123456789';

export interface RunningSim {
  readonly rest: string;
  readonly ws: string;
  /** Where it runs. */
  readonly where: string;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const START_TIMEOUT_MS = 20_000;

/** The Bybit simulator CLI in a child process, with the bench's account (spawnVenueSimCli). */
export function spawnSimCli(
  seed: number,
  extraArgs: readonly string[] = [],
  simCpus?: string,
): Promise<RunningSim> {
  // On these CPUs only (taskset's list form), if given; BYBIT_BENCH_SIM_CPUS=1 does it for every run.
  return spawnVenueSimCli('bybit', {
    seed,
    extraArgs,
    cpus: simCpus ?? process.env['BYBIT_BENCH_SIM_CPUS'],
    apiKey: BENCH_KEY,
    apiSecret: BENCH_SECRET,
  });
}

/** How spawnVenueSimCli starts a simulator: its seed and extra flags, the account, the CPUs. */
export interface VenueSimLaunch {
  seed: number;
  extraArgs?: readonly string[];
  /** taskset's list form (`1`, `0-2`); unpinned when absent or empty. */
  cpus?: string | undefined;
  apiKey: string;
  apiSecret: string;
}

/**
 * Any venue's simulator CLI (`node engine/simulators/cli.ts VENUE …`) in a child process; resolves
 * once it has printed its URLs. A usage error (an option this CLI does not have) rejects with
 * "exited with 2".
 */
export async function spawnVenueSimCli(venue: 'bybit' | 'mexc', launch: VenueSimLaunch): Promise<RunningSim> {
  const { seed, extraArgs = [], cpus, apiKey, apiSecret } = launch;
  const args = [join(root, 'engine/simulators/cli.ts'), venue, '--port', '0', '--seed', String(seed)];
  const [command, argv] = onCpus(cpus, [process.execPath, ...args, ...extraArgs]);
  const child = spawn(command, argv, {
    cwd: root,
    // The key and secret through the environment, so they never show in a process listing.
    env: { ...process.env, VENUE_SIM_API_KEY: apiKey, VENUE_SIM_API_SECRET: apiSecret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Should this process end without closing it (an uncaught error), the simulator goes too.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  void exited.then(() => process.off('exit', orphan));
  const urls = await new Promise<{ rest: string; ws: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      reject(new Error(`the simulator CLI printed nothing in ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.slice(0, nl)) as { rest: string; ws: string });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator CLI exited with ${code}: ${stderr}`));
    });
  }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    rest: urls.rest,
    ws: urls.ws,
    where: 'child process (engine/simulators/cli.ts)',
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** startBybitSim's options that the CLI takes as flags (`--flow`, `--quotas` as JSON). */
export type SimFlowOptions = Pick<BybitSimOptions, 'flow' | 'quotas'>;
