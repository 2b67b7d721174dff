/**
 * Every engine component takes time from an injected Clock. Live it is the wall clock; in tests and
 * backtests it is a SimClock advanced by the replayed event time, so the same code is deterministic.
 * Times are milliseconds since the Unix epoch (fractional milliseconds allowed for latency models).
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  setInterval(fn: () => void, periodMs: number): TimerHandle;
  clearTimer(handle: TimerHandle | undefined): void;
}

/**
 * The wall clock, backed by the host's timers. Its timers keep the process alive: they are the
 * engine's work (venue latency, snapshots, guards), and `clearTimer` on shutdown releases them.
 */
export class WallClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(
      () => {
        this.timers.delete(id);
        fn();
      },
      Math.max(0, delayMs),
    );
    this.timers.set(id, t);
    return { id };
  }

  setInterval(fn: () => void, periodMs: number): TimerHandle {
    const id = this.nextId++;
    const t = setInterval(fn, Math.max(1, periodMs));
    this.timers.set(id, t);
    return { id };
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.timers.get(handle.id);
    if (t) {
      clearTimeout(t);
      this.timers.delete(handle.id);
    }
  }
}

/** A SimClock timer is its own handle; clearing it marks it dead and the heap drops it when it surfaces. */
interface SimTimer extends TimerHandle {
  at: number;
  seq: number;
  period: number;
  fn: () => void;
  dead: boolean;
  owner: SimClock;
}

/**
 * A simulated clock: time moves only when advanced. Timers fire in (time, creation order), so two runs
 * with the same inputs fire the same callbacks in the same order.
 */
export class SimClock implements Clock {
  private t: number;
  private nextId = 1;
  private seq = 0;
  // Binary min-heap on (at, seq).
  private heap: SimTimer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    return this.add(fn, Math.max(0, delayMs), 0);
  }

  setInterval(fn: () => void, periodMs: number): TimerHandle {
    if (!(periodMs > 0)) throw new RangeError('interval period must be positive');
    return this.add(fn, periodMs, periodMs);
  }

  clearTimer(handle: TimerHandle | undefined): void {
    const t = handle as SimTimer | undefined;
    if (t?.owner === this) t.dead = true;
  }

  /** Time of the next pending timer, or undefined. */
  nextTimerAt(): number | undefined {
    this.dropDead();
    return this.heap[0]?.at;
  }

  /** Moves time to `targetMs`, firing every timer due on the way, in order. */
  advanceTo(targetMs: number): void {
    if (targetMs < this.t) throw new RangeError(`clock cannot go back from ${this.t} to ${targetMs}`);
    for (;;) {
      this.dropDead();
      const top = this.heap[0];
      if (!top || top.at > targetMs) break;
      this.pop();
      this.t = Math.max(this.t, top.at);
      if (top.period > 0) {
        top.at += top.period;
        top.seq = this.seq++;
        this.push(top);
      } else {
        top.dead = true;
      }
      top.fn();
    }
    this.t = targetMs;
  }

  advance(ms: number): void {
    this.advanceTo(this.t + ms);
  }

  private add(fn: () => void, delay: number, period: number): TimerHandle {
    const timer: SimTimer = {
      id: this.nextId++,
      at: this.t + delay,
      seq: this.seq++,
      period,
      fn,
      dead: false,
      owner: this,
    };
    this.push(timer);
    return timer;
  }

  private dropDead(): void {
    while (this.heap.length > 0 && this.heap[0]!.dead) this.pop();
  }

  private less(a: SimTimer, b: SimTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  // Sift by moving a hole rather than swapping pairs: one write per level.
  private push(x: SimTimer): void {
    const h = this.heap;
    let i = h.length;
    h.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!this.less(x, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = x;
  }

  private pop(): SimTimer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    const n = h.length;
    if (n > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.less(h[r]!, h[l]!) ? r : l;
        if (!this.less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
