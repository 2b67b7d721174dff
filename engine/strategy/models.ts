/**
 * Quoting models. Unit-agnostic: prices, σ and κ in any consistent unit (the engine uses ticks, the
 * paper experiment plain price units); time in the unit σ is quoted per √ of (the engine: seconds).
 * A model never returns a NaN or infinite price: invalid inputs or outputs withhold the quote with a
 * reason instead.
 */

export interface ModelInputs {
  /** Reference price: the actual mid or microprice. */
  s: number;
  /** Inventory in order-size units (positive long). */
  q: number;
  /** Volatility per √time. */
  sigma: number;
  /** Risk aversion γ > 0. */
  gamma: number;
  /** Order-book liquidity κ > 0 (per price unit). */
  kappa: number;
  /** Arrival intensity A > 0 (GLFT only). */
  A?: number;
  /** Time left to the horizon, T − t (Avellaneda-Stoikov only), ≥ 0. */
  tau?: number;
  /** Order size in inventory units (GLFT's Δ; 1 when q is in order-size units). */
  delta?: number;
}

export interface ModelOutput {
  /** Reservation (indifference) price. */
  reservation: number;
  /** Distances of the quotes below and above s (positive = behind s). */
  bidDistance: number;
  askDistance: number;
  /** Total spread between the two quotes. */
  spread: number;
}

export type ModelResult = { ok: true; value: ModelOutput } | { ok: false; reason: string };

export type ModelName = 'avellaneda-stoikov' | 'glft';

function checkCommon(i: ModelInputs): string | undefined {
  if (!Number.isFinite(i.s) || i.s <= 0) return `reference price s=${i.s} is not a positive finite number`;
  if (!Number.isFinite(i.q)) return `inventory q=${i.q} is not finite`;
  if (!Number.isFinite(i.sigma) || i.sigma < 0) return `volatility σ=${i.sigma} must be finite and ≥ 0`;
  if (!Number.isFinite(i.gamma) || i.gamma <= 0) return `γ=${i.gamma} must be finite and > 0`;
  if (!Number.isFinite(i.kappa) || i.kappa <= 0) return `κ=${i.kappa} must be finite and > 0`;
  return undefined;
}

function finish(reservation: number, bidDistance: number, askDistance: number): ModelResult {
  const spread = bidDistance + askDistance;
  if (![reservation, bidDistance, askDistance, spread].every(Number.isFinite)) {
    return { ok: false, reason: 'model produced a non-finite price' };
  }
  return { ok: true, value: { reservation, bidDistance, askDistance, spread } };
}

/**
 * Avellaneda & Stoikov (2008): reservation price r = s − q·γ·σ²·τ and total spread
 * γ·σ²·τ + (2/γ)·ln(1 + γ/κ), quotes symmetric around r.
 */
export function avellanedaStoikov(i: ModelInputs): ModelResult {
  const bad = checkCommon(i);
  if (bad) return { ok: false, reason: bad };
  const tau = i.tau ?? 0;
  if (!Number.isFinite(tau) || tau < 0)
    return { ok: false, reason: `time to horizon τ=${tau} must be finite and ≥ 0` };
  const variance = i.gamma * i.sigma * i.sigma * tau;
  const reservation = i.s - i.q * variance;
  const spread = variance + (2 / i.gamma) * Math.log1p(i.gamma / i.kappa);
  const bid = reservation - spread / 2;
  const ask = reservation + spread / 2;
  return finish(reservation, i.s - bid, ask - i.s);
}

/**
 * Guéant–Lehalle–Fernandez-Tapia closed-form approximation (infinite horizon), with ξ = γ and order
 * size Δ:
 *   c1 = ln(1 + ξΔ/κ) / (ξΔ)
 *   c2 = √( γ / (2·A·Δ·κ) · (1 + ξΔ/κ)^(κ/(ξΔ) + 1) )
 *   half-spread at q = 0:  c1 + (Δ/2)·σ·c2
 *   skew per unit of q:    σ·c2
 *   bid distance = c1 + (Δ/2)·σ·c2 + q·σ·c2,  ask distance = c1 + (Δ/2)·σ·c2 − q·σ·c2
 * so a long inventory (q > 0) moves both quotes down. The reservation is the midpoint of the quotes.
 */
export function glft(i: ModelInputs): ModelResult {
  const bad = checkCommon(i);
  if (bad) return { ok: false, reason: bad };
  const A = i.A ?? Number.NaN;
  if (!Number.isFinite(A) || A <= 0) return { ok: false, reason: `intensity A=${A} must be finite and > 0` };
  const d = i.delta ?? 1;
  if (!Number.isFinite(d) || d <= 0) return { ok: false, reason: `order size Δ=${d} must be finite and > 0` };
  const xd = i.gamma * d;
  const c1 = Math.log1p(xd / i.kappa) / xd;
  const c2 = Math.sqrt((i.gamma / (2 * A * d * i.kappa)) * Math.pow(1 + xd / i.kappa, i.kappa / xd + 1));
  const half = c1 + (d / 2) * i.sigma * c2;
  const skew = i.sigma * c2;
  const bidDistance = half + i.q * skew;
  const askDistance = half - i.q * skew;
  const reservation = i.s + (askDistance - bidDistance) / 2;
  return finish(reservation, bidDistance, askDistance);
}

export function runModel(name: ModelName, inputs: ModelInputs): ModelResult {
  return name === 'glft' ? glft(inputs) : avellanedaStoikov(inputs);
}
