import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import type { RecordedEvent } from '../../../engine/market/recording-codec.ts';
import { OrderBook } from '../../../engine/market/order-book.ts';
import { MarketRecorder } from '../../../engine/store/recorder.ts';
import { RecordingStore, recordingsFile } from '../../../engine/store/recordings.ts';
import { createDefaultSim, defaultSimInstruments } from '../../../engine/venues/sim/index.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'mmws-rec-'));

/** Records `seconds` of the embedded simulator's BTCUSDT feed; returns what a listener saw live. */
async function recordSim(store: RecordingStore, name: string, seconds: number, maxBytes?: number) {
  const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
  const sim = createDefaultSim(clock, 3);
  const connected = sim.connect();
  while (sim.connectionState() !== 'connected') clock.advance(1);
  await connected;
  const spec = defaultSimInstruments()[0]!.spec;
  const live: string[] = [];
  const liveBook = new OrderBook(spec.symbol, clock);
  sim.subscribeMarket(spec.symbol, {
    onBook: (m) => {
      liveBook.apply(m);
      live.push(`${m.kind}:${m.seq}`);
    },
    onTrade: (t) => live.push(`trade:${t.tradeId}`),
  });
  const recorder = new MarketRecorder({
    store,
    market: sim,
    clock,
    venue: 'sim',
    name,
    instruments: [spec],
    ...(maxBytes === undefined ? {} : { maxBytes }),
  });
  recorder.start();
  const end = clock.now() + seconds * 1000;
  while (clock.now() < end) clock.advance(50);
  const status = recorder.status();
  const parts = recorder.stop();
  await sim.disconnect();
  return { live, liveBook, parts, status, spec };
}

describe('recordings', () => {
  it('records a feed and replays every event in order, with both times', async () => {
    const dir = tmp();
    const store = new RecordingStore(recordingsFile(dir));
    const { live, liveBook, parts, status } = await recordSim(store, 'btc-a', 60);
    expect(parts).toHaveLength(1);
    const info = parts[0]!;
    expect(info.status).toBe('complete');
    expect(info.events).toBe(status.events);
    expect(info.events).toBeGreaterThan(1000);
    expect(info.bookEvents + info.tradeEvents).toBe(info.events);
    expect(info.chunks).toBeGreaterThan(0);
    const seen: string[] = [];
    const replayBook = new OrderBook('BTCUSDT', new SimClock());
    let lastLocal = 0;
    store.replay('btc-a', (e: RecordedEvent) => {
      expect(e.local).toBeGreaterThanOrEqual(lastLocal);
      lastLocal = e.local;
      if (e.kind === 'book') {
        replayBook.apply(e.message);
        seen.push(`${e.message.kind}:${e.message.seq}`);
      } else seen.push(`trade:${e.trade.tradeId}`);
    });
    // The recorder subscribed after the live listener: it saw the same stream from its own snapshot on.
    const from = live.lastIndexOf(seen[0]!);
    expect(seen).toEqual(live.slice(from));
    expect(replayBook.levels('buy', 10)).toEqual(liveBook.levels('buy', 10));
    expect(replayBook.levels('sell', 10)).toEqual(liveBook.levels('sell', 10));
    expect(store.list().map((r) => r.name)).toEqual(['btc-a']);
    store.close();
  });

  it('rotates into parts that each start from a snapshot and replay on their own', async () => {
    const store = new RecordingStore(recordingsFile(tmp()));
    const { parts, liveBook } = await recordSim(store, 'btc-r', 120, 64 * 1024);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.name).slice(0, 3)).toEqual(
      ['btc-r', 'btc-r.2', 'btc-r.3'].slice(0, Math.min(3, parts.length)),
    );
    for (const p of parts) {
      const book = new OrderBook('BTCUSDT', new SimClock());
      let first = true;
      store.replay(p.name, (e) => {
        if (first) expect(e.kind === 'book' && e.message.kind === 'snapshot').toBe(true);
        first = false;
        if (e.kind === 'book') expect(book.apply(e.message)).toBe('ok');
      });
      if (p === parts[parts.length - 1]) expect(book.levels('buy', 5)).toEqual(liveBook.levels('buy', 5));
    }
    store.close();
  });

  it('refuses a corrupt chunk by name and leaves the other recordings intact; delete removes one', async () => {
    const dir = tmp();
    const file = recordingsFile(dir);
    const store = new RecordingStore(file);
    await recordSim(store, 'good', 20);
    await recordSim(store, 'bad', 20);
    store.close();
    const db = new Database(file);
    db.prepare(
      "UPDATE recording_chunks SET data = zeroblob(length(data)) WHERE seq = 0 AND recording_id = (SELECT id FROM recordings WHERE name = 'bad')",
    ).run();
    db.close();
    const again = new RecordingStore(file);
    let visited = 0;
    expect(() => again.replay('bad', () => visited++)).toThrow(/recording bad, chunk 0 is corrupt/);
    expect(visited).toBe(0);
    let good = 0;
    again.replay('good', () => good++);
    expect(good).toBe(again.get('good')!.events);
    expect(() => again.create('good', 'sim', again.get('good')!.instruments, 0)).toThrow(/already exists/);
    expect(() => again.create('no/slash', 'sim', again.get('good')!.instruments, 0)).toThrow(/not valid/);
    expect(again.delete('bad')).toBe(true);
    expect(again.delete('bad')).toBe(false);
    expect(again.list().map((r) => r.name)).toEqual(['good']);
    again.close();
  });
});
