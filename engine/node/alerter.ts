import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/bus.ts';
import type { Alert, AlertSeverity, DomainEvents } from '../events/domain-events.ts';

/** How often the same alert (code and instrument) may be raised: a persistent condition does not flood. */
const REPEAT_MS = 1000;

/**
 * Raises alerts as domain events. Whoever cares (the screen, the journal, the log, a webhook sink)
 * subscribes to `alert.raised`; the node only says what happened.
 */
export class Alerter {
  private readonly clock: Clock;
  private readonly bus: EventBus<DomainEvents>;
  private seq = 0;
  private readonly lastAt = new Map<string, number>();

  constructor(clock: Clock, bus: EventBus<DomainEvents>) {
    this.clock = clock;
    this.bus = bus;
  }

  raise(severity: AlertSeverity, code: string, message: string, symbol: string | null = null): void {
    const now = this.clock.now();
    const key = symbol === null ? code : `${code}:${symbol}`;
    if (now - (this.lastAt.get(key) ?? -Infinity) < REPEAT_MS) return;
    this.lastAt.set(key, now);
    const alert: Alert = { id: `a${++this.seq}`, severity, code, message, at: now, symbol };
    this.bus.publish('alert.raised', alert);
  }
}
