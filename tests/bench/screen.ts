/**
 * The workstation's screen, attached to a bench's engine as browser mode attaches it: the real host
 * (engine/host/ws-server.ts) on loopback, and a reader in a child process standing in for the page,
 * taking every state snapshot and event frame. A trader quotes with the screen open, and what the
 * engine sends it shares the event loop with the path a latency figure times. BENCH_SCREEN=0 leaves
 * it off (to compare).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../engine/api/engine.ts';
import { createLogger } from '../../engine/host/log.ts';
import { startHost } from '../../engine/host/ws-server.ts';
import { onCpus } from './figure.ts';

const here = dirname(fileURLToPath(import.meta.url));
const START_TIMEOUT_MS = 10_000;

export interface AttachedScreen {
  /** Stops the reader and the host; what the reader took. */
  close(): Promise<{ frames: number; bytes: number }>;
}

/** Attaches the screen (the reader on `cpus`, taskset's list form, when given); undefined if off. */
export async function attachScreen(engine: Engine, cpus?: string): Promise<AttachedScreen | undefined> {
  if (process.env['BENCH_SCREEN'] === '0') return undefined;
  const host = await startHost({ engine, log: createLogger({ level: 'silent' }) });
  const [command, args] = onCpus(cpus, [process.execPath, join(here, 'screen-client.ts'), String(host.port)]);
  const child = spawn(command, args, {
    env: { ...process.env, BENCH_SCREEN_TOKEN: host.token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const lines: string[] = [];
  let partial = '';
  let lineArrived: () => void = () => undefined;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    partial += d;
    for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
      lines.push(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
      lineArrived();
    }
  });
  // 'close' (not 'exit'): the reader's last line is read before it is taken as gone.
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const nextLine = (what: string): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the screen reader sent no ${what}`)),
        START_TIMEOUT_MS,
      );
      const check = () => {
        const line = lines.shift();
        if (line === undefined) return;
        clearTimeout(timer);
        resolve(line);
      };
      lineArrived = check;
      check();
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the screen reader exited with ${code} before its ${what}`));
      });
    });
  try {
    await nextLine('open line');
  } catch (err) {
    child.kill('SIGKILL');
    await host.close();
    throw err;
  }
  return {
    close: async () => {
      const last = nextLine('count');
      child.kill('SIGTERM');
      const taken = JSON.parse(await last) as { frames: number; bytes: number };
      await exited;
      process.off('exit', orphan);
      await host.close();
      return taken;
    },
  };
}
