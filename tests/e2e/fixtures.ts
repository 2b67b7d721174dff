import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base } from '@playwright/test';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export interface HostProcess {
  url: string;
  dataDir: string;
  /** Stops the host (SIGTERM, orderly) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts a second host on the same data dir (a restart). */
  restart(): Promise<HostProcess>;
  output(): string;
}

/** Starts `cli.ts serve` on a free port with the given data dir; resolves with the printed URL. */
export async function startHostProcess(dataDir: string, extraArgs: string[] = []): Promise<HostProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'engine/host/cli.ts'), 'serve', '--port', '0', '--data-dir', dataDir, ...extraArgs],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MM_LOG_LEVEL: 'warn' } },
  );
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`host did not start:\n${out}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`host exited with ${code}:\n${out}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
  };
  return {
    url,
    dataDir,
    stop,
    restart: async () => {
      await stop();
      return startHostProcess(dataDir, extraArgs);
    },
    output: () => out,
  };
}

export const test = base.extend<{ host: HostProcess }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
  host: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mmws-e2e-'));
    let current = await startHostProcess(dataDir);
    const proxy: HostProcess = {
      get url() {
        return current.url;
      },
      dataDir,
      stop: () => current.stop(),
      restart: async () => {
        current = await current.restart();
        return current;
      },
      output: () => current.output(),
    };
    await use(proxy);
    await current.stop();
    rmSync(dataDir, { recursive: true, force: true });
  },
});

export { expect } from '@playwright/test';
