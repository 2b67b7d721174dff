import type { WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { RecentSet } from '../../core/recent-set.ts';
import type { Account } from './account.ts';
import { authenticateWs, checkTiming } from './auth.ts';
import type { BybitExchange } from './exchange.ts';
import type { FaultState } from './faults.ts';
import { endpointKey } from './faults.ts';
import type { IdSource } from './ids.ts';
import type { RateLimiter } from './rate-limit.ts';
import { limitHeaders } from './rest-server.ts';
import type { BatchOp } from './trading.ts';
import type { Params, Reply } from './wire.ts';
import { fail, isRecord, text, TOO_MANY_VISITS, wireMs } from './wire.ts';
import type { Conn } from './ws-conn.ts';
import { listen, requestId, sendJson } from './ws-conn.ts';

interface TradeConn {
  readonly conn: Conn;
  account: Account | undefined;
  /** reqIds seen on this connection (A9: they must not repeat). */
  readonly reqIds: RecentSet;
}

type Single = 'create' | 'amend' | 'cancel';
/** A Map, not an object literal: the op comes from the client and must not reach Object.prototype. */
const OPS: ReadonlyMap<string, { single?: Single; batch?: BatchOp }> = new Map([
  ['order.create', { single: 'create' }],
  ['order.amend', { single: 'amend' }],
  ['order.cancel', { single: 'cancel' }],
  ['order.create-batch', { batch: 'create' }],
  ['order.amend-batch', { batch: 'amend' }],
  ['order.cancel-batch', { batch: 'cancel' }],
]);
const KNOWN_CATEGORIES: readonly unknown[] = ['spot', 'linear', 'inverse', 'option'];
const REQ_IDS_REMEMBERED = 10_000;

/**
 * /v5/trade: order entry over the socket in the trade dialect (A11). Auth first; each request
 * carries X-BAPI-TIMESTAMP / X-BAPI-RECV-WINDOW under the REST timing rule, a reqId that must not
 * repeat (20006), and counts against the same quotas as REST. Answers echo reqId when sent and
 * carry the X-Bapi-Limit* values in `header`. Faults: refusals, swallowed creates, delayed answers.
 */
export class TradeStreams {
  private readonly exchange: BybitExchange;
  private readonly clock: Clock;
  private readonly ids: IdSource;
  private readonly faults: FaultState;
  private readonly limiter: RateLimiter;
  private readonly conns = new Set<TradeConn>();
  private readonly timers = new Set<TimerHandle>();

  constructor(options: {
    exchange: BybitExchange;
    clock: Clock;
    ids: IdSource;
    faults: FaultState;
    limiter: RateLimiter;
  }) {
    this.exchange = options.exchange;
    this.clock = options.clock;
    this.ids = options.ids;
    this.faults = options.faults;
    this.limiter = options.limiter;
  }

  attach(ws: WebSocket, idleMs: number): void {
    const conn: Conn = { id: this.ids.connId(), kind: 'trade', ws, lastActivity: this.clock.now(), idleMs };
    const tc: TradeConn = { conn, account: undefined, reqIds: new RecentSet(REQ_IDS_REMEMBERED) };
    this.conns.add(tc);
    listen(
      conn,
      this.clock,
      (message) => {
        this.onMessage(tc, message);
      },
      () => {
        this.conns.delete(tc);
        if (tc.account !== undefined) this.exchange.dcp.disconnected(tc.account);
      },
    );
  }

  count(): number {
    return this.conns.size;
  }

  drop(): number {
    const n = this.conns.size;
    for (const tc of this.conns) tc.conn.ws.terminate();
    return n;
  }

  sweep(now: number): number {
    let n = 0;
    for (const tc of this.conns) {
      if (tc.conn.idleMs !== undefined && now - tc.conn.lastActivity > tc.conn.idleMs) {
        tc.conn.ws.terminate();
        n++;
      }
    }
    return n;
  }

  stop(): void {
    for (const t of this.timers) this.clock.clearTimer(t);
    this.timers.clear();
    for (const tc of this.conns) tc.conn.ws.terminate();
  }

  private onMessage(tc: TradeConn, message: Record<string, unknown> | undefined): void {
    if (message === undefined) {
      sendJson(tc.conn, { retCode: 10001, retMsg: 'invalid request', op: '', connId: tc.conn.id });
      return;
    }
    const reqId = requestId(message, 'reqId') ?? requestId(message, 'req_id');
    const op = typeof message['op'] === 'string' ? message['op'] : '';
    const head = reqId === undefined ? {} : { reqId };
    const short = (retCode: number, retMsg: string, extra: Record<string, unknown> = {}): void => {
      sendJson(tc.conn, { ...head, retCode, retMsg, op, ...extra, connId: tc.conn.id });
    };
    if (op === 'ping') {
      short(0, 'OK', { op: 'pong', data: [String(wireMs(this.clock.now()))] });
      return;
    }
    if (op === 'auth') {
      if (tc.account !== undefined) {
        short(20001, 'Repeat auth');
        return;
      }
      const result = authenticateWs(
        (key) => this.exchange.accounts.get(key),
        message['args'],
        this.clock.now(),
      );
      if (!result.ok) {
        if (result.failure === 'params') short(10001, 'Params Error');
        else if (result.failure === 'key') short(10003, 'Invalid apikey');
        else short(10004, 'Invalid sign');
        return;
      }
      tc.account = result.account;
      this.exchange.dcp.connected(result.account);
      short(0, 'OK');
      return;
    }
    const kind = OPS.get(op);
    if (kind === undefined) {
      short(10404, `op not found: ${op}`);
      return;
    }
    const account = tc.account;
    if (account === undefined) {
      short(10003, 'Request not authorized');
      return;
    }
    if (reqId !== undefined) {
      if (reqId.length > 36) {
        short(10001, 'reqId is too long: at most 36 characters');
        return;
      }
      if (!tc.reqIds.addIfNew(reqId)) {
        short(20006, 'reqId is duplicate');
        return;
      }
    }
    const header = isRecord(message['header']) ? message['header'] : {};
    const timestamp = text(header, 'X-BAPI-TIMESTAMP');
    if (timestamp === undefined) {
      short(10001, 'header X-BAPI-TIMESTAMP is required');
      return;
    }
    const late = checkTiming(timestamp, text(header, 'X-BAPI-RECV-WINDOW') ?? '5000', this.clock.now());
    if (late !== undefined) {
      this.respond(tc, head, op, late, {});
      return;
    }
    const refusal = this.faults.takeRefusal(op);
    if (refusal !== undefined) {
      this.respond(tc, head, op, refusal, {});
      return;
    }
    const args = message['args'];
    const first: unknown = Array.isArray(args) && args.length === 1 ? args[0] : undefined;
    if (!isRecord(first)) {
      this.respond(tc, head, op, fail(10001, 'args must be one object'), {});
      return;
    }
    const category = first['category'];
    if (!KNOWN_CATEGORIES.includes(category)) {
      this.respond(tc, head, op, fail(10404, 'category invalid'), {});
      return;
    }
    const request = first['request'];
    const units = kind.batch !== undefined && Array.isArray(request) ? Math.max(1, request.length) : 1;
    const now = this.clock.now();
    const limit = this.limiter.take(account.uid, endpointKey(op), text(first, 'category'), units, now);
    let reply: Reply;
    if (limit.allowed === 0) reply = fail(10006, TOO_MANY_VISITS);
    else if (kind.batch !== undefined)
      reply = this.exchange.trading.batch(kind.batch, account, first, limit.allowed);
    else reply = this.single(kind.single!, account, first);
    if (op === 'order.create' && this.faults.takeTimeout()) return;
    this.respond(tc, head, op, reply, limitHeaders(limit));
  }

  private single(op: Single, account: Account, params: Params): Reply {
    const trading = this.exchange.trading;
    return op === 'create'
      ? trading.create(account, params)
      : op === 'amend'
        ? trading.amend(account, params)
        : trading.cancel(account, params);
  }

  private respond(
    tc: TradeConn,
    head: { reqId?: string },
    op: string,
    reply: Reply,
    limits: Record<string, string>,
  ): void {
    const send = (): void => {
      const now = String(wireMs(this.clock.now()));
      sendJson(tc.conn, {
        ...head,
        retCode: reply.retCode,
        retMsg: reply.retMsg,
        op,
        data: reply.result ?? {},
        retExtInfo: reply.retExtInfo ?? {},
        header: { ...limits, Traceid: this.ids.uuid().replaceAll('-', ''), Timenow: now },
        connId: tc.conn.id,
      });
    };
    const delay = this.faults.delayMs;
    if (delay <= 0) {
      send();
      return;
    }
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, delay);
    this.timers.add(timer);
  }
}
