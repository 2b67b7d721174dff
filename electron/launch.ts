/**
 * `npm start`: runs the desktop app where the Electron runtime exists; anywhere else it says why in
 * one sentence and serves the same UI in the browser instead.
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectron } from './binary.ts';
import { parseServeArgs, serve } from '../engine/host/cli.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const electron = findElectron(root);

if (electron.ok) {
  const child = spawn(electron.path, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 1 : 0));
  });
} else {
  process.stdout.write(
    `Electron is unavailable here because ${electron.reason}; starting browser mode instead.\n`,
  );
  await serve(parseServeArgs(process.argv.slice(2)));
}
