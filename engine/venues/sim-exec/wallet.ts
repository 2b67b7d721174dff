import { AtomScale, ticksTimesLotsBig } from '../../core/atoms.ts';
import { Decimal, parseDecimal } from '../../core/decimal.ts';
import { EngineError } from '../../core/errors.ts';
import type { Instrument, Side } from '../../core/instrument.ts';
import type { Balance } from '../venue.ts';

/**
 * Balances are whole atoms of 10^-18 of an asset in BigInt: exact like Decimal and without overflow.
 * Every amount on the order path is one product of a per-unit constant (the notional of one lot at
 * one tick, fee folded in where it applies) and ticks x lots, so a fill settles exactly.
 */
export const WALLET_ATOMS = new AtomScale(18);

interface Holding {
  total: bigint;
  /** Reserved by resting orders; free = total - locked. */
  locked: bigint;
}

/** Our account at the simulated venue: one holding per asset. */
export class Wallet {
  private readonly holdings = new Map<string, Holding>();

  constructor(balances: Readonly<Record<string, string>>) {
    for (const [asset, amount] of Object.entries(balances)) {
      const d = parseDecimal(amount, `${asset} balance`);
      if (d.isNegative()) throw new EngineError('invalid_number', `${asset} balance must not be negative`);
      this.holding(asset).total += WALLET_ATOMS.of(d, `${asset} balance`);
    }
  }

  holding(asset: string): Holding {
    let h = this.holdings.get(asset);
    if (!h) {
      h = { total: 0n, locked: 0n };
      this.holdings.set(asset, h);
    }
    return h;
  }

  free(asset: string): bigint {
    const h = this.holding(asset);
    return h.total - h.locked;
  }

  /** Reserves `amount` of an asset; false (and nothing reserved) when too little is free. */
  tryLock(asset: string, amount: bigint): boolean {
    const h = this.holding(asset);
    if (h.total - h.locked < amount) return false;
    h.locked += amount;
    return true;
  }

  unlock(asset: string, amount: bigint): void {
    this.holding(asset).locked -= amount;
  }

  /** Every asset held, sorted, as exact decimal strings. */
  balances(): Balance[] {
    return [...this.holdings.keys()].sort().map((asset) => {
      const h = this.holding(asset);
      return {
        asset,
        total: WALLET_ATOMS.format(h.total),
        free: WALLET_ATOMS.format(h.total - h.locked),
      };
    });
  }
}

/**
 * One instrument's money rules, in wallet atoms: what an order reserves, what a fill costs or pays,
 * and its fee. Fees are charged in the quote asset (notional x rate; negative = rebate). A limit buy
 * reserves price x size x (1 + max(maker, taker, 0)) of quote, a limit sell its size of base; market
 * orders reserve nothing and fill only as far as the free balance pays.
 */
export class InstrumentMoney {
  readonly instrument: Instrument;
  private readonly lot: bigint;
  private readonly unit: bigint;
  private readonly reservePerUnit: bigint;
  private readonly makerPerUnit: bigint;
  private readonly takerPerUnit: bigint;

  constructor(instrument: Instrument) {
    this.instrument = instrument;
    const unit = instrument.unitNotional;
    const what = `${instrument.symbol} tick x lot x fee`;
    if (instrument.takerFee.lessThanOrEqualTo(-1) || instrument.makerFee.lessThanOrEqualTo(-1))
      throw new EngineError('invalid_input', `${instrument.symbol} fees must be above -1`);
    this.lot = WALLET_ATOMS.of(instrument.lotSize, `${instrument.symbol} lot`);
    this.unit = WALLET_ATOMS.of(unit, what);
    const reserveFactor = Decimal.max(instrument.takerFee, instrument.makerFee, 0).plus(1);
    this.reservePerUnit = WALLET_ATOMS.of(unit.mul(reserveFactor), what);
    this.makerPerUnit = WALLET_ATOMS.of(unit.mul(instrument.makerFee), what);
    this.takerPerUnit = WALLET_ATOMS.of(unit.mul(instrument.takerFee), what);
  }

  /** The asset an order of this side reserves: quote for a buy, base for a sell. */
  lockAsset(side: Side): string {
    return side === 'buy' ? this.instrument.quote : this.instrument.base;
  }

  /** What a limit order of `lots` at `price` reserves, in its lock asset. */
  reserve(side: Side, price: number, lots: number): bigint {
    return side === 'buy' ? this.reservePerUnit * ticksTimesLotsBig(price, lots) : this.lot * BigInt(lots);
  }

  fee(price: number, lots: number, liquidity: 'maker' | 'taker'): bigint {
    return (liquidity === 'maker' ? this.makerPerUnit : this.takerPerUnit) * ticksTimesLotsBig(price, lots);
  }

  feeText(price: number, lots: number, liquidity: 'maker' | 'taker'): string {
    return WALLET_ATOMS.format(this.fee(price, lots, liquidity));
  }

  /** How many of `want` lots a market order's free balance pays for at `price` (taker fee included). */
  affordable(wallet: Wallet, side: Side, price: number, want: number): number {
    const free = wallet.free(this.lockAsset(side));
    const cost = side === 'buy' ? (this.unit + this.takerPerUnit) * BigInt(price) : this.lot;
    if (free <= 0n || cost <= 0n) return free > 0n ? want : 0;
    const q = free / cost;
    return q < BigInt(want) ? Number(q) : want;
  }

  /**
   * Settles one fill of ours: base and quote move, the fee is charged, and a limit order's reserve for
   * the filled lots (taken at its own limit price) is released. Returns the reserve released.
   */
  settle(
    wallet: Wallet,
    side: Side,
    limitPrice: number | undefined,
    price: number,
    lots: number,
    liquidity: 'maker' | 'taker',
  ): bigint {
    const inst = this.instrument;
    const units = ticksTimesLotsBig(price, lots);
    const base = this.lot * BigInt(lots);
    const fee = (liquidity === 'maker' ? this.makerPerUnit : this.takerPerUnit) * units;
    const quote = wallet.holding(inst.quote);
    const baseHolding = wallet.holding(inst.base);
    let released = 0n;
    if (side === 'buy') {
      if (limitPrice !== undefined) {
        released = this.reserve('buy', limitPrice, lots);
        quote.locked -= released;
      }
      quote.total -= this.unit * units + fee;
      baseHolding.total += base;
    } else {
      if (limitPrice !== undefined) {
        released = base;
        baseHolding.locked -= base;
      }
      baseHolding.total -= base;
      quote.total += this.unit * units - fee;
    }
    return released;
  }
}
