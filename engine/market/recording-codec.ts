import { crc32 } from 'node:zlib';
import { EngineError } from '../core/errors.ts';
import type { Lots, Side, Ticks } from '../core/instrument.ts';
import type { BookMessage, Level, Trade } from './types.ts';

/**
 * Recorded market data: book messages and public trades of one or more instruments, each with the
 * venue's time (`message.ts`, `trade.ts`) and our local receive time (`local`), both in ms.
 */
export interface RecordedBook {
  readonly kind: 'book';
  /** Index of the instrument in the recording's instrument list. */
  readonly inst: number;
  readonly local: number;
  readonly message: BookMessage;
}

export interface RecordedTrade {
  readonly kind: 'trade';
  readonly inst: number;
  readonly local: number;
  readonly trade: Trade;
}

export type RecordedEvent = RecordedBook | RecordedTrade;

/** What a finished chunk says about itself, kept beside its bytes. */
export interface ChunkInfo {
  readonly events: number;
  readonly bookEvents: number;
  readonly tradeEvents: number;
  readonly firstLocal: number;
  readonly lastLocal: number;
  /** CRC-32 of the bytes, checked before decoding. */
  readonly crc: number;
}

/**
 * The chunk codec. A chunk is a run of events, decodable on its own (every delta restarts at the
 * chunk's start), and compact: integers only, as LEB128 varints, most of them small differences.
 *
 * Per event:
 * - tag byte: bits 0-1 the kind (0 snapshot, 1 delta, 2 trade); bit 2 a delta's prevSeq is present, or
 *   a trade's aggressor is the buyer; bits 3-7 the instrument index, 31 meaning a varint follows;
 * - local time: zigzag difference from the previous event's local time;
 * - venue time: zigzag (local − venue);
 * - a book message: seq as a zigzag difference from the instrument's previous seq in the chunk; for a
 *   delta with prevSeq, zigzag (seq − prevSeq); the bid and ask counts; each level's price as a zigzag
 *   difference from the previous price on its side (the first from the instrument's previous best
 *   price on that side), and its size in lots;
 * - a trade: price as a zigzag difference from the instrument's previous trade price, size, and the
 *   trade id as UTF-8 bytes with their length.
 * Numbers up to 2^53 are exact (the arithmetic below stays in doubles above 2^31, never bitwise).
 */
const KIND_SNAPSHOT = 0;
const KIND_DELTA = 1;
const KIND_TRADE = 2;
const FLAG = 4;
const INST_ESCAPE = 31;

interface InstState {
  seq: number;
  bid: number;
  ask: number;
  trade: number;
}

const freshStates = (n: number): InstState[] =>
  Array.from({ length: n }, () => ({ seq: 0, bid: 0, ask: 0, trade: 0 }));

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export class ChunkEncoder {
  private buf: Uint8Array;
  private len = 0;
  private states: InstState[];
  private readonly instruments: number;
  private prevLocal = 0;
  private counts = { events: 0, book: 0, trade: 0, firstLocal: 0, lastLocal: 0 };

  constructor(instruments: number, initialBytes = 64 * 1024) {
    if (!Number.isSafeInteger(instruments) || instruments < 1)
      throw new EngineError('invalid_input', `a recording needs at least one instrument, got ${instruments}`);
    this.instruments = instruments;
    this.buf = new Uint8Array(initialBytes);
    this.states = freshStates(instruments);
  }

  get events(): number {
    return this.counts.events;
  }

  get bytes(): number {
    return this.len;
  }

  add(ev: RecordedEvent): void {
    if (!Number.isSafeInteger(ev.inst) || ev.inst < 0 || ev.inst >= this.instruments)
      throw new EngineError('invalid_input', `instrument index ${ev.inst} is not in this recording`);
    if (!Number.isSafeInteger(ev.local) || ev.local < 0)
      throw new EngineError('invalid_input', `local time ${ev.local} is not a whole number of ms`);
    const st = this.states[ev.inst]!;
    // An event refused half-way (a bad number) leaves no bytes behind: the chunk stays decodable.
    const mark = this.len;
    const prevLocal = this.prevLocal;
    const saved = { ...st };
    try {
      this.write(ev, st);
    } catch (err) {
      this.len = mark;
      this.prevLocal = prevLocal;
      Object.assign(st, saved);
      throw err;
    }
    if (this.counts.events === 0) this.counts.firstLocal = ev.local;
    this.counts.lastLocal = ev.local;
    this.counts.events++;
  }

  private write(ev: RecordedEvent, st: InstState): void {
    this.reserve(32);
    const instBits = ev.inst < INST_ESCAPE ? ev.inst : INST_ESCAPE;
    if (ev.kind === 'book') {
      const m = ev.message;
      const hasPrev = m.kind === 'delta' && m.prevSeq !== undefined;
      this.byte(
        (m.kind === 'snapshot' ? KIND_SNAPSHOT : KIND_DELTA) | (hasPrev ? FLAG : 0) | (instBits << 3),
      );
      this.header(ev, m.ts);
      this.zigzag(m.seq - st.seq);
      st.seq = m.seq;
      if (hasPrev) this.zigzag(m.seq - m.prevSeq);
      this.varint(m.bids.length);
      this.varint(m.asks.length);
      st.bid = this.levels(m.bids, st.bid);
      st.ask = this.levels(m.asks, st.ask);
      this.counts.book++;
    } else {
      const t = ev.trade;
      this.byte(KIND_TRADE | (t.aggressor === 'buy' ? FLAG : 0) | (instBits << 3));
      this.header(ev, t.ts);
      this.zigzag(t.price - st.trade);
      st.trade = t.price;
      this.varint(t.size);
      const id = utf8.encode(t.tradeId);
      this.varint(id.length);
      this.reserve(id.length);
      this.buf.set(id, this.len);
      this.len += id.length;
      this.counts.trade++;
    }
  }

  /** The chunk's bytes and summary; the encoder starts a new chunk afterwards. */
  finish(): { data: Uint8Array; info: ChunkInfo } {
    const data = this.buf.slice(0, this.len);
    const info: ChunkInfo = {
      events: this.counts.events,
      bookEvents: this.counts.book,
      tradeEvents: this.counts.trade,
      firstLocal: this.counts.firstLocal,
      lastLocal: this.counts.lastLocal,
      crc: crc32(data),
    };
    this.len = 0;
    this.prevLocal = 0;
    this.states = freshStates(this.instruments);
    this.counts = { events: 0, book: 0, trade: 0, firstLocal: 0, lastLocal: 0 };
    return { data, info };
  }

  private header(ev: RecordedEvent, venueTs: number): void {
    if (ev.inst >= INST_ESCAPE) this.varint(ev.inst);
    this.zigzag(ev.local - this.prevLocal);
    this.prevLocal = ev.local;
    if (!Number.isSafeInteger(venueTs))
      throw new EngineError('invalid_input', `venue time ${venueTs} is not whole`);
    this.zigzag(ev.local - venueTs);
  }

  private levels(levels: readonly Level[], start: number): number {
    let prev = start;
    for (const [price, size] of levels) {
      this.reserve(20);
      this.zigzag(price - prev);
      this.varint(size);
      prev = price;
    }
    return levels.length > 0 ? levels[0]![0] : start;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.buf[this.len++] = b;
  }

  private zigzag(n: number): void {
    if (!Number.isSafeInteger(n)) throw new EngineError('invalid_input', `${n} is not a whole number`);
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  private varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new EngineError('invalid_input', `${v} cannot be encoded`);
    this.reserve(10);
    while (v >= 128) {
      this.buf[this.len++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }
}

/** A chunk that cannot be decoded; `where` names it (recording and chunk number) for the trader. */
export class CorruptChunkError extends EngineError {
  constructor(where: string, why: string) {
    super('invalid_input', `${where} is corrupt: ${why}`);
  }
}

/**
 * Decodes one chunk, calling `visit` for each event in order. `symbols` names the recording's
 * instruments by index. The CRC is checked first, so a damaged chunk is refused before any event of
 * it reaches the caller; a chunk that passes the CRC but does not parse is refused too.
 */
export function decodeChunk(
  data: Uint8Array,
  info: Pick<ChunkInfo, 'crc' | 'events'>,
  symbols: readonly string[],
  visit: (ev: RecordedEvent) => void,
  where = 'chunk',
): void {
  for (const ev of decodeChunkEvents(data, info, symbols, where)) visit(ev);
}

/** The same checks as decodeChunk; the chunk's events as one array, for a caller that keeps them. */
export function decodeChunkEvents(
  data: Uint8Array,
  info: Pick<ChunkInfo, 'crc' | 'events'>,
  symbols: readonly string[],
  where = 'chunk',
): RecordedEvent[] {
  if (crc32(data) !== info.crc) throw new CorruptChunkError(where, 'its checksum does not match');
  const events = decodeAll(data, symbols, where);
  if (events.length !== info.events)
    throw new CorruptChunkError(where, `it holds ${events.length} events, its index says ${info.events}`);
  return events;
}

/**
 * Hot path of a replay: a hand-written reader over the bytes. Decoding the whole chunk before the
 * first visit keeps a half-decoded chunk from ever reaching the caller.
 */
function decodeAll(data: Uint8Array, symbols: readonly string[], where: string): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  const states = freshStates(symbols.length);
  let pos = 0;
  let prevLocal = 0;
  const fail = (why: string): never => {
    throw new CorruptChunkError(where, `${why} at byte ${pos}`);
  };
  const varint = (): number => {
    let b = data[pos++];
    if (b === undefined) return fail('it ends inside a number');
    if (b < 128) return b;
    let v = b & 127;
    let mul = 128;
    for (;;) {
      b = data[pos++];
      if (b === undefined) return fail('it ends inside a number');
      v += (b & 127) * mul;
      if (b < 128) break;
      mul *= 128;
      if (mul > 2 ** 56) return fail('a number is too long');
    }
    return v;
  };
  const zigzag = (): number => {
    const z = varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  };
  const levels = (n: number, start: number): Level[] => {
    const list: Level[] = new Array<Level>(n);
    let prev = start;
    for (let i = 0; i < n; i++) {
      prev += zigzag();
      const size = varint();
      if (prev <= 0) fail(`a price of ${prev} ticks`);
      list[i] = [prev as Ticks, size as Lots];
    }
    return list;
  };
  while (pos < data.length) {
    const tag = data[pos++]!;
    const kind = tag & 3;
    let inst = tag >> 3;
    if (inst === INST_ESCAPE) inst = varint();
    const st = states[inst];
    const symbol = symbols[inst];
    if (st === undefined || symbol === undefined) return fail(`instrument ${inst} is not in the recording`);
    const local = prevLocal + zigzag();
    prevLocal = local;
    const ts = local - zigzag();
    if (kind === KIND_SNAPSHOT || kind === KIND_DELTA) {
      const seq = st.seq + zigzag();
      st.seq = seq;
      const prevSeq = tag & FLAG ? seq - zigzag() : undefined;
      const nb = varint();
      const na = varint();
      if (nb + na > data.length) fail(`${nb + na} levels cannot fit`);
      const bids = levels(nb, st.bid);
      const asks = levels(na, st.ask);
      if (nb > 0) st.bid = bids[0]![0];
      if (na > 0) st.ask = asks[0]![0];
      const message: BookMessage =
        kind === KIND_SNAPSHOT
          ? { kind: 'snapshot', symbol, seq, ts, bids, asks }
          : prevSeq === undefined
            ? { kind: 'delta', symbol, seq, ts, bids, asks }
            : { kind: 'delta', symbol, seq, prevSeq, ts, bids, asks };
      out.push({ kind: 'book', inst, local, message });
    } else if (kind === KIND_TRADE) {
      const price = st.trade + zigzag();
      st.trade = price;
      const size = varint();
      const idLen = varint();
      if (price <= 0) fail(`a trade price of ${price} ticks`);
      if (pos + idLen > data.length) fail('it ends inside a trade id');
      let tradeId: string;
      try {
        tradeId = fromUtf8.decode(data.subarray(pos, pos + idLen));
      } catch {
        return fail('a trade id is not UTF-8');
      }
      pos += idLen;
      const aggressor: Side = tag & FLAG ? 'buy' : 'sell';
      out.push({
        kind: 'trade',
        inst,
        local,
        trade: { symbol, tradeId, ts, price: price as Ticks, size: size as Lots, aggressor },
      });
    } else fail(`unknown event kind ${kind}`);
  }
  return out;
}
