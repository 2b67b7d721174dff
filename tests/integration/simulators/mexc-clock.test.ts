import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import type { MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import { DEPTH_BTC, MexcWs, signed, startSim, waitFor } from './mexc-client.ts';

/*
 * The venue's own time limits (30 s without a subscription, 60 s without a ping, listen keys of 60
 * minutes) on a simulated clock: nothing sleeps, the clock is advanced past each limit.
 */
let clock: SimClock;
let sim: MexcSim;
beforeAll(async () => {
  clock = new SimClock();
  // A slow background flow: an hour of simulated time stays cheap.
  sim = await startSim({ clock, flow: { stepMs: 10_000, limitRate: 1, marketRate: 0 } });
});
afterAll(async () => {
  await sim.close();
});

/** Advances the clock in steps, letting the sockets' events run between them. */
async function advance(ms: number, stepMs = 1000): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    clock.advance(Math.min(stepMs, ms - done));
    await new Promise((r) => setImmediate(r));
  }
}

describe('MEXC simulator time limits on a simulated clock', () => {
  it('closes an unsubscribed connection after 30 s and a silent subscribed one after 60 s', async () => {
    const bare = await MexcWs.open(sim.ws);
    const quiet = await MexcWs.open(sim.ws);
    await quiet.subscribe(DEPTH_BTC);
    await advance(25_000);
    expect(bare.closed).toBe(false);
    await advance(10_000);
    await waitFor(() => bare.closed, 2000, 'the 30 s close');
    expect(quiet.closed).toBe(false);
    await advance(30_000);
    await waitFor(() => quiet.closed, 2000, 'the 60 s close');
  });

  it('keeps a listen key 60 minutes, longer when extended', async () => {
    const opts = { timestamp: clock.now() };
    const key = (await signed(sim, 'POST', '/api/v3/userDataStream', {}, opts)).body.listenKey as string;
    const kept = (await signed(sim, 'POST', '/api/v3/userDataStream', {}, opts)).body.listenKey as string;
    await advance(59 * 60_000, 60_000);
    const put = await signed(
      sim,
      'PUT',
      '/api/v3/userDataStream',
      { listenKey: kept },
      { timestamp: clock.now() },
    );
    expect(put.status).toBe(200);
    await advance(2 * 60_000, 60_000);
    const list = await signed(sim, 'GET', '/api/v3/userDataStream', {}, { timestamp: clock.now() });
    expect(list.body.listenKey).toEqual([kept]);
    const late = await MexcWs.open(`${sim.ws}?listenKey=${key}`);
    await waitFor(() => late.closed, 2000, 'the refusal');
    expect(late.frames.map((f) => f.text)).toEqual(['Invalid listen key']);
  });
});
