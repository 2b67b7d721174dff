import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimClock } from '../../../engine/core/clock.ts';
import { Engine } from '../../../engine/api/engine.ts';
import type { EngineEvent, EngineState } from '../../../engine/api/contract.ts';
import { TradingApp, type AppConfig } from '../../../engine/host/trading-app.ts';
import type { InstrumentDesk } from '../../../engine/node/instrument-desk.ts';

/** Runs `promise` to completion while advancing the simulated clock in small steps. */
export async function drive<T>(clock: SimClock, promise: Promise<T>, stepMs = 1, maxMs = 60_000): Promise<T> {
  const st: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (v) => {
      st.done = true;
      st.value = v;
    },
    (e: unknown) => {
      st.done = true;
      st.error = e;
    },
  );
  const until = clock.now() + maxMs;
  let spins = 0;
  while (!st.done) {
    if (clock.now() >= until) throw new Error('simulated time ran out waiting for a result');
    clock.advance(stepMs);
    await Promise.resolve();
    await Promise.resolve();
    // Real I/O (a database backup) completes on the event loop, not on the simulated clock.
    if (++spins % 16 === 0) await new Promise<void>((r) => setImmediate(r));
  }
  if (st.error !== undefined)
    throw st.error instanceof Error ? st.error : new Error('the promise rejected with a non-error');
  return st.value as T;
}

/** Advances simulated time, letting promise callbacks run between steps (ms by ms). */
export async function run(clock: SimClock, ms: number, stepMs = 1, each?: () => void): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    clock.advance(Math.min(stepMs, end - clock.now()));
    await Promise.resolve();
    await Promise.resolve();
    each?.();
  }
}

export async function startSimEngine(
  seed = 7,
  dataDir = mkdtempSync(join(tmpdir(), 'mmws-it-')),
  extra: Partial<AppConfig> = {},
) {
  const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
  const session = new TradingApp({ dataDir, seed, ...extra }, clock);
  const engine = new Engine({ clock, session });
  const events: EngineEvent[] = [];
  let state: EngineState | undefined;
  engine.onEvent((e) => events.push(e));
  engine.onState((s) => (state = s));
  await drive(clock, engine.start());
  const desk = (symbol = 'BTCUSDT'): InstrumentDesk => session.node.desk(symbol);
  return { clock, session, engine, events, dataDir, desk, state: () => state ?? engine.state() };
}
