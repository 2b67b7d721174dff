import { Decimal } from '../../../../engine/core/decimal.ts';
import type { Instrument } from '../../../../engine/core/instrument.ts';
import type { Level } from '../../../../engine/market/types.ts';
import { defineInstrument } from '../../../../engine/core/instrument.ts';
import type {
  SimDoneReason,
  SimDoneStatus,
  SimEngineListener,
  SimOrderView,
} from '../../../../engine/venues/sim/matching-engine.ts';

export function testInstrument(maker = '0.0001', taker = '0.0006'): Instrument {
  return defineInstrument({
    symbol: 'TESTUSD',
    base: 'TST',
    quote: 'USD',
    tickSize: '0.01',
    lotSize: '0.1',
    minSize: '0.1',
    minNotional: '0',
    makerFee: maker,
    takerFee: taker,
  });
}

export interface FillRecord {
  makerId: number;
  takerId: number;
  makerOwner: number;
  takerOwner: number;
  makerSide: string;
  takerTif: string;
  takerPrice: number;
  takerType: string;
  price: number;
  lots: number;
}

export interface DoneRecord {
  id: number;
  owner: number;
  size: number;
  filled: number;
  status: SimDoneStatus;
  reason: SimDoneReason;
}

/** Records everything an engine reports, as plain copies. */
export class Recorder implements SimEngineListener {
  accepted: number[] = [];
  amended: number[] = [];
  fills: FillRecord[] = [];
  done: DoneRecord[] = [];
  hook: ((kind: 'fill', maker: SimOrderView, taker: SimOrderView, price: number) => void) | undefined;

  onAccept(o: SimOrderView): void {
    this.accepted.push(o.id);
  }
  onAmend(o: SimOrderView): void {
    this.amended.push(o.id);
  }
  onFill(m: SimOrderView, t: SimOrderView, price: number, lots: number): void {
    this.hook?.('fill', m, t, price);
    this.fills.push({
      makerId: m.id,
      takerId: t.id,
      makerOwner: m.owner,
      takerOwner: t.owner,
      makerSide: m.side,
      takerTif: t.tif,
      takerPrice: t.price,
      takerType: t.type,
      price,
      lots,
    });
  }
  onDone(o: SimOrderView, status: SimDoneStatus, reason: SimDoneReason): void {
    this.done.push({ id: o.id, owner: o.owner, size: o.size, filled: o.filled, status, reason });
  }
  doneOf(id: number): DoneRecord | undefined {
    return this.done.find((d) => d.id === id);
  }
}

/** A reference L2 book: one Map per side, fed with snapshots and deltas. */
export class ReferenceBook {
  bids = new Map<number, number>();
  asks = new Map<number, number>();

  apply(bids: readonly Level[], asks: readonly Level[]): void {
    for (const [p, s] of bids) {
      if (s === 0) this.bids.delete(p);
      else this.bids.set(p, s);
    }
    for (const [p, s] of asks) {
      if (s === 0) this.asks.delete(p);
      else this.asks.set(p, s);
    }
  }

  reset(bids: readonly Level[], asks: readonly Level[]): void {
    this.bids.clear();
    this.asks.clear();
    this.apply(bids, asks);
  }

  levels(side: 'buy' | 'sell'): [number, number][] {
    const m = side === 'buy' ? this.bids : this.asks;
    return [...m.entries()].sort((a, b) => (side === 'buy' ? b[0] - a[0] : a[0] - b[0]));
  }
}

export function sum(values: Decimal[]): Decimal {
  return values.reduce((a, b) => a.plus(b), new Decimal(0));
}
