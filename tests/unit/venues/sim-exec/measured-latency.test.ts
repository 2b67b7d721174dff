import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../engine/core/errors.ts';
import type { LatencySample } from '../../../../engine/venues/sim-exec/latency-model.ts';
import { IntervalLatency, latencyModelOf } from '../../../../engine/venues/sim-exec/latency-model.ts';
import type { OrderAck, VenueResult } from '../../../../engine/venues/venue.ts';
import { l, rig, SYMBOL, t } from './helpers.ts';

const T = Date.UTC(2026, 0, 1);

const sample = (requestTs: number, exchangeTs: number, responseTs: number): LatencySample => ({
  requestTs,
  exchangeTs,
  responseTs,
});

describe('IntervalLatency', () => {
  // Entry 10 ms at 1000, 30 ms at 2000; response 20 ms at venue time 1010, 10 ms at 2030.
  const samples = [sample(1000, 1010, 1030), sample(2000, 2030, 2040)];

  it('interpolates entry over the request time and response over the venue time', () => {
    const model = new IntervalLatency(samples);
    expect([1000, 1250, 1500, 1750, 2000].map((x) => model.entryLatency(x))).toEqual([10, 15, 20, 25, 30]);
    // Over 1010..2030 the response goes from 20 to 10: at 1520 it is halfway.
    expect([1010, 1520, 2030].map((x) => model.responseLatency(x))).toEqual([20, 15, 10]);
    // 1265 is a quarter of the way: 17.5.
    expect(model.responseLatency(1265)).toBe(17.5);
  });

  it('holds the first and last values beyond the samples', () => {
    const model = new IntervalLatency(samples);
    expect([0, 999, 2001, 1e13].map((x) => model.entryLatency(x))).toEqual([10, 10, 30, 30]);
    expect([0, 1009, 2031, 1e13].map((x) => model.responseLatency(x))).toEqual([20, 20, 10, 10]);
    const one = new IntervalLatency([sample(500, 507, 510)]);
    expect([0, 500, 1e6].map((x) => [one.entryLatency(x), one.responseLatency(x)])).toEqual([
      [7, 3],
      [7, 3],
      [7, 3],
    ]);
  });

  it('sorts the samples, each curve by its own time', () => {
    // Sent later but accepted earlier: by request time entry goes 500 → 100; by venue time the
    // response goes 100 (at 1200) → 10 (at 1500).
    const crossed = [sample(1100, 1200, 1300), sample(1000, 1500, 1510)];
    const model = new IntervalLatency(crossed);
    expect([1000, 1050, 1100].map((x) => model.entryLatency(x))).toEqual([500, 300, 100]);
    expect([1200, 1350, 1500].map((x) => model.responseLatency(x))).toEqual([100, 55, 10]);
    const shuffled = new IntervalLatency([samples[1]!, samples[0]!]);
    for (const x of [900, 1400, 1900, 2100]) {
      expect(shuffled.entryLatency(x)).toBe(new IntervalLatency(samples).entryLatency(x));
      expect(shuffled.responseLatency(x)).toBe(new IntervalLatency(samples).responseLatency(x));
    }
  });

  it('refuses samples that cannot be a measured acknowledgement, naming the sample', () => {
    const cases: [LatencySample[], RegExp][] = [
      [[], /at least one sample/],
      [
        [sample(0, 1, 2), sample(10, 5, 20)],
        /sample 1 \(requestTs 10, exchangeTs 5, responseTs 20\): exchangeTs is before requestTs/,
      ],
      [[sample(10, 15, 14)], /sample 0 .*: responseTs is before exchangeTs/],
      [
        [sample(0, 1, 2), sample(1, 2, 3), sample(Number.NaN, 2, 3)],
        /sample 2 \(requestTs NaN.*not a finite number/,
      ],
      [[sample(0, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)], /sample 0 .*not a finite number/],
    ];
    for (const [rows, message] of cases) {
      let caught: unknown;
      try {
        new IntervalLatency(rows);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(EngineError);
      expect((caught as EngineError).code).toBe('invalid_input');
      expect((caught as EngineError).message).toMatch(message);
    }
  });

  it('a constant latency object is still a model', () => {
    const model = latencyModelOf({ requestMs: 7, responseMs: 11 });
    expect([model.entryLatency(0), model.entryLatency(T), model.responseLatency(T)]).toEqual([7, 7, 11]);
    expect(() => latencyModelOf({ requestMs: -1, responseMs: 0 })).toThrow(/request latency/);
    expect(() => latencyModelOf({ requestMs: 0, responseMs: Number.NaN })).toThrow(/response latency/);
  });
});

describe('simulated execution on measured latency', () => {
  it('handles a request its entry latency after it was sent and answers its response latency later', () => {
    // Entry 4 ms at T, 24 ms at T + 1000; response 30 ms at venue time T + 4, 10 ms at T + 1024.
    const latency = new IntervalLatency([sample(T, T + 4, T + 34), sample(T + 1000, T + 1024, T + 1034)]);
    const r = rig({ latency }, T);
    r.clock.advance(500);
    const sentAt = r.clock.now();
    const answers = r.place({ clientId: 'b1', price: t(9990) });
    // Entry at T + 500: 14 ms, so the venue handles it at T + 514; response there:
    // 30 − 20·(510/1020) = 20 ms, so the answer arrives at T + 534.
    r.clock.advance(33);
    expect(answers).toEqual([]);
    r.clock.advance(1);
    expect(answers).toMatchObject([{ ok: true, value: { ts: sentAt + 14 } }]);
  });

  it('keeps requests in order when the entry latency falls faster than time passes', () => {
    // Entry 100 ms at T, 0 at T + 10: a request sent at T + 5 would take 50 ms and one at T + 10
    // none, both overtaking the first; responses take 0.
    const latency = new IntervalLatency([sample(T, T + 100, T + 100), sample(T + 10, T + 10, T + 10)]);
    const r = rig({ latency }, T);
    const seen: string[] = [];
    const record = (id: string) => (answer: VenueResult<OrderAck>) => {
      seen.push(`${id}@${r.clock.now() - T}`);
      expect(answer).toMatchObject({ ok: true });
    };
    for (const [id, at] of [
      ['b1', 0],
      ['b2', 5],
      ['b3', 10],
    ] as const) {
      r.clock.advanceTo(T + at);
      r.exec.callbackOrders.place(
        {
          symbol: SYMBOL,
          clientId: id,
          side: 'buy',
          type: 'limit',
          timeInForce: 'gtc',
          price: t(9990),
          size: l(5),
        },
        record(id),
        undefined,
      );
    }
    r.clock.advanceTo(T + 99);
    expect(seen).toEqual([]);
    r.clock.advanceTo(T + 100);
    expect(seen).toEqual(['b1@100', 'b2@100', 'b3@100']);
    // Handled at the venue in the order sent: each order's venue updates come in that order too.
    expect(r.updates().map((u) => [u.clientId, u.ts - T])).toEqual([
      ['b1', 100],
      ['b2', 100],
      ['b3', 100],
    ]);
  });

  it('keeps responses in order when the response latency falls: a fill never overtakes the ack', () => {
    // Entry 0; response 100 ms at venue time T, 0 at T + 20. The ack of an order placed at T leaves
    // at T + 100; a fill at T + 10 (response 50 ms) would arrive at T + 60 without the FIFO clamp.
    const latency = new IntervalLatency([sample(T, T, T + 100), sample(T + 20, T + 20, T + 20)]);
    const r = rig({ latency }, T);
    const seen: string[] = [];
    r.exec.onExecution((e) => seen.push(`${e.type}@${r.clock.now() - T}`));
    r.exec.callbackOrders.place(
      {
        symbol: SYMBOL,
        clientId: 'b1',
        side: 'buy',
        type: 'limit',
        timeInForce: 'gtc',
        price: t(9999),
        size: l(60),
      },
      () => seen.push(`answer@${r.clock.now() - T}`),
      undefined,
    );
    r.clock.advanceTo(T + 10);
    r.feed.trade(9998, 4, 'sell');
    r.clock.advanceTo(T + 99);
    expect(seen).toEqual([]);
    r.clock.advanceTo(T + 100);
    expect(seen).toEqual(['answer@100', 'order@100', 'fill@100', 'order@100']);
    // The fill happened at venue time T + 10, whatever its delivery waited for.
    expect(r.fills().map((f) => f.ts - T)).toEqual([10]);
    // At T + 30 the response latency is 0 (held after the last sample): a fill goes out at once.
    r.clock.advanceTo(T + 130);
    r.feed.trade(9998, 4, 'sell');
    r.clock.advance(0);
    expect(seen.slice(4)).toEqual(['fill@130', 'order@130']);
  });

  it('a model that gives no valid delay fails loudly rather than stalling the link', async () => {
    const r = rig({ latency: { entryLatency: () => Number.NaN, responseLatency: () => 0 } });
    await expect(
      r.exec.placeOrder({
        symbol: SYMBOL,
        clientId: 'b1',
        side: 'buy',
        type: 'limit',
        timeInForce: 'gtc',
        price: t(9990),
        size: l(5),
      }),
    ).rejects.toThrow(/latency model gave NaN ms for the entry latency/);
  });
});
