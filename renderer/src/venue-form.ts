import {
  MAINNET_CONFIRMATION,
  symbolName,
  type CommandInput,
  type CredentialStatus,
  type Mode,
  type VenueChoices,
} from '../../engine/api/contract.ts';
import { formatMoney, gaugeLevel } from './format.ts';

export type ConnectInput = CommandInput<'venue.connect'>;
export type VenueName = ConnectInput['venue'];
export type BybitEnv = NonNullable<ConnectInput['env']>;
export type BybitCategory = NonNullable<ConnectInput['category']>;

/** Bybit's environments in the order the screens list them: the safe one first, real money last. */
export const BYBIT_ENVS: readonly BybitEnv[] = ['testnet', 'demo', 'mainnet'];
export const BYBIT_CATEGORIES: readonly { value: BybitCategory; label: string }[] = [
  { value: 'linear', label: 'Linear perpetual' },
  { value: 'spot', label: 'Spot' },
];
/** The symbol a fresh form proposes (the simulator trades it too). */
export const DEFAULT_SYMBOLS = 'BTCUSDT';
const MAX_SYMBOLS = 10;

/** The connect view's fields as typed: text, not yet checked. */
export interface ConnectForm {
  venue: VenueName;
  env: BybitEnv;
  category: BybitCategory;
  /** Comma-separated symbols. */
  symbols: string;
  /** What the trader typed to confirm mainnet. */
  confirm: string;
}

/**
 * The form a connect view opens with: what runs now when it is Bybit or paper, otherwise testnet
 * linear BTCUSDT. Mainnet is never proposed: reopening the view on a mainnet session starts from
 * testnet, so a stray Connect click cannot land on real money (and mainnet needs the typed word
 * anyway). A paper session's environment is its data's, not an account's, so it is not carried over.
 */
export function initialForm(current: VenueChoices['current'] | null): ConnectForm {
  const bybit = current?.venue === 'bybit';
  const named = current !== null && current.venue !== 'sim' && current.symbols.length > 0;
  return {
    venue: current?.venue ?? 'sim',
    env: bybit && current.env !== null && current.env !== 'mainnet' ? current.env : 'testnet',
    category: bybit && current.category !== null ? current.category : 'linear',
    symbols: named ? current.symbols.join(', ') : DEFAULT_SYMBOLS,
    confirm: '',
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Comma-separated symbols, each checked as the contract's symbolName; blanks between commas are skipped. */
export function parseSymbols(text: string): Parsed<string[]> {
  const symbols = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (symbols.length === 0) return { ok: false, message: 'name at least one symbol, such as BTCUSDT' };
  if (symbols.length > MAX_SYMBOLS)
    return { ok: false, message: `at most ${MAX_SYMBOLS} symbols, got ${symbols.length}` };
  for (const symbol of symbols) {
    const r = symbolName.safeParse(symbol);
    if (!r.success)
      return { ok: false, message: `${symbol}: ${r.error.issues[0]?.message ?? 'not a symbol'}` };
  }
  const seen = new Set<string>();
  for (const symbol of symbols) {
    if (seen.has(symbol)) return { ok: false, message: `${symbol} is named twice` };
    seen.add(symbol);
  }
  return { ok: true, value: symbols };
}

/** Mainnet is chosen: the form must carry the typed confirmation. */
export function needsConfirmation(form: Pick<ConnectForm, 'venue' | 'env'>): boolean {
  return form.venue === 'bybit' && form.env === 'mainnet';
}

/**
 * The `venue.connect` input for a form, or why it cannot be sent yet. The engine validates it again
 * at its boundary; this keeps the button honest and says what to fix before anything is sent. (Only
 * the string schema runs here: zod's object parser probes `new Function`, which the CSP forbids.)
 */
export function connectRequest(form: ConnectForm): Parsed<ConnectInput> {
  if (form.venue === 'sim') return { ok: true, value: { venue: 'sim' } };
  const symbols = parseSymbols(form.symbols);
  if (!symbols.ok) return symbols;
  // Paper trading: Bybit's public data, spot, no environment or key to choose.
  if (form.venue === 'paper')
    return { ok: true, value: { venue: 'paper', source: 'bybit', symbols: symbols.value } };
  const input: ConnectInput = {
    venue: 'bybit',
    env: form.env,
    category: form.category,
    symbols: symbols.value,
  };
  if (needsConfirmation(form)) {
    if (form.confirm !== MAINNET_CONFIRMATION)
      return { ok: false, message: `type ${MAINNET_CONFIRMATION} to connect to mainnet` };
    input.confirm = form.confirm;
  }
  return { ok: true, value: input };
}

/** The mode a choice runs in, as the header will show it. */
export function modeOf(venue: VenueName, env: BybitEnv): Mode {
  if (venue === 'sim') return 'sim';
  if (venue === 'paper') return 'paper';
  return env === 'mainnet' ? 'live' : env;
}

/** A choice in words, for the Connect button and the "now" line. */
export function describeVenue(venue: VenueName, env: BybitEnv | null): string {
  if (venue === 'sim') return 'the simulator';
  if (venue === 'paper') return 'PAPER (Bybit data)';
  return `Bybit ${env ?? ''}`.trim();
}

/** Starting balances in words, as the engine lists them: "100,000 USDT, 0.1 BTC". */
export function describeBalances(balances: Readonly<Record<string, string>>): string {
  return Object.entries(balances)
    .map(([asset, amount]) => `${formatMoney(amount)} ${asset}`)
    .join(', ');
}

/** The venue's clock minus ours, signed ("+12 ms", "−3 ms", "0 ms"). */
export function formatClockOffset(ms: number): string {
  const rounded = Math.round(ms);
  if (rounded === 0) return '0 ms';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded)} ms`;
}

/** Requests left of the tightest quota, and its colour by the share used (as the risk gauges). */
export function rateHeadroom(
  headroom: number,
  limit: number,
): { text: string; level: ReturnType<typeof gaugeLevel> } {
  return { text: `${headroom}/${limit}`, level: gaugeLevel(Math.max(0, limit - headroom), limit) };
}

/** "YYYY-MM-DD HH:MM UTC": the engine clock is UTC and so is every time the header shows. */
export function formatSavedAt(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`
  );
}

/** A saved credential in words, never the credential: "key …AB12 saved 2026-11-30 14:03 UTC" or "no key". */
export function describeCredential(status: CredentialStatus | null | undefined): string {
  if (!status?.exists) return 'no key';
  const hint = status.keyHint ? `key …${status.keyHint}` : 'key';
  return status.savedAt === null ? `${hint} saved` : `${hint} saved ${formatSavedAt(status.savedAt)}`;
}
