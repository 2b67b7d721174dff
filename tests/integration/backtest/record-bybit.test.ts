import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { OrderBook } from '../../../engine/market/order-book.ts';
import { startBybitSim } from '../../../engine/simulators/bybit/sim.ts';
import { RecordingStore, recordingsFile } from '../../../engine/store/recordings.ts';
import { backtestCli } from '../../support/backtest-cli.ts';

const runCli = backtestCli;

describe('npm run backtest -- record --venue bybit:ENV', () => {
  let sim: Awaited<ReturnType<typeof startBybitSim>>;
  beforeAll(async () => {
    sim = await startBybitSim({ port: 0, apiKey: 'rec-key', apiSecret: 'rec-secret', seed: 4 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("records the venue's public book and trades with no key, and the recording backtests", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmws-rec-bybit-'));
    const rec = await runCli([
      'record',
      '--venue',
      'bybit:testnet',
      '--name',
      'bybit-live',
      '--symbols',
      'BTCUSDT',
      '--seconds',
      '4',
      '--bybit-rest-url',
      sim.rest,
      '--bybit-ws-url',
      sim.ws,
      '--data-dir',
      dir,
    ]);
    expect(rec.stderr).toBe('');
    expect(rec.code).toBe(0);
    const lines = rec.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const info = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(info).toMatchObject({
      name: 'bybit-live',
      venue: 'bybit:testnet',
      instruments: ['BTCUSDT'],
      status: 'complete',
    });
    expect(info['book_events']).toBeGreaterThan(20);
    expect(info['trade_events']).toBeGreaterThan(0);
    // Real time: the span is about the four seconds asked for.
    expect(Number(info['last_ts']) - Number(info['first_ts'])).toBeGreaterThan(2500);

    const store = new RecordingStore(recordingsFile(dir));
    const book = new OrderBook('BTCUSDT', new SimClock());
    let first = true;
    store.replay('bybit-live', (e) => {
      // Receive time is ours, venue time Bybit's: on loopback the two are close.
      const venueTs = e.kind === 'book' ? e.message.ts : e.trade.ts;
      expect(Math.abs(e.local - venueTs)).toBeLessThan(2000);
      if (e.kind !== 'book') return;
      if (first) expect(e.message.kind).toBe('snapshot');
      first = false;
      expect(book.apply(e.message)).toBe('ok');
    });
    store.close();
    expect(book.bestBid()).toBeDefined();

    const run = await runCli(['run', '--recording', 'bybit-live', '--json', '--data-dir', dir]);
    expect(run.code).toBe(0);
    const stats = JSON.parse(run.stdout) as { events: number; recording: string };
    expect(stats.events).toBe(info['events']);
    expect(stats.recording).toBe('bybit-live');
  }, 60_000);

  it('refuses a symbol the venue does not list, leaving no recording', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmws-rec-bybit-'));
    const rec = await runCli([
      'record',
      '--venue',
      'bybit:testnet',
      '--name',
      'nope',
      '--symbols',
      'NOPEUSDT',
      '--seconds',
      '1',
      '--bybit-rest-url',
      sim.rest,
      '--bybit-ws-url',
      sim.ws,
      '--data-dir',
      dir,
    ]);
    expect(rec.code).toBe(1);
    expect(rec.stderr).toMatch(/lists no NOPEUSDT/);
    const list = await runCli(['list', '--json', '--data-dir', dir]);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((r) => r.name)).not.toContain('nope');
  }, 30_000);
});
