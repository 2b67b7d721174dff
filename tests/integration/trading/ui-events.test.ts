import { describe, expect, it } from 'vitest';
import { formatSize } from '../../../engine/core/instrument.ts';
import type { Alert } from '../../../engine/events/domain-events.ts';
import { drive, run, startSimEngine } from './harness.ts';

describe("the UI's events from a trading session", () => {
  it('arrive after the turn that raised them, in order, each as the order was at that moment', async () => {
    const { clock, session, engine, events, desk } = await startSimEngine(11);
    await run(clock, 3_000, 5);
    expect(await drive(clock, engine.invoke('quoting.start', {}))).toMatchObject({ ok: true });
    // What the node's bus said, synchronously, for every order change.
    const said: string[] = [];
    session.node.bus.subscribe('order.changed', (e) => {
      said.push(`${e.order.clientId} ${e.order.status} ${formatSize(e.instrument, e.order.filled)}`);
    });
    const firstEvent = events.length;
    await run(clock, 60_000, 5);
    const heard = events
      .slice(firstEvent)
      .flatMap((e) => (e.name === 'order.changed' ? [e.payload] : []))
      .map((o) => `${o.clientId} ${o.status} ${o.filled}`);
    // An order often changes twice in one turn (sent, then answered at once by the simulated
    // venue): each event still shows the status it had when it changed.
    expect(said.length).toBeGreaterThan(100);
    expect(heard).toEqual(said);

    // Within the turn nothing has reached the UI yet; once the turn is over, all of it, in order.
    const working = desk().oms.openCount();
    expect(working).toBeGreaterThan(0);
    const before = events.length;
    const pulled = desk().quotes.pull();
    expect(pulled).toBeGreaterThan(0);
    expect(events.length).toBe(before);
    await Promise.resolve();
    const after = events.slice(before).flatMap((e) => (e.name === 'order.changed' ? [e.payload.status] : []));
    expect(after.length).toBeGreaterThanOrEqual(pulled);
    expect(after.slice(0, pulled)).toEqual(Array<string>(pulled).fill('pending-cancel'));
    await drive(clock, engine.stop());
  }, 60_000);

  it('a sink that throws becomes an alert, and the events after it still go out', async () => {
    const { clock, session, engine, desk } = await startSimEngine(12);
    await run(clock, 3_000, 5);
    expect(await drive(clock, engine.invoke('quoting.start', {}))).toMatchObject({ ok: true });
    await run(clock, 2_000, 5);
    const alerts: Alert[] = [];
    session.node.bus.subscribe('alert.raised', (a) => alerts.push(a));
    let delivered = 0;
    session.attach({
      changed: () => undefined,
      event: (e) => {
        delivered++;
        if (e.name === 'order.changed') throw new Error('renderer gone');
      },
    });
    expect(desk().quotes.pull()).toBeGreaterThan(0);
    await Promise.resolve();
    await Promise.resolve();
    const failed = alerts.filter((a) => a.code === 'subscriber_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toContain('renderer gone');
    // Every pulled order's event was offered to the sink, not only the first that threw.
    expect(delivered).toBeGreaterThan(1);
    // The session goes on quoting.
    await run(clock, 1_000, 5);
    expect(desk().oms.openCount()).toBeGreaterThan(0);
    await drive(clock, engine.stop());
  }, 60_000);
});
