/**
 * Recording market data from the workstation: the recording.* and recordings.* commands through the
 * engine facade, on a TradingApp running the embedded simulator on a simulated clock.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandName, RecordingSummary, Response } from '../../../engine/api/contract.ts';
import type { RecordedEvent } from '../../../engine/market/recording-codec.ts';
import { RecordingStore, recordingsFile } from '../../../engine/store/recordings.ts';
import { drive, run, startSimEngine } from '../trading/harness.ts';

type Sim = Awaited<ReturnType<typeof startSimEngine>>;

async function call(sim: Sim, name: CommandName, input: object): Promise<Response<unknown>> {
  return drive(sim.clock, sim.engine.invoke(name, input));
}

/** The value of an accepted command; fails the test with the engine's message otherwise. */
async function ok<T>(sim: Sim, name: CommandName, input: object): Promise<T> {
  const r = await call(sim, name, input);
  if (!r.ok) throw new Error(`${name} refused: ${r.error.message}`);
  return r.value as T;
}

async function list(sim: Sim): Promise<RecordingSummary[]> {
  return (await ok<{ recordings: RecordingSummary[] }>(sim, 'recordings.list', {})).recordings;
}

/** Every event of a stored recording, by counting a replay of it. */
function replayed(dataDir: string, name: string): { book: number; trade: number } {
  const store = new RecordingStore(recordingsFile(dataDir), { readonly: true });
  const counts = { book: 0, trade: 0 };
  try {
    store.replay(name, (e: RecordedEvent) => counts[e.kind]++);
  } finally {
    store.close();
  }
  return counts;
}

const tmp = () => mkdtempSync(join(tmpdir(), 'mmws-rec-app-'));

describe('recording from the workstation', () => {
  it('records every instrument the session trades, shows it live, stops, lists and deletes it', async () => {
    const sim = await startSimEngine(21, tmp());
    await run(sim.clock, 1_000, 5);
    // Nothing recorded yet: the list is empty and the database is not created just to say so.
    expect(await list(sim)).toEqual([]);
    expect(existsSync(recordingsFile(sim.dataDir))).toBe(false);
    expect(sim.state().recording).toBeNull();

    const started = await ok<{ recording: { name: string; parts: string[]; since: number } }>(
      sim,
      'recording.start',
      { name: 'sim-20260105-0900' },
    );
    expect(started.recording).toMatchObject({ name: 'sim-20260105-0900', parts: ['sim-20260105-0900'] });
    await run(sim.clock, 500, 5);
    const early = sim.state().recording;
    expect(early).toMatchObject({ name: 'sim-20260105-0900', parts: ['sim-20260105-0900'] });
    expect(early!.since).toBe(started.recording.since);
    expect(early!.events).toBeGreaterThan(0);
    await run(sim.clock, 20_000, 5);
    const later = sim.state().recording!;
    // The header's counters grow as the market moves (the chunk being filled included).
    expect(later.events).toBeGreaterThan(early!.events);
    expect(later.bytes).toBeGreaterThan(early!.bytes);

    const stopped = await ok<{ parts: RecordingSummary[] }>(sim, 'recording.stop', {});
    expect(stopped.parts).toHaveLength(1);
    const part = stopped.parts[0]!;
    expect(part).toMatchObject({
      name: 'sim-20260105-0900',
      venue: 'sim',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      status: 'complete',
    });
    expect(part.events).toBeGreaterThanOrEqual(later.events);
    expect(part.bookEvents + part.tradeEvents).toBe(part.events);
    expect(part.tradeEvents).toBeGreaterThan(0);
    expect(part.bytes).toBeGreaterThan(0);
    expect(part.spanMs).toBeGreaterThan(19_000);
    expect(part.spanMs).toBe(part.lastLocal! - part.firstLocal!);
    await run(sim.clock, 100, 5);
    expect(sim.state().recording).toBeNull();

    expect(await list(sim)).toEqual([part]);
    const counts = replayed(sim.dataDir, part.name);
    expect(counts).toEqual({ book: part.bookEvents, trade: part.tradeEvents });

    expect(await ok(sim, 'recordings.delete', { name: part.name })).toMatchObject({ name: part.name });
    expect(await list(sim)).toEqual([]);
    await drive(sim.clock, sim.engine.stop());
  }, 60_000);

  it('records only the symbols named, with the node instrument specs', async () => {
    const sim = await startSimEngine(22, tmp());
    await run(sim.clock, 500, 5);
    await ok(sim, 'recording.start', { name: 'eth-only', symbols: ['ETHUSDT', 'ETHUSDT'] });
    await run(sim.clock, 5_000, 5);
    const { parts } = await ok<{ parts: RecordingSummary[] }>(sim, 'recording.stop', {});
    expect(parts.map((p) => p.symbols)).toEqual([['ETHUSDT']]);
    const store = new RecordingStore(recordingsFile(sim.dataDir), { readonly: true });
    expect(store.get('eth-only')?.instruments).toEqual([sim.desk('ETHUSDT').instrument.spec]);
    store.close();
    await drive(sim.clock, sim.engine.stop());
  }, 60_000);

  it('refuses what it cannot do with a clear error, and keeps the recording running', async () => {
    const sim = await startSimEngine(23, tmp());
    await run(sim.clock, 500, 5);
    const refusals: [CommandName, object, string, RegExp][] = [
      ['recording.start', { name: 'bad name!' }, 'invalid_input', /use 1-64 letters, digits/],
      ['recording.start', { name: '' }, 'invalid_input', /is not valid/],
      ['recording.start', { name: 'x'.repeat(61) }, 'invalid_input', /at most 60 characters/],
      ['recording.start', { name: 'a', symbols: ['DOGEUSDT'] }, 'invalid_input', /DOGEUSDT is not traded/],
      ['recording.start', { name: 'a', symbols: ['btcusdt'] }, 'invalid_input', /symbols\.0/],
      ['recording.start', { name: 'a', extra: 1 }, 'invalid_input', /extra/],
      ['recording.stop', {}, 'conflict', /no recording is running/],
      ['recordings.delete', { name: 'nothing' }, 'not_found', /no recording named nothing/],
    ];
    for (const [name, input, code, message] of refusals) {
      const r = await call(sim, name, input);
      expect(r, `${name} ${JSON.stringify(input)}`).toMatchObject({ ok: false, error: { code } });
      if (!r.ok) expect(r.error.message).toMatch(message);
    }
    expect(await list(sim)).toEqual([]);

    await ok(sim, 'recording.start', { name: 'first' });
    await run(sim.clock, 1_000, 5);
    const second = await call(sim, 'recording.start', { name: 'second' });
    expect(second).toMatchObject({ ok: false, error: { code: 'conflict' } });
    if (!second.ok) expect(second.error.message).toMatch(/recording first is running: stop it/);
    const del = await call(sim, 'recordings.delete', { name: 'first' });
    expect(del).toMatchObject({ ok: false, error: { code: 'conflict' } });
    if (!del.ok) expect(del.error.message).toMatch(/first is being written/);
    expect(sim.state().recording?.name).toBe('first');
    await run(sim.clock, 1_000, 5);
    await ok(sim, 'recording.stop', {});

    // A name is used once; so is a name a later part of the new recording would take.
    const again = await call(sim, 'recording.start', { name: 'first' });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
    if (!again.ok) expect(again.error.message).toMatch(/a recording named first already exists/);
    await ok(sim, 'recording.start', { name: 'first.2' });
    await ok(sim, 'recording.stop', {});
    const prefix = await call(sim, 'recording.start', { name: 'first' });
    expect(prefix).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect((await list(sim)).map((r) => r.name).sort()).toEqual(['first', 'first.2']);
    await drive(sim.clock, sim.engine.stop());
  }, 60_000);

  it('continues in parts at the size limit; a finished part can be deleted, the current one cannot', async () => {
    const sim = await startSimEngine(24, tmp(), { recordingPartBytes: 64 * 1024 });
    await run(sim.clock, 500, 5);
    await ok(sim, 'recording.start', { name: 'long', symbols: ['BTCUSDT'] });
    while ((sim.state().recording?.parts.length ?? 0) < 3) await run(sim.clock, 2_000, 5);
    const live = sim.state().recording!;
    expect(live.parts.slice(0, 3)).toEqual(['long', 'long.2', 'long.3']);
    const current = live.parts[live.parts.length - 1]!;
    const refused = await call(sim, 'recordings.delete', { name: current });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await ok(sim, 'recordings.delete', { name: 'long' });
    const { parts } = await ok<{ parts: RecordingSummary[] }>(sim, 'recording.stop', {});
    // The deleted part is gone from the answer; every other part is complete and replays on its own.
    expect(parts.map((p) => p.name)).toEqual(live.parts.slice(1));
    for (const p of parts) {
      expect(p.status).toBe('complete');
      expect(replayed(sim.dataDir, p.name)).toEqual({ book: p.bookEvents, trade: p.tradeEvents });
    }
    await drive(sim.clock, sim.engine.stop());
  }, 60_000);

  it('completes a running recording when the app stops, losing nothing recorded', async () => {
    const dataDir = tmp();
    const sim = await startSimEngine(25, dataDir);
    await run(sim.clock, 500, 5);
    await ok(sim, 'recording.start', { name: 'until-close' });
    await run(sim.clock, 10_000, 5);
    const before = sim.state().recording!;
    await drive(sim.clock, sim.engine.stop());
    const store = new RecordingStore(recordingsFile(dataDir), { readonly: true });
    const info = store.get('until-close');
    store.close();
    expect(info?.status).toBe('complete');
    expect(info!.events).toBeGreaterThanOrEqual(before.events);
    const counts = replayed(dataDir, 'until-close');
    expect(counts.book + counts.trade).toBe(info!.events);
    // The session that ended refuses further recording commands rather than reopening the file.
    expect(() => sim.session.handlers['recordings.list']({})).toThrow(/this session has ended/);
  }, 60_000);

  it('records in a session without a trading database: recordings are a separate file', async () => {
    const sim = await startSimEngine(26, tmp(), { noStore: true });
    await run(sim.clock, 500, 5);
    await ok(sim, 'recording.start', { name: 'no-store' });
    await run(sim.clock, 3_000, 5);
    await ok(sim, 'recording.stop', {});
    expect((await list(sim)).map((r) => [r.name, r.status])).toEqual([['no-store', 'complete']]);
    expect(existsSync(join(sim.dataDir, 'practice.sqlite'))).toBe(false);
    await drive(sim.clock, sim.engine.stop());
  }, 60_000);

  it('stops a recording whose writes fail, with an alert, and never disturbs trading', async () => {
    const dataDir = tmp();
    const sim = await startSimEngine(27, dataDir, { recordingPartBytes: 64 * 1024 });
    await run(sim.clock, 500, 5);
    await ok(sim, 'recording.start', { name: 'clash', symbols: ['BTCUSDT'] });
    // Another writer of the same file (the backtest CLI's `record`) takes the next part's name.
    const other = new RecordingStore(recordingsFile(dataDir));
    other.create('clash.2', 'sim', [sim.desk('BTCUSDT').instrument.spec], sim.clock.now()).close();
    other.close();
    await ok(sim, 'quoting.start', { symbol: 'BTCUSDT' });
    for (let i = 0; i < 30 && sim.session.recordings.status() !== null; i++) await run(sim.clock, 2_000, 5);
    await run(sim.clock, 100, 5);
    expect(sim.state().recording).toBeNull();
    const alert = sim.state().alerts.find((a) => a.code === 'recording_failed');
    expect(alert?.message).toMatch(/Recording clash stopped: .*clash\.2 already exists/);
    // The desks kept their feed: the book is live and quoting goes on.
    await run(sim.clock, 2_000, 5);
    expect(sim.state().connection.feed).toBe('ok');
    expect(sim.state().quoting.status).toBe('quoting');
    const first = (await list(sim)).find((r) => r.name === 'clash');
    expect(first).toMatchObject({ status: 'complete' });
    expect(first!.events).toBeGreaterThan(0);
    // And a new recording can start.
    await ok(sim, 'recording.start', { name: 'after-clash' });
    await ok(sim, 'recording.stop', {});
    await drive(sim.clock, sim.engine.stop());
  }, 60_000);
});
