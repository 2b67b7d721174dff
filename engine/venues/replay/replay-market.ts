import { EngineError } from '../../core/errors.ts';
import type { InstrumentSpec } from '../../core/instrument.ts';
import type { RecordedEvent } from '../../market/recording-codec.ts';
import type { ConnectionState, MarketData, MarketListener, Unsubscribe } from '../venue.ts';

/**
 * Market data played back from a recording: a MarketData whose events are pushed in by the backtest
 * runner (`deliver`), which decides when each one happens on the replay clock. A backtest has two of
 * them over one recording: the venue side (what simulated execution matches against, at the venue's
 * time) and the local side (what the strategy sees, at our receive time).
 */
export class ReplayMarket implements MarketData {
  private readonly specs: readonly InstrumentSpec[];
  /** Listeners by instrument index: the hot path looks them up by the event's index, not its symbol. */
  private readonly listeners: MarketListener[][];
  private readonly index = new Map<string, number>();
  private state: ConnectionState = 'disconnected';
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();

  constructor(specs: readonly InstrumentSpec[]) {
    this.specs = specs;
    this.listeners = specs.map(() => []);
    specs.forEach((s, i) => this.index.set(s.symbol, i));
  }

  connect(): Promise<void> {
    this.setState('connected');
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    this.setState('disconnected');
    return Promise.resolve();
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  instruments(): Promise<InstrumentSpec[]> {
    return Promise.resolve(this.specs.map((s) => ({ ...s })));
  }

  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe {
    const i = this.index.get(symbol);
    if (i === undefined) throw new EngineError('not_found', `the recording has no instrument ${symbol}`);
    this.listeners[i] = [...this.listeners[i]!, listener];
    return () => {
      this.listeners[i] = this.listeners[i]!.filter((l) => l !== listener);
    };
  }

  /** One recorded event, now: to every listener of its instrument, in subscription order. */
  deliver(ev: RecordedEvent): void {
    const list = this.listeners[ev.inst];
    if (list === undefined) return;
    if (ev.kind === 'book') for (const l of list) l.onBook(ev.message);
    else for (const l of list) l.onTrade(ev.trade);
  }

  private setState(next: ConnectionState): void {
    if (this.state === next) return;
    this.state = next;
    for (const l of this.stateListeners) l(next);
  }
}
