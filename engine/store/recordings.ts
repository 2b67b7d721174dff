import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { EngineError } from '../core/errors.ts';
import { openSideDatabase } from './side-database.ts';
import type { InstrumentSpec } from '../core/instrument.ts';
import type { ChunkInfo, RecordedEvent } from '../market/recording-codec.ts';
import { ChunkEncoder, CorruptChunkError, decodeChunk } from '../market/recording-codec.ts';

/**
 * Recorded market data, in its own SQLite file (`recordings.sqlite` in the data directory), apart
 * from the trading records: recordings are large, shared by every venue family, and deleting one must
 * never touch an order or a fill. A recording is a row of metadata and a sequence of compact chunks
 * (engine/market/recording-codec.ts), each a BLOB with its own CRC; a replay streams them one at a
 * time, so memory stays flat however long the recording.
 *
 * Why SQLite and not files of our own: one transaction per chunk makes a crash lose at most the chunk
 * being filled, listing and deleting are queries, and the chunk index (times, counts) is a table.
 */
export interface RecordingInfo {
  readonly name: string;
  readonly venue: string;
  readonly instruments: readonly InstrumentSpec[];
  readonly createdAt: number;
  /** `recording` while a writer has it open (or when it crashed open), then `complete`. */
  readonly status: 'recording' | 'complete';
  readonly events: number;
  readonly bookEvents: number;
  readonly tradeEvents: number;
  readonly bytes: number;
  readonly chunks: number;
  /** Local receive time of the first and last event, ms; null while empty. */
  readonly firstLocal: number | null;
  readonly lastLocal: number | null;
}

export interface StoredChunk {
  readonly seq: number;
  readonly data: Uint8Array;
  readonly info: ChunkInfo;
}

const NAME = /^[\w.-]{1,64}$/;
const SCHEMA_VERSION = 1;
const SCHEMA = `
        CREATE TABLE recordings (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          venue TEXT NOT NULL,
          instruments TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('recording', 'complete')),
          events INTEGER NOT NULL DEFAULT 0,
          book_events INTEGER NOT NULL DEFAULT 0,
          trade_events INTEGER NOT NULL DEFAULT 0,
          bytes INTEGER NOT NULL DEFAULT 0,
          chunks INTEGER NOT NULL DEFAULT 0,
          first_local INTEGER,
          last_local INTEGER
        );
        CREATE TABLE recording_chunks (
          recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          events INTEGER NOT NULL,
          book_events INTEGER NOT NULL,
          trade_events INTEGER NOT NULL,
          first_local INTEGER NOT NULL,
          last_local INTEGER NOT NULL,
          crc INTEGER NOT NULL,
          data BLOB NOT NULL,
          PRIMARY KEY (recording_id, seq)
        ) WITHOUT ROWID;
      `;

export function recordingsFile(dataDir: string): string {
  return join(dataDir, 'recordings.sqlite');
}

export function checkRecordingName(name: string): string {
  if (!NAME.test(name))
    throw new EngineError(
      'invalid_input',
      `recording name ${JSON.stringify(name)} is not valid: use 1-64 letters, digits, '.', '_' or '-'`,
    );
  return name;
}

interface RecordingRow {
  id: number;
  name: string;
  venue: string;
  instruments: string;
  created_at: number;
  status: string;
  events: number;
  book_events: number;
  trade_events: number;
  bytes: number;
  chunks: number;
  first_local: number | null;
  last_local: number | null;
}

interface ChunkRow {
  seq: number;
  events: number;
  book_events: number;
  trade_events: number;
  first_local: number;
  last_local: number;
  crc: number;
  data: Buffer;
}

export class RecordingStore {
  private readonly db: Database.Database;
  readonly file: string;

  /** `readonly`: a file shipped with the app (the sample recordings), never written. */
  constructor(file: string, options: { readonly?: boolean } = {}) {
    this.file = file;
    this.db = openSideDatabase(file, 'recordings', SCHEMA_VERSION, SCHEMA, options);
  }

  list(): RecordingInfo[] {
    const rows = this.db
      .prepare('SELECT * FROM recordings ORDER BY created_at DESC, name')
      .all() as RecordingRow[];
    return rows.map((r) => this.info(r));
  }

  get(name: string): RecordingInfo | undefined {
    const row = this.row(name);
    return row && this.info(row);
  }

  /** Starts a new recording; the name must be free. */
  create(
    name: string,
    venue: string,
    instruments: readonly InstrumentSpec[],
    createdAt: number,
  ): RecordingWriter {
    checkRecordingName(name);
    if (instruments.length === 0)
      throw new EngineError('invalid_input', 'a recording needs at least one instrument');
    if (this.row(name)) throw new EngineError('conflict', `a recording named ${name} already exists`);
    const result = this.db
      .prepare(
        "INSERT INTO recordings (name, venue, instruments, created_at, status) VALUES (?, ?, ?, ?, 'recording')",
      )
      .run(name, venue, JSON.stringify(instruments), createdAt);
    return new RecordingWriter(this.db, Number(result.lastInsertRowid), name, instruments.length);
  }

  /** Deletes a recording and its chunks; false when there is none of that name. */
  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM recordings WHERE name = ?').run(name).changes > 0;
  }

  /**
   * Streams the recording's events in order, one chunk in memory at a time. A corrupt chunk throws a
   * CorruptChunkError naming the recording and the chunk before any of its events is visited.
   */
  replay(name: string, visit: (ev: RecordedEvent) => void): RecordingInfo {
    const row = this.row(name);
    if (!row) throw new EngineError('not_found', `no recording named ${name}`);
    const info = this.info(row);
    const symbols = info.instruments.map((i) => i.symbol);
    for (const chunk of this.chunks(row.id)) {
      decodeChunk(chunk.data, chunk.info, symbols, visit, `recording ${name}, chunk ${chunk.seq}`);
    }
    return info;
  }

  /** The chunks of a recording in order, streamed from the database. */
  *chunksOf(name: string): Generator<StoredChunk> {
    const row = this.row(name);
    if (!row) throw new EngineError('not_found', `no recording named ${name}`);
    yield* this.chunks(row.id);
  }

  /**
   * Folds the write-ahead log into the file and leaves WAL mode, so the file stands alone (to ship it,
   * or open it read-only elsewhere).
   */
  compact(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.pragma('journal_mode = DELETE');
    this.db.exec('VACUUM');
  }

  close(): void {
    this.db.close();
  }

  private *chunks(id: number): Generator<StoredChunk> {
    const stmt = this.db.prepare(
      'SELECT seq, events, book_events, trade_events, first_local, last_local, crc, data FROM recording_chunks WHERE recording_id = ? ORDER BY seq',
    );
    for (const r of stmt.iterate(id) as Iterable<ChunkRow>) {
      yield {
        seq: r.seq,
        data: r.data,
        info: {
          events: r.events,
          bookEvents: r.book_events,
          tradeEvents: r.trade_events,
          firstLocal: r.first_local,
          lastLocal: r.last_local,
          crc: r.crc,
        },
      };
    }
  }

  private row(name: string): RecordingRow | undefined {
    return this.db.prepare('SELECT * FROM recordings WHERE name = ?').get(name) as RecordingRow | undefined;
  }

  private info(r: RecordingRow): RecordingInfo {
    let instruments: InstrumentSpec[];
    try {
      instruments = JSON.parse(r.instruments) as InstrumentSpec[];
      if (!Array.isArray(instruments) || instruments.some((i) => typeof i.symbol !== 'string'))
        throw new Error();
    } catch {
      throw new CorruptChunkError(`recording ${r.name}`, 'its instrument list is unreadable');
    }
    return {
      name: r.name,
      venue: r.venue,
      instruments,
      createdAt: r.created_at,
      status: r.status === 'complete' ? 'complete' : 'recording',
      events: r.events,
      bookEvents: r.book_events,
      tradeEvents: r.trade_events,
      bytes: r.bytes,
      chunks: r.chunks,
      firstLocal: r.first_local,
      lastLocal: r.last_local,
    };
  }
}

/** Default chunk size: big enough to compress the index, small enough to lose little in a crash. */
const CHUNK_EVENTS = 8192;
const CHUNK_BYTES = 256 * 1024;

/**
 * Appends events to one recording; a chunk is written (in its own transaction, with the recording's
 * totals) every CHUNK_EVENTS events or CHUNK_BYTES bytes, and by flush() and close().
 */
export class RecordingWriter {
  readonly name: string;
  private readonly db: Database.Database;
  private readonly id: number;
  private readonly encoder: ChunkEncoder;
  private seq = 0;
  private closed = false;
  private readonly insert: Database.Statement;
  private readonly totals: Database.Statement;
  private written = { events: 0, bytes: 0 };

  constructor(db: Database.Database, id: number, name: string, instruments: number) {
    this.db = db;
    this.id = id;
    this.name = name;
    this.encoder = new ChunkEncoder(instruments);
    this.insert = db.prepare(
      'INSERT INTO recording_chunks (recording_id, seq, events, book_events, trade_events, first_local, last_local, crc, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.totals = db.prepare(
      `UPDATE recordings SET events = events + ?, book_events = book_events + ?, trade_events = trade_events + ?,
         bytes = bytes + ?, chunks = chunks + 1, first_local = COALESCE(first_local, ?), last_local = ? WHERE id = ?`,
    );
  }

  /** Events and bytes so far, the chunk being filled included. */
  get events(): number {
    return this.written.events + this.encoder.events;
  }

  get bytes(): number {
    return this.written.bytes + this.encoder.bytes;
  }

  add(ev: RecordedEvent): void {
    if (this.closed) throw new EngineError('invalid_input', `recording ${this.name} is closed`);
    this.encoder.add(ev);
    if (this.encoder.events >= CHUNK_EVENTS || this.encoder.bytes >= CHUNK_BYTES) this.flush();
  }

  flush(): void {
    if (this.encoder.events === 0) return;
    const { data, info } = this.encoder.finish();
    this.db.transaction(() => {
      this.insert.run(
        this.id,
        this.seq,
        info.events,
        info.bookEvents,
        info.tradeEvents,
        info.firstLocal,
        info.lastLocal,
        info.crc,
        data,
      );
      this.totals.run(
        info.events,
        info.bookEvents,
        info.tradeEvents,
        data.length,
        info.firstLocal,
        info.lastLocal,
        this.id,
      );
    })();
    this.seq++;
    this.written.events += info.events;
    this.written.bytes += data.length;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.prepare("UPDATE recordings SET status = 'complete' WHERE id = ?").run(this.id);
  }
}
