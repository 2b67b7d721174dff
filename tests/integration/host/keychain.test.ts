/**
 * KeytarSecretStore against a real Secret Service: a private D-Bus session (dbus-run-session) with
 * its own gnome-keyring, in a fresh HOME, so the trader's own keyring is never touched. Vitest does
 * not run inside a D-Bus session, so every case spawns keychain-child.ts inside one (or, for the
 * failure cases, deliberately without one) and reads its JSON line.
 *
 * Every case plants a random key and secret and checks that neither appears in what the child
 * printed, and the real-keychain case also that the secret is in no file of the keyring's folder.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inKeyringSession, keyringEnv, missingKeyringBinary } from '../../support/keyring.ts';

const CHILD = join(import.meta.dirname, 'keychain-child.ts');
const RUN_TIMEOUT_MS = 20_000;
// The runtime folder keyringEnv makes: the exiting daemon still removes its sockets there.
const RUNTIME = 'run';
// Unlocks (and on first use creates) the throwaway login keyring; it guards nothing.
const KEYRING_PASSWORD = 'mm-workstation-test-keyring';

/** Why a case cannot run here, or null: the first of the binaries that is not installed. */
function missing(): string | null {
  const absent = missingKeyringBinary();
  return absent === undefined
    ? null
    : `${absent} is not installed (not on PATH); CI installs it (.ci/run: packages dbus-daemon and gnome-keyring)`;
}

interface Planted {
  apiKey: string;
  apiSecret: string;
}

function plant(): Planted {
  return {
    apiKey: `plantedKey${randomBytes(6).toString('hex')}`,
    apiSecret: `PlantedSecret${randomBytes(12).toString('hex')}`,
  };
}

/** A fresh HOME and XDG folders, and an environment with no D-Bus session and no display. */
function isolatedEnv(planted: Planted): { home: string; env: NodeJS.ProcessEnv } {
  const home = mkdtempSync(join(tmpdir(), 'mmws-keychain-'));
  const env = keyringEnv(home, KEYRING_PASSWORD, {
    MM_TEST_API_KEY: planted.apiKey,
    MM_TEST_API_SECRET: planted.apiSecret,
  });
  return { home, env };
}

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The child's JSON line. */
  report: {
    ok: boolean;
    ms?: number;
    result?: Record<string, unknown>;
    error?: { code: string; message: string };
  };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve({ code, stdout, stderr, report: JSON.parse(line) as ChildRun['report'] });
      } catch {
        reject(new Error(`the child printed no JSON line (exit ${code}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** The child inside a private D-Bus session, with an unlocked gnome-keyring or none started by us. */
function inSession(mode: string, env: NodeJS.ProcessEnv, keyring: boolean): Promise<ChildRun> {
  const [command, args] = keyring
    ? inKeyringSession(process.execPath, [CHILD, mode])
    : ['dbus-run-session', ['--', process.execPath, CHILD, mode]];
  return run(command, args, env);
}

function expectNoLeak(runs: ChildRun[], planted: Planted): void {
  for (const r of runs) {
    const printed = r.stdout + r.stderr;
    expect(printed).not.toContain(planted.apiSecret);
    expect(printed).not.toContain(planted.apiKey);
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Every file the run left in HOME, but for the runtime folder: the exiting daemon still removes its sockets there. */
function filesLeft(home: string): string[] {
  return readdirSync(home, { withFileTypes: true })
    .filter((e) => e.name !== RUNTIME)
    .flatMap((e) => {
      const path = join(home, e.name);
      return e.isDirectory() ? filesUnder(path) : e.isFile() ? [path] : [];
    });
}

const status = (exists: boolean, keyHint: string | null) => ({
  exists,
  savedAt: exists ? expect.any(Number) : null,
  keyHint,
});

describe('KeytarSecretStore on a real keychain', () => {
  it('saves, reads, overwrites and deletes through gnome-keyring, and keeps a credential across sessions', async ({
    skip,
  }) => {
    const why = missing();
    skip(why !== null, why ?? '');
    const planted = plant();
    const { home, env } = isolatedEnv(planted);

    const first = await inSession('roundtrip', env, true);
    expect(first.report, first.stderr).toMatchObject({ ok: true });
    const r = first.report.result!;
    const firstAt = (r.first as { savedAt: number }).savedAt;
    const overwriteAt = (r.overwrite as { savedAt: number }).savedAt;
    expect(r.before).toEqual(status(false, null));
    expect(r.saved).toEqual({
      exists: true,
      savedAt: firstAt,
      keyHint: planted.apiKey.slice(-4),
    });
    expect(r.loadMatches).toBe(true);
    expect(r.overwritten).toEqual({
      exists: true,
      savedAt: overwriteAt,
      keyHint: `${planted.apiKey.slice(-3)}2`,
    });
    expect(overwriteAt).toBeGreaterThanOrEqual(firstAt);
    expect(r.reloadMatches).toBe(true);
    expect(r.deleted).toBe(true);
    expect(r.afterDelete).toEqual(status(false, null));
    expect(r.loadAfterDelete).toBeNull();
    expect(r.deletedAgain).toBe(false);
    const unreadable = {
      code: 'unavailable',
      message: expect.stringMatching(/bybit demo credential is unreadable/),
    };
    expect(r.corruptLoad).toEqual(unreadable);
    expect(r.corruptStatus).toEqual(unreadable);
    expect(r.corruptDeleted).toBe(true);

    // A new D-Bus session and daemon over the same keyring folder: the credential left by the first run.
    const second = await inSession('read', env, true);
    expect(second.report, second.stderr).toMatchObject({ ok: true });
    expect(second.report.result).toEqual({
      status: status(true, `${planted.apiKey.slice(-3)}M`),
      loadMatches: true,
    });

    expectNoLeak([first, second], planted);
    const keyrings = filesUnder(join(home, 'data', 'keyrings'));
    expect(keyrings.length).toBeGreaterThan(0);
    for (const file of filesLeft(home))
      expect(readFileSync(file, 'latin1'), file).not.toContain(planted.apiSecret);
  });

  it('without any D-Bus session refuses with a clear keychain error and stores nothing', async () => {
    const planted = plant();
    const { home, env } = isolatedEnv(planted);
    const r = await run(process.execPath, [CHILD, 'save'], env);
    expect(r.code).toBe(2);
    expect(r.report.error?.code).toBe('unavailable');
    expect(r.report.error?.message).toMatch(/^The OS keychain is unavailable: there is no D-Bus session/);
    expect(r.report.error?.message).toMatch(/gnome-keyring/);
    expectNoLeak([r], planted);
    for (const file of filesLeft(home))
      expect(readFileSync(file, 'latin1'), file).not.toContain(planted.apiSecret);
  });

  it('with a D-Bus session but a locked keyring refuses with a clear keychain error', async ({ skip }) => {
    const why = missing();
    skip(why !== null, why ?? '');
    const planted = plant();
    const { env } = isolatedEnv(planted);
    // The bus starts gnome-keyring on demand, but nothing unlocks it and no prompt can be shown.
    const r = await inSession('save', env, false);
    expect(r.code).toBe(2);
    expect(r.report.error).toEqual({
      code: 'unavailable',
      message: expect.stringMatching(/^The OS keychain is locked or has no default keyring/),
    });
    expectNoLeak([r], planted);
  });
});
