import { describe, expect, it } from 'vitest';
import {
  defineInstrument,
  stepsFromBytes,
  stepsFromText,
  type Instrument,
} from '../../../../engine/core/instrument.ts';
import { depthUpdateFromPush, type DepthUpdate } from '../../../../engine/venues/mexc/messages.ts';
import { decodePush, encodePush } from '../../../../engine/venues/mexc/proto/codec.ts';
import {
  DepthFrameScanner,
  depthUpdateFromFrame,
} from '../../../../engine/venues/mexc/proto/depth-decoder.ts';
import { btc, hex, VECTORS } from './ws-helpers.ts';

const DEPTH = 'spot@public.aggre.depth.v3.api.pb@10ms@BTCUSDT';
const DEALS = 'spot@public.aggre.deals.v3.api.pb@10ms@BTCUSDT';
const RECEIVED_AT = 4242;

// ---- the two paths ------------------------------------------------------------------------------

type General = { ok: DepthUpdate } | { refused: string } | { channel: string };

/** What MexcPublicStream did before the fast path: decodePush, the route, depthUpdateFromPush. */
function general(bytes: Uint8Array, inst: Instrument, channel: string): General {
  let push;
  try {
    push = decodePush(bytes);
  } catch (err) {
    return { refused: `decode: ${(err as Error).message}` };
  }
  if (push.channel !== channel) return { channel: push.channel };
  try {
    return { ok: depthUpdateFromPush(inst, push, RECEIVED_AT) };
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

/** The fast path as the stream runs it: null is "take the general path". */
function fast(scanner: DepthFrameScanner, bytes: Uint8Array, inst: Instrument, channel: string) {
  const frame = scanner.scan(bytes);
  if (frame === null || frame.channel !== channel) return null;
  return depthUpdateFromFrame(inst, frame, RECEIVED_AT);
}

interface Tally {
  fast: number;
  general: number;
  generalOk: number;
  refused: number;
}

/**
 * Both paths on one frame. Where the fast path answers, the general path must have accepted the
 * frame with exactly that update; where it declines, the stream takes the general path, so what the
 * stream does is the general path's result on every frame.
 */
function compare(scanner: DepthFrameScanner, bytes: Uint8Array, tally: Tally, inst: Instrument = btc): void {
  const g = general(bytes, inst, DEPTH);
  const f = fast(scanner, bytes, inst, DEPTH);
  if ('ok' in g) tally.generalOk++;
  if ('refused' in g) tally.refused++;
  if (f === null) {
    tally.general++;
    return;
  }
  tally.fast++;
  if (!('ok' in g) || JSON.stringify(g.ok) !== JSON.stringify(f))
    expect({ frame: Buffer.from(bytes).toString('hex'), general: g }).toEqual({
      frame: Buffer.from(bytes).toString('hex'),
      general: { ok: f },
    });
}

const tally = (): Tally => ({ fast: 0, general: 0, generalOk: 0, refused: 0 });

// ---- a protobuf writer that can also write what protobufjs never would --------------------------

function varint(value: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
}

/** A varint padded to `bytes` bytes with continuation bits (a valid but overlong encoding). */
function paddedVarint(value: number, bytes: number): number[] {
  const out = varint(value);
  while (out.length < bytes) {
    out[out.length - 1]! |= 0x80;
    out.push(0);
  }
  return out;
}

const utf8 = (s: string): number[] => [...Buffer.from(s, 'utf8')];
const tag = (field: number, wireType: number): number[] => varint(field * 8 + wireType);
const len = (field: number, body: number[]): number[] => [...tag(field, 2), ...varint(body.length), ...body];
const str = (field: number, s: string): number[] => len(field, utf8(s));
const int = (field: number, v: bigint | number): number[] => [...tag(field, 0), ...varint(v)];

/** mulberry32: a seeded generator, so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  readonly random: () => number;
  constructor(seed: number) {
    this.random = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(10));
    return s;
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }
}

/** A price as MEXC writes it (2 decimals for BTCUSDT), or, with `odd`, one of the unusual forms. */
function priceText(g: Gen, odd: number, cents = (): string => g.digits(2)): string {
  const plain = `${1 + g.int(200_000)}.${cents()}`;
  if (!g.chance(odd)) return plain;
  return g.pick([
    `${1 + g.int(99_999)}`, // no point
    `${1 + g.int(99_999)}.${g.digits(1)}`,
    `${plain}000`, // trailing zeros past the tick
    `${1 + g.int(99_999)}.${g.digits(2)}1`, // off the grid
    `${1 + g.int(9)}.${g.digits(2)}e4`, // exponent
    `-${plain}`,
    '0',
    '0.00',
    '',
    `.${g.digits(2)}`,
    `${g.int(999)}.`,
    `00${plain}`, // leading zeros
    `${g.digits(17)}.00`, // past 2^53 ticks
    `${g.digits(14)}.${g.digits(2)}`, // near 2^53
    `9${g.digits(40)}`, // over 32 characters
    `92877.5８`, // non-ASCII digit
    '+100.00',
    ' 100.00',
    'NaN',
    '1_000.00',
  ]);
}

function sizeText(g: Gen, odd: number, fraction = (): string => g.digits(8)): string {
  const plain = `${g.int(50)}.${fraction()}`;
  if (!g.chance(odd)) return g.chance(0.2) ? g.pick(['0', '0.00000000']) : plain;
  return g.pick([
    `${g.int(1000)}`,
    `${g.int(9)}.${g.digits(3)}`,
    `${g.int(9)}.${g.digits(9)}`, // one digit past the lot
    `${g.int(9)}.${g.digits(8)}0000`, // zeros past the lot
    '0.000000001',
    '-0',
    '-0.00000000',
    '1e-8',
    '',
    `${g.digits(9)}.${g.digits(8)}`, // near 2^53 lots
    `${g.digits(12)}.${g.digits(8)}`, // past 2^53 lots
    '.5',
    '5.',
    '0x10',
  ]);
}

function versionText(g: Gen, base: number, odd: number): string {
  if (!g.chance(odd)) return String(base);
  return g.pick(['', '0', `00${base}`, '1e3', `-${base}`, g.digits(16), g.digits(17), `${base} `, '٣']);
}

/** An unknown field of any wire type (a group, or an invalid wire type, only with `bad`). */
function unknownField(g: Gen, bad: boolean): number[] {
  const field = g.pick([2, 7, 9, 15, 16, 100, 200, 2047, 100_000, 400]);
  const kind = g.int(bad ? 7 : 4);
  switch (kind) {
    case 0:
      return int(field, g.chance(0.5) ? g.int(1000) : -1);
    case 1:
      return [...tag(field, 1), ...Array.from({ length: 8 }, () => g.int(256))];
    case 2:
      return len(
        field,
        Array.from({ length: g.int(12) }, () => g.int(256)),
      );
    case 3:
      return [...tag(field, 5), 1, 2, 3, 4];
    case 4:
      return [...tag(field, 3), ...int(1, 5), ...tag(field, 4)]; // a group
    case 5:
      return [...tag(field, 6), 0];
    default:
      return [...tag(field, 7), 0];
  }
}

interface FrameOptions {
  /** Chance of each unusual choice (0: only what MEXC sends). */
  odd: number;
  maxLevels: number;
  /** The digits after the point of a plain price / size (default: BTCUSDT's 2 and 8). */
  cents?: () => string;
  fraction?: () => string;
}

/** A depth push, its fields in any order, with what `odd` allows of the unusual. */
function depthFrame(g: Gen, options: FrameOptions): Uint8Array {
  const { odd } = options;
  const item = (): number[] => {
    const parts = [str(1, priceText(g, odd, options.cents)), str(2, sizeText(g, odd, options.fraction))];
    if (g.chance(odd)) parts.push(unknownField(g, false));
    if (g.chance(odd / 4)) parts.push(str(1, priceText(g, odd))); // a second price: the last counts
    if (g.chance(odd / 4)) parts.pop(); // a missing field
    if (g.chance(odd / 8)) parts.push(int(2, 5)); // quantity as a varint
    return (g.chance(odd) ? g.shuffle(parts) : parts).flat();
  };
  const from = 1 + g.int(1e11);
  const to = from + (g.chance(odd / 2) ? -1 : g.int(5));
  const body: number[][] = [];
  const asks = g.int(options.maxLevels + 1);
  const bids = g.int(options.maxLevels + 1);
  for (let i = 0; i < asks; i++) body.push(len(1, item()));
  for (let i = 0; i < bids; i++) body.push(len(2, item()));
  body.push(str(3, 'spot@public.aggre.depth.v3.api.pb@10ms'));
  body.push(str(4, versionText(g, from, odd)));
  body.push(str(5, versionText(g, to, odd)));
  if (g.chance(0.3)) body.push(int(6, 1736411507000 + g.int(1000)));
  if (g.chance(odd)) body.push(unknownField(g, g.chance(0.2)));
  if (g.chance(odd / 4)) body.push(str(4, String(from))); // a second fromVersion
  if (g.chance(odd / 8)) body.push(int(5, to)); // toVersion as a varint
  if (g.chance(odd / 8)) body.push([...tag(1, 0), 3]); // asks as a varint
  if (g.chance(odd)) g.shuffle(body);

  const channel = g.chance(odd / 2)
    ? g.pick(['', DEALS, 'spot@public.aggre.depth.v3.api.pb@10ms@ETHUSDT', `${DEPTH}é`, DEPTH.slice(1)])
    : DEPTH;
  const wrapper: number[][] = [str(1, channel), len(313, body.flat())];
  if (!g.chance(odd)) wrapper.push(str(3, 'BTCUSDT'));
  else if (g.chance(0.5)) wrapper.push(str(3, g.pick(['', 'ETHUSDT', 'BTCUSDTX', 'btcusdt', 'BTCUSDÉ'])));
  const sendTime = 1736411507002 + g.int(100_000);
  if (!g.chance(odd)) wrapper.push(int(6, sendTime));
  else
    wrapper.push(
      g.pick([
        int(6, 0),
        int(6, 2n ** 60n),
        int(6, -1),
        int(6, 2n ** 53n + 1n),
        [...tag(6, 0), ...paddedVarint(sendTime, 8)],
        [...tag(6, 0), ...paddedVarint(sendTime, 11)],
        [...tag(6, 2), ...varint(1), 7],
        [],
      ]),
    );
  if (g.chance(0.3)) wrapper.push(int(5, sendTime - 1));
  if (g.chance(0.3)) wrapper.push(str(4, 'c0ffee'));
  if (g.chance(odd)) wrapper.push(unknownField(g, g.chance(0.2)));
  if (g.chance(odd / 4)) wrapper.push(str(1, DEPTH)); // a second channel: the last counts
  if (g.chance(odd / 8)) wrapper.push(len(313, body.flat())); // a second depth body
  if (g.chance(odd / 8)) wrapper.push(len(314, [])); // a second body of another kind
  if (g.chance(odd / 8)) wrapper.push([...tag(1, 0), 1]); // the channel as a varint
  if (g.chance(odd / 8)) wrapper.push([...paddedVarint(313 * 8 + 2, 6), 0]); // a six-byte tag
  if (g.chance(odd)) g.shuffle(wrapper);
  return Uint8Array.from(wrapper.flat());
}

// ---- tests --------------------------------------------------------------------------------------

describe('MEXC depth fast path', () => {
  it('reads the doc test vector as the general path does', () => {
    const bytes = hex(VECTORS.depth);
    const channel = 'spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT';
    const update = fast(new DepthFrameScanner(), bytes, btc, channel);
    expect(update).toEqual({
      symbol: 'BTCUSDT',
      fromVersion: 10589632359,
      toVersion: 10589632359,
      ts: 1736411507002,
      bids: [[9287758, 0]],
      asks: [],
    });
    expect(general(bytes, btc, channel)).toEqual({ ok: update });
  });

  it('declines every truncation of the test vector, each of which the general path refuses', () => {
    const bytes = hex(VECTORS.depth);
    const channel = 'spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT';
    const scanner = new DepthFrameScanner();
    for (let cut = 0; cut < bytes.length; cut++) {
      const part = bytes.subarray(0, cut);
      expect(fast(scanner, part, btc, channel), `cut at ${cut}`).toBeNull();
      expect(general(part, btc, channel), `cut at ${cut}`).toHaveProperty('refused');
    }
  });

  it('gives what the general path gives for frames as MEXC sends them, many levels included', () => {
    const g = new Gen(1);
    const scanner = new DepthFrameScanner();
    const t = tally();
    for (let i = 0; i < 600; i++)
      compare(scanner, depthFrame(g, { odd: 0, maxLevels: i < 20 ? 300 : 30 }), t);
    // Every one of them is taken by the fast path: it is the path the stream's pushes take.
    expect(t).toEqual({ fast: 600, general: 0, generalOk: 600, refused: 0 });
  });

  it('gives the same as the general path for frames built by encodePush', () => {
    const g = new Gen(2);
    const scanner = new DepthFrameScanner();
    const t = tally();
    for (let i = 0; i < 300; i++) {
      const level = () => ({ price: priceText(g, 0.1), quantity: sizeText(g, 0.1) });
      const bytes = encodePush({
        channel: DEPTH,
        symbol: g.chance(0.5) ? 'BTCUSDT' : null,
        sendTime: g.chance(0.8) ? 1736411507002 + i : null,
        publicAggreDepths: {
          asks: Array.from({ length: g.int(20) }, level),
          bids: Array.from({ length: g.int(20) }, level),
          eventType: 'spot@public.aggre.depth.v3.api.pb@10ms',
          fromVersion: String(1000 + i),
          toVersion: String(1002 + i),
          lastOrderCreateTime: g.chance(0.5) ? 1736411507000 : 0,
        },
      });
      compare(scanner, bytes, t);
    }
    expect(t.fast).toBeGreaterThan(20);
    expect(t.refused).toBeGreaterThan(20);
  });

  it('never answers otherwise than the general path on unusual frames: odd fields, orders, numbers', () => {
    const g = new Gen(3);
    const scanner = new DepthFrameScanner();
    const t = tally();
    for (let i = 0; i < 4000; i++)
      compare(scanner, depthFrame(g, { odd: i % 2 === 0 ? 0.05 : 0.2, maxLevels: 8 }), t);
    // Both kinds are well represented: frames the fast path takes, and frames it leaves.
    expect(t.fast).toBeGreaterThan(400);
    expect(t.general).toBeGreaterThan(400);
    expect(t.refused).toBeGreaterThan(400);
    // Some frames it leaves are good ones (an exponent, a 16-digit version): the general path takes them.
    expect(t.generalOk - t.fast).toBeGreaterThan(20);
  });

  it('never answers otherwise than the general path on a frame cut at any byte or with a byte changed', () => {
    const g = new Gen(4);
    const scanner = new DepthFrameScanner();
    const t = tally();
    for (let i = 0; i < 60; i++) {
      const bytes = depthFrame(g, { odd: i % 3 === 0 ? 0.15 : 0, maxLevels: 6 });
      for (let cut = 0; cut < bytes.length; cut++) compare(scanner, bytes.subarray(0, cut), t);
      for (let k = 0; k < 40; k++) {
        const changed = Uint8Array.from(bytes);
        changed[g.int(changed.length)] = g.int(256);
        compare(scanner, changed, t);
      }
    }
    expect(t.refused).toBeGreaterThan(1000);
  });

  it('reads a Buffer the same as a plain view of it (a Buffer reader would clip a truncated string)', () => {
    const g = new Gen(5);
    const scanner = new DepthFrameScanner();
    const bytes = depthFrame(g, { odd: 0, maxLevels: 5 });
    const buffer = Buffer.from(bytes);
    expect(fast(scanner, buffer, btc, DEPTH)).toEqual(fast(scanner, bytes, btc, DEPTH));
    expect(fast(scanner, buffer.subarray(0, buffer.length - 1), btc, DEPTH)).toBeNull();
  });

  it('leaves other pushes to decodePush', () => {
    const scanner = new DepthFrameScanner();
    expect(scanner.scan(hex(VECTORS.trade))).toBeNull();
    expect(scanner.scan(hex(VECTORS.order))).toBeNull();
    expect(scanner.scan(new Uint8Array(0))).toBeNull();
  });

  it('gives the same string for a channel seen before, and still tells channels apart past its memory', () => {
    const scanner = new DepthFrameScanner();
    const frameOn = (channel: string) =>
      Uint8Array.from([...str(1, channel), ...len(313, [...str(4, '1'), ...str(5, '1')])]);
    const first = scanner.scan(frameOn(DEPTH))?.channel;
    expect(first).toBe(DEPTH);
    for (let i = 0; i < 100; i++) expect(scanner.scan(frameOn(`${DEPTH}${i}`))?.channel).toBe(`${DEPTH}${i}`);
    expect(scanner.scan(frameOn(DEPTH))?.channel).toBe(DEPTH);
    expect(scanner.scan(frameOn(`${DEPTH}é`))).toBeNull();
  });

  it('follows the instrument grid: other decimals, a tick that is not a power of ten', () => {
    const quarter = defineInstrument({
      symbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      tickSize: '0.25',
      lotSize: '0.001',
      minSize: '0.001',
      minNotional: '1',
      makerFee: '0',
      takerFee: '0',
    });
    const g = new Gen(6);
    const scanner = new DepthFrameScanner();
    const t = tally();
    const onGrid = {
      cents: () => g.pick(['00', '25', '50', '75', '5', '0']),
      fraction: () => g.digits(3),
    };
    for (let i = 0; i < 1500; i++)
      compare(scanner, depthFrame(g, { odd: i % 2 === 0 ? 0 : 0.1, maxLevels: 6, ...onGrid }), t, quarter);
    // Most of the odd frames' unusual texts (2 price decimals and a stray digit, 9 size decimals)
    // are off this grid: refused alike by both paths.
    expect(t.fast).toBeGreaterThan(750);
    expect(t.refused).toBeGreaterThan(400);
  });
});

describe('stepsFromBytes', () => {
  it('agrees with stepsFromText on every text', () => {
    const g = new Gen(7);
    const alphabet = ['0', '1', '2', '5', '7', '9', '.', '.', '.', '.', 'e', '-', '+', ' ', 'é'];
    for (let i = 0; i < 20_000; i++) {
      const text =
        i % 2 === 0
          ? i % 4 === 0
            ? priceText(g, 0.5)
            : sizeText(g, 0.5)
          : Array.from({ length: g.int(20) }, () => g.pick(alphabet)).join('');
      const bytes = Uint8Array.from(Buffer.from(text, 'utf8'));
      const decimals = g.int(17);
      const scaled = g.pick([0, 1, 1, 5, 25, 100, 3]);
      expect(stepsFromBytes(bytes, 0, bytes.length, decimals, scaled), text).toBe(
        stepsFromText(text, decimals, scaled),
      );
    }
  });

  it('reads only its own slice', () => {
    const bytes = Uint8Array.from(Buffer.from('x12.34y', 'latin1'));
    expect(stepsFromBytes(bytes, 1, 6, 2, 1)).toBe(1234);
    expect(stepsFromBytes(bytes, 1, 7, 2, 1)).toBe(-1);
  });
});
