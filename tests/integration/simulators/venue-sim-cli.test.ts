import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(root, 'engine', 'simulators', 'cli.ts');
const SECRET = 'cli-secret-do-not-print-7a1f';

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Starts the CLI; `onLine` sees the first stdout line and may stop the process. */
function runCli(
  args: string[],
  onLine?: (line: string, stop: () => void) => void,
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VENUE_SIM_API_KEY: '', VENUE_SIM_API_SECRET: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    let seen = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const nl = stdout.indexOf('\n');
      if (!seen && nl >= 0 && onLine !== undefined) {
        seen = true;
        onLine(stdout.slice(0, nl), () => child.kill('SIGTERM'));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolvePromise({ stdout, stderr, code });
    });
  });
}

describe('npm run venue-sim', () => {
  it('prints one JSON line, serves, and exits 0 on SIGTERM without printing the secret', async () => {
    let served: unknown;
    const run = await runCli(
      ['bybit', '--port', '0', '--api-key', 'KEY', '--api-secret', SECRET],
      (line, stop) => {
        const info = JSON.parse(line) as { venue: string; rest: string; ws: string };
        expect(Object.keys(info)).toEqual(['venue', 'rest', 'ws']);
        expect(info.venue).toBe('bybit');
        expect(info.rest).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(info.ws).toBe(info.rest.replace('http://', 'ws://'));
        void fetch(`${info.rest}/v5/market/time`)
          .then(async (res) => {
            served = await res.json();
          })
          .finally(stop);
      },
    );
    expect(run.code).toBe(0);
    expect(served).toMatchObject({ retCode: 0 });
    expect(run.stdout.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it('takes the secret from VENUE_SIM_API_SECRET, so it need not be on the command line', async () => {
    const run = await runCli(
      ['bybit', '--api-key', 'KEY'],
      (line, stop) => {
        expect(JSON.parse(line)).toMatchObject({ venue: 'bybit' });
        stop();
      },
      { VENUE_SIM_API_SECRET: SECRET },
    );
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it.each([
    [
      ['bybit', '--port', '0', '--api-key', 'KEY'],
      /--api-secret SECRET \(or VENUE_SIM_API_SECRET\) is required/,
    ],
    [['bybit', '--port', 'x', '--api-key', 'KEY', '--api-secret', 'S'], /--port must be 0-65535/],
    [['bybit', '--bogus'], /Unknown option/],
    [['mexc'], /not built yet/],
    [[], /names the venue/],
  ])('refuses %j with one sentence and exit 2', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
