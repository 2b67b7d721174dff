import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EngineError } from '../core/errors.ts';
import { openDatabase, storageError } from './database.ts';
import { tableCounts, type Store } from './store.ts';

export interface BackupResult {
  file: string;
  bytes: number;
  counts: Record<string, number>;
  removed: string[];
}

function stamp(at: number): string {
  return new Date(at).toISOString().replace(/[:.]/g, '-');
}

/**
 * An online backup through SQLite's backup API (trading goes on while it copies), flushed first so
 * it holds everything queued, then verified: the copy must pass `integrity_check` and hold at least
 * the rows the source had when the backup started. Older backups beyond `keep` are removed.
 */
export async function backupStore(
  store: Store,
  dir: string,
  keep: number,
  at: number,
): Promise<BackupResult> {
  if (!Number.isSafeInteger(keep) || keep < 1)
    throw new EngineError('invalid_input', 'keep must be a whole number ≥ 1');
  mkdirSync(dir, { recursive: true });
  store.writer.flush();
  const counts = tableCounts(store.db);
  const prefix = basename(store.file, '.sqlite');
  const file = join(dir, `${prefix}-${stamp(at)}.sqlite`);
  try {
    await store.db.backup(file);
  } catch (err) {
    rmSync(file, { force: true });
    throw storageError(err, file);
  }
  verifyBackup(file, counts);
  const removed = rotate(dir, prefix, keep);
  return { file, bytes: statSync(file).size, counts, removed };
}

/** Opens a backup read-only and checks it; throws an EngineError naming what is wrong. */
export function verifyBackup(file: string, atLeast: Record<string, number>): void {
  const db = openDatabase(file, { readonly: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok')
      throw new EngineError('unavailable', `backup ${file} failed its integrity check: ${String(check)}`);
    const got = tableCounts(db);
    for (const [table, n] of Object.entries(atLeast)) {
      if ((got[table] ?? 0) < n)
        throw new EngineError(
          'unavailable',
          `backup ${file} holds ${got[table] ?? 0} rows of ${table}, the source had ${n}`,
        );
    }
  } finally {
    db.close();
  }
}

/** What `stamp` writes, so one family's backups are told apart from a longer family's. */
const STAMPED = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.sqlite$/;

export function listBackups(dir: string, prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  // Family names contain '-': without the stamp check, `bybit-` would also match (and rotation
  // delete) the backups of a family named `bybit-testnet`.
  return names
    .filter((n) => n.startsWith(`${prefix}-`) && STAMPED.test(n.slice(prefix.length + 1)))
    .sort()
    .map((n) => join(dir, n));
}

function rotate(dir: string, prefix: string, keep: number): string[] {
  const all = listBackups(dir, prefix);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const f of old) rmSync(f, { force: true });
  return old;
}

/**
 * Replaces the database file with a verified backup. Refuses while a session is trading; the caller
 * reopens the store afterwards. The current file is kept beside it as `.before-restore`.
 */
export function restoreBackup(backupFile: string, dbFile: string, isTrading: () => boolean): void {
  if (isTrading())
    throw new EngineError('conflict', 'cannot restore while a session is trading: stop it first');
  verifyBackup(backupFile, {});
  try {
    copyFileSync(dbFile, `${dbFile}.before-restore`);
  } catch {
    // No current file: nothing to keep.
  }
  for (const ext of ['-wal', '-shm']) rmSync(`${dbFile}${ext}`, { force: true });
  const tmp = `${dbFile}.restoring`;
  copyFileSync(backupFile, tmp);
  renameSync(tmp, dbFile);
}
