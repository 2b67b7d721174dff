/**
 * Processes an end-to-end test starts beside the browser: a venue simulator, the host (inside a
 * private D-Bus session for the keychain). Each runs in a process group of its own, so stopping it
 * stops whatever it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inKeyringSession, keyringEnv } from '../support/keyring.ts';
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

/** Unlocks (and on first use creates) the throwaway login keyring of a rig; it guards nothing. */
const KEYRING_PASSWORD = 'mm-workstation-e2e-keyring';

/**
 * A venue's protocol simulator and the host pointed at it, with the OS keychain in a private D-Bus
 * session and a fresh HOME and data dir. `start` records each part as it comes up, so `stop` cleans
 * up whatever started before a failure.
 */
export class VenueRig {
  simulator: Spawned | undefined;
  host: Spawned | undefined;
  dataDir: string | undefined;
  home: string | undefined;
  url = '';
  endpoints = { rest: '', ws: '' };
  private readonly venue: 'bybit' | 'mexc';
  private readonly credentials: { apiKey: string; apiSecret: string };

  constructor(venue: 'bybit' | 'mexc', credentials: { apiKey: string; apiSecret: string }) {
    this.venue = venue;
    this.credentials = credentials;
  }

  async start(): Promise<void> {
    // The secret goes in through the environment, not argv, where any process listing would show it.
    const sim = spawnGroup(process.execPath, ['engine/simulators/cli.ts', this.venue, '--port', '0'], {
      ...process.env,
      VENUE_SIM_API_KEY: this.credentials.apiKey,
      VENUE_SIM_API_SECRET: this.credentials.apiSecret,
    });
    this.simulator = sim;
    const line = await waitForOutput(
      sim,
      new RegExp(`^\\{.*"venue":"${this.venue}".*\\}$`, 'm'),
      'the simulator',
    );
    const printed = JSON.parse(line[0]) as { rest: string; ws: string };
    this.endpoints = { rest: printed.rest, ws: printed.ws };
    this.dataDir = mkdtempSync(join(tmpdir(), `mmws-e2e-${this.venue}-`));
    // A private D-Bus session with its own unlocked gnome-keyring in a fresh HOME (as
    // tests/integration/host/keychain.test.ts does): libsecret must find it before it first connects,
    // and the trader's own keyring is never touched.
    this.home = mkdtempSync(join(tmpdir(), 'mmws-e2e-keyring-'));
    const env = keyringEnv(this.home, KEYRING_PASSWORD, { MM_LOG_LEVEL: 'warn' });
    const serve = [
      join(ROOT, 'engine/host/cli.ts'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      this.dataDir,
      `--${this.venue}-rest-url`,
      this.endpoints.rest,
      `--${this.venue}-ws-url`,
      this.endpoints.ws,
    ];
    const [command, args] = inKeyringSession(process.execPath, serve);
    this.host = spawnGroup(command, args, env);
    this.url = (await waitForOutput(this.host, /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/, 'the host'))[1]!;
  }

  async stop(): Promise<void> {
    await this.host?.stop();
    await this.simulator?.stop();
    for (const dir of [this.dataDir, this.home])
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    [this.host, this.simulator, this.dataDir, this.home] = [undefined, undefined, undefined, undefined];
  }
}
