import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BACKTEST_CLI = join(ROOT, 'engine', 'host', 'backtest-cli.ts');

export interface CliRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** `npm run backtest -- ARGS` in a child process, as a terminal runs it (killed after a minute). */
export function backtestCli(args: readonly string[]): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BACKTEST_CLI, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => done({ stdout, stderr, code }));
  });
}
