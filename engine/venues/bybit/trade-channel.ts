import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { BybitCategory } from './instruments.ts';
import type { BybitRateLimiter } from './rate-limit.ts';
import type { BybitRest, RestAnswer } from './rest-client.ts';
import { THROTTLED_LOCALLY, TRANSPORT_FAILED } from './rest-client.ts';
import type { BybitSocket } from './socket.ts';

export type TradeOp = 'create' | 'amend' | 'cancel';

/** One order request's answer: the venue's ids, or its refusal with its own code and message. */
export type TradeAnswer =
  | { ok: true; orderId: string; orderLinkId: string; time: number }
  | { ok: false; retCode: number; retMsg: string };

/** Items per batch request (A7): spot 10, linear 20. */
const BATCH_MAX: Record<BybitCategory, number> = { spot: 10, linear: 20 };

const PATHS: Record<TradeOp, { single: string; batch: string }> = {
  create: { single: '/v5/order/create', batch: '/v5/order/create-batch' },
  amend: { single: '/v5/order/amend', batch: '/v5/order/amend-batch' },
  cancel: { single: '/v5/order/cancel', batch: '/v5/order/cancel-batch' },
};

interface Pending {
  op: TradeOp;
  category: BybitCategory;
  args: Record<string, unknown>;
  resolve: (answer: TradeAnswer) => void;
}

interface InFlight {
  items: Pending[];
  batch: boolean;
  timer: TimerHandle;
}

export interface TradeChannelOptions {
  clock: Clock;
  /** The authenticated `/v5/trade` socket, or null where the venue has none (demo trading). */
  socket: BybitSocket | null;
  rest: BybitRest;
  limiter: BybitRateLimiter;
  recvWindowMs?: number;
  /** An order request with no answer after this long is answered as a transport failure. */
  timeoutMs?: number;
}

/**
 * Order entry: over the `/v5/trade` socket while it is up, over REST otherwise (A11, A7). Requests made
 * in the same turn of the event loop (one requote's amends on both sides, a ladder's places) leave as
 * one batch request per operation and category where there are several, which costs one round trip
 * and, on REST, one signature instead of several. Every request is answered exactly once: by the
 * venue, by a local refusal, or by the timeout.
 */
export class BybitTradeChannel {
  private readonly options: TradeChannelOptions;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private readonly inFlight = new Map<string, InFlight>();
  private nextReq = 1;
  private readonly reqPrefix = `t${Date.now().toString(36)}`;

  constructor(options: TradeChannelOptions) {
    this.options = options;
  }

  request(op: TradeOp, category: BybitCategory, args: Record<string, unknown>): Promise<TradeAnswer> {
    return new Promise((resolve) => {
      this.queue.push({ op, category, args, resolve });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** A frame from the trade socket: the answer to one of our requests (anything else is ignored). */
  onFrame(frame: Record<string, unknown>): void {
    const reqId = frame.reqId;
    if (typeof reqId !== 'string') return;
    const entry = this.inFlight.get(reqId);
    if (!entry) return;
    this.inFlight.delete(reqId);
    this.options.clock.clearTimer(entry.timer);
    const header = (frame.header ?? {}) as Record<string, unknown>;
    const category = entry.items[0]!.category;
    this.options.limiter.observe(PATHS[entry.items[0]!.op][entry.batch ? 'batch' : 'single'], category, {
      limit: stringOr(header['X-Bapi-Limit']),
      status: stringOr(header['X-Bapi-Limit-Status']),
      resetTs: stringOr(header['X-Bapi-Limit-Reset-Timestamp']),
    });
    const time = Number(stringOr(header.Timenow) ?? this.options.clock.now());
    const retCode = typeof frame.retCode === 'number' ? frame.retCode : TRANSPORT_FAILED;
    const retMsg = typeof frame.retMsg === 'string' ? frame.retMsg : '';
    // Our clock drifted from the venue's: measured again, so the next request is signed in time.
    if (retCode === 10002) void this.options.rest.syncTime().catch(() => undefined);
    settle(entry.items, entry.batch, retCode, retMsg, frame.data, frame.retExtInfo, time);
  }

  /** The trade socket went down: what it carried may or may not have reached the venue. */
  onDisconnected(): void {
    for (const [reqId, entry] of this.inFlight) {
      this.inFlight.delete(reqId);
      this.options.clock.clearTimer(entry.timer);
      for (const p of entry.items)
        p.resolve({
          ok: false,
          retCode: TRANSPORT_FAILED,
          retMsg: 'the trade connection dropped before the answer',
        });
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const queue = this.queue;
    this.queue = [];
    // Group by (op, category), keeping each group's order; a group of one goes as a single request.
    const groups = new Map<string, Pending[]>();
    for (const p of queue) {
      const key = `${p.op}:${p.category}`;
      const g = groups.get(key);
      if (g) g.push(p);
      else groups.set(key, [p]);
    }
    for (const items of groups.values()) {
      const max = BATCH_MAX[items[0]!.category];
      for (let i = 0; i < items.length; i += max) this.send(items.slice(i, i + max));
    }
  }

  private send(items: Pending[]): void {
    const { op, category } = items[0]!;
    const batch = items.length > 1;
    const path = PATHS[op][batch ? 'batch' : 'single'];
    const socket = this.options.socket;
    const viaSocket = socket !== null && socket.connectionState() === 'connected';
    // The same per-endpoint quota either way; only REST also spends the per-IP request limit.
    const quotaName = viaSocket ? `order.${op}${batch ? '-batch' : ''}` : path;
    const wait = this.options.limiter.reserve(quotaName, category, items.length);
    if (wait > 0) {
      for (const p of items)
        p.resolve({
          ok: false,
          retCode: THROTTLED_LOCALLY,
          retMsg: `order quota used up: next slot in ${wait} ms`,
        });
      return;
    }
    const body = batch
      ? { category, request: items.map((p) => ({ ...p.args })) }
      : { category, ...items[0]!.args };
    if (viaSocket) {
      const reqId = `${this.reqPrefix}${(this.nextReq++).toString(36)}`;
      const timestamp = String(Math.round(this.options.clock.now() + this.options.rest.clockOffsetMs()));
      const frame = JSON.stringify({
        reqId,
        header: {
          'X-BAPI-TIMESTAMP': timestamp,
          'X-BAPI-RECV-WINDOW': String(this.options.recvWindowMs ?? 5000),
        },
        op: quotaName,
        args: [body],
      });
      if (socket.send(frame)) {
        const timer = this.options.clock.setTimeout(() => {
          if (!this.inFlight.delete(reqId)) return;
          for (const p of items)
            p.resolve({
              ok: false,
              retCode: TRANSPORT_FAILED,
              retMsg: 'no answer on the trade connection in time',
            });
        }, this.options.timeoutMs ?? 5000);
        this.inFlight.set(reqId, { items, batch, timer });
        return;
      }
    }
    // No trade socket (demo), or it is down: the same request over REST. The quota is already taken.
    void this.options.rest.signedPost(path, body, category, 0).then((answer: RestAnswer) => {
      if (!answer.ok) settle(items, batch, answer.retCode, answer.retMsg, undefined, undefined, 0);
      else settle(items, batch, 0, 'OK', answer.result, answer.retExtInfo, answer.time);
    });
  }
}

/** Answers each request of a single or batch call from the venue's reply (A7 batch layout). */
function settle(
  items: Pending[],
  batch: boolean,
  retCode: number,
  retMsg: string,
  data: unknown,
  retExtInfo: unknown,
  time: number,
): void {
  if (retCode !== 0) {
    for (const p of items) p.resolve({ ok: false, retCode, retMsg });
    return;
  }
  if (!batch) {
    const d = (data ?? {}) as Record<string, unknown>;
    items[0]!.resolve(idsOf(d, time));
    return;
  }
  const list = Array.isArray((data as { list?: unknown } | undefined)?.list)
    ? ((data as { list: unknown[] }).list as Record<string, unknown>[])
    : [];
  const ext = Array.isArray((retExtInfo as { list?: unknown } | undefined)?.list)
    ? ((retExtInfo as { list: unknown[] }).list as Record<string, unknown>[])
    : [];
  items.forEach((p, i) => {
    const code = ext[i]?.code;
    if (typeof code === 'number' && code !== 0) {
      p.resolve({ ok: false, retCode: code, retMsg: typeof ext[i]?.msg === 'string' ? ext[i].msg : '' });
      return;
    }
    const item = list[i];
    if (!item) {
      p.resolve({
        ok: false,
        retCode: TRANSPORT_FAILED,
        retMsg: 'the batch answer has no entry for this order',
      });
      return;
    }
    p.resolve(idsOf(item, time));
  });
}

function idsOf(d: Record<string, unknown>, time: number): TradeAnswer {
  const orderId = typeof d.orderId === 'string' ? d.orderId : '';
  const orderLinkId = typeof d.orderLinkId === 'string' ? d.orderLinkId : '';
  return { ok: true, orderId, orderLinkId, time };
}

function stringOr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
