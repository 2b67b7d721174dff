import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { Engine } from '../../../engine/api/engine.ts';
import type { EngineEvent, EngineState } from '../../../engine/api/contract.ts';
import { RecordingSession } from './test-session.ts';

async function setup() {
  const clock = new SimClock();
  const session = new RecordingSession(clock);
  const logs: string[] = [];
  const engine = new Engine({ clock, session, log: (_l, msg) => logs.push(msg) });
  await engine.start();
  return { clock, session, engine, logs };
}

describe('Engine facade', () => {
  it('refuses an unknown command with a clear error and leaves state unchanged', async () => {
    const { engine, session, logs } = await setup();
    const before = JSON.stringify(session.snapshot());
    for (const name of ['quoting.explode', '__proto__', 'constructor', 'toString', 42, null]) {
      const res = await engine.invoke(name, {});
      expect(res.ok).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('unknown_command');
        expect(res.error.message).toMatch(/unknown command/);
      }
    }
    expect(session.calls).toEqual([]);
    expect(JSON.stringify(session.snapshot())).toBe(before);
    expect(logs.filter((l) => l === 'unknown command refused')).toHaveLength(6);
  });

  it('refuses malformed input before any handler runs, naming the bad field', async () => {
    const { engine, session } = await setup();
    const cases: [string, unknown, RegExp][] = [
      ['overrides.set', { gamma: 0 }, /gamma/],
      ['overrides.set', { gamma: 'abc' }, /gamma/],
      ['overrides.set', { gamma: Number.NaN }, /gamma/],
      ['overrides.set', {}, /at least one override/],
      ['overrides.set', { gamma: 0.1, extra: 1 }, /extra|unrecognized/i],
      ['orders.place', { side: 'buy', price: '-1', size: '1', postOnly: true }, /price/],
      ['orders.place', { side: 'buy', price: '1e5', size: '1', postOnly: true }, /price/],
      ['orders.place', { side: 'buy', price: '0', size: '1', postOnly: true }, /price/],
      ['orders.place', { side: 'hold', price: '1', size: '1', postOnly: true }, /side/],
      ['quoting.pause', 'bid', /expected object/i],
      ['engine.ping', [], /expected object/i],
    ];
    const before = JSON.stringify(session.snapshot());
    for (const [name, input, pattern] of cases) {
      const res = await engine.invoke(name, input);
      expect(res.ok, `${name} ${JSON.stringify(input)}`).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('invalid_input');
        expect(res.error.message).toMatch(pattern);
      }
    }
    expect(session.calls).toEqual([]);
    expect(JSON.stringify(session.snapshot())).toBe(before);
  });

  it('passes validated input to the handler and returns its result', async () => {
    const { engine, session } = await setup();
    const res = await engine.invoke('overrides.set', { gamma: 0.5, skewTicks: -3 });
    expect(res).toEqual({ ok: true, value: { at: expect.any(Number) as number } });
    expect(session.calls).toEqual([{ name: 'overrides.set', input: { gamma: 0.5, skewTicks: -3 } }]);
    expect(session.state.overrides.active).toEqual({ gamma: 0.5, skewTicks: -3 });
  });

  it('returns handler failures as error values, never as rejections', async () => {
    const { engine, logs } = await setup();
    const refused = await engine.invoke('store.backup', {});
    expect(refused).toEqual({ ok: false, error: { code: 'unavailable', message: 'not in this test' } });
    const crashed = await engine.invoke('position.flatten', {});
    expect(crashed).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
    expect(logs).toContain('command failed');
  });

  it('coalesces state to at most 30 snapshots per second but never coalesces events', async () => {
    const { engine, session, clock } = await setup();
    const states: EngineState[] = [];
    const events: EngineEvent[] = [];
    engine.onState((s) => states.push(s));
    engine.onEvent((e) => events.push(e));
    for (let ms = 0; ms < 1000; ms++) {
      for (let k = 0; k < 5; k++) session.sink?.changed();
      session.emit({
        name: 'alert.raised',
        payload: { id: `a${ms}`, severity: 'info', code: 't', message: 'm', at: ms, symbol: null },
      });
      clock.advance(1);
    }
    clock.advance(100);
    expect(states.length).toBeGreaterThanOrEqual(20);
    expect(states.length).toBeLessThanOrEqual(30);
    expect(events).toHaveLength(1000);
    const seqs = states.map((s) => s.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (let i = 1; i < states.length; i++)
      expect(states[i]!.time - states[i - 1]!.time).toBeGreaterThanOrEqual(1000 / 30);
  });

  it('publishes a snapshot at the end of the turn that changed it, once the interval has passed', async () => {
    const { engine, session, clock } = await setup();
    const at: number[] = [];
    engine.onState((s) => at.push(s.time));
    clock.advance(1000);
    at.length = 0;
    // A frame every 15 ms (the interval is 40 ms): each snapshot follows a frame at once, never in
    // between two.
    const frames: number[] = [];
    for (let i = 0; i < 100; i++) {
      frames.push(clock.now());
      session.sink?.changed();
      clock.advance(15);
    }
    expect(at.length).toBeGreaterThanOrEqual(30);
    expect(at.length).toBeLessThanOrEqual(38);
    for (const t of at) expect(frames).toContain(t);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(40);

    // A change inside the interval with none after it: published half an interval after it was due.
    clock.advance(1000);
    at.length = 0;
    session.sink?.changed();
    clock.advance(0);
    const first = at[0]!;
    clock.advance(10);
    session.sink?.changed();
    clock.advance(200);
    expect(at).toEqual([first, first + 40 + 20]);
  });

  it('a listener that throws does not stop the others', async () => {
    const { engine, session, clock } = await setup();
    let got = 0;
    engine.onState(() => {
      throw new Error('bad listener');
    });
    engine.onState(() => got++);
    session.sink?.changed();
    clock.advance(100);
    expect(got).toBe(1);
  });
});
