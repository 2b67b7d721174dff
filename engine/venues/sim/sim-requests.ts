import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { Answer, OrderAck, VenueRejectCode, VenueResult } from '../venue.ts';
import type { SimLink } from './sim-link.ts';
import type { SimOrders } from './sim-orders.ts';

/**
 * What the venue runs when a request arrives. The handlers are static functions of (orders, request),
 * so a request allocates no closure.
 */
export type SimHandler<R, T> = (orders: SimOrders, request: R) => T;

/**
 * Our requests through the simulated network: a request crosses the request link, the venue handles
 * it on arrival, and its answer crosses the response link back, queued ahead of the executions the
 * request caused. Answered through a Promise, or through a callback with no Promise and no closure.
 */
export class SimRequests {
  private readonly clock: Clock;
  private readonly link: SimLink;
  private readonly orders: SimOrders;

  constructor(clock: Clock, link: SimLink, orders: SimOrders) {
    this.clock = clock;
    this.link = link;
    this.orders = orders;
  }

  request<R, T>(handler: SimHandler<R, T>, request: R): Promise<T | VenueResult<never>> {
    if (this.link.state !== 'connected') {
      return Promise.resolve(reject('venue_unavailable', `${this.link.venueId} is ${this.link.state}`));
    }
    const call = new SimCall(handler as SimHandler<unknown, unknown>, request);
    const answer = new Promise<T>((resolve, rejectPromise) => {
      call.resolve = resolve as (value: unknown) => void;
      call.reject = rejectPromise;
    });
    this.link.requestLine.push(this.link.requestDelay(), this.runCall, call);
    return answer;
  }

  /** A request answered through `answer(result, tag)`: no Promise, no closure. */
  send<R>(
    handler: SimHandler<R, VenueResult<OrderAck>>,
    request: R,
    answer: Answer<OrderAck>,
    tag: unknown,
  ): void {
    if (this.link.state !== 'connected') {
      const refused = reject('venue_unavailable', `${this.link.venueId} is ${this.link.state}`);
      // On the clock, not a microtask: a replay stepping the clock sees the answer at the same instant.
      this.clock.setTimeout(() => answer(refused, tag), 0);
      return;
    }
    const call = new SimCall(handler as SimHandler<unknown, unknown>, request);
    call.answer = answer as Answer<unknown>;
    call.tag = tag;
    this.link.requestLine.push(this.link.requestDelay(), this.runCall, call);
  }

  /** A read of the venue's state, taken when the request arrives; rejects while not connected. */
  query<T>(handler: () => T): Promise<T> {
    if (this.link.state !== 'connected') {
      return Promise.reject(new EngineError('unavailable', `${this.link.venueId} is ${this.link.state}`));
    }
    return this.request(run, handler) as Promise<T>;
  }

  private readonly runCall = (call: SimCall): void => {
    // The answer is queued before the executions the request causes, so it arrives first.
    this.link.responseLine.push(this.link.responseDelay(), this.deliverAnswer, call, this.link.linkEpoch);
    try {
      call.value = call.handler(this.orders, call.request);
    } catch (err) {
      call.failed = true;
      call.error = err;
    }
  };

  /** An answer reaches us unless the link dropped since the request left, or answers are being lost. */
  private readonly deliverAnswer = (call: SimCall, epoch: number): void => {
    if (epoch !== this.link.linkEpoch || this.link.losing()) return;
    answerCall(call);
  };
}

const run = <T>(_orders: SimOrders, fn: () => T): T => fn();

export function reject(
  code: VenueRejectCode,
  message: string,
): { ok: false; code: VenueRejectCode; message: string } {
  return { ok: false, code, message };
}

/** One request on its way through the simulated link, and its answer once the venue handled it. */
class SimCall {
  readonly handler: SimHandler<unknown, unknown>;
  readonly request: unknown;
  value: unknown = undefined;
  error: unknown = undefined;
  failed = false;
  /** Set for a callback request, which is answered through it (and never rejects). */
  answer: Answer<unknown> | null = null;
  tag: unknown = undefined;
  resolve: (value: unknown) => void = noop;
  reject: (error: Error) => void = noop;

  constructor(handler: SimHandler<unknown, unknown>, request: unknown) {
    this.handler = handler;
    this.request = request;
  }
}

function noop(): void {}

function answerCall(call: SimCall): void {
  if (call.answer !== null) {
    // A handler that threw is a broken venue, not a refusal: answered as unavailable.
    const result = call.failed
      ? reject('venue_unavailable', call.error instanceof Error ? call.error.message : String(call.error))
      : (call.value as VenueResult<unknown>);
    call.answer(result, call.tag);
    return;
  }
  if (call.failed) call.reject(call.error instanceof Error ? call.error : new Error(String(call.error)));
  else call.resolve(call.value);
}
