import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { EngineError } from '../core/errors.ts';

/**
 * Opens a database of its own beside the trading records (recordings, backtest runs): WAL, foreign
 * keys on, its schema created by `schema` in one transaction when the file is new. A file written by
 * a newer version, or one that cannot be opened, is an EngineError naming it and what it holds.
 * `readonly` opens a shipped file as it is, only checking its schema version.
 */
export function openSideDatabase(
  file: string,
  holds: string,
  version: number,
  schema: string,
  options: { readonly?: boolean } = {},
): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (options.readonly) {
      db = new Database(file, { readonly: true, fileMustExist: true });
      const found = db.pragma('user_version', { simple: true }) as number;
      if (found !== version)
        throw new EngineError('unavailable', `${file} holds ${holds} of schema ${found}, not ${version}`);
      return db;
    }
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const found = db.pragma('user_version', { simple: true }) as number;
    if (found > version)
      throw new EngineError(
        'unavailable',
        `the ${holds} database ${file} was written by a newer version (schema ${found}); update the app`,
      );
    if (found < version) {
      const open = db;
      open.transaction(() => {
        open.exec(schema);
        open.pragma(`user_version = ${version}`);
      })();
    }
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof EngineError) throw err;
    throw new EngineError(
      'unavailable',
      `the ${holds} database ${file} cannot be opened: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
