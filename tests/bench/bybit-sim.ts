/**
 * The Bybit protocol simulator for the bybit bench group, always off our event loop: either the CLI in
 * a child process (`node engine/simulators/cli.ts bybit …`, the simulator's default flow and quotas),
 * or `startBybitSim` in a worker thread, for the options the CLI has no flag for (flow, quotas).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BybitSimOptions } from '../../engine/simulators/bybit/sim.ts';

export const BENCH_KEY = 'bench-bybit-key-0001';
export const BENCH_SECRET = 'bench-bybit-secret-0123456789';

export interface RunningSim {
  readonly rest: string;
  readonly ws: string;
  /** Where it runs: `child process` or `worker thread`. */
  readonly where: string;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const START_TIMEOUT_MS = 20_000;

/**
 * Runs the simulator CLI in a child process; resolves once it has printed its URLs. A usage error
 * (an option this CLI does not have) rejects with "exited with 2".
 */
export async function spawnSimCli(seed: number, extraArgs: readonly string[] = []): Promise<RunningSim> {
  const args = [join(root, 'engine/simulators/cli.ts'), 'bybit', '--port', '0', '--seed', String(seed)];
  // BYBIT_BENCH_SIM_CPUS=1 runs the simulator on those CPUs only (e.g. the bench under taskset -c 0).
  const cpus = process.env['BYBIT_BENCH_SIM_CPUS'];
  const [command, argv] =
    cpus === undefined || cpus === ''
      ? [process.execPath, [...args, ...extraArgs]]
      : ['taskset', ['-c', cpus, process.execPath, ...args, ...extraArgs]];
  const child = spawn(command, argv, {
    cwd: root,
    // The key and secret through the environment, so they never show in a process listing.
    env: { ...process.env, VENUE_SIM_API_KEY: BENCH_KEY, VENUE_SIM_API_SECRET: BENCH_SECRET },
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

export type WorkerSimOptions = Omit<BybitSimOptions, 'apiKey' | 'apiSecret' | 'clock' | 'port'>;

/** Runs `startBybitSim` with these options in a worker thread (its own event loop and heap). */
export async function startSimWorker(options: WorkerSimOptions): Promise<RunningSim> {
  const worker = new Worker(new URL('./bybit-sim-worker.ts', import.meta.url), {
    workerData: { ...options, apiKey: BENCH_KEY, apiSecret: BENCH_SECRET },
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const urls = await new Promise<{ rest: string; ws: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the simulator worker did not start in ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    worker.once('message', (m: { rest: string; ws: string }) => {
      clearTimeout(timer);
      resolve(m);
    });
    worker.once('error', (err: unknown) => {
      clearTimeout(timer);
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  return {
    rest: urls.rest,
    ws: urls.ws,
    where: 'worker thread (startBybitSim)',
    close: async () => {
      worker.postMessage('close');
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
