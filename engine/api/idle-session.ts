import type { Clock, TimerHandle } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import type { EngineState, Handlers, Mode } from './contract.ts';
import type { Session, SessionSink } from './engine.ts';
import { emptyState } from './state.ts';

/**
 * A session with no venue behind it: the engine clock runs and the state streams, but every trading
 * command is refused with a clear reason. Used by transport tests and as the shell's fallback when the
 * configured venue cannot be built.
 */
export class IdleSession implements Session {
  readonly handlers: Handlers;
  private readonly clock: Clock;
  private readonly state: Omit<EngineState, 'seq' | 'time'>;
  private sink: SessionSink | undefined;
  private heartbeat: TimerHandle | undefined;

  constructor(clock: Clock, mode: Mode = 'sim', reason = 'no venue is connected') {
    this.clock = clock;
    this.state = emptyState(mode, 'none');
    const refuse = (): never => {
      throw new EngineError('unavailable', reason);
    };
    const at = () => ({ at: this.clock.now() });
    this.handlers = {
      'engine.ping': () => ({ pong: true, time: this.clock.now() }),
      'engine.snapshot': () => ({ ...this.snapshot(), seq: 0, time: this.clock.now() }),
      'quoting.start': refuse,
      'quoting.stop': at,
      'quoting.pause': refuse,
      'quoting.resume': refuse,
      'overrides.set': refuse,
      'overrides.clear': refuse,
      'orders.place': refuse,
      'orders.cancel': refuse,
      'orders.cancelAll': () => ({ ...at(), cancelled: 0 }),
      'position.flatten': refuse,
      'risk.kill': refuse,
      'risk.reset': refuse,
      'store.backup': refuse,
    };
  }

  snapshot(): Omit<EngineState, 'seq' | 'time'> {
    return this.state;
  }

  attach(sink: SessionSink): void {
    this.sink = sink;
  }

  start(): Promise<void> {
    // The clock in the header must tick even with nothing to trade.
    this.heartbeat = this.clock.setInterval(() => this.sink?.changed(), 1000);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.clock.clearTimer(this.heartbeat);
    return Promise.resolve();
  }
}
