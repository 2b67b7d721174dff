import { EngineError } from '../../../engine/core/errors.ts';
import type { Clock } from '../../../engine/core/clock.ts';
import type {
  EngineEvent,
  EngineState,
  SessionHandlers,
  OverrideValues,
} from '../../../engine/api/contract.ts';
import type { Session, SessionSink } from '../../../engine/api/engine.ts';
import { emptyState } from '../../../engine/api/state.ts';

/** A session that records every handler call and keeps overrides, for transport and facade tests. */
export class RecordingSession implements Session {
  readonly calls: { name: string; input: unknown }[] = [];
  readonly state: Omit<EngineState, 'seq' | 'time'> = emptyState('sim', 'test');
  readonly handlers: SessionHandlers;
  sink: SessionSink | undefined;

  constructor(clock: Clock) {
    const record =
      <T>(name: string, fn: (input: never) => T) =>
      (input: unknown): T => {
        this.calls.push({ name, input });
        return fn(input as never);
      };
    const at = () => ({ at: clock.now() });
    const refuse = () => {
      throw new EngineError('unavailable', 'not in this test');
    };
    this.handlers = {
      'engine.ping': record('engine.ping', () => ({ pong: true as const, time: clock.now() })),
      'engine.snapshot': record('engine.snapshot', () => ({ ...this.state, seq: 0, time: clock.now() })),
      'quoting.start': record('quoting.start', () => {
        this.state.quoting.status = 'quoting';
        return at();
      }),
      'quoting.stop': record('quoting.stop', at),
      'quoting.pause': record('quoting.pause', at),
      'quoting.resume': record('quoting.resume', at),
      'overrides.set': record('overrides.set', (input: OverrideValues) => {
        Object.assign(this.state.overrides.active, input);
        return at();
      }),
      'overrides.clear': record('overrides.clear', at),
      'orders.place': record('orders.place', () => ({ ...at(), clientId: 'x-1' })),
      'orders.cancel': record('orders.cancel', refuse),
      'orders.cancelAll': record('orders.cancelAll', () => ({ ...at(), cancelled: 0 })),
      'position.flatten': record('position.flatten', () => {
        throw new Error('boom');
      }),
      'risk.kill': record('risk.kill', at),
      'risk.reset': record('risk.reset', at),
      'store.backup': record('store.backup', refuse),
      'recording.start': record('recording.start', refuse),
      'recording.stop': record('recording.stop', refuse),
      'recordings.list': record('recordings.list', () => ({ recordings: [] })),
      'recordings.delete': record('recordings.delete', refuse),
      'instruments.select': record('instruments.select', (input: { symbol: string }) => ({
        ...at(),
        symbol: input.symbol,
      })),
      'journal.decision': record('journal.decision', () => null),
      'venue.reconcile': record('venue.reconcile', () => ({
        ...at(),
        missedFills: 0,
        closed: 0,
        strangers: 0,
        settled: 0,
      })),
    };
  }

  snapshot(): Omit<EngineState, 'seq' | 'time'> {
    return structuredClone(this.state);
  }
  attach(sink: SessionSink): void {
    this.sink = sink;
  }
  emit(event: EngineEvent): void {
    this.sink?.event(event);
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}
