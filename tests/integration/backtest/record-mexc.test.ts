import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { OrderBook } from '../../../engine/market/order-book.ts';
import { startMexcSim, type MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import { RecordingStore, recordingsFile } from '../../../engine/store/recordings.ts';
import { backtestCli as runCli } from '../../support/backtest-cli.ts';

describe('npm run backtest -- record --venue mexc', () => {
  let sim: MexcSim;
  beforeAll(async () => {
    sim = await startMexcSim({ port: 0, apiKey: 'rec-key-mexc', apiSecret: 'rec-secret-mexc', seed: 4 });
  });
  afterAll(async () => {
    await sim.close();
  });

  const record = (dir: string, name: string, symbols: string, seconds: string) =>
    runCli([
      'record',
      '--venue',
      'mexc',
      '--name',
      name,
      '--symbols',
      symbols,
      '--seconds',
      seconds,
      '--mexc-rest-url',
      sim.rest,
      '--mexc-ws-url',
      sim.ws,
      '--data-dir',
      dir,
    ]);

  it("records MEXC's public book (protobuf depth from its REST snapshot) and trades with no key, and the recording backtests", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmws-rec-mexc-'));
    const rec = await record(dir, 'mexc-live', 'BTCUSDT', '4');
    expect(rec.stderr).toBe('');
    expect(rec.code).toBe(0);
    const info = JSON.parse(rec.stdout.trim()) as Record<string, unknown>;
    expect(info).toMatchObject({
      name: 'mexc-live',
      venue: 'mexc',
      instruments: ['BTCUSDT'],
      status: 'complete',
    });
    expect(info['book_events']).toBeGreaterThan(10);

    // The recorded book replays cleanly: a snapshot first, then deltas that chain.
    const store = new RecordingStore(recordingsFile(dir));
    const book = new OrderBook('BTCUSDT', new SimClock());
    let first = true;
    store.replay('mexc-live', (e) => {
      if (e.kind !== 'book') return;
      if (first) expect(e.message.kind).toBe('snapshot');
      first = false;
      expect(book.apply(e.message)).toBe('ok');
    });
    store.close();
    expect(book.bestBid()).toBeDefined();
    expect(book.bestBid()!).toBeLessThan(book.bestAsk()!);

    const run = await runCli(['run', '--recording', 'mexc-live', '--json', '--data-dir', dir]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { events: number }).events).toBe(info['events']);
  }, 60_000);

  it('refuses a symbol MEXC does not list, leaving no recording', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmws-rec-mexc-'));
    const rec = await record(dir, 'nope', 'NOPEUSDT', '1');
    expect(rec.code).toBe(1);
    expect(rec.stderr).toMatch(/MEXC spot lists no NOPEUSDT/);
    const list = await runCli(['list', '--json', '--data-dir', dir]);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((r) => r.name)).not.toContain('nope');
  }, 30_000);
});
