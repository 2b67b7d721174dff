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
/** Whose public market data paper trading follows. */
export type PaperSource = NonNullable<ConnectInput['source']>;
/** A saved key's owner: a Bybit environment, or MEXC's one account (always `mainnet`). */
export type CredentialTarget = Pick<CommandInput<'credentials.test'>, 'venue' | 'env'>;

/** Bybit's environments in the order the screens list them: the safe one first, real money last. */
export const BYBIT_ENVS: readonly BybitEnv[] = ['testnet', 'demo', 'mainnet'];
export const BYBIT_CATEGORIES: readonly { value: BybitCategory; label: string }[] = [
  { value: 'linear', label: 'Linear perpetual' },
  { value: 'spot', label: 'Spot' },
];
/** Paper trading's data sources, Bybit's first (the default). */
export const PAPER_SOURCES: readonly { value: PaperSource; label: string }[] = [
  { value: 'bybit', label: 'Bybit' },
  { value: 'mexc', label: 'MEXC' },
];
/** MEXC's only account, under the name the credentials commands use for it. */
export const MEXC_TARGET: CredentialTarget = { venue: 'mexc', env: 'mainnet' };
/** The symbol a fresh form proposes (the simulator trades it too). */
export const DEFAULT_SYMBOLS = 'BTCUSDT';
const MAX_SYMBOLS = 10;

/** The connect view's fields as typed: text, not yet checked. */
export interface ConnectForm {
  venue: VenueName;
  env: BybitEnv;
  category: BybitCategory;
  /** Paper trading's data source. */
  source: PaperSource;
  /** Comma-separated symbols. */
  symbols: string;
  /** What the trader typed to confirm real money (Bybit mainnet, MEXC). */
  confirm: string;
}

/**
 * The form a connect view opens with: what runs now when it is Bybit or paper, otherwise testnet
 * linear BTCUSDT. Real money is never proposed: reopening the view on a Bybit mainnet session starts
 * from testnet, and on a MEXC session (MEXC has no test account, so every MEXC session is real money)
 * from Bybit testnet with the same symbols, so a stray Connect click cannot land on real funds (and
 * both need the typed word anyway). A paper session keeps its data source; its environment is its
 * data's, not an account's, so it is not carried over.
 */
export function initialForm(current: VenueChoices['current'] | null): ConnectForm {
  const bybit = current?.venue === 'bybit';
  const named = current !== null && current.venue !== 'sim' && current.symbols.length > 0;
  return {
    venue: current === null ? 'sim' : current.venue === 'mexc' ? 'bybit' : current.venue,
    env: bybit && current.env !== null && current.env !== 'mainnet' ? current.env : 'testnet',
    category: bybit && current.category !== null ? current.category : 'linear',
    // An older host names no source: its paper trading is on Bybit's data.
    source: current?.venue === 'paper' && current.source === 'mexc' ? 'mexc' : 'bybit',
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

/** Real money is chosen (Bybit mainnet, or MEXC, which has nothing else): the form must carry the typed confirmation. */
export function needsConfirmation(form: Pick<ConnectForm, 'venue' | 'env'>): boolean {
  return form.venue === 'mexc' || (form.venue === 'bybit' && form.env === 'mainnet');
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
  // Paper trading: the chosen venue's public data, spot, no environment or key to choose.
  if (form.venue === 'paper')
    return { ok: true, value: { venue: 'paper', source: form.source, symbols: symbols.value } };
  const typed = form.confirm === MAINNET_CONFIRMATION;
  // MEXC: spot on its one account, which is real money; no environment or product to send.
  if (form.venue === 'mexc')
    return typed
      ? { ok: true, value: { venue: 'mexc', symbols: symbols.value, confirm: form.confirm } }
      : { ok: false, message: `type ${MAINNET_CONFIRMATION} to connect to MEXC (real money)` };
  const input: ConnectInput = {
    venue: 'bybit',
    env: form.env,
    category: form.category,
    symbols: symbols.value,
  };
  if (needsConfirmation(form)) {
    if (!typed) return { ok: false, message: `type ${MAINNET_CONFIRMATION} to connect to mainnet` };
    input.confirm = form.confirm;
  }
  return { ok: true, value: input };
}

/** The mode a choice runs in, as the header will show it. */
export function modeOf(venue: VenueName, env: BybitEnv): Mode {
  if (venue === 'sim') return 'sim';
  if (venue === 'paper') return 'paper';
  if (venue === 'mexc') return 'live';
  return env === 'mainnet' ? 'live' : env;
}

/** A venue's name as the screens write it. */
export function venueLabel(venue: PaperSource): string {
  return venue === 'mexc' ? 'MEXC' : 'Bybit';
}

/** A choice in words, for the Connect button; paper names whose data it follows (Bybit's by default). */
export function describeVenue(venue: VenueName, env: BybitEnv | null, source: PaperSource = 'bybit'): string {
  if (venue === 'sim') return 'the simulator';
  if (venue === 'paper') return `PAPER (${venueLabel(source)} data)`;
  if (venue === 'mexc') return 'MEXC';
  return `Bybit ${env ?? ''}`.trim();
}

/** The Connect button's words: real money says so on the button itself. */
export function connectLabel(form: Pick<ConnectForm, 'venue' | 'env' | 'source'>): string {
  if (form.venue === 'mexc') return 'Connect to MEXC (real money)';
  if (needsConfirmation(form)) return 'Connect to MAINNET (real money)';
  return `Connect to ${describeVenue(form.venue, form.env, form.source)}`;
}

/**
 * The session running now in words, for the connect view's "Now:" line: "simulator", "paper on
 * Bybit mainnet data, spot · BTCUSDT", "paper on MEXC data, spot", "Bybit testnet linear · BTCUSDT",
 * "MEXC spot · BTCUSDT".
 */
export function describeCurrent(current: VenueChoices['current']): string {
  const symbols = current.symbols.length > 0 ? ` · ${current.symbols.join(', ')}` : '';
  switch (current.venue) {
    case 'sim':
      return `simulator${symbols}`;
    case 'paper':
      return current.source === 'mexc'
        ? `paper on MEXC data, spot${symbols}`
        : `paper on Bybit ${current.env ?? ''} data, spot${symbols}`;
    case 'mexc':
      return `MEXC spot${symbols}`;
    case 'bybit':
      return `Bybit ${current.env ?? ''} ${current.category ?? ''}${symbols}`;
  }
}

/** A key set's name in the credentials view: "Bybit testnet", "MEXC spot". */
export function describeTarget(target: CredentialTarget): string {
  return target.venue === 'mexc' ? 'MEXC spot' : `Bybit ${target.env}`;
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
