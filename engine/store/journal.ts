import type { EventBus } from '../core/bus.ts';
import { EngineError } from '../core/errors.ts';
import type { InstrumentSpec } from '../core/instrument.ts';
import { decisionRecord, worthKeeping, type DecisionRecord } from '../events/decision-record.ts';
import type { DomainEvents } from '../events/domain-events.ts';
import type { KillSwitchState } from '../risk/trading-state.ts';
import { orderRecord, type RecoveryState, type Store, type StoreRow } from './store.ts';

export interface JournalHealth {
  /** False once the journal stopped recording (a store failure); stays false for its lifetime. */
  ok: boolean;
  /** Rows waiting in the store's write-behind queue (shared by every journal on the store). */
  queueDepth: number;
  /** Why it is not ok; for a journal without a database, 'no database'; otherwise null. */
  message: string | null;
}

/**
 * The trading node's record: one journal per venue and session, subscribed to the node's bus. The
 * node calls none of its consumers by name; it hands the journal its bus and the few calls a restart
 * and the kill switch need.
 *
 * Guarantees:
 * - Every row it writes names this journal's venue and session. Rows go to the store's write-behind
 *   queue, committed in batches a few milliseconds later, in publish order; fills, orders and trading
 *   state changes are critical rows the queue never drops.
 * - Bus handlers never throw and never block: a payload is copied when it is published (the order is
 *   live state), and a failure is recorded, not raised.
 * - A fill is stored once per (venue, execution id), however often it is published.
 * - After the store reports a failure (a write-behind commit failed, or a write-through call threw)
 *   the journal stops enqueuing for the rest of its life and `health()` says why: the node must not
 *   trade on without a record, so it reads `health()` and halts.
 * - Direct calls (`loadKill`, `saveKill`, `saveInstruments`, `recovery`) are synchronous and throw an
 *   EngineError when the database fails them, after marking the journal failed. `saveKill` still
 *   tries after an earlier failure: the kill switch is the one record worth a retry.
 * - `book.updated` is not journaled. Of `quotes.decided` (the decision journal) it keeps every
 *   decision that sent a request or quoted differently, and one a second otherwise (DECISION_JOURNAL),
 *   the table bounded by pruning the oldest; an order keeps the number of the decision that priced it.
 */
export interface Journal {
  /**
   * Subscribes to the node's domain events; returns the unsubscribe. Rows are written behind, in
   * batches. One bus at a time: attaching again before unsubscribing is refused ('conflict'), since
   * every row would be written twice.
   */
  attach(bus: EventBus<DomainEvents>): () => void;
  /** The kill switch as last saved (one per database file), or undefined if it never was. */
  loadKill(): KillSwitchState | undefined;
  /** Written through at once: it must survive a crash a millisecond later. */
  saveKill(state: KillSwitchState): void;
  /** Written through: the specs that decode this venue's stored ticks and lots. */
  saveInstruments(specs: readonly InstrumentSpec[], at: number): void;
  /**
   * What a restart needs for one instrument of this journal's venue: stored fills, orders that were
   * working, last fill ts (and the kill switch). Rows still queued are flushed first.
   */
  recovery(symbol: string): RecoveryState;
  health(): JournalHealth;
  /**
   * The journaled decision that last priced one of this venue's orders (a fill's or a quote's client
   * id), rows still queued flushed first; undefined where none was kept or there is no database.
   */
  orderDecision(clientId: string): DecisionRecord | undefined;
  /** The journaled decision that had priced a fill's order when it filled (by execution id). */
  fillDecision(execId: string): DecisionRecord | undefined;
  /** Flushes what is queued (orderly shutdown). Does not close the database: the host owns its lifetime. */
  flush(): void;
}

/** How the live decision journal samples and bounds what it keeps. */
export const DECISION_JOURNAL = {
  /** One decision at least this often, per instrument, when nothing changes. */
  sampleMs: 1000,
  /** Rows kept at most; the oldest are pruned (checked every `pruneEvery` decisions kept). */
  maxRows: 200_000,
  pruneEvery: 5_000,
};

export interface JournalScope {
  venue: string;
  sessionId: number;
}

/** The journal on a SQLite store; see `Journal` for what it guarantees. */
export class SqliteJournal implements Journal {
  private readonly store: Store;
  private readonly scope: JournalScope;
  private failure: string | null = null;
  private attached = false;
  private readonly lastDecision = new Map<string, { record: DecisionRecord; overrides: unknown }>();
  private readonly pendingDecisions: DomainEvents['quotes.decided'][] = [];
  private keptDecisions = 0;

  constructor(store: Store, scope: JournalScope) {
    if (scope.venue.length === 0 || !Number.isSafeInteger(scope.sessionId) || scope.sessionId < 1)
      throw new EngineError(
        'invalid_input',
        `a journal needs a venue and a session id from Store.beginSession, got ${JSON.stringify(scope)}`,
      );
    this.store = store;
    this.scope = { venue: scope.venue, sessionId: scope.sessionId };
  }

  attach(bus: EventBus<DomainEvents>): () => void {
    if (this.attached)
      throw new EngineError('conflict', 'this journal is already attached to a bus: unsubscribe it first');
    this.attached = true;
    // A queue that is failing already will not tell us again.
    const failing = this.store.failure();
    if (failing !== null) this.fail(failing);
    const { venue, sessionId } = this.scope;
    const offs = [
      this.store.onFailure((err) => this.fail(err)),
      bus.subscribe('order.changed', (e) =>
        this.enqueue({ t: 'order', venue, sessionId, order: orderRecord(e.order), at: e.at }),
      ),
      bus.subscribe('fill.applied', (e) =>
        this.enqueue({
          t: 'fill',
          venue,
          sessionId,
          fill: { ...e.fill },
          decision: e.order?.decision ?? null,
        }),
      ),
      bus.subscribe('alert.raised', (a) =>
        this.enqueue({
          t: 'alert',
          venue,
          sessionId,
          symbol: a.symbol,
          at: a.at,
          severity: a.severity,
          code: a.code,
          message: a.message,
        }),
      ),
      bus.subscribe('override.changed', (e) =>
        this.enqueue({
          t: 'override',
          venue,
          sessionId,
          symbol: e.symbol,
          at: e.at,
          field: e.field,
          value: e.value,
        }),
      ),
      bus.subscribe('equity.sampled', (e) =>
        this.enqueue({
          t: 'equity',
          venue,
          sessionId,
          symbol: e.symbol,
          at: e.at,
          equity: e.equity,
          mid: e.mid,
        }),
      ),
      bus.subscribe('quotes.decided', (e) => {
        this.onDecision(e);
      }),
      bus.subscribe('risk.changed', (e) =>
        this.enqueue({
          t: 'risk',
          venue,
          sessionId,
          symbol: e.symbol,
          at: e.at,
          kind: `state_${e.to}`,
          detail: e.reason,
        }),
      ),
    ];
    let on = true;
    return () => {
      if (!on) return;
      on = false;
      for (const off of offs) off();
      this.attached = false;
    };
  }

  loadKill(): KillSwitchState | undefined {
    return this.through(() => this.store.loadKill());
  }

  saveKill(state: KillSwitchState): void {
    this.through(() => this.store.saveKill(state));
  }

  saveInstruments(specs: readonly InstrumentSpec[], at: number): void {
    this.through(() => this.store.saveInstruments(this.scope.venue, specs, at));
  }

  recovery(symbol: string): RecoveryState {
    return this.through(() => {
      // A fill still in the queue is a fill the restart must count.
      if (!this.store.writer.flush())
        throw new EngineError(
          'unavailable',
          `cannot read the record back: queued rows do not commit (${this.store.failure() ?? 'unknown failure'})`,
        );
      return this.store.recovery(symbol, this.scope.venue);
    });
  }

  health(): JournalHealth {
    return { ok: this.failure === null, queueDepth: this.store.writer.depth(), message: this.failure };
  }

  orderDecision(clientId: string): DecisionRecord | undefined {
    return this.readDecision((venue) => this.store.orderDecision(venue, clientId));
  }

  fillDecision(execId: string): DecisionRecord | undefined {
    return this.readDecision((venue) => this.store.fillDecision(venue, execId));
  }

  /** Reads the decision journal back, everything published before it written first. */
  private readDecision(read: (venue: string) => DecisionRecord | undefined): DecisionRecord | undefined {
    return this.through(() => {
      this.drainDecisions();
      this.store.writer.flush();
      return read(this.scope.venue);
    });
  }

  private onDecision(e: DomainEvents['quotes.decided']): void {
    // A venue transport may send this turn's orders in a microtask (Bybit's trade channel batches
    // them), so the record is made in one queued after it: off the path from a tick to the wire. The
    // payload object is reused by the desk, so its fields are taken now; the decision and its inputs
    // are fresh objects on every decision and stay as they are.
    if (this.pendingDecisions.push({ ...e }) === 1) queueMicrotask(this.drainDecisions);
  }

  /** Keeps the decisions published so far (also run before anything reads or flushes the journal). */
  private readonly drainDecisions = (): void => {
    const pending = this.pendingDecisions;
    for (let i = 0; i < pending.length; i++) this.keepDecision(pending[i]!);
    pending.length = 0;
  };

  private keepDecision(e: DomainEvents['quotes.decided']): void {
    const symbol = e.instrument.symbol;
    const last = this.lastDecision.get(symbol);
    if (!worthKeeping(last?.record, last?.overrides, e, DECISION_JOURNAL.sampleMs)) return;
    const record = decisionRecord(e);
    this.lastDecision.set(symbol, { record, overrides: e.inputs.overrides });
    const prune = ++this.keptDecisions % DECISION_JOURNAL.pruneEvery === 0 ? DECISION_JOURNAL.maxRows : 0;
    const { venue, sessionId } = this.scope;
    this.enqueue({ t: 'decision', venue, sessionId, decision: record, prune });
  }

  flush(): void {
    this.drainDecisions();
    // A failed flush keeps its rows queued for the write-behind's retry and reports through
    // onFailure; when nothing is attached to hear it, the journal records it here.
    if (!this.store.writer.flush()) this.fail(this.store.failure() ?? 'queued rows did not commit');
  }

  private enqueue(row: StoreRow): void {
    if (this.failure !== null) return;
    try {
      this.store.enqueue(row);
    } catch (err) {
      // Enqueueing does not touch the database today; this keeps the bus safe if it ever does.
      this.fail(err);
    }
  }

  private through<T>(call: () => T): T {
    try {
      return call();
    } catch (err) {
      this.fail(err);
      throw err instanceof EngineError
        ? err
        : new EngineError('unavailable', `journal: ${describe(err)}`, { cause: err });
    }
  }

  private fail(err: unknown): void {
    // The first failure is the one that explains the others.
    this.failure ??= `database failure, nothing more is recorded: ${describe(err)}`;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A journal that keeps nothing: for backtests and tests. Nothing is subscribed, the kill switch is
 * never remembered (a backtest's kill switch is the node's state for its run), recovery is empty.
 */
export class NullJournal implements Journal {
  attach(): () => void {
    return () => undefined;
  }

  loadKill(): KillSwitchState | undefined {
    return undefined;
  }

  saveKill(): void {}

  saveInstruments(): void {}

  recovery(): RecoveryState {
    return { fills: [], openOrders: [], lastFillTs: null, kill: undefined };
  }

  health(): JournalHealth {
    return { ok: true, queueDepth: 0, message: 'no database' };
  }

  orderDecision(): DecisionRecord | undefined {
    return undefined;
  }

  fillDecision(): DecisionRecord | undefined {
    return undefined;
  }

  flush(): void {}
}
