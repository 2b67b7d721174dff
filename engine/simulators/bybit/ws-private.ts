import type { WebSocket } from 'ws';
import type { Clock } from '../../core/clock.ts';
import type { Account, PrivatePush } from './account.ts';
import { authenticateWs } from './auth.ts';
import type { DcpProduct } from './dcp.ts';
import { dcpProductOfTopic } from './dcp.ts';
import type { BybitExchange } from './exchange.ts';
import type { FaultState } from './faults.ts';
import type { IdSource } from './ids.ts';
import { wireMs } from './wire.ts';
import type { Conn } from './ws-conn.ts';
import { listen, requestId, sendFrame, sendJson } from './ws-conn.ts';

type Family = PrivatePush['topic'];
type Subscription = { family: Family; category?: string } | { family: 'dcp'; product: DcpProduct };

interface PrivateConn {
  readonly conn: Conn;
  account: Account | undefined;
  readonly subs: Map<string, Subscription>;
}

function parseTopic(topic: string): Subscription | undefined {
  if (topic === 'wallet') return { family: 'wallet' };
  const product = dcpProductOfTopic(topic);
  if (product !== undefined) return { family: 'dcp', product };
  const m = /^(order|execution\.fast|execution|position)(?:\.(spot|linear|inverse|option))?$/.exec(topic);
  if (m === null) return undefined;
  const family = m[1] as Family;
  const category = m[2];
  if (family === 'position' && category === 'spot') return undefined;
  return category === undefined ? { family } : { family, category };
}

/**
 * /v5/private: the auth op (`GET/realtime{expires}`, "Params Error" when expired), the private
 * topics of A11 in the private dialect, and the pushes of the account's operations, each framed
 * as `{"id","topic","creationTime","data"}` for every subscription it matches (categorised topics
 * get their category's items). Subscribing a `dcp.*` topic arms DCP; every authenticated connection
 * counts as the account's presence for it.
 */
export class PrivateStreams {
  private readonly exchange: BybitExchange;
  private readonly clock: Clock;
  private readonly ids: IdSource;
  private readonly faults: FaultState;
  private readonly conns = new Set<PrivateConn>();
  private readonly byAccount = new Map<Account, Set<PrivateConn>>();

  constructor(options: { exchange: BybitExchange; clock: Clock; ids: IdSource; faults: FaultState }) {
    this.exchange = options.exchange;
    this.clock = options.clock;
    this.ids = options.ids;
    this.faults = options.faults;
  }

  attach(ws: WebSocket, idleMs: number): void {
    const conn: Conn = { id: this.ids.connId(), kind: 'private', ws, lastActivity: this.clock.now(), idleMs };
    const pc: PrivateConn = { conn, account: undefined, subs: new Map() };
    this.conns.add(pc);
    listen(
      conn,
      this.clock,
      (message) => {
        this.onMessage(pc, message);
      },
      () => {
        this.conns.delete(pc);
        if (pc.account !== undefined) {
          this.byAccount.get(pc.account)?.delete(pc);
          this.exchange.dcp.disconnected(pc.account);
        }
      },
    );
  }

  /** Sends one of the account's pushes to every matching subscription of its connections. */
  deliver(account: Account, push: PrivatePush): void {
    const conns = this.byAccount.get(account);
    if (conns === undefined) return;
    for (const pc of conns) {
      for (const [topic, sub] of pc.subs) {
        if (sub.family !== push.topic) continue;
        const category = 'category' in sub ? sub.category : undefined;
        const data = category === undefined ? push.data : push.data.filter((d) => d['category'] === category);
        if (data.length === 0) continue;
        const frame = JSON.stringify({
          id: this.ids.uuid(),
          topic,
          creationTime: wireMs(this.clock.now()),
          data,
        });
        this.faults.sendPrivate((f) => {
          sendFrame(pc.conn, f);
        }, frame);
      }
    }
  }

  count(): number {
    return this.conns.size;
  }

  drop(): number {
    const n = this.conns.size;
    for (const pc of this.conns) pc.conn.ws.terminate();
    return n;
  }

  /** Drops connections idle longer than their limit; returns how many. */
  sweep(now: number): number {
    let n = 0;
    for (const pc of this.conns) {
      if (pc.conn.idleMs !== undefined && now - pc.conn.lastActivity > pc.conn.idleMs) {
        pc.conn.ws.terminate();
        n++;
      }
    }
    return n;
  }

  stop(): void {
    for (const pc of this.conns) pc.conn.ws.terminate();
  }

  // ---- messages --------------------------------------------------------------------------------

  private onMessage(pc: PrivateConn, message: Record<string, unknown> | undefined): void {
    const reqId = message === undefined ? undefined : requestId(message, 'req_id');
    const id = reqId === undefined ? {} : { req_id: reqId };
    const op = message?.['op'];
    const reply = (success: boolean, retMsg: string, opName: string): void => {
      sendJson(pc.conn, { ...id, success, ret_msg: retMsg, op: opName, conn_id: pc.conn.id });
    };
    if (op === 'ping') {
      sendJson(pc.conn, { ...id, op: 'pong', args: [String(wireMs(this.clock.now()))], conn_id: pc.conn.id });
      return;
    }
    if (op === 'auth') {
      if (pc.account !== undefined) {
        reply(false, 'Repeat auth', 'auth');
        return;
      }
      const result = authenticateWs(
        (key) => this.exchange.accounts.get(key),
        message!['args'],
        this.clock.now(),
      );
      if (!result.ok) {
        reply(
          false,
          result.failure === 'params'
            ? 'Params Error'
            : result.failure === 'key'
              ? 'API key is invalid.'
              : 'Invalid sign',
          'auth',
        );
        return;
      }
      pc.account = result.account;
      let set = this.byAccount.get(result.account);
      if (set === undefined) {
        set = new Set();
        this.byAccount.set(result.account, set);
      }
      set.add(pc);
      this.exchange.dcp.connected(result.account);
      reply(true, '', 'auth');
      return;
    }
    if (op !== 'subscribe' && op !== 'unsubscribe') {
      reply(false, 'error:invalid op', typeof op === 'string' ? op : '');
      return;
    }
    if (pc.account === undefined) {
      reply(false, 'Request not authorized', op);
      return;
    }
    const args = message!['args'];
    if (!Array.isArray(args) || args.length === 0 || !args.every((a): a is string => typeof a === 'string')) {
      reply(false, 'error:args invalid', op);
      return;
    }
    const parsed: [string, Subscription][] = [];
    for (const topic of args) {
      const sub = parseTopic(topic);
      if (sub === undefined) {
        reply(false, `error:handler not found,topic:${topic}`, op);
        return;
      }
      parsed.push([topic, sub]);
    }
    // An all-in-one topic and a categorised one of the same family cannot share a request (A11).
    const plain = new Set(
      parsed.filter(([t, s]) => s.family !== 'dcp' && t === s.family).map(([, s]) => s.family),
    );
    const mixed = parsed.find(([t, s]) => s.family !== 'dcp' && t !== s.family && plain.has(s.family));
    if (mixed !== undefined) {
      reply(false, `error:all-in-one topic and categorised topic cannot be mixed,topic:${mixed[0]}`, op);
      return;
    }
    for (const [topic, sub] of parsed) {
      if (op === 'unsubscribe') {
        pc.subs.delete(topic);
        continue;
      }
      pc.subs.set(topic, sub);
      if (sub.family === 'dcp') this.exchange.dcp.arm(pc.account, sub.product);
    }
    reply(true, '', op);
  }
}
