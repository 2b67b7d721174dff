/**
 * A quote decision's fields as the decision panel prints them: inputs (s, σ, q, γ, κ), outputs
 * (reservation, distances, the quotes, a withheld side's reason in place of its price) and the risk
 * decision. Pure.
 */
import type { DecisionView } from '../../../engine/api/contract.ts';
import { formatClock } from '../format.ts';
import { formatDateTime } from './format.ts';

export const DECISION_FIELDS = [
  'seq',
  'at',
  's',
  'sigma',
  'q',
  'gamma',
  'kappa',
  'reservation',
  'bidDistance',
  'askDistance',
  'bid',
  'ask',
  'bidWithheld',
  'askWithheld',
  'tradingState',
  'refusal',
  'overrides',
] as const;
export type DecisionField = (typeof DECISION_FIELDS)[number];

export const DECISION_LABELS: Record<DecisionField, string> = {
  seq: 'Decision #',
  at: 'At (UTC)',
  s: 's (reference)',
  sigma: 'σ',
  q: 'q (inventory)',
  gamma: 'γ',
  kappa: 'κ',
  reservation: 'Reservation r',
  bidDistance: 'Bid distance',
  askDistance: 'Ask distance',
  bid: 'Bid',
  ask: 'Ask',
  bidWithheld: 'Bid withheld',
  askWithheld: 'Ask withheld',
  tradingState: 'Trading state',
  refusal: 'Pre-trade refusal',
  overrides: 'Overrides',
};

export interface DecisionCell {
  field: DecisionField;
  label: string;
  text: string;
  /** How the screen marks it: a withheld side or a refusal stands out. */
  tone: 'normal' | 'muted' | 'warn';
}

function num(v: number | null, digits = 6): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(digits)));
}

function exact(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '—' : String(v);
}

/** Every field of the panel, in order. */
export function decisionCells(d: DecisionView): DecisionCell[] {
  // The price alone (it reads as a number); a withheld side's reason in its place.
  const quote = (price: string | null, withheld: string | null): [string, DecisionCell['tone']] =>
    withheld !== null
      ? [`withheld: ${withheld}`, 'warn']
      : price === null
        ? ['—', 'muted']
        : [price, 'normal'];
  const [bid, bidTone] = quote(d.bid, d.bidWithheld);
  const [ask, askTone] = quote(d.ask, d.askWithheld);
  const overrides = Object.entries(d.overrides);
  const texts: Record<DecisionField, [string, DecisionCell['tone']]> = {
    seq: [String(d.seq), 'normal'],
    at: [`${formatDateTime(d.at).slice(0, 10)} ${formatClock(d.at)}`, 'normal'],
    s: [d.s ?? '—', d.s === null ? 'muted' : 'normal'],
    sigma: [num(d.sigma), d.sigma === null ? 'muted' : 'normal'],
    q: [num(d.q, 4), d.q === null ? 'muted' : 'normal'],
    // γ and κ as the model had them, every digit: what the run was configured with.
    gamma: [exact(d.gamma), d.gamma === null ? 'muted' : 'normal'],
    kappa: [exact(d.kappa), d.kappa === null ? 'muted' : 'normal'],
    reservation: [d.reservation ?? '—', d.reservation === null ? 'muted' : 'normal'],
    bidDistance: [d.bidDistance === null ? '—' : `${num(d.bidDistance, 4)} ticks`, 'normal'],
    askDistance: [d.askDistance === null ? '—' : `${num(d.askDistance, 4)} ticks`, 'normal'],
    bid: [bid, bidTone],
    ask: [ask, askTone],
    bidWithheld: [d.bidWithheld ?? 'no', d.bidWithheld === null ? 'muted' : 'warn'],
    askWithheld: [d.askWithheld ?? 'no', d.askWithheld === null ? 'muted' : 'warn'],
    tradingState: [d.tradingState, d.tradingState === 'active' ? 'normal' : 'warn'],
    refusal: [d.refusal ?? 'none', d.refusal === null ? 'muted' : 'warn'],
    overrides: [
      overrides.length === 0 ? 'none' : overrides.map(([k, v]) => `${k}=${v}`).join(', '),
      overrides.length === 0 ? 'muted' : 'warn',
    ],
  };
  return DECISION_FIELDS.map((field) => ({
    field,
    label: DECISION_LABELS[field],
    text: texts[field][0],
    tone: texts[field][1],
  }));
}
