import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { EngineError } from '../core/errors.ts';

/**
 * Opens a database of its own beside the trading records (recordings, backtest runs): WAL, foreign
 * keys on, its schema created by `schema` in one transaction when the file is new. A file written by
 * a newer version, or one that cannot be opened, is an EngineError naming it and what it holds.
 * `readonly` opens a shipped file as it is, only checking its schema version. An older file is
 * brought up with `migrations[v]` (SQL from version v to v + 1), each step in its own transaction.
 */
export function openSideDatabase(
  file: string,
  holds: string,
  version: number,
  schema: string,
  options: { readonly?: boolean; migrations?: Readonly<Record<number, string>> } = {},
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
    const open = db;
    if (found === 0) {
      open.transaction(() => {
        open.exec(schema);
        open.pragma(`user_version = ${version}`);
      })();
    } else
      for (let v = found; v < version; v++) {
        const step = options.migrations?.[v];
        if (step === undefined)
          throw new EngineError(
            'unavailable',
            `the ${holds} database ${file} has schema ${v}, which this version cannot upgrade to ${version}`,
          );
        open.transaction(() => {
          open.exec(step);
          open.pragma(`user_version = ${v + 1}`);
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
