/**
 * Crash-test child: trades on the simulated exchange as fast as the simulated clock allows, and after
 * every committed write-behind batch prints `COMMITTED <fills in the database>`. The parent kills it
 * with SIGKILL at a random moment.
 */
import { SimClock } from '../../../engine/core/clock.ts';
import { Engine } from '../../../engine/api/engine.ts';
import { TradingApp } from '../../../engine/host/trading-app.ts';

const [dataDir, seedText, startText] = process.argv.slice(2);
if (!dataDir || !seedText || !startText) throw new Error('usage: crash-child.ts DATA_DIR SEED START_MS');
const clock = new SimClock(Number(startText));
const session = new TradingApp({ dataDir, seed: Number(seedText) }, clock);
const engine = new Engine({ clock, session });
const tick = async (): Promise<void> => {
  clock.advance(2);
  await Promise.resolve();
  await Promise.resolve();
};
const boot = { up: false };
void engine.start().then(() => (boot.up = true));
while (!boot.up) await tick();
void engine.invoke('quoting.start', {});
const store = session.store;
if (!store) throw new Error('no store');
let batches = 0;
for (;;) {
  await tick();
  const s = store.stats();
  if (s.batches !== batches) {
    batches = s.batches;
    const n = (store.db.prepare('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n;
    process.stdout.write(`COMMITTED ${n}\n`);
    // Give the pipe a chance to carry the report before the next batch.
    await new Promise<void>((r) => setImmediate(r));
  }
}
