import type { Clock, TimerHandle } from '../core/clock.ts';

export interface WriteBehindOptions<T> {
  clock: Clock;
  /** Commits one batch in one transaction; throws on failure (the rows are kept for a retry). */
  commit: (batch: readonly T[]) => void;
  /** Critical rows (fills, order changes) are never refused; others may be when the queue is full. */
  isCritical: (row: T) => boolean;
  flushMs?: number;
  batchRows?: number;
  /** Depth at which trading should stop adding risk (the engine moves to reducing). */
  softCap?: number;
  /** Depth beyond which non-critical rows are refused (counted), so memory stays bounded. */
  hardCap?: number;
  onBackpressure?: (depth: number) => void;
  onFailure?: (err: unknown) => void;
  onRecovered?: () => void;
}

export interface WriteBehindStats {
  depth: number;
  batches: number;
  rows: number;
  dropped: number;
  failures: number;
  lastCommitAt: number | null;
  failing: boolean;
}

/**
 * The trading hot path hands rows here and returns at once; a timer commits them in batched
 * transactions every few milliseconds (or as soon as a batch is full). Nothing the engine marked
 * critical is ever dropped; a failing disk raises `onFailure` once and the rows wait for a retry.
 */
export class WriteBehind<T> {
  private readonly o: Required<Omit<WriteBehindOptions<T>, 'onBackpressure' | 'onFailure' | 'onRecovered'>> &
    Pick<WriteBehindOptions<T>, 'onBackpressure' | 'onFailure' | 'onRecovered'>;
  private queue: T[] = [];
  private timer: TimerHandle | undefined;
  private pressured = false;
  private stats: WriteBehindStats = {
    depth: 0,
    batches: 0,
    rows: 0,
    dropped: 0,
    failures: 0,
    lastCommitAt: null,
    failing: false,
  };
  private retryDelay = 0;

  constructor(options: WriteBehindOptions<T>) {
    this.o = { flushMs: 5, batchRows: 1000, softCap: 50_000, hardCap: 500_000, ...options };
  }

  enqueue(row: T): void {
    if (this.queue.length >= this.o.hardCap && !this.o.isCritical(row)) {
      this.stats.dropped++;
      return;
    }
    this.queue.push(row);
    if (!this.pressured && this.queue.length >= this.o.softCap) {
      this.pressured = true;
      this.o.onBackpressure?.(this.queue.length);
    }
    this.schedule(this.queue.length >= this.o.batchRows ? 0 : this.o.flushMs);
  }

  depth(): number {
    return this.queue.length;
  }

  snapshot(): WriteBehindStats {
    return { ...this.stats, depth: this.queue.length };
  }

  /** Commits everything queued now (orderly shutdown, before a backup). Returns false if the commit failed. */
  flush(): boolean {
    this.o.clock.clearTimer(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const n = Math.min(this.queue.length, this.o.batchRows);
      const batch = this.queue.slice(0, n);
      try {
        this.o.commit(batch);
      } catch (err) {
        this.stats.failures++;
        if (!this.stats.failing) {
          this.stats.failing = true;
          this.o.onFailure?.(err);
        }
        this.retryDelay = Math.min(Math.max(this.retryDelay * 2, 50), 5000);
        this.schedule(this.retryDelay);
        return false;
      }
      this.queue = n === this.queue.length ? [] : this.queue.slice(n);
      this.stats.batches++;
      this.stats.rows += n;
      this.stats.lastCommitAt = this.o.clock.now();
      if (this.stats.failing) {
        this.stats.failing = false;
        this.retryDelay = 0;
        this.o.onRecovered?.();
      }
    }
    if (this.pressured && this.queue.length < this.o.softCap / 2) this.pressured = false;
    return true;
  }

  private schedule(delay: number): void {
    if (this.timer) {
      if (delay > 0) return;
      this.o.clock.clearTimer(this.timer);
    }
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
  }
}
