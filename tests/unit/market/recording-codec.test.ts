import { crc32 as crc } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Lots, Ticks } from '../../../engine/core/instrument.ts';
import { Rng } from '../../../engine/core/random.ts';
import type { RecordedEvent } from '../../../engine/market/recording-codec.ts';
import { ChunkEncoder, CorruptChunkError, decodeChunk } from '../../../engine/market/recording-codec.ts';
import type { Level } from '../../../engine/market/types.ts';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const lv = (p: number, s: number): Level => [p as Ticks, s as Lots];

/** A random but valid event stream: snapshots, deltas with and without prevSeq, trades; large numbers too. */
function stream(seed: number, n: number): RecordedEvent[] {
  const rng = new Rng(seed);
  const out: RecordedEvent[] = [];
  let local = 1_767_600_000_000;
  const seq = [0, 0];
  for (let i = 0; i < n; i++) {
    local += Math.floor(rng.next() * 50);
    const inst = rng.next() < 0.7 ? 0 : 1;
    const lag = Math.floor(rng.next() * 30) - 3; // a venue clock slightly ahead at times
    const r = rng.next();
    const base = inst === 0 ? 1_000_000 : 2 ** 40; // beyond 32 bits for the second instrument
    const levels = (k: number, dir: number) =>
      Array.from({ length: k }, (_, j) =>
        lv(base + dir * (j + 1) * (1 + Math.floor(rng.next() * 3)), Math.floor(rng.next() * 1e6)),
      );
    if (r < 0.05 || seq[inst] === 0) {
      seq[inst]! += 1 + Math.floor(rng.next() * 1000);
      out.push({
        kind: 'book',
        inst,
        local,
        message: {
          kind: 'snapshot',
          symbol: SYMBOLS[inst]!,
          seq: seq[inst]!,
          ts: local - lag,
          bids: levels(5, -1),
          asks: levels(5, 1),
        },
      });
    } else if (r < 0.8) {
      const prev = seq[inst]!;
      seq[inst]! += 1;
      const message =
        rng.next() < 0.5
          ? {
              kind: 'delta' as const,
              symbol: SYMBOLS[inst]!,
              seq: seq[inst]!,
              prevSeq: prev,
              ts: local - lag,
              bids: levels(2, -1),
              asks: levels(1, 1),
            }
          : {
              kind: 'delta' as const,
              symbol: SYMBOLS[inst]!,
              seq: seq[inst]!,
              ts: local - lag,
              bids: [],
              asks: [lv(base + 7, 0)],
            };
      out.push({ kind: 'book', inst, local, message });
    } else {
      out.push({
        kind: 'trade',
        inst,
        local,
        trade: {
          symbol: SYMBOLS[inst]!,
          tradeId: rng.next() < 0.5 ? String(1e12 + i) : `t-${i}-ü`,
          ts: local - lag,
          price: (base + Math.floor(rng.next() * 20) - 10) as Ticks,
          size: (1 + Math.floor(rng.next() * 500)) as Lots,
          aggressor: rng.next() < 0.5 ? 'buy' : 'sell',
        },
      });
    }
  }
  return out;
}

function roundTrip(events: RecordedEvent[]): { out: RecordedEvent[]; bytes: number } {
  const enc = new ChunkEncoder(SYMBOLS.length, 16);
  for (const e of events) enc.add(e);
  const { data, info } = enc.finish();
  expect(info.events).toBe(events.length);
  const out: RecordedEvent[] = [];
  decodeChunk(data, info, SYMBOLS, (e) => out.push(e));
  return { out, bytes: data.length };
}

describe('the recording codec', () => {
  it('gives back every event exactly, numbers past 32 bits included', () => {
    for (const seed of [1, 2, 3]) {
      const events = stream(seed, 3000);
      expect(roundTrip(events).out).toEqual(events);
    }
  });

  it('is compact: a delta of a couple of levels takes a few bytes per level', () => {
    const events = stream(9, 5000);
    const { bytes } = roundTrip(events);
    const json = JSON.stringify(events).length;
    expect(bytes * 4).toBeLessThan(json);
  });

  it('restarts its differences at each chunk, so every chunk decodes alone', () => {
    const events = stream(4, 400);
    const enc = new ChunkEncoder(2);
    for (const e of events.slice(0, 200)) enc.add(e);
    enc.finish();
    for (const e of events.slice(200)) enc.add(e);
    const second = enc.finish();
    const out: RecordedEvent[] = [];
    decodeChunk(second.data, second.info, SYMBOLS, (e) => out.push(e));
    expect(out).toEqual(events.slice(200));
    expect(second.info.firstLocal).toBe(events[200]!.local);
    expect(second.info.lastLocal).toBe(events[399]!.local);
  });

  it('refuses a damaged chunk before visiting any of its events, naming it', () => {
    const enc = new ChunkEncoder(2);
    for (const e of stream(5, 100)) enc.add(e);
    const { data, info } = enc.finish();
    const bad = data.slice();
    const at = bad.length >> 1;
    bad[at] = bad[at]! ^ 0x5a;
    let visited = 0;
    expect(() => decodeChunk(bad, info, SYMBOLS, () => visited++, 'recording x, chunk 3')).toThrow(
      /recording x, chunk 3 is corrupt: its checksum does not match/,
    );
    expect(visited).toBe(0);
    // Truncated bytes with a checksum that matches them: the parser refuses them itself.
    const cut = data.slice(0, data.length - 3);
    expect(() => decodeChunk(cut, { crc: crc(cut), events: info.events }, SYMBOLS, () => visited++)).toThrow(
      CorruptChunkError,
    );
    expect(visited).toBe(0);
  });

  it('refuses events it cannot hold, and the chunk stays usable', () => {
    const enc = new ChunkEncoder(1);
    const ok: RecordedEvent = {
      kind: 'trade',
      inst: 0,
      local: 10,
      trade: {
        symbol: 'BTCUSDT',
        tradeId: '1',
        ts: 10,
        price: 5 as Ticks,
        size: 1 as Lots,
        aggressor: 'buy',
      },
    };
    expect(() => enc.add({ ...ok, inst: 1 })).toThrow(/instrument index 1/);
    expect(() => enc.add({ ...ok, local: 1.5 })).toThrow(/local time/);
    expect(() => enc.add({ ...ok, trade: { ...ok.trade, size: -1 as Lots } })).toThrow(/cannot be encoded/);
    enc.add(ok);
    const { data, info } = enc.finish();
    const out: RecordedEvent[] = [];
    decodeChunk(data, info, ['BTCUSDT'], (e) => out.push(e));
    expect(out).toEqual([ok]);
  });
});
