import { ticksTimesLotsBig } from '../../core/atoms.ts';
import { Decimal } from '../../core/decimal.ts';
import { EngineError } from '../../core/errors.ts';
import type { Instrument } from '../../core/instrument.ts';
import type { Holding, Ledger } from './ledger.ts';
import { LEDGER_ATOMS } from './ledger.ts';
import type { SimOrder } from './matching-order.ts';

/**
 * The money side of one instrument's matching engine, in ledger atoms: what a funded order reserves
 * and releases, what a fill moves between buyer and seller, and the fee of an execution.
 */
export class OrderFunding {
  private readonly instrument: Instrument;
  private readonly ledger: Ledger;
  /** Holdings by owner id, filled on first use. */
  private readonly quoteHoldings: (Holding | undefined)[] = [];
  private readonly baseHoldings: (Holding | undefined)[] = [];

  // Money constants in ledger atoms, computed once. Per "unit" means per tick x lot (the notional of
  // one lot at one tick), so every amount on the order path is one BigInt product with ticks x lots.
  private readonly lot: bigint;
  /** The reserve a buy locks per unit: 1 + max(taker, maker, 0) of its notional. */
  private readonly reservePerUnit: bigint;
  private readonly makerPerUnit: bigint;
  private readonly takerPerUnit: bigint;
  /** What a market buy pays per unit, fee included. */
  private readonly takerCostPerUnit: bigint;
  /** What a maker buy pays per unit, fee included. */
  private readonly makerCostPerUnit: bigint;
  /** What a sell receives per unit, net of its fee. */
  private readonly makerProceedsPerUnit: bigint;
  private readonly takerProceedsPerUnit: bigint;

  constructor(instrument: Instrument, ledger: Ledger) {
    this.instrument = instrument;
    this.ledger = ledger;
    const unit = instrument.tickSize.mul(instrument.lotSize);
    const takerFactor = instrument.takerFee.plus(1);
    if (!takerFactor.isPositive() || takerFactor.isZero()) {
      throw new EngineError('invalid_input', `${instrument.symbol} taker fee must be above -1`);
    }
    const reserveFactor = Decimal.max(instrument.takerFee, instrument.makerFee, 0).plus(1);
    const what = `${instrument.symbol} tick x lot x fee`;
    const unitAtoms = LEDGER_ATOMS.of(unit, what);
    this.lot = LEDGER_ATOMS.of(instrument.lotSize, `${instrument.symbol} lot`);
    this.reservePerUnit = LEDGER_ATOMS.of(unit.mul(reserveFactor), what);
    this.makerPerUnit = LEDGER_ATOMS.of(unit.mul(instrument.makerFee), what);
    this.takerPerUnit = LEDGER_ATOMS.of(unit.mul(instrument.takerFee), what);
    this.takerCostPerUnit = unitAtoms + this.takerPerUnit;
    this.makerCostPerUnit = unitAtoms + this.makerPerUnit;
    this.makerProceedsPerUnit = unitAtoms - this.makerPerUnit;
    this.takerProceedsPerUnit = unitAtoms - this.takerPerUnit;
  }

  // ---- fees ----------------------------------------------------------------------------------

  /** The fee of one execution in the quote asset, exact (negative = rebate). */
  fee(price: number, lots: number, liquidity: 'maker' | 'taker'): Decimal {
    return LEDGER_ATOMS.toDecimal(this.feeAtoms(price, lots, liquidity));
  }

  /** The same fee printed as a venue would send it (no exponent, no trailing zeros). */
  feeText(price: number, lots: number, liquidity: 'maker' | 'taker'): string {
    // Executions mostly repeat a few (price, size, liquidity): bid and ask, maker and taker. The texts
    // of the last four are kept, so the common case prints nothing.
    const key = liquidity === 'maker' ? -price : price;
    const c = this.feeCache;
    for (let k = 0; k < 4; k++) if (c.keys[k] === key && c.lots[k] === lots) return c.texts[k]!;
    const slot = c.next;
    c.next = (slot + 1) & 3;
    c.keys[slot] = key;
    c.lots[slot] = lots;
    return (c.texts[slot] = LEDGER_ATOMS.format(this.feeAtoms(price, lots, liquidity)));
  }

  private readonly feeCache = {
    keys: [0, 0, 0, 0],
    lots: [0, 0, 0, 0],
    texts: ['', '', '', ''],
    next: 0,
  };

  private feeAtoms(price: number, lots: number, liquidity: 'maker' | 'taker'): bigint {
    return (liquidity === 'maker' ? this.makerPerUnit : this.takerPerUnit) * ticksTimesLotsBig(price, lots);
  }

  // ---- reserves ------------------------------------------------------------------------------

  reserveFor(isBuy: boolean, price: number, lots: number): bigint {
    return isBuy ? this.reservePerUnit * ticksTimesLotsBig(price, lots) : this.lot * BigInt(lots);
  }

  // The ledger never replaces a holding, so each owner's two are looked up (by asset name) once.
  private quoteOf(owner: number): Holding {
    return (this.quoteHoldings[owner] ??= this.ledger.holding(owner, this.instrument.quote));
  }

  private baseOf(owner: number): Holding {
    return (this.baseHoldings[owner] ??= this.ledger.holding(owner, this.instrument.base));
  }

  /** Locks `amount` of the owner's free quote (buy) or base (sell); false when too little is free. */
  tryLock(owner: number, isBuy: boolean, amount: bigint): boolean {
    const h = isBuy ? this.quoteOf(owner) : this.baseOf(owner);
    if (h.total - h.locked < amount) return false;
    h.locked += amount;
    return true;
  }

  unlock(owner: number, isBuy: boolean, amount: bigint): void {
    const h = isBuy ? this.quoteOf(owner) : this.baseOf(owner);
    h.locked -= amount;
  }

  /** Whether the owner's free balance pays for one lot of a market order; `ask` is the best ask or 0. */
  canStartMarket(owner: number, isBuy: boolean, ask: number): boolean {
    if (!isBuy) {
      const h = this.baseOf(owner);
      return h.total - h.locked >= this.lot;
    }
    // An empty book is not a funding problem: the order is accepted and ends with no_liquidity.
    if (ask === 0) return true;
    const h = this.quoteOf(owner);
    return h.total - h.locked >= this.takerCostPerUnit * BigInt(ask);
  }

  /** How many of `want` lots a market order's free balance pays for at `price`. */
  affordable(t: SimOrder, price: number, want: number): number {
    let max: number;
    if (t.side === 'buy') {
      const h = this.quoteOf(t.owner);
      max = atomsQuotient(h.total - h.locked, this.takerCostPerUnit * BigInt(price));
    } else {
      const h = this.baseOf(t.owner);
      max = atomsQuotient(h.total - h.locked, this.lot);
    }
    return max < want ? Math.max(0, max) : want;
  }

  // ---- settlement ----------------------------------------------------------------------------

  /** Moves base and quote between the two owners and charges fees, for the funded ones. */
  settle(m: SimOrder, t: SimOrder, price: number, qty: number): void {
    // Every amount is one product of a per-unit constant (fee folded in) and ticks x lots: the same
    // integers as notional and fee apart, in fewer BigInt operations.
    const units = ticksTimesLotsBig(price, qty);
    const base = this.lot * BigInt(qty);
    const buyer = m.side === 'buy' ? m : t;
    const seller = m.side === 'buy' ? t : m;
    if (buyer.funded) {
      const q = this.quoteOf(buyer.owner);
      const b = this.baseOf(buyer.owner);
      if (buyer.type === 'limit') {
        // The reserve was taken at the order's own limit price; release that share of it.
        const release =
          this.reservePerUnit * (buyer.price === price ? units : ticksTimesLotsBig(buyer.price, qty));
        buyer.locked -= release;
        q.locked -= release;
      }
      q.total -= (buyer === m ? this.makerCostPerUnit : this.takerCostPerUnit) * units;
      b.total += base;
    }
    if (seller.funded) {
      const q = this.quoteOf(seller.owner);
      const b = this.baseOf(seller.owner);
      if (seller.type === 'limit') {
        seller.locked -= base;
        b.locked -= base;
      }
      b.total -= base;
      q.total += (seller === m ? this.makerProceedsPerUnit : this.takerProceedsPerUnit) * units;
    }
  }
}

/** floor(free / cost) as a lot count: 0 when nothing is free, capped at 2^53 - 1. */
function atomsQuotient(free: bigint, cost: bigint): number {
  if (free <= 0n) return 0;
  const q = free / cost;
  return q > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(q);
}
