import { z } from 'zod';
import { Decimal, parseDecimal } from '../../core/decimal.ts';
import { EngineError } from '../../core/errors.ts';
import { defineInstrument, type Instrument, type InstrumentSpec, type Side } from '../../core/instrument.ts';
import { restError, type MexcRest } from './rest-client.ts';
import { checkShape } from '../wire-text.ts';

/**
 * MEXC spot exchangeInfo (exchange-apis.md B2, B7) to InstrumentSpec. MEXC publishes no tick or step
 * filters: the price tick is 10^-quoteAssetPrecision (older listings: quotePrecision), the lot
 * 10^-baseAssetPrecision, the minimum size `baseSizePrecision` and the minimum order value
 * `quoteAmountPrecision`, despite their names. One bad item is skipped with its reason so the other
 * two thousand still load. Whether a symbol may be traded through the API at all is a second
 * listing, `/api/v3/defaultSymbols`, joined in here.
 */

/** `status` as documented since 2024-08 ("1", "2", "3") and as older answers print it ("ENABLED"). */
export type MexcSymbolState = 'online' | 'paused' | 'offline' | 'unknown';

/** `tradeSideType`: 1 both sides, 2 buy only, 3 sell only, 4 close (neither side opens). */
export type MexcTradeSides = 'both' | 'buy' | 'sell' | 'none';

export interface MexcInstrument {
  readonly spec: InstrumentSpec;
  readonly instrument: Instrument;
  /** As MEXC prints it. */
  readonly status: string;
  readonly state: MexcSymbolState;
  /** Online, spot trading allowed, and listed as API-tradable. */
  readonly trading: boolean;
  readonly apiTradable: boolean;
  readonly sides: MexcTradeSides;
  /** Order types the symbol accepts, as MEXC names them (LIMIT, LIMIT_MAKER, MARKET…). */
  readonly orderTypes: readonly string[];
}

/**
 * When a listing leaves the fee fields out: MEXC's published spot base rates (maker 0, taker 0.05%),
 * so estimates are not optimistic. The account's own rates come from the signed commission query.
 */
export const DEFAULT_FEES = { makerFee: '0', takerFee: '0.0005' } as const;

const precision = z.union([
  z.number().int().min(0).max(18),
  z
    .string()
    .regex(/^\d{1,2}$/)
    .transform(Number)
    .pipe(z.number().max(18)),
]);
const decimalText = z.string().regex(/^\d+(\.\d+)?$/, 'must be a plain unsigned decimal');
// Fees are strings in the docs; a number is taken only when it prints as a plain decimal.
const feeText = z
  .union([decimalText, z.number().nonnegative().transform(String).pipe(decimalText)])
  .optional();

const symbolItem = z.object({
  symbol: z.string().min(1),
  status: z.union([z.string(), z.number().int()]),
  baseAsset: z.string().min(1),
  quoteAsset: z.string().min(1),
  baseAssetPrecision: precision,
  quotePrecision: precision.optional(),
  quoteAssetPrecision: precision.optional(),
  orderTypes: z.array(z.string()).optional(),
  isSpotTradingAllowed: z.boolean().optional(),
  quoteAmountPrecision: decimalText,
  baseSizePrecision: decimalText.optional(),
  makerCommission: feeText,
  takerCommission: feeText,
  tradeSideType: z.union([z.string(), z.number().int()]).optional(),
});

const exchangeInfo = z.object({ symbols: z.array(z.unknown()) });

export interface ExchangeInfo {
  instruments: MexcInstrument[];
  /** One line per item left out, naming the symbol where it has one. */
  skipped: string[];
}

/**
 * An exchangeInfo body. `apiSymbols` is the defaultSymbols listing; without it every symbol counts
 * as API-tradable (for market data only, where it does not matter). Throws only when the body itself
 * is unusable, never for one item; a symbol listed twice keeps its first copy.
 */
export function parseExchangeInfo(body: unknown, apiSymbols?: ReadonlySet<string>): ExchangeInfo {
  const parsed = exchangeInfo.safeParse(body);
  if (!parsed.success) {
    throw new EngineError(
      'venue_error',
      `MEXC exchangeInfo is malformed: ${parsed.error.issues[0]?.message ?? 'unknown'} at symbols`,
    );
  }
  const instruments: MexcInstrument[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const [index, item] of parsed.data.symbols.entries()) {
    try {
      const inst = parseSymbol(item, apiSymbols);
      if (seen.has(inst.spec.symbol)) skipped.push(`${inst.spec.symbol}: listed twice`);
      else {
        seen.add(inst.spec.symbol);
        instruments.push(inst);
      }
    } catch (err) {
      skipped.push(`${itemName(item, index)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { instruments, skipped };
}

/** One exchangeInfo symbol object. */
export function parseSymbol(item: unknown, apiSymbols?: ReadonlySet<string>): MexcInstrument {
  const d = checkShape(symbolItem, item, 'MEXC symbol');
  const where = `MEXC ${d.symbol}`;
  const pricePrecision = d.quoteAssetPrecision ?? d.quotePrecision;
  if (pricePrecision === undefined) {
    throw new EngineError('invalid_input', `${where}: neither quoteAssetPrecision nor quotePrecision`);
  }
  const tickSize = stepOf(pricePrecision);
  const lotSize = stepOf(d.baseAssetPrecision);
  const spec: InstrumentSpec = {
    symbol: d.symbol,
    base: d.baseAsset,
    quote: d.quoteAsset,
    tickSize,
    lotSize,
    minSize: minimumSize(d.baseSizePrecision, lotSize, d.baseAssetPrecision),
    minNotional: d.quoteAmountPrecision,
    makerFee: d.makerCommission ?? DEFAULT_FEES.makerFee,
    takerFee: d.takerCommission ?? DEFAULT_FEES.takerFee,
  };
  // defineInstrument runs every check the engine will rely on (steps positive, minimum on the grid).
  const instrument = defineInstrument(spec);
  const status = String(d.status);
  const state = stateOf(status);
  const apiTradable = apiSymbols === undefined || apiSymbols.has(d.symbol);
  const sides = sidesOf(d.tradeSideType);
  return {
    spec,
    instrument,
    status,
    state,
    trading: state === 'online' && d.isSpotTradingAllowed !== false && apiTradable && sides !== 'none',
    apiTradable,
    sides,
    orderTypes: d.orderTypes ?? [],
  };
}

/** 10^-digits as a plain decimal string ("0.001" for 3, "1" for 0). */
function stepOf(digits: number): string {
  return digits === 0 ? '1' : `0.${'0'.repeat(digits - 1)}1`;
}

/**
 * The smallest order size as whole lots: `baseSizePrecision` rounded up onto the lot grid (the
 * docs' own sample has a minimum of 0.0001 on a 0.01 grid, so the smallest valid order is 0.01),
 * and never less than one lot (it may be "0": no minimum but the grid).
 */
function minimumSize(text: string | undefined, lotSize: string, decimals: number): string {
  const lot = new Decimal(lotSize);
  const min = text === undefined ? lot : parseDecimal(text, 'baseSizePrecision');
  const lots = Decimal.max(1, min.div(lot).ceil());
  return lots.mul(lot).toFixed(decimals);
}

function stateOf(status: string): MexcSymbolState {
  switch (status) {
    case '1':
    case 'ENABLED':
      return 'online';
    case '2':
      return 'paused';
    case '3':
    case 'DISABLED':
      return 'offline';
    default:
      return 'unknown';
  }
}

function sidesOf(value: string | number | undefined): MexcTradeSides {
  switch (value === undefined ? '1' : String(value)) {
    case '1':
      return 'both';
    case '2':
      return 'buy';
    case '3':
      return 'sell';
    default:
      // 4 ("close") and anything new: no side may open an order; the symbol is not traded.
      return 'none';
  }
}

function itemName(item: unknown, index: number): string {
  const symbol = (item as { symbol?: unknown } | null)?.symbol;
  return typeof symbol === 'string' && symbol !== '' ? symbol : `item ${index}`;
}

const defaultSymbols = z.array(z.string().min(1));

/** The defaultSymbols listing (the client has already unwrapped `{code: 200, data}`). */
export function parseDefaultSymbols(value: unknown): Set<string> {
  return new Set(checkShape(defaultSymbols, value, 'MEXC defaultSymbols'));
}

/**
 * Every symbol with its API-tradability: exchangeInfo and defaultSymbols, both public. A failure of
 * either throws (EngineError `unavailable` or `venue_error`): trading on a listing half known would
 * let an order reach a symbol the venue refuses to the API.
 */
export async function loadInstruments(rest: MexcRest): Promise<ExchangeInfo> {
  const [info, listed] = await Promise.all([
    rest.get('/api/v3/exchangeInfo'),
    rest.get('/api/v3/defaultSymbols'),
  ]);
  if (!info.ok) throw restError('exchangeInfo', info);
  if (!listed.ok) throw restError('defaultSymbols', listed);
  return parseExchangeInfo(info.value, parseDefaultSymbols(listed.value));
}

/** Market data needs no API-tradability: exchangeInfo alone. */
export async function loadListedInstruments(rest: MexcRest): Promise<ExchangeInfo> {
  const info = await rest.get('/api/v3/exchangeInfo');
  if (!info.ok) throw restError('exchangeInfo', info);
  return parseExchangeInfo(info.value);
}

/** MEXC spot symbols are uppercase letters and digits, base and quote with no separator (B2). */
const SYMBOL_RE = /^[A-Z0-9]+$/;
export const SYMBOL_MIN_LENGTH = 3;
export const SYMBOL_MAX_LENGTH = 30;

/** A symbol as a refusal quotes it; printed only then, since validateSymbol runs on every order. */
function shownSymbol(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * The instrument for an order on `text`, or an EngineError (`invalid_input`) saying why none may be
 * sent: the text is not a MEXC spot symbol (futures' `BTC_USDT`, lowercase, too short or long), the
 * venue lists no such symbol, it is paused or offline, closed to the API, or (with `side`) closed to
 * that side. Nothing is changed either way.
 */
export function validateSymbol(
  specs: ReadonlyMap<string, MexcInstrument>,
  text: unknown,
  side?: Side,
): MexcInstrument {
  if (typeof text !== 'string') {
    throw new EngineError('invalid_input', `MEXC symbol must be text, got ${typeof text}`);
  }
  if (text.length < SYMBOL_MIN_LENGTH || text.length > SYMBOL_MAX_LENGTH) {
    throw new EngineError(
      'invalid_input',
      `MEXC symbol ${shownSymbol(text)} must be ${SYMBOL_MIN_LENGTH} to ${SYMBOL_MAX_LENGTH} characters`,
    );
  }
  if (!SYMBOL_RE.test(text)) {
    throw new EngineError(
      'invalid_input',
      `MEXC symbol ${shownSymbol(text)} must be uppercase letters and digits with no separator (e.g. BTCUSDT)`,
    );
  }
  const inst = specs.get(text);
  if (inst === undefined) throw new EngineError('invalid_input', `MEXC lists no spot symbol ${text}`);
  if (inst.state !== 'online') {
    throw new EngineError(
      'invalid_input',
      `MEXC ${text} is ${inst.state} (status ${inst.status}): no orders`,
    );
  }
  if (!inst.apiTradable) {
    throw new EngineError(
      'invalid_input',
      `MEXC ${text} cannot be traded through the API (not in defaultSymbols)`,
    );
  }
  if (!inst.trading) {
    throw new EngineError('invalid_input', `MEXC ${text} is not open to spot trading now`);
  }
  if (side !== undefined && inst.sides !== 'both' && inst.sides !== side) {
    throw new EngineError('invalid_input', `MEXC ${text} takes ${inst.sides} orders only, not ${side}`);
  }
  return inst;
}
