import { join } from 'node:path';
import type { Clock, TimerHandle } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import type { Session, SessionSink } from '../api/engine.ts';
import type { EngineState, SessionHandlers } from '../api/contract.ts';
import type { StoreControl } from '../api/handlers/context.ts';
import { NodeSession } from '../api/node-session.ts';
import { defaultAccountLimits, defaultTradingConfig, type TradingConfig } from '../node/trading-config.ts';
import { TradingNode } from '../node/trading-node.ts';
import type { AccountLimits } from '../risk/risk-engine.ts';
import { backupStore } from '../store/backup.ts';
import { databaseFile } from '../store/database.ts';
import { NullJournal, SqliteJournal, type Journal } from '../store/journal.ts';
import { MarketRecordings } from '../store/market-recordings.ts';
import { recordingsFile } from '../store/recordings.ts';
import { Store } from '../store/store.ts';
import { defaultVenueRegistry } from '../venues/default-registry.ts';
import {
  modeOf,
  recordFamily,
  type VenueContext,
  type VenueRegistry,
  type VenueSpec,
} from '../venues/registry.ts';
import { defaultSimInstruments } from '../venues/sim/index.ts';
import type { Venue } from '../venues/venue.ts';
import type { Instrument } from '../core/instrument.ts';

export interface AppConfig {
  /** The venue to trade; the embedded simulator when absent. */
  venue?: VenueSpec;
  /** Where the app keeps its databases and backups. */
  dataDir: string;
  /** Seed of whatever the venue simulates, so a demo can be replayed exactly. */
  seed: number;
  /** Scale of a simulated market's activity: roughly this many book updates per second and instrument. */
  bookRate?: number;
  /** Without a database (tests and benchmarks of the trading path alone); recording still works. */
  noStore?: boolean;
  /** Size at which a market-data recording continues in its next part (the recorder's default). */
  recordingPartBytes?: number;
  /** The symbols to trade; for the simulator every one it lists. */
  symbols?: readonly string[];
  /** Each instrument's parameters and limits; sensible defaults when absent. */
  config?: (instrument: Instrument) => TradingConfig;
  account?: AccountLimits;
  registry?: VenueRegistry;
  /**
   * What a real venue needs: credentials (from the keychain), endpoint overrides, the product; and
   * paper trading's starting balances.
   */
  venueContext?: Pick<VenueContext, 'credentials' | 'transport' | 'category' | 'dcpWindowS' | 'balances'>;
}

type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

const BACKUP_EVERY_MS = 6 * 3_600_000;
const BACKUPS_KEPT = 10;

/**
 * One run of the workstation as the host runs it: the venue from the registry, the database of its
 * records family and the journal on it, the trading node, and the UI session over the node. The
 * host owns the database's lifetime and its backups; the node only publishes and reads its records.
 */
export class TradingApp implements Session {
  readonly node: TradingNode;
  readonly venue: Venue;
  readonly store: Store | undefined;
  readonly session: NodeSession;
  readonly handlers: SessionHandlers;
  /** Market-data recording of this session's venue, into recordings.sqlite in the data directory. */
  readonly recordings: MarketRecordings;
  private readonly clock: Clock;
  private readonly journal: Journal;
  private readonly sessionId: number | null;
  private readonly backupDir: string;
  private readonly log: Log | undefined;
  private storeMessage: string | null = null;
  private lastBackupAt: number | null = null;
  private backupTimer: TimerHandle | undefined;

  constructor(config: AppConfig, clock: Clock, log?: Log) {
    this.clock = clock;
    this.log = log;
    const spec: VenueSpec = config.venue ?? { kind: 'sim' };
    const registry = config.registry ?? defaultVenueRegistry();
    this.venue = registry.create(spec, {
      clock,
      seed: config.seed,
      ...config.venueContext,
      ...(config.bookRate === undefined ? {} : { bookRate: config.bookRate }),
      ...(config.symbols === undefined ? {} : { symbols: config.symbols }),
    });
    const symbols =
      config.symbols ?? (spec.kind === 'sim' ? defaultSimInstruments().map((i) => i.spec.symbol) : undefined);
    if (!symbols || symbols.length === 0)
      throw new EngineError('invalid_input', 'name the symbols to trade on this venue');
    const mode = modeOf(spec);
    this.backupDir = join(config.dataDir, 'backups');
    let store: Store | undefined;
    let journal: Journal = new NullJournal();
    let sessionId: number | null = null;
    if (!config.noStore) {
      try {
        store = new Store(databaseFile(config.dataDir, recordFamily(spec)), clock, {
          onFailure: (err) => {
            this.storageFailed(err);
          },
          onBackpressure: (depth) => {
            this.node.alerts.raise(
              'critical',
              'store_backpressure',
              `Database writes falling behind (${depth} rows queued): trading moved to REDUCING`,
            );
            this.node.fault(`database writes are falling behind (${depth} rows queued)`, 'reducing');
          },
        });
        sessionId = store.beginSession(mode, this.venue.id, symbols, clock.now());
        journal = new SqliteJournal(store, { venue: this.venue.id, sessionId });
      } catch (err) {
        this.storeMessage = message(err);
        log?.('error', `database unavailable: ${this.storeMessage}`);
        store?.close();
        store = undefined;
      }
    }
    this.store = store;
    this.sessionId = sessionId;
    this.journal = journal;
    this.node = new TradingNode({
      clock,
      venue: this.venue,
      journal,
      symbols,
      config: config.config ?? defaultTradingConfig,
      account: config.account ?? defaultAccountLimits(),
    });
    journal.attach(this.node.bus);
    if (log) {
      this.node.bus.subscribe('alert.raised', (a) => {
        log(a.severity === 'critical' ? 'error' : a.severity === 'warning' ? 'warn' : 'info', a.message, {
          code: a.code,
          ...(a.symbol === null ? {} : { symbol: a.symbol }),
        });
      });
    }
    const control: StoreControl | undefined =
      config.noStore === true ? undefined : { status: () => this.storeStatus(), backup: () => this.backup() };
    this.recordings = new MarketRecordings({
      file: recordingsFile(config.dataDir),
      market: this.venue,
      clock,
      venue: this.venue.id,
      ...(config.recordingPartBytes === undefined ? {} : { maxBytes: config.recordingPartBytes }),
      onFailure: (name, reason) => {
        this.node.alerts.raise(
          'critical',
          'recording_failed',
          `Recording ${name} stopped: ${reason}. What was recorded until then is kept.`,
        );
      },
    });
    this.session = new NodeSession({
      node: this.node,
      mode,
      recordings: this.recordings,
      ...(control ? { store: control } : {}),
    });
    this.handlers = this.session.handlers;
  }

  attach(sink: SessionSink): void {
    this.session.attach(sink);
  }

  snapshot(): Omit<EngineState, 'seq' | 'time'> {
    return this.session.snapshot();
  }

  async start(): Promise<void> {
    await this.session.start();
    if (this.storeMessage !== null && !this.store) this.storageFailed(new Error(this.storeMessage));
    if (this.store) {
      this.backupTimer = this.clock.setInterval(() => {
        this.backup().catch((err: unknown) => {
          this.node.alerts.raise('warning', 'backup_failed', `Scheduled backup failed: ${message(err)}`);
        });
      }, BACKUP_EVERY_MS);
    }
  }

  async stop(): Promise<void> {
    this.clock.clearTimer(this.backupTimer);
    try {
      await this.session.stop();
    } finally {
      // After the node: the recording keeps the market up to the session's last moment, and is
      // completed (its last chunk written) whatever the node's stop did.
      this.closeRecordings();
    }
    const store = this.store;
    if (!store || !this.storeStatus().ok) return;
    try {
      if (this.sessionId !== null) store.endSession(this.sessionId, this.clock.now());
      store.close();
    } catch (err) {
      this.log?.('error', `closing the database failed: ${message(err)}`);
    }
  }

  private closeRecordings(): void {
    try {
      for (const part of this.recordings.close())
        this.log?.('info', `recording ${part.name} completed with the session`, {
          events: part.events,
          bytes: part.bytes,
        });
    } catch (err) {
      this.log?.('error', `completing the recording failed: ${message(err)}`);
    }
  }

  private storeStatus(): ReturnType<StoreControl['status']> {
    const health = this.journal.health();
    const ok = this.store !== undefined && this.storeMessage === null && health.ok;
    return {
      ok,
      queueDepth: this.store?.writer.depth() ?? 0,
      lastBackupAt: this.lastBackupAt,
      message: this.storeMessage ?? (ok ? null : health.message),
    };
  }

  /** The database failed: nothing may trade on without a record. */
  private storageFailed(err: unknown): void {
    const first = this.storeMessage === null || !this.store;
    this.storeMessage ??= message(err);
    if (first)
      this.node.alerts.raise(
        'critical',
        'storage_failure',
        `Database failure, quoting halted: ${this.storeMessage}`,
      );
    this.node.fault(`storage failure: ${this.storeMessage}`);
  }

  private async backup(): Promise<{ file: string }> {
    const store = this.store;
    if (!store || !this.storeStatus().ok)
      throw new EngineError('unavailable', this.storeMessage ?? 'this session has no database to back up');
    const r = await backupStore(store, this.backupDir, BACKUPS_KEPT, this.clock.now());
    this.lastBackupAt = this.clock.now();
    this.node.alerts.raise('info', 'backup_done', `Backup written and verified: ${r.file}`);
    return { file: r.file };
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
