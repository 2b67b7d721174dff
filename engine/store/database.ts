import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { EngineError } from '../core/errors.ts';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

const FAMILY = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * One database file per venue family and environment (`practice` for sim, paper and backtests,
 * `bybit-testnet`, `bybit-demo`, `bybit-live`, `mexc-live`, ...), so practice records never mix with
 * real ones and a session can never read (or reconcile against) another environment's orders. Which
 * family a venue belongs to is the venue registry's decision; this only turns the name into a file.
 * The name is checked because it becomes a file name and the prefix of its backups.
 */
export function databaseFile(dataDir: string, family: string): string {
  if (!FAMILY.test(family))
    throw new EngineError(
      'invalid_input',
      `database family ${JSON.stringify(family)} is not a valid name: use lower-case letters and digits in words joined by '-', such as "practice" or "bybit-testnet"`,
    );
  return join(dataDir, `${family}.sqlite`);
}

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating if needed) a store database and brings its schema up to date. Every failure — a
 * file written by a newer version, a corrupt file, a read-only or full disk — is an EngineError with
 * a message a trader can act on; nothing is half-applied (migrations run in one transaction).
 */
export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  let db: Db | undefined;
  try {
    if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit survives a crash of the app (the WAL is written before the call
      // returns) and the file never corrupts; only a power loss or OS crash may lose the last few
      // commits, which reconciliation with the venue recovers. FULL would fsync every batch and
      // halve the write-behind throughput for no gain against app crashes.
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new EngineError(
        'unavailable',
        `database ${file} was written by a newer version of the app (schema ${version}, this version knows ${SCHEMA_VERSION}); upgrade the app or choose another data folder`,
      );
    }
    if (!options.readonly && version < SCHEMA_VERSION) migrate(db, version, file);
    return db;
  } catch (err) {
    db?.close();
    throw storageError(err, file);
  }
}

function migrate(db: Db, from: number, file: string): void {
  const run = db.transaction(() => {
    for (let v = from; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  try {
    run.immediate();
  } catch (err) {
    // One transaction: a failed step leaves the file exactly as the older version wrote it.
    const cause = storageError(err, file);
    throw new EngineError(
      'unavailable',
      `cannot bring ${file} from schema ${from} to ${MIGRATIONS.length}, the file was not changed: ${cause.message}`,
      { cause: err },
    );
  }
}

/** Turns a SQLite or file-system error into a clear EngineError (an EngineError passes through). */
export function storageError(err: unknown, file: string): EngineError {
  if (err instanceof EngineError) return err;
  const code = (err as { code?: string }).code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /not a database|malformed/i.test(msg)) {
    return new EngineError(
      'unavailable',
      `database ${file} is corrupt or not a database (${msg}); restore a backup`,
      { cause: err },
    );
  }
  if (code === 'SQLITE_READONLY' || code === 'EACCES' || code === 'EROFS' || /readonly/i.test(msg)) {
    return new EngineError('unavailable', `database ${file} cannot be written (read-only): ${msg}`, {
      cause: err,
    });
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || /full/i.test(msg)) {
    return new EngineError('unavailable', `database ${file} is full (disk or size limit): ${msg}`, {
      cause: err,
    });
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'ENOENT') {
    return new EngineError('unavailable', `database ${file} cannot be opened: ${msg}`, { cause: err });
  }
  return new EngineError('unavailable', `database ${file}: ${msg}`, { cause: err });
}
