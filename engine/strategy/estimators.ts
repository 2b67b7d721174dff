/**
 * Online estimators feeding the quoting models. Both are time-aware (samples may arrive unevenly) and
 * report how many samples they still need before their estimate is trusted.
 */

/**
 * Volatility as an exponentially weighted mean of squared mid changes per unit time, so σ comes out
 * in price units per √second whatever the sampling rate. The weight of a sample decays with the time
 * it covers (half-life in seconds), so a burst of updates does not swamp the estimate.
 */
export class VolatilityEstimator {
  private readonly halfLifeS: number;
  private readonly warmup: number;
  private lastT: number | undefined;
  private lastX: number | undefined;
  private variance = 0;
  private weight = 0;
  private samples = 0;

  constructor(halfLifeS = 60, warmupSamples = 50) {
    if (!(halfLifeS > 0) || !Number.isFinite(halfLifeS))
      throw new RangeError('half-life must be a positive number of seconds');
    if (!Number.isInteger(warmupSamples) || warmupSamples < 1)
      throw new RangeError('warm-up must be a positive integer');
    this.halfLifeS = halfLifeS;
    this.warmup = warmupSamples;
  }

  /** Adds the price `x` observed at time `tMs`. Non-finite prices and time going back are ignored. */
  update(tMs: number, x: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(tMs)) return;
    if (this.lastT === undefined || this.lastX === undefined) {
      this.lastT = tMs;
      this.lastX = x;
      return;
    }
    const dt = (tMs - this.lastT) / 1000;
    if (dt <= 0) {
      if (dt === 0) this.lastX = x;
      return;
    }
    const dx = x - this.lastX;
    const decay = Math.exp((-dt * Math.LN2) / this.halfLifeS);
    // Each interval contributes its realised variance dx² weighted by its length, decayed by age.
    this.variance = this.variance * decay + dx * dx;
    this.weight = this.weight * decay + dt;
    this.lastT = tMs;
    this.lastX = x;
    this.samples++;
  }

  /** σ per √second, or undefined before any interval was seen. */
  sigma(): number | undefined {
    return this.weight > 0 ? Math.sqrt(this.variance / this.weight) : undefined;
  }

  remaining(): number {
    return Math.max(0, this.warmup - this.samples);
  }

  ready(): boolean {
    return this.remaining() === 0 && this.weight > 0;
  }
}

/**
 * Order-arrival intensity λ(δ) = A·e^(−κδ): the rate of market orders reaching a depth δ from the mid.
 * Kept as trade distances over a rolling window; the fit is a least-squares line through
 * ln(rate of trades at distance ≥ δ) against δ, over the depths that saw trades.
 */
export class IntensityEstimator {
  private readonly windowMs: number;
  private readonly maxDepth: number;
  private readonly warmup: number;
  private times: number[] = [];
  private depths: number[] = [];
  private head = 0;
  private cached: { A: number; kappa: number } | undefined;
  private dirty = true;
  private fittedAt = Number.NaN;

  /** `maxDepth` in price units at the resolution `bucket` (ticks in the engine). */
  constructor(windowMs = 600_000, maxDepth = 200, warmupTrades = 30) {
    if (!(windowMs > 0)) throw new RangeError('window must be positive');
    if (!Number.isInteger(maxDepth) || maxDepth < 2) throw new RangeError('maxDepth must be an integer ≥ 2');
    this.windowMs = windowMs;
    this.maxDepth = maxDepth;
    this.warmup = warmupTrades;
  }

  /** Records a trade `distance` away from the mid (price units, ≥ 0) at time `tMs`. */
  record(tMs: number, distance: number): void {
    if (!Number.isFinite(distance) || !Number.isFinite(tMs) || distance < 0) return;
    this.times.push(tMs);
    this.depths.push(Math.min(this.maxDepth, Math.round(distance)));
    this.dirty = true;
    this.trim(tMs);
  }

  remaining(now: number): number {
    this.trim(now);
    return Math.max(0, this.warmup - (this.times.length - this.head));
  }

  /** The fitted A (per second) and κ (per price unit), or undefined while warming up or degenerate. */
  fit(now: number): { A: number; kappa: number } | undefined {
    this.trim(now);
    const n = this.times.length - this.head;
    if (n < this.warmup) return undefined;
    // The rate depends on the window span, so refit at most once per second of clock time.
    if (!this.dirty && now - this.fittedAt < 1000) return this.cached;
    this.fittedAt = now;
    const counts = new Array<number>(this.maxDepth + 1).fill(0);
    for (let i = this.head; i < this.depths.length; i++) counts[this.depths[i]!]!++;
    const span = Math.max(1, Math.min(this.windowMs, now - this.times[this.head]!)) / 1000;
    // Cumulative from the deepest level: trades that reached at least depth d.
    let cum = 0;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let d = this.maxDepth; d >= 0; d--) {
      cum += counts[d]!;
      if (counts[d]! > 0) {
        xs.push(d);
        ys.push(Math.log(cum / span));
      }
    }
    this.dirty = false;
    this.cached = undefined;
    if (xs.length < 2) return undefined;
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    let sxx = 0;
    let sxy = 0;
    for (let k = 0; k < xs.length; k++) {
      sxx += (xs[k]! - mx) ** 2;
      sxy += (xs[k]! - mx) * (ys[k]! - my);
    }
    const slope = sxy / sxx;
    const kappa = -slope;
    const A = Math.exp(my - slope * mx);
    if (!(kappa > 0) || !Number.isFinite(kappa) || !(A > 0) || !Number.isFinite(A)) return undefined;
    this.cached = { A, kappa };
    return this.cached;
  }

  private trim(now: number): void {
    const cutoff = now - this.windowMs;
    const before = this.head;
    while (this.head < this.times.length && this.times[this.head]! < cutoff) this.head++;
    if (this.head !== before) this.dirty = true;
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.depths = this.depths.slice(this.head);
      this.head = 0;
    }
  }
}
