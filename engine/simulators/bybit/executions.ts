import type { Category } from './wire.ts';

/** One execution of an account: the wire item (as `execution.list` and the topic print it) and its keys. */
export interface ExecutionRecord {
  /** Increasing per account: newest first by it, and cursors name it. */
  readonly n: number;
  readonly category: Category;
  readonly symbol: string;
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly execType: 'Trade' | 'Funding';
  readonly execTime: number;
  /** Fields in the venue's order, numbers as exact decimal strings; `category` is added on the topic. */
  readonly wire: Readonly<Record<string, unknown>>;
  /** The `execution.fast` item, for trades. */
  readonly fast: Readonly<Record<string, unknown>> | undefined;
}

export interface ExecutionQuery {
  category: Category;
  symbol?: string;
  orderId?: string;
  orderLinkId?: string;
  execType?: string;
  startTime: number;
  endTime: number;
  limit: number;
  /** Only executions older than this `n` (from a cursor). */
  before?: number;
}

/**
 * An account's executions, the most recent `capacity` of them, oldest first in memory. Queries walk
 * newest first and page by the `n` of the last item returned, so a page stays stable while new
 * executions arrive.
 */
export class ExecutionLog {
  private readonly capacity: number;
  private readonly items: ExecutionRecord[] = [];
  private next = 1;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  nextN(): number {
    return this.next++;
  }

  add(record: ExecutionRecord): void {
    this.items.push(record);
    if (this.items.length > this.capacity * 2) this.items.splice(0, this.items.length - this.capacity);
  }

  query(q: ExecutionQuery): { list: ExecutionRecord[]; more: boolean } {
    const list: ExecutionRecord[] = [];
    for (let i = this.items.length - 1; i >= 0; i--) {
      const e = this.items[i]!;
      if (q.before !== undefined && e.n >= q.before) continue;
      if (e.category !== q.category) continue;
      if (q.symbol !== undefined && e.symbol !== q.symbol) continue;
      if (q.orderId !== undefined && e.orderId !== q.orderId) continue;
      if (q.orderLinkId !== undefined && e.orderLinkId !== q.orderLinkId) continue;
      if (q.execType !== undefined && e.execType !== q.execType) continue;
      if (e.execTime < q.startTime || e.execTime > q.endTime) continue;
      if (list.length === q.limit) return { list, more: true };
      list.push(e);
    }
    return { list, more: false };
  }
}
