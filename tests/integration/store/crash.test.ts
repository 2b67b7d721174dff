import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/core/random.ts';
import { defineInstrument } from '../../../engine/core/instrument.ts';
import { rebuildPortfolio } from '../../../engine/portfolio/portfolio.ts';
import { Store } from '../../../engine/store/store.ts';
import { SimClock } from '../../../engine/core/clock.ts';
import { DEFAULT_SIM_INSTRUMENT } from '../../../engine/venues/sim/index.ts';

const CHILD = join(import.meta.dirname, 'crash-child.ts');
const KILLS = 12;

/** Runs the child until it reported `minCommits` batches plus a random extra delay, then SIGKILLs it. */
function runAndKill(dataDir: string, seed: number, start: number, killAfterMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, String(seed), String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastCommitted = 0;
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^COMMITTED (\d+)$/.exec(l);
        if (m) lastCommitted = Math.max(lastCommitted, Number(m[1]));
      }
      // Start the kill clock once trading is under way.
      timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(lastCommitted);
      else reject(new Error(`child exited by itself (${code}): ${err}`));
    });
  });
}

describe('crash safety', () => {
  it(`survives ${KILLS} SIGKILLs mid-trading with an intact file, no duplicate and no lost commit`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mmws-crash-'));
    const file = join(dataDir, 'practice.sqlite');
    const rng = new Rng(2026);
    const inst = defineInstrument(DEFAULT_SIM_INSTRUMENT);
    let previous = 0;
    for (let k = 0; k < KILLS; k++) {
      const committed = await runAndKill(
        dataDir,
        100 + k,
        Date.UTC(2026, 0, 1) + k * 86_400_000,
        150 + Math.floor(rng.next() * 600),
      );
      const db = new Database(file, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const { n, uniq } = db
        .prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT venue || char(0) || exec_id) AS uniq FROM fills')
        .get() as { n: number; uniq: number };
      db.close();
      expect(uniq).toBe(n);
      // Every batch the child saw committed is in the file, whole.
      expect(n).toBeGreaterThanOrEqual(committed);
      expect(n).toBeGreaterThanOrEqual(previous);
      previous = n;
      // A restart rebuilds a position equal to the sum of the stored fills.
      const store = new Store(file, new SimClock(0));
      const rec = store.recovery(inst.symbol, 'sim');
      const signed = rec.fills.reduce((a, f) => a + (f.side === 'buy' ? f.size : -Number(f.size)), 0);
      expect(rebuildPortfolio(inst, rec.fills).positionLots()).toBe(signed);
      expect(rec.fills).toHaveLength(n);
      store.close();
    }
    expect(previous).toBeGreaterThan(0);
  }, 120_000);
});
