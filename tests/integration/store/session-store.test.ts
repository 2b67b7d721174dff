import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { drive, run, startSimEngine } from '../trading/harness.ts';

describe('a session with its database', () => {
  it('records its fills, and a restart rebuilds the same position with the kill switch still on', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mmws-sess-'));
    const first = await startSimEngine(21, dataDir);
    await run(first.clock, 2_000, 5);
    await drive(first.clock, first.engine.invoke('quoting.start', {}));
    await run(first.clock, 300_000, 5);
    const position = first.desk().portfolio.positionLots();
    const fills = first.events.filter((e) => e.name === 'fill.executed').length;
    expect(fills).toBeGreaterThan(50);
    await drive(first.clock, first.engine.invoke('risk.kill', {}));
    await run(first.clock, 200, 1);
    await drive(first.clock, first.engine.stop());

    const db = new Database(join(dataDir, 'practice.sqlite'), { readonly: true });
    const stored = db
      .prepare(
        "SELECT COALESCE(SUM(CASE side WHEN 'buy' THEN size ELSE -size END), 0) AS pos, COUNT(*) AS n FROM fills",
      )
      .get() as { pos: number; n: number };
    db.close();
    expect(stored.n).toBe(fills);
    expect(stored.pos).toBe(position);

    const second = await startSimEngine(22, dataDir);
    expect(second.desk().portfolio.positionLots()).toBe(position);
    expect(second.state().risk.tradingState).toBe('halted');
    expect(second.state().risk.kill.engaged).toBe(true);
    const refused = await drive(second.clock, second.engine.invoke('quoting.start', {}));
    expect(refused).toMatchObject({ ok: false, error: { code: 'rejected' } });
    await drive(second.clock, second.engine.invoke('risk.reset', {}));
    await run(second.clock, 100, 5);
    expect(second.state().risk.tradingState).toBe('active');
    await drive(second.clock, second.engine.stop());
  }, 60_000);

  it('starts halted with a clear reason when its database is corrupt, and never quotes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mmws-sess-'));
    writeFileSync(join(dataDir, 'practice.sqlite'), Buffer.alloc(16384, 3));
    const { clock, engine, state } = await startSimEngine(5, dataDir);
    await run(clock, 1_000, 5);
    expect(state().store.ok).toBe(false);
    expect(state().store.message).toMatch(/corrupt or not a database/);
    expect(state().risk.tradingState).toBe('halted');
    const r = await drive(clock, engine.invoke('quoting.start', {}));
    expect(r).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    if (!r.ok) expect(r.error.message).toMatch(/without a working database/);
    await run(clock, 1_000, 5);
    expect(state().orders).toEqual([]);
    await drive(clock, engine.stop());
  }, 30_000);

  it('backs up on demand through the engine API', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mmws-sess-'));
    const { clock, engine } = await startSimEngine(6, dataDir);
    await run(clock, 1_000, 5);
    const r = await drive(clock, engine.invoke('store.backup', {}));
    expect(r.ok).toBe(true);
    if (r.ok) expect((r.value as { file: string }).file).toMatch(/backups\/practice-.*\.sqlite$/);
    await drive(clock, engine.stop());
  }, 30_000);
});
