import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { Rng } from '../../core/random.ts';

/** A one-way delay in ms: a constant, or a base plus a uniform jitter in [0, jitterMs) from the seeded Rng. */
export type LatencySpec = number | { readonly baseMs: number; readonly jitterMs: number };

/** Draws one delay from a spec; never negative. */
export function sampleLatency(spec: LatencySpec, rng: Rng): number {
  if (typeof spec === 'number') return Math.max(0, spec);
  return Math.max(0, spec.baseMs + (spec.jitterMs > 0 ? rng.next() * spec.jitterMs : 0));
}

export function checkLatency(spec: LatencySpec, what: string): void {
  const ok =
    typeof spec === 'number'
      ? Number.isFinite(spec) && spec >= 0
      : Number.isFinite(spec.baseMs) &&
        spec.baseMs >= 0 &&
        Number.isFinite(spec.jitterMs) &&
        spec.jitterMs >= 0;
  if (!ok) throw new RangeError(`${what} latency must be finite and non-negative`);
}

interface Pending {
  at: number;
  fn: () => void;
}

/**
 * One direction of a simulated link. Messages are delivered through the Clock after their delay, and
 * never overtake an earlier message: a message drawn with a shorter jittered delay waits for the one
 * before it, as on one TCP connection. One timer serves the whole queue, so the order does not depend
 * on how the clock breaks ties between timers.
 */
export class DelayLine {
  private readonly clock: Clock;
  private readonly queue: Pending[] = [];
  private head = 0;
  private lastAt = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | undefined;
  private draining = false;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Queues `fn` to run `delayMs` from now (or right after the previous message, if that is later). */
  push(delayMs: number, fn: () => void): void {
    const at = Math.max(this.clock.now() + delayMs, this.lastAt);
    this.lastAt = at;
    this.queue.push({ at, fn });
    if (!this.draining && this.timer === undefined) this.schedule();
  }

  /** Messages queued and not yet delivered. */
  pending(): number {
    return this.queue.length - this.head;
  }

  /** Drops everything queued (a broken connection). */
  clear(): void {
    this.queue.length = 0;
    this.head = 0;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const next = this.queue[this.head];
    if (next === undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.drain();
    }, next.at - this.clock.now());
  }

  private drain(): void {
    this.timer = undefined;
    this.draining = true;
    try {
      const now = this.clock.now();
      while (this.head < this.queue.length && this.queue[this.head]!.at <= now) {
        const item = this.queue[this.head]!;
        this.head++;
        item.fn();
      }
    } finally {
      this.draining = false;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      } else if (this.head > 1024) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      // push() does not arm the timer while draining, so whatever is left is armed here.
      this.schedule();
    }
  }
}
