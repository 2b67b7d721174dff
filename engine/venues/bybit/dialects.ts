import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { VenueCredentials } from '../registry.ts';
import { signWsAuth } from './sign.ts';
import type { BybitSocket, SocketDialect } from './socket.ts';

/**
 * The three WebSocket dialects of Bybit v5 (A11): public (subscribe, the `pong` as `ret_msg`), private
 * (auth op, then subscribe) and trade (auth in its retCode dialect). Each waits for its auth answer
 * before the link counts as up, so an order request never leaves on an unauthenticated socket.
 */

/** Waits for one answer frame (by `op`) on a socket; the venue routes frames here first. */
export class OpWaiter {
  private readonly waiting = new Map<
    string,
    { resolve: (f: Record<string, unknown>) => void; timer: TimerHandle }
  >();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  wait(op: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.waiting.delete(op);
        reject(new Error(`no answer to ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(op, { resolve, timer });
    });
  }

  /** True if the frame answered a wait (and is consumed). */
  offer(frame: Record<string, unknown>): boolean {
    const op = frame.op;
    if (typeof op !== 'string') return false;
    const w = this.waiting.get(op);
    if (!w) return false;
    this.waiting.delete(op);
    this.clock.clearTimer(w.timer);
    w.resolve(frame);
    return true;
  }
}

let pingSeq = 0;

/** A frame field as text for a message: strings and numbers as they are, anything else the fallback. */
export function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback;
}

function isPong(frame: Record<string, unknown>): boolean {
  // Public spot answers {"op":"ping","ret_msg":"pong"}; private and trade {"op":"pong"}.
  return frame.op === 'pong' || (frame.op === 'ping' && frame.ret_msg === 'pong');
}

function ping(): string {
  return JSON.stringify({ req_id: `p${(++pingSeq).toString(36)}`, op: 'ping' });
}

/** Topics go out in requests of at most 10 (the spot limit), which every public endpoint accepts. */
export function subscribeFrames(op: 'subscribe' | 'unsubscribe', topics: readonly string[]): string[] {
  const frames: string[] = [];
  for (let i = 0; i < topics.length; i += 10)
    frames.push(
      JSON.stringify({ req_id: `s${(++pingSeq).toString(36)}`, op, args: topics.slice(i, i + 10) }),
    );
  return frames;
}

export function publicDialect(topics: () => readonly string[]): SocketDialect {
  return {
    ping,
    isPong,
    onOpen(link: BybitSocket) {
      for (const f of subscribeFrames('subscribe', topics())) link.send(f);
      return Promise.resolve();
    },
  };
}

interface AuthOptions {
  credentials: VenueCredentials;
  waiter: OpWaiter;
  /** Local time plus the server offset, ms. */
  serverNow: () => number;
  timeoutMs: number;
}

/**
 * Sends the `auth` op and waits for its answer (both authenticated streams log in the same way; only
 * the answer's dialect differs). The signature is valid for a few seconds from the venue's point of
 * view: a stale one is refused ("Params Error").
 */
async function login(link: BybitSocket, o: AuthOptions): Promise<Record<string, unknown>> {
  const answer = o.waiter.wait('auth', o.timeoutMs);
  const expires = Math.round(o.serverNow() + 10_000);
  link.send(
    JSON.stringify({
      req_id: 'auth',
      op: 'auth',
      args: [o.credentials.apiKey, expires, signWsAuth(o.credentials.apiSecret, expires)],
    }),
  );
  return answer;
}

export function privateDialect(o: AuthOptions, topics: () => readonly string[][]): SocketDialect {
  return {
    ping,
    isPong,
    async onOpen(link: BybitSocket) {
      const frame = await login(link, o);
      if (frame.success !== true)
        throw new Error(
          `Bybit refused the private stream's login: ${text(frame.ret_msg, 'no reason given')}`,
        );
      // All-in-one and per-category topics may not share a request, so each group is its own.
      for (const group of topics()) for (const f of subscribeFrames('subscribe', group)) link.send(f);
    },
  };
}

export function tradeDialect(o: AuthOptions): SocketDialect {
  return {
    ping,
    isPong,
    async onOpen(link: BybitSocket) {
      const frame = await login(link, o);
      if (frame.retCode !== 0)
        throw new Error(
          `Bybit refused the trade stream's login: ${text(frame.retMsg, 'no reason given')} (${text(frame.retCode, '?')})`,
        );
    },
  };
}
