/**
 * A private Secret Service for tests that touch the OS keychain: a D-Bus session of its own with an
 * unlocked gnome-keyring in a fresh HOME, so the trader's own keyring is never touched. Shared by the
 * keychain integration test and the Bybit end-to-end test.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The binaries a keyring session needs; CI installs them (.ci/run: dbus-daemon and gnome-keyring). */
export const KEYRING_BINARIES = ['dbus-run-session', 'gnome-keyring-daemon'] as const;

/**
 * gnome-keyring-daemon reads the login password on stdin and forks once the keyring is unlocked (and
 * on first use created), so the command it runs starts with org.freedesktop.secrets ready. An empty
 * password would make it prompt instead of unlocking.
 */
const WITH_KEYRING =
  'printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$0" "$@"';

export function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The first keyring binary that is not installed here, or undefined when all are. */
export function missingKeyringBinary(): string | undefined {
  return KEYRING_BINARIES.find((b) => !onPath(b));
}

/**
 * An environment for a keyring session under `home`: only PATH from ours, fresh XDG folders, a
 * runtime folder of mode 0700 (D-Bus refuses anything else), and the throwaway keyring's password.
 */
export function keyringEnv(home: string, password: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const runtime = join(home, 'run');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_RUNTIME_DIR: runtime,
    KEYRING_PASSWORD: password,
    ...extra,
  };
}

/** The command and arguments that run `command args…` inside a fresh D-Bus session with the keyring unlocked. */
export function inKeyringSession(command: string, args: readonly string[]): [string, string[]] {
  return ['dbus-run-session', ['--', 'sh', '-c', WITH_KEYRING, command, ...args]];
}
