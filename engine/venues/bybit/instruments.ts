import { z } from 'zod';
import { EngineError } from '../../core/errors.ts';
import { defineInstrument, type InstrumentSpec } from '../../core/instrument.ts';
import { parseEnvelope } from './messages.ts';
import { venueError, type BybitRest } from './rest-client.ts';
import { checkShape } from './wire.ts';

/**
 * Bybit v5 instruments-info (exchange-apis.md A7) to InstrumentSpec. One bad item (a new contract with
 * an odd filter, a field Bybit blanked) is skipped with its reason so the other few hundred still load.
 */
export type BybitCategory = 'spot' | 'linear';

export interface BybitInstrument {
  category: BybitCategory;
  spec: InstrumentSpec;
  /** As Bybit prints it: `Trading`, `PreLaunch`, `Delivering`, `Closed`. */
  status: string;
  trading: boolean;
  /** Linear only: `LinearPerpetual`, `LinearFutures`. */
  contractType?: string;
  /** Linear only: minutes between funding settlements. */
  fundingIntervalMin?: number;
}

export interface FeeRates {
  makerFee: string;
  takerFee: string;
}

/**
 * instruments-info carries no fee rates; the account's rates come from GET /v5/account/fee-rate (a
 * signed call), which the adapter may pass in. Until then these are Bybit's published non-VIP base
 * rates, so notional and PnL estimates are conservative rather than zero.
 */
export const DEFAULT_FEES: Readonly<Record<BybitCategory, FeeRates>> = {
  spot: { makerFee: '0.001', takerFee: '0.001' },
  linear: { makerFee: '0.0002', takerFee: '0.00055' },
};

/** Fees per symbol, or one pair for every symbol of the category. */
export type FeeSource = FeeRates | ((symbol: string) => FeeRates | undefined);

/** More pages than any listing needs (linear is ~600 symbols at 500 a page); a loop stops here. */
export const MAX_INSTRUMENT_PAGES = 50;

const step = z.string().min(1);
const spotItem = z.object({
  symbol: z.string().min(1),
  baseCoin: z.string().min(1),
  quoteCoin: z.string().min(1),
  status: z.string().min(1),
  priceFilter: z.object({ tickSize: step }),
  // Spot has no qtyStep and no minNotionalValue: the quantity step is basePrecision and the minimum is
  // minOrderAmt (quote). minOrderQty is deprecated and no longer checked by Bybit, so one lot is the minimum.
  lotSizeFilter: z.object({ basePrecision: step, minOrderAmt: step }),
});
const linearItem = z.object({
  symbol: z.string().min(1),
  baseCoin: z.string().min(1),
  quoteCoin: z.string().min(1),
  status: z.string().min(1),
  contractType: z.string().min(1),
  priceFilter: z.object({ tickSize: step }),
  lotSizeFilter: z.object({ qtyStep: step, minOrderQty: step, minNotionalValue: step.optional() }),
  fundingInterval: z.number().int().nonnegative().optional(),
});
const page = z.object({
  category: z.string().optional(),
  list: z.array(z.unknown()),
  nextPageCursor: z.string().optional(),
});

export interface InstrumentsPage {
  list: BybitInstrument[];
  /** '' on the last page (spot has a single page and may omit the field). */
  nextPageCursor: string;
  /** One line per item left out, naming the symbol where it has one. */
  skipped: string[];
}

/** One instruments-info `result`; throws only when the page itself is unusable, never for one item. */
export function parseInstrumentsPage(
  category: BybitCategory,
  result: unknown,
  fees: FeeSource = DEFAULT_FEES[category],
): InstrumentsPage {
  const parsed = page.safeParse(result);
  if (!parsed.success) {
    throw new EngineError(
      'venue_error',
      `Bybit ${category} instruments page is malformed: ${parsed.error.issues[0]?.message ?? 'unknown'}`,
    );
  }
  if (parsed.data.category !== undefined && parsed.data.category !== category) {
    throw new EngineError(
      'venue_error',
      `Bybit instruments page is for ${parsed.data.category}, asked for ${category}`,
    );
  }
  const list: BybitInstrument[] = [];
  const skipped: string[] = [];
  for (const [index, item] of parsed.data.list.entries()) {
    try {
      list.push(category === 'spot' ? spotInstrument(item, fees) : linearInstrument(item, fees));
    } catch (err) {
      skipped.push(
        `${category} ${itemName(item, index)}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return { list, nextPageCursor: parsed.data.nextPageCursor ?? '', skipped };
}

function spotInstrument(item: unknown, fees: FeeSource): BybitInstrument {
  const d = checkShape(spotItem, item, 'item');
  const spec = validSpec({
    symbol: d.symbol,
    base: d.baseCoin,
    quote: d.quoteCoin,
    tickSize: d.priceFilter.tickSize,
    lotSize: d.lotSizeFilter.basePrecision,
    minSize: d.lotSizeFilter.basePrecision,
    minNotional: d.lotSizeFilter.minOrderAmt,
    ...feesFor(fees, d.symbol),
  });
  return { category: 'spot', spec, status: d.status, trading: d.status === 'Trading' };
}

function linearInstrument(item: unknown, fees: FeeSource): BybitInstrument {
  const d = checkShape(linearItem, item, 'item');
  const spec = validSpec({
    symbol: d.symbol,
    base: d.baseCoin,
    quote: d.quoteCoin,
    tickSize: d.priceFilter.tickSize,
    lotSize: d.lotSizeFilter.qtyStep,
    minSize: d.lotSizeFilter.minOrderQty,
    minNotional: d.lotSizeFilter.minNotionalValue ?? '0',
    ...feesFor(fees, d.symbol),
  });
  const out: BybitInstrument = {
    category: 'linear',
    spec,
    status: d.status,
    trading: d.status === 'Trading',
    contractType: d.contractType,
  };
  if (d.fundingInterval !== undefined) out.fundingIntervalMin = d.fundingInterval;
  return out;
}

function feesFor(fees: FeeSource, symbol: string): FeeRates {
  const rates = typeof fees === 'function' ? fees(symbol) : fees;
  if (!rates) throw new Error(`no fee rates for ${symbol}`);
  return { makerFee: rates.makerFee, takerFee: rates.takerFee };
}

/** defineInstrument runs every check the engine will rely on (steps positive, minimum on the grid). */
function validSpec(spec: InstrumentSpec): InstrumentSpec {
  defineInstrument(spec);
  return spec;
}

function itemName(item: unknown, index: number): string {
  const symbol = (item as { symbol?: unknown } | null)?.symbol;
  return typeof symbol === 'string' && symbol !== '' ? symbol : `item ${index}`;
}

export interface AllInstruments {
  instruments: BybitInstrument[];
  skipped: string[];
}

/**
 * Every instrument of a category, following `nextPageCursor` until it is empty. `getPage(cursor)`
 * returns one page's `result`, or the whole REST envelope (then a non-zero retCode throws). A cursor
 * seen before would loop forever, so it throws, as does running past MAX_INSTRUMENT_PAGES.
 */
export async function fetchAllInstruments(
  category: BybitCategory,
  getPage: (cursor: string | undefined) => Promise<unknown>,
  fees: FeeSource = DEFAULT_FEES[category],
): Promise<AllInstruments> {
  const instruments: BybitInstrument[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  const symbols = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 0; pages < MAX_INSTRUMENT_PAGES; pages++) {
    const parsed = parseInstrumentsPage(category, unwrap(await getPage(cursor)), fees);
    for (const inst of parsed.list) {
      // A listing that shifts between pages can repeat a symbol; the first copy is kept.
      if (symbols.has(inst.spec.symbol)) skipped.push(`${category} ${inst.spec.symbol}: listed twice`);
      else {
        symbols.add(inst.spec.symbol);
        instruments.push(inst);
      }
    }
    skipped.push(...parsed.skipped);
    const next = parsed.nextPageCursor;
    if (next === '') return { instruments, skipped };
    if (seen.has(next)) {
      throw new EngineError(
        'venue_error',
        `Bybit ${category} instruments: page ${pages + 1} repeats cursor ${JSON.stringify(next)}`,
      );
    }
    seen.add(next);
    cursor = next;
  }
  throw new EngineError(
    'venue_error',
    `Bybit ${category} instruments: still more after ${MAX_INSTRUMENT_PAGES} pages; stopped`,
  );
}

/**
 * Every instrument of a category from the public listing (`/v5/market/instruments-info`): no key is
 * needed, so the trading adapter and paper trading's market data read it alike.
 */
export function loadInstruments(rest: BybitRest, category: BybitCategory): Promise<AllInstruments> {
  return fetchAllInstruments(category, async (cursor) => {
    const answer = await rest.get('/v5/market/instruments-info', {
      category,
      limit: category === 'linear' ? 500 : undefined,
      cursor,
    });
    if (!answer.ok) throw venueError('instruments', answer);
    return answer.result;
  });
}

function unwrap(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('retCode' in value)) return value;
  const envelope = parseEnvelope(value);
  if (envelope.retCode !== 0) {
    throw new EngineError('venue_error', `Bybit instruments: ${envelope.retCode} ${envelope.retMsg}`);
  }
  return envelope.result;
}
