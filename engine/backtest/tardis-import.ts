import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface, type Interface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SimClock } from '../core/clock.ts';
import { Decimal } from '../core/decimal.ts';
import { EngineError } from '../core/errors.ts';
import type { Instrument, InstrumentSpec, Lots, Side, Ticks } from '../core/instrument.ts';
import {
  defineInstrument,
  formatPrice,
  priceToTicks,
  sizeToLots,
  stepsFromText,
} from '../core/instrument.ts';
import { OrderBook } from '../market/order-book.ts';
import type { BookMessage, Level } from '../market/types.ts';
import { checkRecordingName, type RecordingStore, type RecordingWriter } from '../store/recordings.ts';

/**
 * Tardis.dev CSV files (incremental_book_L2, optionally trades, of one symbol) into a recording, so a
 * trader can backtest on purchased history.
 *
 * The untrusted-input boundary is the files: every row is checked (column count, numbers, sides,
 * one symbol, local time never going backwards) and a bad one stops the import with an EngineError
 * naming the file, the line and the reason. Nothing is left half-imported: the recording is created
 * only once the files' symbol (and, when inferred, grid) is known, and deleted on any error after
 * that. A process killed mid-import leaves its recording with status `recording`, as a crashed
 * recorder would.
 *
 * Choices the data forces:
 * - Tardis has no venue sequence number, so `seq` counts the book messages (1, 2, 3, ...): a replay
 *   can never see a gap, and a gap in Tardis's own capture is invisible here.
 * - A book message is the run of consecutive rows sharing one local_timestamp and snapshot flag; a
 *   snapshot is the whole run of consecutive is_snapshot=true rows (Tardis starts a new snapshot on a
 *   snapshot row after a non-snapshot row), stamped with its last row's times. Deltas before the
 *   first snapshot are dropped and counted: no book can apply them.
 * - Times are µs in the files and floored to ms; the merge of the two files orders by the µs local
 *   time, a trade before a book message at the same µs (a venue prints the trade, then the book
 *   change it caused). Each file must be sorted by local_timestamp, as Tardis writes them: the merge
 *   allows no row to go back in local time within its file. The venue `timestamp` may move freely.
 * - Tick and lot, when not given, are inferred in a first pass over both files: the largest step
 *   10^-k (k ≥ 0, so at most 1) of which every price (resp. non-zero amount) seen is an exact multiple.
 *   A full pass rather than the first N rows, so an import never fails late on a price the sample
 *   missed; the cost is reading the files twice. The inferred step can be finer than the venue's (a
 *   venue with tick 0.5 whose prices all end in .0 or .5 infers 0.1): give --tick-size when known.
 * - A trade of side `unknown` gets an aggressor by the quote rule (above the mid: a buyer; below: a
 *   seller), at the mid or without a book by the tick rule against the last different trade price;
 *   the summary counts them.
 */
export interface TardisImportOptions {
  readonly bookFile: string;
  readonly tradesFile?: string;
  readonly name: string;
  readonly store: RecordingStore;
  /** Decimal strings; inferred from the data when absent. */
  readonly tickSize?: string;
  readonly lotSize?: string;
  /** Defaults to the files' `exchange` column. */
  readonly venue?: string;
  /** Default: split from the symbol by its quote suffix (BTCUSDT → BTC / USDT). */
  readonly base?: string;
  readonly quote?: string;
  /** Fee rates as fractions; defaults DEFAULT_MAKER_FEE and DEFAULT_TAKER_FEE. */
  readonly makerFee?: string;
  readonly takerFee?: string;
  /** The recording's creation time; default Date.now. */
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  /** `scan` is the first pass that infers the grid; `import` writes the recording. */
  readonly phase: 'scan' | 'import';
  /** Bytes of the files read so far (compressed bytes for gzip) and in all. */
  readonly bytes: number;
  readonly totalBytes: number;
  readonly events: number;
}

export interface ImportSummary {
  readonly name: string;
  readonly symbol: string;
  readonly venue: string;
  readonly events: number;
  readonly book_events: number;
  readonly trade_events: number;
  /** Local receive time of the first and last event, ms. */
  readonly first_ts: number;
  readonly last_ts: number;
  /** The book's touch after the last event, as decimal strings; null for an empty side. */
  readonly best_bid: string | null;
  readonly best_ask: string | null;
  readonly tick_size: string;
  readonly lot_size: string;
  readonly tick_inferred: boolean;
  readonly lot_inferred: boolean;
  readonly maker_fee: string;
  readonly taker_fee: string;
  readonly skipped_deltas: number;
  readonly inferred_sides: number;
}

export const DEFAULT_MAKER_FEE = '0.0001';
export const DEFAULT_TAKER_FEE = '0.0006';

const BOOK_HEADER = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
const TRADES_HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const COLUMNS = 8;
const PROGRESS_EVERY = 65_536;
/** Longest first, so USDT wins over USD and FDUSD over USD. */
const QUOTES = [
  'FDUSD',
  'USDT',
  'USDC',
  'BUSD',
  'TUSD',
  'USDE',
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'TRY',
  'BRL',
  'BTC',
  'ETH',
  'BNB',
  'DAI',
];

/** Imports the files into a new recording `name`; see the module comment for what it guarantees. */
export async function importTardis(options: TardisImportOptions): Promise<ImportSummary> {
  const { store, name } = options;
  checkRecordingName(name);
  if (store.get(name)) throw new EngineError('conflict', `a recording named ${name} already exists`);
  const files =
    options.tradesFile === undefined ? [options.bookFile] : [options.bookFile, options.tradesFile];
  const totalBytes = (await Promise.all(files.map(sizeOf))).reduce((a, b) => a + b, 0);
  const scan = await scanFiles(options, totalBytes);
  const spec = instrumentSpec(options, scan);
  const inst = defineInstrument(spec);
  const venue = options.venue ?? scan.exchange;
  const writer = store.create(name, venue, [spec], (options.now ?? Date.now)());
  try {
    const counts = await writeEvents(options, inst, scan, writer, totalBytes);
    writer.close();
    return {
      name,
      symbol: spec.symbol,
      venue,
      ...counts,
      tick_size: spec.tickSize,
      lot_size: spec.lotSize,
      tick_inferred: options.tickSize === undefined,
      lot_inferred: options.lotSize === undefined,
      maker_fee: spec.makerFee,
      taker_fee: spec.takerFee,
    };
  } catch (err) {
    store.delete(name);
    throw err;
  }
}

// ---- reading lines -------------------------------------------------------------------------------

interface LineSource {
  readonly file: string;
  readonly lines: AsyncIterator<string>;
  bytesRead(): number;
  close(): void;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    throw new EngineError(
      'not_found',
      `${file} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Streams a plain or gzipped file line by line; gzip is told by its magic bytes, not the name. */
async function openLines(file: string): Promise<LineSource> {
  const magic = Buffer.alloc(2);
  const handle = await open(file, 'r').catch((err: unknown) => {
    throw new EngineError(
      'not_found',
      `${file} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
    );
  });
  try {
    await handle.read(magic, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const source = createReadStream(file);
  let input: Readable = source;
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    const gunzip = createGunzip();
    // pipeline forwards a read error of the file to the gunzip stream, and so to readline.
    pipeline(source, gunzip, () => undefined);
    input = gunzip;
  }
  const rl: Interface = createInterface({ input, crlfDelay: Infinity });
  return {
    file,
    lines: rl[Symbol.asyncIterator](),
    bytesRead: () => source.bytesRead,
    close: () => {
      rl.close();
      input.destroy();
      source.destroy();
    },
  };
}

/** A file's rows after the header, with their line numbers; read errors name the file. */
async function* rowsOf(src: LineSource, header: string, kind: string): AsyncGenerator<RawRow> {
  let line = 0;
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = await src.lines.next();
    } catch (err) {
      throw new EngineError(
        'invalid_input',
        `${src.file} cannot be read after line ${line}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (next.done) return;
    line++;
    const text = next.value;
    if (line === 1) {
      const got = text.replace(/^\uFEFF/, '').trim();
      if (got !== header)
        throw new EngineError(
          'invalid_input',
          `${src.file} line 1: not a Tardis ${kind} file: the header must be ${header}, got ${got.slice(0, 120)}`,
        );
      continue;
    }
    if (text.trim() === '') continue;
    const fields = text.split(',');
    if (fields.length !== COLUMNS)
      throw rowError(src.file, line, `${fields.length} columns, expected ${COLUMNS}`);
    yield { fields, line };
  }
}

interface RawRow {
  readonly fields: string[];
  readonly line: number;
}

function rowError(file: string, line: number, reason: string): EngineError {
  return new EngineError('invalid_input', `${file} line ${line}: ${reason}`);
}

// ---- parsing rows --------------------------------------------------------------------------------

/** One row of either file, checked; prices and amounts stay plain decimal text until the grid is known. */
interface Row {
  readonly line: number;
  readonly exchange: string;
  readonly symbol: string;
  readonly tsUs: number;
  readonly localUs: number;
  /** Book: is_snapshot; trades: unused. */
  readonly snapshot: boolean;
  /** Book: bid / ask as buy / sell; trades: the aggressor, or undefined for `unknown`. */
  readonly side: Side | undefined;
  readonly id: string;
  readonly price: string;
  readonly amount: string;
}

const PLAIN = /^\d+(?:\.\d+)?$/;
const EXPONENT = /^\d+(?:\.\d+)?[eE][+-]?\d+$/;
const MICROS = /^\d{1,16}$/;

/** A non-negative number as plain decimal text; exponent forms ("5e-05") are rewritten exactly. */
function plainNumber(text: string, what: string, fail: (reason: string) => EngineError): string {
  if (PLAIN.test(text)) return text;
  if (EXPONENT.test(text)) return new Decimal(text).toFixed();
  if (text.startsWith('-') && (PLAIN.test(text.slice(1)) || EXPONENT.test(text.slice(1))))
    throw fail(`${what} ${text} is negative`);
  throw fail(`${what} ${JSON.stringify(text)} is not a number`);
}

function parseRow(file: string, raw: RawRow, book: boolean): Row {
  const fail = (reason: string) => rowError(file, raw.line, reason);
  const [exchange, symbol, ts, local, flagOrId, side, price, amount] = raw.fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!MICROS.test(ts)) throw fail(`timestamp ${JSON.stringify(ts)} is not a whole number of µs`);
  if (!MICROS.test(local)) throw fail(`local_timestamp ${JSON.stringify(local)} is not a whole number of µs`);
  let parsedSide: Side | undefined;
  let snapshot = false;
  if (book) {
    if (flagOrId !== 'true' && flagOrId !== 'false')
      throw fail(`is_snapshot must be true or false, got ${JSON.stringify(flagOrId)}`);
    snapshot = flagOrId === 'true';
    if (side === 'bid') parsedSide = 'buy';
    else if (side === 'ask') parsedSide = 'sell';
    else throw fail(`side must be bid or ask, got ${JSON.stringify(side)}`);
  } else if (side === 'buy' || side === 'sell') parsedSide = side;
  else if (side !== 'unknown') throw fail(`side must be buy, sell or unknown, got ${JSON.stringify(side)}`);
  const plainPrice = plainNumber(price, 'price', fail);
  const plainAmount = plainNumber(amount, 'amount', fail);
  if (!/[1-9]/.test(plainPrice)) throw fail(`price ${price} is not positive`);
  if (!book && !/[1-9]/.test(plainAmount)) throw fail(`a trade of amount ${amount}`);
  return {
    line: raw.line,
    exchange,
    symbol,
    tsUs: Number(ts),
    localUs: Number(local),
    snapshot,
    side: parsedSide,
    id: book ? '' : flagOrId,
    price: plainPrice,
    amount: plainAmount,
  };
}

/** Digits after the point that matter ("12.3400" → 2). */
function fractionDigits(plain: string): number {
  const dot = plain.indexOf('.');
  if (dot < 0) return 0;
  let end = plain.length;
  while (end > dot + 1 && plain.charCodeAt(end - 1) === 48) end--;
  return end - dot - 1;
}

/**
 * The checks every row of a file passes in both passes: one exchange and symbol (the first row's, or
 * the book file's for the trades file) and a local time that never goes back.
 */
class FileChecker {
  private lastLocal = -1;
  private readonly file: string;
  private identity: { exchange: string; symbol: string; line: number; file: string } | undefined;

  constructor(file: string, identity?: { exchange: string; symbol: string; line: number; file: string }) {
    this.file = file;
    this.identity = identity;
  }

  get first(): { exchange: string; symbol: string; line: number; file: string } | undefined {
    return this.identity;
  }

  check(row: Row): void {
    const id = this.identity;
    if (id === undefined)
      this.identity = { exchange: row.exchange, symbol: row.symbol, line: row.line, file: this.file };
    else if (row.symbol !== id.symbol || row.exchange !== id.exchange)
      throw rowError(
        this.file,
        row.line,
        `${row.exchange} ${row.symbol} is not ${id.exchange} ${id.symbol} (${id.file} line ${id.line}): import one symbol at a time`,
      );
    if (row.localUs < this.lastLocal)
      throw rowError(
        this.file,
        row.line,
        `local_timestamp ${row.localUs} goes back from ${this.lastLocal}: the file must be sorted by local_timestamp`,
      );
    this.lastLocal = row.localUs;
  }
}

// ---- first pass ----------------------------------------------------------------------------------

interface Scan {
  readonly exchange: string;
  readonly symbol: string;
  /** Steps as decimal text: the given ones, or inferred. */
  readonly tickSize: string;
  readonly lotSize: string;
}

function powerOfTenStep(digits: number): string {
  return digits === 0 ? '1' : `0.${'0'.repeat(digits - 1)}1`;
}

/**
 * What the recording's instrument needs before it can be created: the symbol, and the grid when not
 * given. With both steps given only the book file's first row is read; otherwise all of both files,
 * every row checked, so a bad row is found before any recording exists.
 */
async function scanFiles(options: TardisImportOptions, totalBytes: number): Promise<Scan> {
  const full = options.tickSize === undefined || options.lotSize === undefined;
  let priceDigits = 0;
  let amountDigits = 0;
  let identity: FileChecker['first'];
  let bytesBefore = 0;
  let rows = 0;
  const files: [string, boolean][] = [[options.bookFile, true]];
  if (full && options.tradesFile !== undefined) files.push([options.tradesFile, false]);
  for (const [file, book] of files) {
    const src = await openLines(file);
    try {
      const checker = new FileChecker(file, identity);
      for await (const raw of rowsOf(
        src,
        book ? BOOK_HEADER : TRADES_HEADER,
        book ? 'incremental_book_L2' : 'trades',
      )) {
        const row = parseRow(file, raw, book);
        checker.check(row);
        if (!full) break;
        priceDigits = Math.max(priceDigits, fractionDigits(row.price));
        amountDigits = Math.max(amountDigits, fractionDigits(row.amount));
        if (++rows % PROGRESS_EVERY === 0) {
          if (options.signal?.aborted) throw cancelled();
          options.onProgress?.({
            phase: 'scan',
            bytes: bytesBefore + src.bytesRead(),
            totalBytes,
            events: 0,
          });
        }
      }
      identity = checker.first;
      bytesBefore += src.bytesRead();
    } finally {
      src.close();
    }
    if (identity === undefined) throw new EngineError('invalid_input', `${file} holds no rows`);
  }
  if (identity === undefined) throw new EngineError('invalid_input', `${options.bookFile} holds no rows`);
  return {
    exchange: identity.exchange,
    symbol: identity.symbol,
    tickSize: options.tickSize ?? powerOfTenStep(priceDigits),
    lotSize: options.lotSize ?? powerOfTenStep(amountDigits),
  };
}

function cancelled(): EngineError {
  return new EngineError('invalid_input', 'the import was cancelled');
}

/**
 * Base and quote of a symbol: BTCUSDT, BTC-USDT, BTC_USDT, ETH-USD-SWAP; undefined when unclear. A
 * suffix can be read two ways (XBTUSD: XB + TUSD or XBT + USD): the longest quote that leaves a base of
 * three or more letters wins, else the longest quote (ARUSDT is AR + USDT).
 */
export function splitSymbol(symbol: string): { base: string; quote: string } | undefined {
  const upper = symbol.toUpperCase();
  const parts = upper.split(/[-_/:]/);
  if (parts.length > 1 && parts[0] !== '' && QUOTES.includes(parts[1]!))
    return { base: parts[0]!, quote: parts[1]! };
  if (!/^[A-Z0-9]+$/.test(upper)) return undefined;
  const fits = QUOTES.filter((q) => upper.length > q.length && upper.endsWith(q));
  const quote = fits.find((q) => upper.length - q.length >= 3) ?? fits[0];
  return quote === undefined ? undefined : { base: upper.slice(0, -quote.length), quote };
}

function instrumentSpec(options: TardisImportOptions, scan: Scan): InstrumentSpec {
  const split = splitSymbol(scan.symbol);
  const base = options.base ?? split?.base;
  const quote = options.quote ?? split?.quote;
  if (base === undefined || quote === undefined)
    throw new EngineError(
      'invalid_input',
      `the base and quote of ${scan.symbol} cannot be told from its name: give them (--base, --quote)`,
    );
  return {
    symbol: scan.symbol,
    base,
    quote,
    tickSize: scan.tickSize,
    lotSize: scan.lotSize,
    minSize: scan.lotSize,
    minNotional: '0',
    makerFee: options.makerFee ?? DEFAULT_MAKER_FEE,
    takerFee: options.takerFee ?? DEFAULT_TAKER_FEE,
  };
}

// ---- second pass ---------------------------------------------------------------------------------

/** Price and amount of a row on the instrument's grid; integer arithmetic first, Decimal to explain. */
class Grid {
  private readonly inst: Instrument;
  private readonly file: string;

  constructor(inst: Instrument, file: string) {
    this.inst = inst;
    this.file = file;
  }

  ticks(row: Row): Ticks {
    const t = stepsFromText(row.price, this.inst.priceDecimals, this.inst.tickScaled);
    if (t > 0) return t as Ticks;
    return this.explain(row, () => priceToTicks(this.inst, row.price));
  }

  lots(row: Row): Lots {
    const l = stepsFromText(row.amount, this.inst.sizeDecimals, this.inst.lotScaled);
    if (l >= 0) return l as Lots;
    return this.explain(row, () => sizeToLots(this.inst, row.amount, 'exact', true));
  }

  private explain<T>(row: Row, convert: () => T): T {
    try {
      return convert();
    } catch (err) {
      throw rowError(this.file, row.line, err instanceof Error ? err.message : String(err));
    }
  }
}

interface BookGroup {
  readonly snapshot: boolean;
  readonly localUs: number;
  readonly tsUs: number;
  readonly line: number;
  /** Price → size; a later row of the same price replaces an earlier one. */
  readonly bids: Map<number, number>;
  readonly asks: Map<number, number>;
}

/** The book file as messages: rows grouped by local time and snapshot flag (see the module comment). */
async function* bookGroups(src: LineSource, inst: Instrument, identity: Scan): AsyncGenerator<BookGroup> {
  const checker = new FileChecker(src.file);
  const grid = new Grid(inst, src.file);
  let group:
    | {
        snapshot: boolean;
        localUs: number;
        tsUs: number;
        line: number;
        bids: Map<number, number>;
        asks: Map<number, number>;
      }
    | undefined;
  for await (const raw of rowsOf(src, BOOK_HEADER, 'incremental_book_L2')) {
    const row = parseRow(src.file, raw, true);
    checker.check(row);
    sameInstrument(src.file, row, identity);
    const price = grid.ticks(row);
    const size = grid.lots(row);
    const joins =
      group !== undefined &&
      group.snapshot === row.snapshot &&
      (row.snapshot || group.localUs === row.localUs);
    if (!joins) {
      if (group !== undefined) yield group;
      group = {
        snapshot: row.snapshot,
        localUs: row.localUs,
        tsUs: row.tsUs,
        line: row.line,
        bids: new Map(),
        asks: new Map(),
      };
    }
    const g = group!;
    g.localUs = row.localUs;
    g.tsUs = row.tsUs;
    (row.side === 'buy' ? g.bids : g.asks).set(price, size);
  }
  if (group !== undefined) yield group;
}

interface TradeRow {
  readonly localUs: number;
  readonly tsUs: number;
  readonly line: number;
  readonly id: string;
  readonly price: Ticks;
  readonly size: Lots;
  readonly side: Side | undefined;
}

async function* tradeRows(src: LineSource, inst: Instrument, identity: Scan): AsyncGenerator<TradeRow> {
  const checker = new FileChecker(src.file);
  const grid = new Grid(inst, src.file);
  for await (const raw of rowsOf(src, TRADES_HEADER, 'trades')) {
    const row = parseRow(src.file, raw, false);
    checker.check(row);
    sameInstrument(src.file, row, identity);
    yield {
      localUs: row.localUs,
      tsUs: row.tsUs,
      line: row.line,
      id: row.id,
      price: grid.ticks(row),
      size: grid.lots(row),
      side: row.side,
    };
  }
}

/** Without a first pass the trades file is not checked against the book file's symbol before now. */
function sameInstrument(file: string, row: Row, identity: Scan): void {
  if (row.symbol !== identity.symbol || row.exchange !== identity.exchange)
    throw rowError(
      file,
      row.line,
      `${row.exchange} ${row.symbol} is not ${identity.exchange} ${identity.symbol} of the book file: import one symbol at a time`,
    );
}

function levels(map: Map<number, number>, snapshot: boolean, descending: boolean): Level[] {
  const out: Level[] = [];
  for (const [price, size] of map) if (!snapshot || size > 0) out.push([price as Ticks, size as Lots]);
  if (snapshot) out.sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0]));
  return out;
}

type Counts = Pick<
  ImportSummary,
  | 'events'
  | 'book_events'
  | 'trade_events'
  | 'first_ts'
  | 'last_ts'
  | 'best_bid'
  | 'best_ask'
  | 'skipped_deltas'
  | 'inferred_sides'
>;

/** The two-way merge of the book and trades files in local time, written to the recording. */
async function writeEvents(
  options: TardisImportOptions,
  inst: Instrument,
  scan: Scan,
  writer: RecordingWriter,
  totalBytes: number,
): Promise<Counts> {
  const bookSrc = await openLines(options.bookFile);
  const tradeSrc =
    options.tradesFile === undefined
      ? undefined
      : await openLines(options.tradesFile).catch((err: unknown) => {
          bookSrc.close();
          throw err;
        });
  try {
    const book = new OrderBook(inst.symbol, new SimClock(0));
    const groups = bookGroups(bookSrc, inst, scan);
    const trades = tradeSrc && tradeRows(tradeSrc, inst, scan);
    let nextGroup = await groups.next();
    let nextTrade = trades ? await trades.next() : undefined;
    const counts = { book: 0, trade: 0, skipped: 0, inferred: 0, first: -1, last: -1 };
    let seq = 0;
    let lastPrice = 0;
    let lastAggressor: Side = 'buy';
    const note = (local: number) => {
      if (counts.first < 0) counts.first = local;
      counts.last = local;
      const events = counts.book + counts.trade;
      if (events % PROGRESS_EVERY === 0) {
        if (options.signal?.aborted) throw cancelled();
        const bytes = bookSrc.bytesRead() + (tradeSrc?.bytesRead() ?? 0);
        options.onProgress?.({ phase: 'import', bytes, totalBytes, events });
      }
    };
    while (!nextGroup.done || (nextTrade !== undefined && !nextTrade.done)) {
      if (
        nextTrade !== undefined &&
        !nextTrade.done &&
        (nextGroup.done || nextTrade.value.localUs <= nextGroup.value.localUs)
      ) {
        const t = nextTrade.value;
        let aggressor = t.side;
        if (aggressor === undefined) {
          aggressor = inferAggressor(book, t.price, lastPrice, lastAggressor);
          counts.inferred++;
        }
        if (t.price !== lastPrice) lastPrice = t.price;
        lastAggressor = aggressor;
        const local = Math.floor(t.localUs / 1000);
        writer.add({
          kind: 'trade',
          inst: 0,
          local,
          trade: {
            symbol: inst.symbol,
            tradeId: t.id,
            ts: Math.floor(t.tsUs / 1000),
            price: t.price,
            size: t.size,
            aggressor,
          },
        });
        counts.trade++;
        note(local);
        nextTrade = await trades!.next();
        continue;
      }
      const g = nextGroup.value as BookGroup;
      if (!g.snapshot && seq === 0) counts.skipped++;
      else {
        const message: BookMessage = {
          kind: g.snapshot ? 'snapshot' : 'delta',
          symbol: inst.symbol,
          seq: ++seq,
          ts: Math.floor(g.tsUs / 1000),
          bids: levels(g.bids, g.snapshot, true),
          asks: levels(g.asks, g.snapshot, false),
        };
        try {
          book.apply(message);
        } catch (err) {
          throw rowError(options.bookFile, g.line, err instanceof Error ? err.message : String(err));
        }
        const local = Math.floor(g.localUs / 1000);
        writer.add({ kind: 'book', inst: 0, local, message });
        counts.book++;
        note(local);
      }
      nextGroup = await groups.next();
    }
    if (counts.book === 0)
      throw new EngineError(
        'invalid_input',
        `${options.bookFile} holds no snapshot: there is no book to import`,
      );
    const bid = book.bestBid();
    const ask = book.bestAsk();
    return {
      events: counts.book + counts.trade,
      book_events: counts.book,
      trade_events: counts.trade,
      first_ts: counts.first,
      last_ts: counts.last,
      best_bid: bid === undefined ? null : formatPrice(inst, bid),
      best_ask: ask === undefined ? null : formatPrice(inst, ask),
      skipped_deltas: counts.skipped,
      inferred_sides: counts.inferred,
    };
  } finally {
    bookSrc.close();
    tradeSrc?.close();
  }
}

/** Lee-Ready: the quote rule against the mid, the tick rule at the mid or without a book. */
function inferAggressor(book: OrderBook, price: number, lastPrice: number, lastAggressor: Side): Side {
  const mid = book.mid();
  if (mid !== undefined && price !== mid) return price > mid ? 'buy' : 'sell';
  if (lastPrice > 0 && price !== lastPrice) return price > lastPrice ? 'buy' : 'sell';
  return lastAggressor;
}
