import type { Lots, Side, Ticks } from '../../core/instrument.ts';

/** One remembered execution: everything a Fill carries that the venue cannot derive again. */
export interface FillRecord {
  symbolIndex: number;
  execSeq: number;
  clientId: string;
  engineId: number;
  side: Side;
  price: Ticks;
  size: Lots;
  liquidity: 'maker' | 'taker';
  ts: number;
}

const STRIDE = 6;

/**
 * The simulated venue's memory of our last `capacity` executions, for executionsSince().
 *
 * Kept as numbers in one growing Float64Array (plus the client id strings) rather than as Fill
 * objects: a ring of hundreds of thousands of objects outlives every young-generation collection, so
 * each fill would be copied and promoted by the GC, which on the order path cost more than the fill.
 * The ids and the fee are derived again on reading.
 */
export class FillHistory {
  readonly capacity: number;
  private nums: Float64Array;
  private clientIds: string[] = [];
  private count = 0;
  /** The slot the next record goes to (the oldest record once full). */
  private head = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.nums = new Float64Array(STRIDE * Math.min(capacity, 1024));
  }

  get size(): number {
    return this.count;
  }

  add(
    symbolIndex: number,
    execSeq: number,
    clientId: string,
    engineId: number,
    side: Side,
    price: number,
    size: number,
    liquidity: 'maker' | 'taker',
    ts: number,
  ): void {
    const slot = this.head;
    if (this.count < this.capacity) {
      if (STRIDE * (slot + 1) > this.nums.length) {
        const grown = new Float64Array(Math.min(this.nums.length * 2, STRIDE * this.capacity));
        grown.set(this.nums);
        this.nums = grown;
      }
      this.count++;
    }
    const n = this.nums;
    const o = STRIDE * slot;
    n[o] = execSeq;
    n[o + 1] = engineId;
    n[o + 2] = price;
    n[o + 3] = size;
    n[o + 4] = ts;
    n[o + 5] = symbolIndex * 4 + (side === 'buy' ? 1 : 0) + (liquidity === 'maker' ? 2 : 0);
    this.clientIds[slot] = clientId;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  /** The remembered records with ts ≥ sinceMs, oldest first. */
  since(sinceMs: number): FillRecord[] {
    const out: FillRecord[] = [];
    const first = this.count < this.capacity ? 0 : this.head;
    for (let k = 0; k < this.count; k++) {
      const slot = (first + k) % this.capacity;
      const n = this.nums;
      const o = STRIDE * slot;
      if (n[o + 4]! < sinceMs) continue;
      const flags = n[o + 5]!;
      out.push({
        symbolIndex: Math.floor(flags / 4),
        execSeq: n[o]!,
        clientId: this.clientIds[slot]!,
        engineId: n[o + 1]!,
        side: flags % 2 === 1 ? 'buy' : 'sell',
        price: n[o + 2]! as Ticks,
        size: n[o + 3]! as Lots,
        liquidity: flags % 4 >= 2 ? 'maker' : 'taker',
        ts: n[o + 4]!,
      });
    }
    return out;
  }
}
