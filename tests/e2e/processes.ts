/**
 * Processes an end-to-end test starts beside the browser: a venue simulator, the host (inside a
 * private D-Bus session for the keychain). Each runs in a process group of its own, so stopping it
 * stops whatever it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './fixtures.ts';

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** SIGTERM to the whole process group (the D-Bus session and keyring too), and wait for the exit. */
  stop(): Promise<void>;
}

export function spawnGroup(command: string, args: string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    },
  };
}

export async function waitForOutput(p: Spawned, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${p.output()}`)), 30_000);
    const check = () => {
      const m = pattern.exec(p.output());
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    p.child.stdout?.on('data', check);
    p.child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${String(code)}:\n${p.output()}`));
    });
    check();
  });
}

/** Every file under a folder, as text (the host's data dir: database, journal, logs). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [readFileSync(path, 'latin1')];
  });
}
