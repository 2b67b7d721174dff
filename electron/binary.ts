import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ElectronAvailability = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Finds the Electron runtime without triggering the electron package's on-demand download (requiring
 * `electron` from Node downloads the binary when it is missing, which fails without network access).
 */
export function findElectron(root: string, env: NodeJS.ProcessEnv = process.env): ElectronAvailability {
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json')))
    return { ok: false, reason: 'the electron package is not installed' };
  const pathFile = join(pkg, 'path.txt');
  const exe = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const dist = env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist');
  const full = join(dist, exe);
  if (!existsSync(full)) {
    return {
      ok: false,
      reason:
        'the Electron runtime binary was never downloaded (it is fetched from outside the npm registry)',
    };
  }
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return {
      ok: false,
      reason: 'there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)',
    };
  }
  return { ok: true, path: full };
}
