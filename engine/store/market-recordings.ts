import { existsSync } from 'node:fs';
import type { Clock } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import type { InstrumentSpec } from '../core/instrument.ts';
import type { MarketData, MarketListener, Unsubscribe } from '../venues/venue.ts';
import { MarketRecorder } from './recorder.ts';
import { checkRecordingName, RecordingStore, type RecordingInfo } from './recordings.ts';

export interface MarketRecordingsOptions {
  /** The recordings database (recordingsFile(dataDir)); opened on first use, created when needed. */
  file: string;
  /** What is recorded: the session's venue. */
  market: MarketData;
  clock: Clock;
  /** The venue's id, kept with each recording. */
  venue: string;
  /** A part is closed and the next begun at this many bytes (the recorder's default when absent). */
  maxBytes?: number;
  /**
   * The recording failed while running (the database refused a write): it has been stopped with what
   * was written kept. Called at most once per recording, from inside a market-data callback.
   */
  onFailure?: (name: string, message: string) => void;
}

/** What the screen shows of the recording running now. */
export interface RunningRecording {
  readonly name: string;
  readonly parts: readonly string[];
  readonly events: number;
  readonly bytes: number;
  readonly since: number;
}

/**
 * Room left in a name for the parts' suffix: checkRecordingName allows 64 characters, and a
 * recording that rotates writes NAME.2, NAME.3… which must pass the same check.
 */
const MAX_NAME = 60;

/**
 * The recordings of one trading session: the recordings database, opened on first use (a session
 * that never records never touches it, and a session without a trading database may still record —
 * it is a separate file), and at most one MarketRecorder running on the session's venue.
 *
 * Guarantees:
 * - A recording never disturbs trading. The recorder listens to the venue beside the node's desks; a
 *   failure inside it (a full disk) is caught at the listener, stops the recording with what was
 *   written kept, and is reported through `onFailure` — it never reaches the venue's delivery loop,
 *   where a throw could starve the desks of the same message or take the process down.
 * - close() stops and completes a running recording before the database closes, so ending the
 *   session loses at most nothing: the chunk being filled is written then.
 */
export class MarketRecordings {
  private readonly options: MarketRecordingsOptions;
  private store: RecordingStore | undefined;
  private recorder: MarketRecorder | undefined;
  private name: string | null = null;
  private closed = false;

  constructor(options: MarketRecordingsOptions) {
    this.options = options;
  }

  /** Starts recording `instruments` as `name`; refused while a recording runs or the name is taken. */
  start(name: string, instruments: readonly InstrumentSpec[]): RunningRecording {
    this.requireOpen();
    checkRecordingName(name);
    if (name.length > MAX_NAME)
      throw new EngineError(
        'invalid_input',
        `recording name ${name} is too long: at most ${MAX_NAME} characters, so a long recording's later parts (NAME.2, NAME.3…) fit`,
      );
    if (this.recorder && this.name !== null)
      throw new EngineError(
        'conflict',
        `recording ${this.name} is running: stop it before starting another (one recording at a time)`,
      );
    const store = this.open();
    // A later part of this recording must not meet a name already taken, deep inside a feed callback.
    const partOf = new RegExp(`^${name.replace(/[.]/g, '\\.')}(?:\\.\\d+)?$`);
    const taken = store.list().find((r) => partOf.test(r.name));
    if (taken)
      throw new EngineError(
        'conflict',
        taken.name === name
          ? `a recording named ${name} already exists: choose another name`
          : `${taken.name} exists, and ${name}'s later parts would take its name: choose another name`,
      );
    const recorder = new MarketRecorder({
      store,
      market: this.guarded(),
      clock: this.options.clock,
      venue: this.options.venue,
      name,
      instruments,
      ...(this.options.maxBytes === undefined ? {} : { maxBytes: this.options.maxBytes }),
    });
    try {
      recorder.start();
    } catch (err) {
      // A symbol the venue refused to stream after the first part was created: nothing half-made stays.
      const created = recorder.status().parts.length > 0;
      recorder.stop();
      if (created) store.delete(name);
      throw err;
    }
    this.recorder = recorder;
    this.name = name;
    return this.status()!;
  }

  /** The recording running now, or null. */
  status(): RunningRecording | null {
    if (!this.recorder || this.name === null) return null;
    const s = this.recorder.status();
    return { name: this.name, parts: s.parts, events: s.events, bytes: s.bytes, since: s.since };
  }

  /** Stops and completes the running recording; each part's final description. */
  stop(): RecordingInfo[] {
    this.requireOpen();
    const recorder = this.recorder;
    if (!recorder) throw new EngineError('conflict', 'no recording is running');
    this.recorder = undefined;
    this.name = null;
    return recorder.stop();
  }

  /** Every recording, newest first; an absent database holds none (and is not created to say so). */
  list(): RecordingInfo[] {
    this.requireOpen();
    if (!this.store && !existsSync(this.options.file)) return [];
    return this.open().list();
  }

  /** Deletes a recording; refused for the part being written, not_found for an unknown name. */
  delete(name: string): void {
    this.requireOpen();
    const parts = this.recorder?.status().parts;
    if (parts && parts[parts.length - 1] === name)
      throw new EngineError('conflict', `recording ${name} is being written: stop it before deleting it`);
    if (!this.store && !existsSync(this.options.file))
      throw new EngineError('not_found', `no recording named ${name}`);
    if (!this.open().delete(name)) throw new EngineError('not_found', `no recording named ${name}`);
  }

  /** Stops and completes a running recording, then closes the database; returns the parts it completed. */
  close(): RecordingInfo[] {
    if (this.closed) return [];
    this.closed = true;
    const recorder = this.recorder;
    this.recorder = undefined;
    this.name = null;
    try {
      return recorder?.stop() ?? [];
    } finally {
      this.store?.close();
      this.store = undefined;
    }
  }

  private open(): RecordingStore {
    // Not cached on failure: a directory made writable again is used on the next try.
    this.store ??= new RecordingStore(this.options.file);
    return this.store;
  }

  private requireOpen(): void {
    if (this.closed)
      throw new EngineError('unavailable', 'this session has ended: its recordings are closed');
  }

  /** The venue, with every callback into the recorder fenced off from the venue's delivery loop. */
  private guarded(): MarketData {
    const market = this.options.market;
    const fence = (run: () => void): void => {
      try {
        run();
      } catch (err) {
        this.failed(err);
      }
    };
    return {
      connect: () => market.connect(),
      disconnect: () => market.disconnect(),
      connectionState: () => market.connectionState(),
      onConnection: (listener) => market.onConnection(listener),
      instruments: () => market.instruments(),
      subscribeMarket: (symbol: string, listener: MarketListener): Unsubscribe =>
        market.subscribeMarket(symbol, {
          onBook: (message) => {
            fence(() => {
              listener.onBook(message);
            });
          },
          onTrade: (trade) => {
            fence(() => {
              listener.onTrade(trade);
            });
          },
        }),
    };
  }

  private failed(err: unknown): void {
    const recorder = this.recorder;
    const name = this.name;
    if (!recorder || name === null) return;
    this.recorder = undefined;
    this.name = null;
    const message = err instanceof Error ? err.message : String(err);
    try {
      recorder.stop();
    } catch {
      // The database that failed the write may fail the close too; what was written is kept.
    }
    this.options.onFailure?.(name, message);
  }
}
