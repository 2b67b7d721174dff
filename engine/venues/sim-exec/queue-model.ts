import { EngineError } from '../../core/errors.ts';

/**
 * Where one resting order of ours stands in the public queue at its price. The feed never shows our
 * own orders, so `ahead` counts public lots only; our earlier orders at the same price are ahead of a
 * later one by the order in which RestingOrders offers them a trade.
 */
export interface QueuePlace {
  /** Public lots ahead of us at our price. */
  ahead: number;
  /**
   * Lots traded at our price since the level last changed. The risk-averse model does not need it;
   * a probabilistic model does, so that the depth update reflecting a trade does not move us twice.
   */
  tradedSinceUpdate: number;
}

/**
 * How the public queue ahead of one resting order evolves on L2 data (one price level, integer lots).
 * Every method is called with the book already showing the message that caused it. A model is pure:
 * no clock, no randomness of its own (the probabilistic models below are expected values, not draws;
 * one that draws would take a seeded Rng in its constructor), so a run is reproducible.
 */
export interface QueueModel {
  readonly name: string;
  /** Our order joins the back of a level that shows `shown` public lots. */
  join(shown: number): QueuePlace;
  /**
   * A public trade of `lots` at our price, from the side that takes our liquidity, reached the
   * public queue ahead of us (our earlier orders have had their share, so `lots` may be 0). Returns
   * the lots of it left over once the queue ahead is consumed: what may fill us. `printed` is the
   * trade's whole size as the feed printed it (`lots` if absent): what the level's next depth update
   * will show gone, since the feed's level never held our orders.
   */
  onTrade(place: QueuePlace, lots: number, printed?: number): number;
  /** A trade printed through our price: the whole level was consumed, nothing is ahead any more. */
  onTradeThrough(place: QueuePlace): void;
  /** The level at our price changed from `before` to `after` public lots (a delta). */
  onLevelChange(place: QueuePlace, before: number, after: number): void;
  /** The book was rebuilt from a snapshot: the level shows `shown`, with no knowledge of what changed. */
  onResync(place: QueuePlace, shown: number): void;
}

/**
 * The risk-averse model (hftbacktest's RiskAdverseQueueModel): at acceptance everything the level
 * shows is ahead of us; only trades at our price move us forward. Cancels are assumed to come from
 * the back of the queue, behind us, so a shrinking level moves us forward only as far as it must:
 * the queue ahead can never exceed what the level shows. It never fills an order that a real queue
 * might not have reached, at the cost of understating fills.
 */
export class RiskAverseQueueModel implements QueueModel {
  readonly name = 'risk-averse';

  join(shown: number): QueuePlace {
    return { ahead: Math.max(0, shown), tradedSinceUpdate: 0 };
  }

  onTrade(place: QueuePlace, lots: number): number {
    place.tradedSinceUpdate += lots;
    const consumed = Math.min(place.ahead, lots);
    place.ahead -= consumed;
    return lots - consumed;
  }

  onTradeThrough(place: QueuePlace): void {
    place.ahead = 0;
  }

  onLevelChange(place: QueuePlace, _before: number, after: number): void {
    place.tradedSinceUpdate = 0;
    if (after < place.ahead) place.ahead = Math.max(0, after);
  }

  onResync(place: QueuePlace, shown: number): void {
    place.tradedSinceUpdate = 0;
    if (shown < place.ahead) place.ahead = Math.max(0, shown);
  }
}

/**
 * hftbacktest's ProbQueueModel on integer lots. A trade at our price moves us forward by what it
 * consumed ahead of us and is remembered (`tradedSinceUpdate`), so that the depth update reflecting
 * it is not taken for cancels: on a level change from `before` to `after`, the cancelled lots are
 * c = before − after − tradedSinceUpdate. A net increase (c < 0) only caps the queue ahead at what
 * the level shows. Otherwise a share p of the cancels falls behind us (F lots ahead, B = before − F
 * behind, never negative) and 1 − p in front:
 *   ahead = min(F − (1 − p)·c + min(B − p·c, 0), after)
 * where min(B − p·c, 0) moves into the front what the back cannot have cancelled.
 *
 * `ahead` stays a whole number of lots: a fractional estimate is rounded up, towards more lots ahead
 * of us, so the model never fills a lot that the expected queue had not yet reached.
 */
export abstract class ProbQueueModel implements QueueModel {
  abstract readonly name: string;

  join(shown: number): QueuePlace {
    return { ahead: Math.max(0, shown), tradedSinceUpdate: 0 };
  }

  onTrade(place: QueuePlace, lots: number, printed: number = lots): number {
    place.tradedSinceUpdate += printed;
    const consumed = Math.min(place.ahead, lots);
    place.ahead -= consumed;
    return lots - consumed;
  }

  onTradeThrough(place: QueuePlace): void {
    place.ahead = 0;
  }

  onLevelChange(place: QueuePlace, before: number, after: number): void {
    const cancelled = before - after - place.tradedSinceUpdate;
    place.tradedSinceUpdate = 0;
    const front = place.ahead;
    let ahead: number;
    if (cancelled < 0 || front === 0) ahead = front;
    else ahead = this.aheadAfterCancels(front, Math.max(0, before - front), cancelled);
    place.ahead = Math.max(0, Math.min(ahead, after));
  }

  /** A snapshot says nothing of what changed: as the risk-averse model, the level only caps us. */
  onResync(place: QueuePlace, shown: number): void {
    place.tradedSinceUpdate = 0;
    if (shown < place.ahead) place.ahead = Math.max(0, shown);
  }

  /**
   * F − (1 − p)·c + min(B − p·c, 0), rounded up to whole lots; front > 0, back ≥ 0 and cancelled ≥ 0
   * are whole lots.
   */
  protected abstract aheadAfterCancels(front: number, back: number, cancelled: number): number;
}

/**
 * p = Bⁿ/(Bⁿ + Fⁿ) (hftbacktest's PowerProbQueueFunc): the further back we are, the more of the
 * cancels fall in front of us; n = 1 spreads them in proportion to the lots on either side.
 */
export class PowerProbQueueModel extends ProbQueueModel {
  readonly name: string;
  readonly power: number;
  private readonly exponent: bigint;

  constructor(power: number) {
    super();
    if (!Number.isSafeInteger(power) || power < 1 || power > MAX_POWER)
      throw new EngineError(
        'invalid_input',
        `queue model power must be a whole number from 1 to ${MAX_POWER}`,
      );
    this.power = power;
    this.exponent = BigInt(power);
    this.name = `prob-power-${power}`;
  }

  /**
   * p is the fraction Bⁿ/D with D = Bⁿ + Fⁿ, so the estimate times D is a whole number and is
   * rounded up exactly, in BigInt (Fⁿ outgrows a double's integers at a few thousand lots with
   * n = 5): no float decides whether a lot is ahead of us.
   */
  protected aheadAfterCancels(front: number, back: number, cancelled: number): number {
    const f = BigInt(front);
    const b = BigInt(back);
    const c = BigInt(cancelled);
    const fn = f ** this.exponent;
    const bn = b ** this.exponent;
    const d = fn + bn; // > 0, since front > 0
    const behind = b * d - bn * c; // (B − p·c)·D
    const scaled = f * d - fn * c + (behind < 0n ? behind : 0n);
    return Number(ceilDiv(scaled, d));
  }
}

/**
 * p = ln(1 + B)/(ln(1 + B) + ln(1 + F)) (hftbacktest's LogProbQueueFunc): like n = 1 but flatter, so
 * a long queue behind us absorbs less of the cancels. p is irrational in general, so the estimate is
 * a double rounded up; where the exact value is a whole number the double may lie a hair above it
 * and count one lot more ahead, which errs on the conservative side.
 */
export class LogProbQueueModel extends ProbQueueModel {
  readonly name = 'prob-log';

  protected aheadAfterCancels(front: number, back: number, cancelled: number): number {
    const lnBack = Math.log1p(back);
    const lnFront = Math.log1p(front); // > 0, since front > 0
    const sum = lnBack + lnFront;
    const p = lnBack / sum;
    // 1 − p taken as its own ratio rather than by subtraction, which would lose digits near p = 1.
    const estimate = front - (lnFront / sum) * cancelled + Math.min(back - p * cancelled, 0);
    return Math.ceil(estimate);
  }
}

const MAX_POWER = 10;

/** Every name queueModelByName accepts, for help text. */
export const QUEUE_MODEL_NAMES: readonly string[] = Object.freeze([
  'risk-averse',
  'prob-log',
  ...Array.from({ length: MAX_POWER }, (_, i) => `prob-power-${i + 1}`),
]);

/**
 * The queue model of a name from QUEUE_MODEL_NAMES (a command-line flag or a config value); a fresh
 * instance each call. Any other name throws `invalid_input`, listing the valid ones.
 */
export function queueModelByName(name: string): QueueModel {
  if (name === 'risk-averse') return new RiskAverseQueueModel();
  if (name === 'prob-log') return new LogProbQueueModel();
  const power = /^prob-power-([1-9][0-9]?)$/.exec(name)?.[1];
  if (power !== undefined && Number(power) <= MAX_POWER) return new PowerProbQueueModel(Number(power));
  throw new EngineError(
    'invalid_input',
    `unknown queue model ${JSON.stringify(name)}: expected risk-averse, prob-log or prob-power-N with N from 1 to ${MAX_POWER}`,
  );
}

/** ⌈n/d⌉ for d > 0 (BigInt division truncates towards zero, which is the ceiling below zero). */
function ceilDiv(n: bigint, d: bigint): bigint {
  return n > 0n ? (n + d - 1n) / d : n / d;
}
