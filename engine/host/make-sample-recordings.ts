#!/usr/bin/env node
/**
 * Rebuilds resources/recordings/samples.sqlite, the recordings shipped so that a newcomer can run a
 * backtest right after install: ten minutes of the embedded simulator's BTCUSDT feed (seed 1),
 * recorded by the same CLI a trader uses, then folded into one self-contained read-only file.
 *
 *   node engine/host/make-sample-recordings.ts
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecordingStore, recordingsFile } from '../store/recordings.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'resources', 'recordings', 'samples.sqlite');
const dir = mkdtempSync(join(tmpdir(), 'mmws-samples-'));
try {
  const cli = join(root, 'engine', 'host', 'backtest-cli.ts');
  const args = ['record', '--venue', 'sim', '--name', 'sample-btcusdt', '--seconds', '600', '--seed', '1'];
  execFileSync(process.execPath, [cli, ...args, '--data-dir', dir], { stdio: 'inherit' });
  const store = new RecordingStore(recordingsFile(dir));
  store.compact();
  store.close();
  rmSync(out, { force: true });
  copyFileSync(recordingsFile(dir), out);
  process.stdout.write(`wrote ${out}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
