/**
 * Fill markers for a run's price chart: which fills the visible range holds, thinned evenly to a cap
 * so a run of 100,000 fills never hands the chart more than a few hundred markers, and how a fill
 * looks by its side and cause. Pure.
 */

/**
 * Markers the price chart is given at most (ux.md, marker performance). The markers plugin places
 * every one in view again at each frame of a pan and at each mouse move (two option copies each): at
 * 1,000 (780 in view on a zoomed-out run of 100,000 fills) that was a quarter of the page's script
 * time while panning. At 400 about 390 are in view, and at the pane's width they overlap already.
 */
export const MARKER_CAP = 400;

/** The first index whose time is ≥ t in ascending `ts` (ts.length when none is). */
export function lowerBound(ts: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last index whose time is ≤ t in ascending `ts`, −1 when none is. */
export function indexAtOrBefore(ts: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The half-open index range [from, to) of the fills with from ≤ ts ≤ to (ascending `ts`). */
export function fillsInRange(
  ts: ArrayLike<number>,
  fromMs: number,
  toMs: number,
): { from: number; to: number } {
  if (!(toMs >= fromMs)) return { from: 0, to: 0 };
  return { from: lowerBound(ts, fromMs), to: indexAtOrBefore(ts, toMs) + 1 };
}

/** The smallest power of two ≥ x (1 for x ≤ 1). */
export function pow2ceil(x: number): number {
  return x <= 1 ? 1 : 2 ** Math.ceil(Math.log2(x));
}

/**
 * Which fills the price chart is given: those of the visible index range [visFrom, visTo) and half
 * as many again each side (so a pan does not re-set them every frame), every `stride`-th by index
 * (a power of two: the same fills stay drawn while panning, none flickers in and out), at most `cap`.
 */
export interface MarkerPlan {
  from: number;
  to: number;
  stride: number;
}

export function markerPlan(visFrom: number, visTo: number, total: number, cap: number): MarkerPlan {
  const count = Math.max(visTo - visFrom, 0);
  const pad = Math.ceil(count / 2);
  const from = Math.max(visFrom - pad, 0);
  const to = Math.min(visTo + pad, total);
  return { from, to, stride: pow2ceil((to - from) / Math.max(cap, 1)) };
}

/**
 * Whether the fills set still serve the visible range: it lies inside them (or they reach that end of
 * the run) and zooming in has not left fewer than an eighth of the cap on screen where a finer stride
 * would show more.
 */
export function planHolds(
  plan: MarkerPlan,
  visFrom: number,
  visTo: number,
  total: number,
  cap: number,
): boolean {
  const inside = (plan.from === 0 || visFrom >= plan.from) && (plan.to >= total || visTo <= plan.to);
  const sparse = plan.stride > 1 && (visTo - visFrom) / plan.stride < cap / 8;
  return inside && !sparse;
}

/** The plan's indices (multiples of its stride in its range), with `pinned` ones in range added, ascending. */
export function planIndices(plan: MarkerPlan, pinned: readonly number[] = []): number[] {
  const out: number[] = [];
  for (let i = Math.ceil(plan.from / plan.stride) * plan.stride; i < plan.to; i += plan.stride) out.push(i);
  const extra = pinned.filter((p) => p >= plan.from && p < plan.to && p % plan.stride !== 0);
  if (extra.length === 0) return out;
  return [...out, ...new Set(extra)].sort((x, y) => x - y);
}

export type FillCause = 'trade' | 'trade-through' | 'cross' | 'taker';

export interface MarkerStyle {
  shape: 'arrowUp' | 'arrowDown' | 'circle' | 'square';
  /** Buys under the price pointing up, sells over it pointing down. */
  position: 'atPriceBottom' | 'atPriceTop';
  color: string;
}

/** Side colours (buys blue-green, sells red), a lighter shade for fills the market traded through. */
const COLORS = {
  buy: { trade: '#26a69a', 'trade-through': '#7fe0d6', cross: '#26a69a', taker: '#8de2ff', other: '#5f8f8a' },
  sell: {
    trade: '#ef5350',
    'trade-through': '#ffb3b0',
    cross: '#ef5350',
    taker: '#ff8e8c',
    other: '#9a6665',
  },
} as const;

/**
 * How a fill is drawn: the side sets direction and colour; the cause the shape (a resting quote hit
 * by a trade or traded through: an arrow, the through in a lighter shade; a cross of the book: a
 * square; our own taker order: a circle).
 */
export function markerStyle(side: 'buy' | 'sell', cause: string | null): MarkerStyle {
  const position = side === 'buy' ? 'atPriceBottom' : 'atPriceTop';
  const arrow = side === 'buy' ? 'arrowUp' : 'arrowDown';
  const palette = COLORS[side];
  switch (cause) {
    case 'trade':
      return { shape: arrow, position, color: palette.trade };
    case 'trade-through':
      return { shape: arrow, position, color: palette['trade-through'] };
    case 'cross':
      return { shape: 'square', position, color: palette.cross };
    case 'taker':
      return { shape: 'circle', position, color: palette.taker };
    default:
      return { shape: arrow, position, color: palette.other };
  }
}

function ceiledOdd(x: number): number {
  const c = Math.ceil(x);
  return c % 2 === 0 ? c - 1 : c;
}

function ceiledEven(x: number): number {
  const c = Math.ceil(x);
  return c % 2 !== 0 ? c - 1 : c;
}

/**
 * How far a price-anchored marker's centre sits from its price, in pixels, at a bar spacing: half
 * its height, as lightweight-charts 5 computes it (clamp(spacing, 12, 30), odd, then even) × size.
 */
export function markerOffset(barSpacing: number, size = 1): number {
  return (ceiledEven(ceiledOdd(Math.min(Math.max(barSpacing, 12), 30))) * size) / 2;
}
