import { EngineError } from '../../core/errors.ts';

/**
 * The one-way delays of the simulated link between the engine and the venue, in ms, as functions of
 * time (hftbacktest's order latency models). Guarantees a caller may rely on and an implementation
 * must give:
 * - both return a finite, non-negative delay (SimulatedExecution throws on anything else, as a bug);
 * - they are pure functions of their argument: no clock, no randomness of their own, so a run is
 *   reproducible;
 * - they need not be monotone: SimulatedExecution keeps each direction FIFO (a message whose delay
 *   is shorter than its predecessor's waits for it, as on one TCP connection), so nothing overtakes
 *   an earlier message in either direction.
 */
export interface LatencyModel {
  /** Delay from a request sent at engine time `sentAt` until it reaches the venue's matching. */
  entryLatency(sentAt: number): number;
  /**
   * Delay from an event at venue time `at` (an answer to a request, an order update, a fill) until
   * the engine receives it.
   */
  responseLatency(at: number): number;
}

/** Constant one-way delays in ms: engine -> venue (requests), venue -> engine (answers, executions). */
export interface ConstantLatency {
  requestMs: number;
  responseMs: number;
}

/**
 * The model for a latency option: a LatencyModel as it is, a ConstantLatency (a plain object, as
 * callers passed before there were models) after checking both delays are finite and non-negative.
 */
export function latencyModelOf(latency: LatencyModel | ConstantLatency): LatencyModel {
  if (isModel(latency)) return latency;
  const { requestMs, responseMs } = latency;
  for (const [what, ms] of [
    ['request', requestMs],
    ['response', responseMs],
  ] as const) {
    if (!Number.isFinite(ms) || ms < 0)
      throw new EngineError('invalid_input', `${what} latency must be finite and non-negative`);
  }
  return {
    entryLatency: () => requestMs,
    responseLatency: () => responseMs,
  };
}

function isModel(latency: LatencyModel | ConstantLatency): latency is LatencyModel {
  return typeof (latency as Partial<LatencyModel>).entryLatency === 'function';
}

/**
 * One acknowledged order measured live, in ms on our clock (the venue's timestamp corrected for the
 * clock offset): when we sent the request, when the venue's matching accepted it, when its answer
 * reached us. Leave out requests the venue rejected before matching (hftbacktest marks them with
 * exch_ts ≤ 0): they never reached it, so they say nothing of the delays here.
 */
export interface LatencySample {
  readonly requestTs: number;
  readonly exchangeTs: number;
  readonly responseTs: number;
}

/**
 * Latency interpolated from measured acknowledgements (hftbacktest's IntpOrderLatency): the entry
 * delay of a request sent at t interpolates exchangeTs − requestTs linearly over requestTs, the
 * response delay of a venue event at x interpolates responseTs − exchangeTs over exchangeTs. Before
 * the first and after the last sample each delay stays at that sample's value. Samples at the same
 * timestamp: the later one (in the order given) holds from that timestamp on.
 *
 * The samples are checked (finite, exchangeTs ≥ requestTs, responseTs ≥ exchangeTs, at least one)
 * and sorted here, so they may come in any order; each lookup is a binary search.
 */
export class IntervalLatency implements LatencyModel {
  private readonly entry: Curve;
  private readonly response: Curve;

  constructor(samples: readonly LatencySample[]) {
    if (samples.length === 0)
      throw new EngineError('invalid_input', 'measured latency needs at least one sample');
    samples.forEach(checkSample);
    this.entry = curveOf(samples.map((s) => [s.requestTs, s.exchangeTs - s.requestTs] as const));
    this.response = curveOf(samples.map((s) => [s.exchangeTs, s.responseTs - s.exchangeTs] as const));
  }

  entryLatency(sentAt: number): number {
    return interpolate(this.entry, sentAt);
  }

  responseLatency(at: number): number {
    return interpolate(this.response, at);
  }
}

function checkSample(sample: LatencySample, index: number): void {
  const { requestTs, exchangeTs, responseTs } = sample;
  const problem = ![requestTs, exchangeTs, responseTs].every(Number.isFinite)
    ? 'a timestamp is not a finite number'
    : exchangeTs < requestTs
      ? 'exchangeTs is before requestTs'
      : responseTs < exchangeTs
        ? 'responseTs is before exchangeTs'
        : undefined;
  if (problem !== undefined)
    throw new EngineError(
      'invalid_input',
      `latency sample ${index} (requestTs ${String(requestTs)}, exchangeTs ${String(exchangeTs)}, ` +
        `responseTs ${String(responseTs)}): ${problem}`,
    );
}

/** A delay as a function of time, by its points sorted by time. */
interface Curve {
  readonly times: readonly number[];
  readonly delays: readonly number[];
}

function curveOf(points: (readonly [time: number, delay: number])[]): Curve {
  // Array.prototype.sort is stable: samples at one timestamp keep the order they were given in.
  points.sort((a, b) => a[0] - b[0]);
  return { times: points.map((p) => p[0]), delays: points.map((p) => p[1]) };
}

function interpolate(curve: Curve, t: number): number {
  const { times, delays } = curve;
  const last = times.length - 1;
  if (t < times[0]!) return delays[0]!;
  if (t >= times[last]!) return delays[last]!;
  // The last point at or before t; the next one is strictly after it.
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid;
  }
  const t0 = times[lo]!;
  const t1 = times[hi]!;
  const d0 = delays[lo]!;
  return d0 + ((delays[hi]! - d0) * (t - t0)) / (t1 - t0);
}
