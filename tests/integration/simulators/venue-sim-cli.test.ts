import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
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

/** Two signed spot creates back to back; their retCodes. */
async function createTwice(rest: string): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < 2; i++) {
    const body = JSON.stringify({
      category: 'spot',
      symbol: 'BTCUSDT',
      side: 'Buy',
      orderType: 'Limit',
      qty: '0.001',
      price: '1000',
      timeInForce: 'PostOnly',
    });
    const ts = String(Date.now());
    const sign = createHmac('sha256', SECRET).update(`${ts}KEY5000${body}`).digest('hex');
    const res = await fetch(`${rest}/v5/order/create`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-BAPI-API-KEY': 'KEY',
        'X-BAPI-TIMESTAMP': ts,
        'X-BAPI-RECV-WINDOW': '5000',
        'X-BAPI-SIGN': sign,
      },
      body,
    });
    codes.push(((await res.json()) as { retCode: number }).retCode);
  }
  return codes;
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

  it('runs the flow and quotas it is given: a 1-a-second create quota refuses the second create', async () => {
    let codes: number[] = [];
    const run = await runCli(
      [
        'bybit',
        '--api-key',
        'KEY',
        '--api-secret',
        SECRET,
        '--flow',
        '{"stepMs":10,"limitRate":300}',
        '--quotas',
        '{"/v5/order/create":1}',
      ],
      (line, stop) => {
        const { rest } = JSON.parse(line) as { rest: string };
        void createTwice(rest)
          .then((c) => {
            codes = c;
          })
          .finally(stop);
      },
    );
    expect(run.code).toBe(0);
    // The first create gets past the quota (refused or not for its own reasons); the second is 10006.
    expect(codes).toHaveLength(2);
    expect(codes[0]).not.toBe(10006);
    expect(codes[1]).toBe(10006);
  });

  it('runs mexc: one JSON line with the /ws URL, signed REST, and the rate budget it is given', async () => {
    let statuses: number[] = [];
    let account: unknown;
    const run = await runCli(
      ['mexc', '--port', '0', '--api-key', 'KEY', '--api-secret', SECRET, '--rate-budget', '10'],
      (line, stop) => {
        const info = JSON.parse(line) as { venue: string; rest: string; ws: string };
        expect(Object.keys(info)).toEqual(['venue', 'rest', 'ws']);
        expect(info.venue).toBe('mexc');
        expect(info.rest).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(info.ws).toBe(`${info.rest.replace('http://', 'ws://')}/ws`);
        const query = `timestamp=${Date.now()}`;
        const signature = createHmac('sha256', SECRET).update(query).digest('hex');
        void (async () => {
          // exchangeInfo weighs 10: a budget of 10 takes one.
          const a = await fetch(`${info.rest}/api/v3/exchangeInfo`);
          const b = await fetch(`${info.rest}/api/v3/exchangeInfo`);
          statuses = [a.status, b.status];
          const res = await fetch(`${info.rest}/api/v3/account?${query}&signature=${signature}`, {
            headers: { 'X-MEXC-APIKEY': 'KEY' },
          });
          account = await res.json();
        })().finally(stop);
      },
    );
    expect(run.code).toBe(0);
    expect(statuses).toEqual([200, 429]);
    expect(account).toMatchObject({ accountType: 'SPOT' });
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
    [['bybit', '--api-key', 'K', '--api-secret', 'S', '--flow', '{stepMs:1'], /--flow takes a JSON object/],
    [['bybit', '--api-key', 'K', '--api-secret', 'S', '--flow', '{"stepMs":-5}'], /--flow at stepMs:/],
    [['bybit', '--api-key', 'K', '--api-secret', 'S', '--flow', '{"speed":2}'], /--flow: .*speed/],
    [
      ['bybit', '--api-key', 'K', '--api-secret', 'S', '--quotas', '{"/v5/order/create":0}'],
      /--quotas at \/v5\/order\/create:/,
    ],
    [['mexc'], /--api-key KEY \(or VENUE_SIM_API_KEY\) is required/],
    [
      ['mexc', '--api-key', 'K', '--api-secret', 'S', '--limit-maker-cross', 'maybe'],
      /--limit-maker-cross must be/,
    ],
    [['mexc', '--api-key', 'K', '--api-secret', 'S', '--rate-budget', '0'], /--rate-budget must be/],
    [['mexc', '--api-key', 'K', '--api-secret', 'S', '--quotas', '{}'], /Unknown option/],
    [[], /names the venue/],
  ])('refuses %j with one sentence and exit 2', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
