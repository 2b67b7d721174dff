/**
 * Fan-out of OMS events to consumers that drain at their own pace (the store's write-behind, the UI
 * stream). Nothing is ever dropped: a consumer whose backlog passes its capacity is flagged as lagging,
 * counted and reported through `onLag` once per episode, and keeps every event.
 */
export class EventFeed<T> {
  private readonly subs: Subscription<T>[] = [];
  private readonly onLag: (name: string, depth: number) => void;

  constructor(onLag: (name: string, depth: number) => void) {
    this.onLag = onLag;
  }

  subscribe(name: string, capacity: number): Subscription<T> {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a whole number ≥ 1');
    const sub = new Subscription<T>(name, capacity, () => {
      const i = this.subs.indexOf(sub);
      if (i >= 0) this.subs.splice(i, 1);
    });
    this.subs.push(sub);
    return sub;
  }

  publish(event: T): void {
    for (const s of this.subs) {
      if (s.push(event)) this.onLag(s.name, s.depth());
    }
  }
}

export class Subscription<T> {
  readonly name: string;
  private readonly capacity: number;
  private readonly close: () => void;
  private queue: T[] = [];
  private head = 0;
  private lagging = false;
  /** Times this consumer fell behind its capacity. */
  lagEpisodes = 0;

  constructor(name: string, capacity: number, close: () => void) {
    this.name = name;
    this.capacity = capacity;
    this.close = close;
  }

  /** Queues an event; true when this push made the consumer start lagging. */
  push(event: T): boolean {
    this.queue.push(event);
    if (!this.lagging && this.depth() > this.capacity) {
      this.lagging = true;
      this.lagEpisodes++;
      return true;
    }
    return false;
  }

  depth(): number {
    return this.queue.length - this.head;
  }

  isLagging(): boolean {
    return this.lagging;
  }

  /** Hands every queued event to `fn`, oldest first. */
  drain(fn: (event: T) => void): number {
    let n = 0;
    while (this.head < this.queue.length) {
      const e = this.queue[this.head]!;
      this.head++;
      n++;
      fn(e);
    }
    this.queue = [];
    this.head = 0;
    this.lagging = false;
    return n;
  }

  unsubscribe(): void {
    this.close();
  }
}
