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

/** What a delivery runs: a plain function of up to three values, so a message needs no closure. */
export type Delivery<A, B, C> = (a: A, b: B, c: C) => void;

/**
 * One direction of a simulated link. Messages are delivered through the Clock after their delay, and
 * never overtake an earlier message: a message drawn with a shorter jittered delay waits for the one
 * before it, as on one TCP connection. One timer serves the whole queue, so the order does not depend
 * on how the clock breaks ties between timers.
 *
 * Every simulated request, answer, execution and book update passes through here, so the queue is
 * kept in parallel arrays that are reused rather than an object and a closure per message.
 */
export class DelayLine {
  private readonly clock: Clock;
  private readonly ats: number[] = [];
  private readonly fns: (Delivery<never, never, never> | undefined)[] = [];
  private readonly as: unknown[] = [];
  private readonly bs: unknown[] = [];
  private readonly cs: unknown[] = [];
  private head = 0;
  private tail = 0;
  private lastAt = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | undefined;
  private draining = false;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /**
   * Queues `fn(a, b, c)` to run `delayMs` from now (or right after the previous message, if that is
   * later).
   */
  push<A = undefined, B = undefined, C = undefined>(
    delayMs: number,
    fn: Delivery<A, B, C>,
    a?: A,
    b?: B,
    c?: C,
  ): void {
    const at = Math.max(this.clock.now() + delayMs, this.lastAt);
    this.lastAt = at;
    const i = this.tail++;
    this.ats[i] = at;
    this.fns[i] = fn;
    this.as[i] = a;
    this.bs[i] = b;
    this.cs[i] = c;
    if (!this.draining && this.timer === undefined) this.schedule();
  }

  /** Messages queued and not yet delivered. */
  pending(): number {
    return this.tail - this.head;
  }

  /** Drops everything queued (a broken connection). */
  clear(): void {
    for (let i = this.head; i < this.tail; i++) this.release(i);
    this.head = 0;
    this.tail = 0;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.head === this.tail) return;
    this.timer = this.clock.setTimeout(this.onTimer, this.ats[this.head]! - this.clock.now());
  }

  private readonly onTimer = (): void => {
    this.drain();
  };

  private release(i: number): void {
    this.fns[i] = undefined;
    this.as[i] = undefined;
    this.bs[i] = undefined;
    this.cs[i] = undefined;
  }

  private drain(): void {
    this.timer = undefined;
    this.draining = true;
    try {
      const now = this.clock.now();
      while (this.head < this.tail && this.ats[this.head]! <= now) {
        const i = this.head++;
        const fn = this.fns[i] as Delivery<unknown, unknown, unknown>;
        const a = this.as[i];
        const b = this.bs[i];
        const c = this.cs[i];
        this.release(i);
        fn(a, b, c);
      }
    } finally {
      this.draining = false;
      if (this.head === this.tail) {
        // Empty: start again at the front, reusing the arrays' storage.
        this.head = 0;
        this.tail = 0;
      } else if (this.head > 1024 && this.head * 2 > this.tail) {
        this.compact();
      }
      // push() does not arm the timer while draining, so whatever is left is armed here.
      this.schedule();
    }
  }

  /** Moves the undelivered messages to the front. */
  private compact(): void {
    const n = this.tail - this.head;
    for (let k = 0; k < n; k++) {
      const i = this.head + k;
      this.ats[k] = this.ats[i]!;
      this.fns[k] = this.fns[i];
      this.as[k] = this.as[i];
      this.bs[k] = this.bs[i];
      this.cs[k] = this.cs[i];
      this.release(i);
    }
    this.head = 0;
    this.tail = n;
  }
}
