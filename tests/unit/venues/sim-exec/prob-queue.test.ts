import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../engine/core/errors.ts';
import type { QueueModel, QueuePlace } from '../../../../engine/venues/sim-exec/queue-model.ts';
import {
  LogProbQueueModel,
  PowerProbQueueModel,
  QUEUE_MODEL_NAMES,
  queueModelByName,
  RiskAverseQueueModel,
} from '../../../../engine/venues/sim-exec/queue-model.ts';
import { ASKS, l, rig, t } from './helpers.ts';

/** A place `ahead` lots from the front of a level showing `shown` lots (joined, then moved up). */
function placeAt(model: QueueModel, shown: number, ahead: number): QueuePlace {
  const place = model.join(shown);
  place.ahead = ahead;
  return place;
}

/** The lots ahead after one level change with no trade before it. */
function afterChange(model: QueueModel, ahead: number, before: number, after: number): number {
  const place = placeAt(model, before, ahead);
  model.onLevelChange(place, before, after);
  return place.ahead;
}

describe('the probabilistic queue models, by hand-computed examples', () => {
  // p is the share of the c cancelled lots that falls behind us; F ahead, B = before − F behind:
  //   ahead = min(F − (1 − p)·c + min(B − p·c, 0), after), rounded up to whole lots.

  it('a cancel mostly in front of us moves us forward; one mostly behind us barely does', () => {
    const square = new PowerProbQueueModel(2);
    // F = 8, B = 2, c = 3: p = 4/68 = 1/17; 8 − (16/17)·3 = 5.18 → 6 (risk-averse: min(8, 7) = 7).
    expect(afterChange(square, 8, 10, 7)).toBe(6);
    expect(afterChange(new RiskAverseQueueModel(), 8, 10, 7)).toBe(7);
    // F = 2, B = 8, c = 3: p = 64/68 = 16/17; 2 − (1/17)·3 = 1.82 → 2.
    expect(afterChange(square, 2, 10, 7)).toBe(2);
    // Linear (n = 1), F = 6, B = 4, c = 5: p = 0.4; 6 − 0.6·5 + min(4 − 2, 0) = 3.
    expect(afterChange(new PowerProbQueueModel(1), 6, 10, 5)).toBe(3);
    // At the back (B = 0) every cancel was in front: 6 − 5 = 1.
    expect(afterChange(square, 6, 6, 1)).toBe(1);
    // Log, F = 3, B = 7, c = 4: p = ln 8/(ln 8 + ln 4) = 3/5; 3 − 0.4·4 + min(7 − 2.4, 0) = 1.4 → 2.
    expect(afterChange(new LogProbQueueModel(), 3, 10, 6)).toBe(2);
    // Log, F = 7, B = 3, c = 4: p = ln 4/(ln 4 + ln 8) = 2/5; 7 − 0.6·4 + min(3 − 1.6, 0) = 4.6 → 5.
    expect(afterChange(new LogProbQueueModel(), 7, 10, 6)).toBe(5);
  });

  it('with more ahead of us than behind, a higher power puts more of the cancels in front', () => {
    // F = 6, B = 4, c = 4: n = 1: p = 0.4, 6 − 2.4 = 3.6 → 4; n = 2: p = 16/52, 6 − (36/52)·4 = 3.23 → 4;
    // n = 4: p = 256/1552, 6 − (1296/1552)·4 = 2.66 → 3.
    expect([1, 2, 4].map((n) => afterChange(new PowerProbQueueModel(n), 6, 10, 6))).toEqual([4, 4, 3]);
  });

  it('a level cut below our place leaves at most what it shows', () => {
    const square = new PowerProbQueueModel(2);
    // A trade of 1 first (F 2 → 1, traded 1), then the level goes 10 → 0: c = 9. F = 1, B = 9:
    // p = 81/82; 1 − (1/82)·9 + min(9 − (81/82)·9, 0) = 0.89 → 1, capped by after = 0.
    const place = placeAt(square, 10, 2);
    expect(square.onTrade(place, 1)).toBe(0);
    square.onLevelChange(place, 10, 0);
    expect(place.ahead).toBe(0);
    // F = 1, B = 3, c = 4 (the level 4 → 0), n = 2: p = 9/10, more than the back holds:
    // 1 − (1/10)·4 + min(3 − 3.6, 0) = 0.
    expect(afterChange(square, 1, 4, 0)).toBe(0);
    // Log, F = 2, B = 1, c = 2 (3 → 1): p = ln 2/(ln 2 + ln 3) = 0.387;
    // 2 − 0.613·2 + min(1 − 0.774, 0) = 0.77 → 1.
    expect(afterChange(new LogProbQueueModel(), 2, 3, 1)).toBe(1);
  });

  it('rounds a fractional estimate up (more lots ahead), and exactly where the estimate is whole', () => {
    const linear = new PowerProbQueueModel(1);
    // F = 8, B = 2, c = 3, n = 2: 5.18 rounds up to 6, not to the nearest 5.
    expect(afterChange(new PowerProbQueueModel(2), 8, 10, 7)).toBe(6);
    // F = 2, B = 8, c = 5, n = 1: p = 0.8; 2 − 0.2·5 + min(8 − 4, 0) = 1 exactly. In doubles
    // 2 − (1 − 0.8)·5 is 1.0000000000000002, which a naive ceil would make 2.
    expect(afterChange(linear, 2, 10, 5)).toBe(1);
    // F = 3, B = 12, c = 10, n = 1: p = 0.8; 3 − 2 + min(12 − 8, 0) = 1 exactly.
    expect(afterChange(linear, 3, 15, 5)).toBe(1);
    // Many lots and n = 10: F = B = 3000 gives p = 1/2, so 3000 − 500 = 2500 exactly (3000¹⁰ is far
    // beyond a double's whole numbers).
    expect(afterChange(new PowerProbQueueModel(10), 3000, 6000, 5000)).toBe(2500);
  });

  it('a depth update that reflects a trade does not move us twice', () => {
    for (const model of [new PowerProbQueueModel(1), new PowerProbQueueModel(3), new LogProbQueueModel()]) {
      // 8 ahead of 10; a trade of 3 takes 3 of them; the update 10 → 7 shows just that trade.
      const place = placeAt(model, 10, 8);
      expect(model.onTrade(place, 3)).toBe(0);
      expect(place).toEqual({ ahead: 5, tradedSinceUpdate: 3 });
      model.onLevelChange(place, 10, 7);
      expect(place, model.name).toEqual({ ahead: 5, tradedSinceUpdate: 0 });
    }
    // Trade and cancels in one update: the trade of 3 and 2 cancels (10 → 5), n = 1. F = 5, B = 10 − 5:
    // p = 0.5, c = 2: 5 − 1 + min(5 − 1, 0) = 4 (taking the trade for cancels too, c = 5: 2.5 → 3).
    const linear = new PowerProbQueueModel(1);
    const place = placeAt(linear, 10, 8);
    linear.onTrade(place, 3);
    linear.onLevelChange(place, 10, 5);
    expect(place.ahead).toBe(4);
    // The remembered trade is spent by that update: later cancels count in full. 10 join (5 → 15),
    // then 5 cancel (15 → 10): F = 4, B = 11, p = 11/15: 4 − (4/15)·5 = 2.67 → 3 (with the trade
    // still remembered, c = 2: 3.47 → 4).
    expect(place.tradedSinceUpdate).toBe(0);
    linear.onLevelChange(place, 5, 15);
    linear.onLevelChange(place, 15, 10);
    expect(place.ahead).toBe(3);
  });

  it('a trade is remembered at its printed size even when it reaches us with less', () => {
    const linear = new PowerProbQueueModel(1);
    // Our earlier order took the whole print of 4: none of it is left for this one.
    const place = placeAt(linear, 20, 10);
    expect(linear.onTrade(place, 0, 4)).toBe(0);
    expect(place).toEqual({ ahead: 10, tradedSinceUpdate: 4 });
    linear.onLevelChange(place, 20, 16);
    expect(place.ahead).toBe(10);
  });

  it('a level that grows (net of the trades) only caps the queue at what it shows', () => {
    const model = new PowerProbQueueModel(2);
    expect(afterChange(model, 5, 10, 15)).toBe(5);
    // A trade of 3, the level 10 → 9: 2 joined behind.
    const place = placeAt(model, 10, 5);
    model.onTrade(place, 3);
    model.onLevelChange(place, 10, 9);
    expect(place).toEqual({ ahead: 2, tradedSinceUpdate: 0 });
    // A snapshot knows nothing of what changed: it caps as the risk-averse model does.
    const snap = placeAt(model, 10, 8);
    model.onResync(snap, 6);
    expect(snap.ahead).toBe(6);
    model.onResync(snap, 9);
    expect(snap.ahead).toBe(6);
  });

  it('trades consume the queue ahead first and hand on the rest; a trade through clears it', () => {
    const model = new LogProbQueueModel();
    const place = model.join(5);
    expect(model.onTrade(place, 3)).toBe(0);
    expect(model.onTrade(place, 4)).toBe(2);
    expect(place.ahead).toBe(0);
    const other = model.join(9);
    model.onTradeThrough(other);
    expect(other.ahead).toBe(0);
    // Nothing ahead stays nothing ahead, whatever the level does.
    model.onLevelChange(other, 9, 2);
    expect(other.ahead).toBe(0);
  });

  it('keeps `ahead` a whole number in [0, shown] that no level change increases', () => {
    // A fixed pseudo-random walk of trades and level changes (an LCG, so the test is reproducible).
    let seed = 12345;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (const model of [new PowerProbQueueModel(1), new PowerProbQueueModel(7), new LogProbQueueModel()]) {
      let shown = 40;
      const place = model.join(shown);
      for (let step = 0; step < 2000; step++) {
        if (next(3) === 0) {
          // The feed shows a trade's lots gone only with the level's next update.
          model.onTrade(place, next(5));
          expect(place.ahead).toBeGreaterThanOrEqual(0);
          continue;
        }
        const before = place.ahead;
        const after = Math.max(0, shown + next(21) - 12);
        model.onLevelChange(place, shown, after);
        shown = after;
        expect(Number.isInteger(place.ahead), model.name).toBe(true);
        expect(place.ahead).toBeGreaterThanOrEqual(0);
        expect(place.ahead).toBeLessThanOrEqual(Math.min(before, shown));
        if (place.ahead === 0) place.ahead = Math.min(shown, 1 + next(30));
      }
    }
  });
});

describe('queueModelByName', () => {
  it('builds every listed model under its own name, a fresh instance each time', () => {
    expect(QUEUE_MODEL_NAMES).toContain('risk-averse');
    expect(QUEUE_MODEL_NAMES).toContain('prob-log');
    expect(QUEUE_MODEL_NAMES).toContain('prob-power-1');
    expect(QUEUE_MODEL_NAMES).toContain('prob-power-10');
    for (const name of QUEUE_MODEL_NAMES) expect(queueModelByName(name).name).toBe(name);
    expect(queueModelByName('risk-averse')).toBeInstanceOf(RiskAverseQueueModel);
    expect(queueModelByName('prob-log')).toBeInstanceOf(LogProbQueueModel);
    expect(queueModelByName('prob-power-3')).toEqual(new PowerProbQueueModel(3));
    expect(queueModelByName('prob-log')).not.toBe(queueModelByName('prob-log'));
  });

  it('refuses any other name with invalid_input, naming it and listing the valid ones', () => {
    const bad = [
      '',
      'prob',
      'prob-power',
      'prob-power-0',
      'prob-power-11',
      'prob-power-02',
      'prob-power-2.5',
    ];
    for (const name of [...bad, 'prob-power--1', 'Risk-Averse', 'risk-averse ', 'prob_log']) {
      let caught: unknown;
      try {
        queueModelByName(name);
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(name)).toBeInstanceOf(EngineError);
      const error = caught as EngineError;
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(JSON.stringify(name));
      for (const valid of ['risk-averse', 'prob-log', 'prob-power-N', '1 to 10'])
        expect(error.message).toContain(valid);
    }
    for (const power of [0, 11, 1.5, Number.NaN])
      expect(() => new PowerProbQueueModel(power)).toThrow(/from 1 to 10/);
  });
});

describe('resting orders under a probabilistic queue model', () => {
  /** A bid of ours joins 10 shown lots at 99.99; 10 more join behind it. */
  function joined(queue: string) {
    const r = rig({ queueModel: queueModelByName(queue) });
    r.feed.snapshot(
      [
        [9999, 10],
        [9998, 50],
      ],
      ASKS,
    );
    r.place({ clientId: 'b1', price: t(9999), size: l(5) });
    r.clock.advance(10);
    r.feed.delta([[9999, 20]], []);
    return r;
  }
  const filled = (r: ReturnType<typeof rig>, clientId = 'b1') =>
    r
      .fills()
      .filter((f) => f.clientId === clientId)
      .reduce((n, f) => n + f.size, 0);

  it('a cancel moves us forward in proportion to the lots on either side', () => {
    // 5 cancelled, F = B = 10, n = 1: p = 1/2, 10 − 2.5 = 7.5 → 8 ahead (risk-averse: still 10).
    for (const [queue, ahead] of [
      ['prob-power-1', 8],
      ['risk-averse', 10],
    ] as const) {
      const r = joined(queue);
      r.feed.delta([[9999, 15]], []);
      r.feed.trade(9999, ahead, 'sell');
      r.feed.delta([[9999, 15 - ahead]], []);
      r.clock.advance(10);
      expect(filled(r), queue).toBe(0);
      r.feed.trade(9999, 2, 'sell');
      r.clock.advance(10);
      expect(filled(r), queue).toBe(2);
    }
  });

  it('the depth update after a trade is not taken for cancels', () => {
    const r = joined('prob-power-1');
    r.feed.trade(9999, 3, 'sell');
    r.feed.delta([[9999, 17]], []); // the trade's 3 lots, nothing cancelled: still 7 ahead
    r.feed.trade(9999, 7, 'sell');
    r.feed.delta([[9999, 10]], []);
    r.clock.advance(10);
    expect(filled(r)).toBe(0);
    r.feed.trade(9999, 1, 'sell');
    r.clock.advance(10);
    expect(filled(r)).toBe(1);
  });

  it('a trade that our earlier order took whole is still not taken for cancels by the later one', () => {
    const r = rig({ queueModel: queueModelByName('prob-power-1') });
    r.feed.snapshot([[9998, 50]], ASKS);
    r.place({ clientId: 'b1', price: t(9999), size: l(3) });
    r.clock.advance(10);
    r.feed.delta([[9999, 10]], []);
    r.place({ clientId: 'b2', price: t(9999), size: l(3) });
    r.clock.advance(10);
    r.feed.delta([[9999, 20]], []); // b2: 10 ahead, 10 behind
    r.feed.trade(9999, 3, 'sell'); // fills b1; the feed's public level loses 3
    r.feed.delta([[9999, 17]], []);
    r.clock.advance(10);
    expect([filled(r, 'b1'), filled(r, 'b2')]).toEqual([3, 0]);
    // Had the 3 lots counted as cancels (p = 1/2), b2 would be 8.5 → 9 ahead and fill on the 10th lot.
    r.feed.trade(9999, 10, 'sell');
    r.clock.advance(10);
    expect(filled(r, 'b2')).toBe(0);
    r.feed.trade(9999, 1, 'sell');
    r.clock.advance(10);
    expect(filled(r, 'b2')).toBe(1);
  });
});
