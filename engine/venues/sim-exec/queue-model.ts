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
 * no clock, no randomness of its own (a probabilistic model takes a seeded Rng in its constructor), so
 * a run is reproducible.
 */
export interface QueueModel {
  readonly name: string;
  /** Our order joins the back of a level that shows `shown` public lots. */
  join(shown: number): QueuePlace;
  /**
   * A public trade of `lots` at our price, from the side that takes our liquidity, reached the
   * public queue ahead of us (our earlier orders have had their share). Returns the lots of it left
   * over once the queue ahead is consumed: what may fill us.
   */
  onTrade(place: QueuePlace, lots: number): number;
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
