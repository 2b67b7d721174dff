import type { Clock } from '../core/clock.ts';
import type { Instrument } from '../core/instrument.ts';
import { EngineError } from '../core/errors.ts';
import type { Alert } from '../events/domain-events.ts';
import type { InstrumentDesk } from '../node/instrument-desk.ts';
import type { TradingNode } from '../node/trading-node.ts';
import type { Fill } from '../venues/venue.ts';
import type {
  AlertView,
  EngineEvent,
  EngineState,
  Mode,
  OverrideEntry,
  SessionHandlers,
} from './contract.ts';
import type { Session, SessionSink } from './engine.ts';
import { orderHandlers } from './handlers/order-handlers.ts';
import { quotingHandlers } from './handlers/quoting-handlers.ts';
import { recordingHandlers, statusView } from './handlers/recording-handlers.ts';
import { riskHandlers } from './handlers/risk-handlers.ts';
import { storeHandlers } from './handlers/store-handlers.ts';
import { venueHandlers } from './handlers/venue-handlers.ts';
import type { HandlerContext, RecordingControl, StoreControl } from './handlers/context.ts';
import { decisionView } from './review-views.ts';
import { emptyState } from './state.ts';
import type { OrderFacts } from './views.ts';
import {
  accountView,
  fillView,
  instrumentSection,
  instrumentSummary,
  orderFacts,
  orderView,
} from './views.ts';

export interface NodeSessionOptions {
  node: TradingNode;
  mode: Mode;
  /** The database as the host runs it; absent without one. */
  store?: StoreControl;
  /** Market-data recording of the session's venue; absent where the host offers none. */
  recordings?: RecordingControl;
}

const MAX_ALERTS = 50;
const SHOWN_ALERTS = 20;

/** A UI event waiting for the end of its turn; orders and fills are formatted when sent. */
type Outgoing =
  | { kind: 'order'; instrument: Instrument; order: OrderFacts }
  | { kind: 'fill'; instrument: Instrument; fill: Fill }
  | { kind: 'event'; event: EngineEvent };

/**
 * The UI's side of a trading node: the command handlers of every domain, the state snapshot, and the
 * stream of discrete events, all from the node's bus. The trader's selection lives here: commands that
 * name no instrument act on it.
 */
export class NodeSession implements Session {
  readonly handlers: SessionHandlers;
  private readonly node: TradingNode;
  private readonly clock: Clock;
  private readonly mode: Mode;
  private readonly store: StoreControl | undefined;
  private readonly recordings: RecordingControl | undefined;
  private sink: SessionSink | undefined;
  private selected: string | null = null;
  private readonly alerts: AlertView[] = [];
  private outbox: Outgoing[] = [];
  private changedPending = false;
  private deliveryQueued = false;

  constructor(options: NodeSessionOptions) {
    this.node = options.node;
    this.clock = options.node.clock;
    this.mode = options.mode;
    this.store = options.store;
    this.recordings = options.recordings;
    this.subscribe();
    const ctx: HandlerContext = {
      clock: this.clock,
      node: this.node,
      store: this.store,
      recordings: this.recordings,
      desk: (symbol) => this.desk(symbol),
      select: (symbol) => {
        this.selected = this.desk(symbol).symbol;
      },
      requireStarted: () => {
        this.requireStarted();
      },
      overrideChanged: (symbol, entry) => {
        const at = this.clock.now();
        this.node.bus.publish('override.changed', { symbol, field: entry.field, value: entry.value, at });
      },
    };
    this.handlers = {
      'engine.ping': () => ({ pong: true, time: this.clock.now() }),
      'engine.snapshot': () => ({ ...this.snapshot(), seq: 0, time: this.clock.now() }),
      ...quotingHandlers(ctx),
      ...orderHandlers(ctx),
      ...riskHandlers(ctx),
      ...storeHandlers(ctx),
      ...recordingHandlers(ctx),
      ...venueHandlers(ctx),
      'journal.decision': (input) => {
        const desk = this.desk(input.symbol);
        const record =
          input.execId === undefined
            ? this.node.orderDecision(input.clientId)
            : this.node.fillDecision(input.execId);
        return record && record.symbol === desk.symbol ? decisionView(desk.instrument, record) : null;
      },
    };
  }

  /**
   * The UI hears of the node's events after the turn that raised them, in order: an order changed by
   * a requote reaches the screen (a view formatted, a frame to the renderer, a snapshot scheduled)
   * once the turn's order requests have left. The venues' order channels flush in a microtask queued
   * by the turn's first request, before this one; the state the events describe is recorded now.
   */
  private post(item: Outgoing | null, changed: boolean): void {
    if (item !== null) this.outbox.push(item);
    if (changed) this.changedPending = true;
    if (this.deliveryQueued) return;
    this.deliveryQueued = true;
    queueMicrotask(this.deliver);
  }

  private readonly deliver = (): void => {
    this.deliveryQueued = false;
    const items = this.outbox;
    this.outbox = [];
    const changed = this.changedPending;
    this.changedPending = false;
    const sink = this.sink;
    if (!sink) return;
    for (const item of items) {
      try {
        sink.event(
          item.kind === 'order'
            ? { name: 'order.changed', payload: orderView(item.instrument, item.order) }
            : item.kind === 'fill'
              ? { name: 'fill.executed', payload: fillView(item.instrument, item.fill) }
              : item.event,
        );
      } catch (err) {
        this.sinkFailed(err);
      }
    }
    if (changed) {
      try {
        sink.changed();
      } catch (err) {
        this.sinkFailed(err);
      }
    }
  };

  /** A microtask must not throw: a failing sink is the node's subscriber alert (once a second at most). */
  private sinkFailed(err: unknown): void {
    this.node.alerts.raise(
      'warning',
      'subscriber_failed',
      `The UI's event sink failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  private subscribe(): void {
    const bus = this.node.bus;
    const changed = () => {
      this.post(null, true);
    };
    bus.subscribe('book.updated', changed);
    bus.subscribe('risk.changed', changed);
    bus.subscribe('order.changed', (e) => {
      this.post({ kind: 'order', instrument: e.instrument, order: orderFacts(e.order) }, true);
    });
    bus.subscribe('fill.applied', (e) => {
      this.post({ kind: 'fill', instrument: e.instrument, fill: e.fill }, true);
    });
    bus.subscribe('alert.raised', (a: Alert) => {
      this.alerts.push(a);
      if (this.alerts.length > MAX_ALERTS) this.alerts.shift();
      this.post({ kind: 'event', event: { name: 'alert.raised', payload: a } }, true);
    });
    bus.subscribe('override.changed', (e) => {
      const field = e.field as OverrideEntry['field'];
      this.post(
        {
          kind: 'event',
          event: { name: 'override.changed', payload: { symbol: e.symbol, field, value: e.value, at: e.at } },
        },
        false,
      );
    });
    bus.subscribe('equity.sampled', (e) => {
      this.post({ kind: 'event', event: { name: 'equity.sampled', payload: { ...e } } }, false);
    });
  }

  private requireStarted(): void {
    if (!this.node.isRunning())
      throw new EngineError('unavailable', 'the session is not connected to its venue yet');
  }

  private desk(symbol: string | undefined): InstrumentDesk {
    this.requireStarted();
    const name = symbol ?? this.selected ?? this.node.desks()[0]?.symbol;
    if (name === undefined) throw new EngineError('unavailable', 'the node trades no instrument yet');
    return this.node.desk(name);
  }

  attach(sink: SessionSink): void {
    this.sink = sink;
  }

  async start(): Promise<void> {
    await this.node.start();
    this.selected ??= this.node.desks()[0]?.symbol ?? null;
    this.sink?.changed();
  }

  stop(): Promise<void> {
    return this.node.stop();
  }

  snapshot(): Omit<EngineState, 'seq' | 'time'> {
    const base = emptyState(this.mode, this.node.venue.id);
    const store = this.store?.status() ?? {
      ok: true,
      queueDepth: 0,
      lastBackupAt: null,
      message: 'no database',
    };
    const alerts = this.alerts.slice(-SHOWN_ALERTS);
    const info = this.node.venue.linkInfo?.();
    const link = info
      ? {
          ...base.link,
          clockOffsetMs: info.clockOffsetMs,
          rateHeadroom: info.rateHeadroom,
          rateLimit: info.rateLimit,
          dcp: info.dcp,
        }
      : base.link;
    const running = this.recordings?.status();
    const recording = running ? statusView(running) : null;
    const desks = this.node.desks();
    const selected = desks.find((d) => d.symbol === this.selected) ?? desks[0];
    if (!this.node.isRunning() || !selected) {
      return {
        ...base,
        connection: { ...base.connection, state: this.node.venue.connectionState() },
        alerts,
        store,
        link,
        recording,
      };
    }
    const summaries = desks.map((d) => instrumentSummary(this.node, d));
    return {
      ...base,
      selected: selected.symbol,
      instruments: summaries,
      account: accountView(this.node, summaries),
      ...instrumentSection(this.node, selected),
      alerts,
      store,
      link,
      recording,
    };
  }
}
