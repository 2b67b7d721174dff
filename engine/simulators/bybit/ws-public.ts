import type { WebSocket } from 'ws';
import type { Clock } from '../../core/clock.ts';
import type { BookDepth, Sink } from './book-feed.ts';
import { isBookDepth } from './book-feed.ts';
import type { BybitExchange } from './exchange.ts';
import type { PublicFault, PublicFaultOptions } from './faults.ts';
import type { IdSource } from './ids.ts';
import type { SimMarket } from './market.ts';
import type { Category } from './wire.ts';
import { wireMs } from './wire.ts';
import type { Conn } from './ws-conn.ts';
import { listen, requestId, sendFrame, sendJson } from './ws-conn.ts';

interface PublicConn {
  readonly conn: Conn;
  readonly category: Category;
  /** Subscribed topics with the function that ends each. */
  readonly topics: Map<string, () => void>;
}

type Topic = { kind: 'book'; depth: BookDepth; symbol: string } | { kind: 'trade'; symbol: string };

/** Spot takes at most this many topics per subscribe request (A11). */
const SPOT_TOPICS_PER_REQUEST = 10;
const HUGE_DEFAULT = 3 * 1024 * 1024;

function parseTopic(topic: string): Topic | undefined {
  const book = /^orderbook\.(\d{1,4})\.([A-Z0-9]{1,30})$/.exec(topic);
  if (book !== null) {
    const depth = Number(book[1]);
    return isBookDepth(depth) ? { kind: 'book', depth, symbol: book[2]! } : undefined;
  }
  const trade = /^publicTrade\.([A-Z0-9]{1,30})$/.exec(topic);
  return trade === null ? undefined : { kind: 'trade', symbol: trade[1]! };
}

/**
 * /v5/public/spot and /v5/public/linear: subscribe and unsubscribe with the acks and pongs of each
 * dialect (A11), the book streams of BookFeed and the public tape. A request with a topic the
 * simulator does not serve fails whole, with the venue's "handler not found" ack, and subscribes
 * nothing.
 */
export class PublicStreams {
  private readonly exchange: BybitExchange;
  private readonly clock: Clock;
  private readonly ids: IdSource;
  private readonly conns = new Set<PublicConn>();

  constructor(options: { exchange: BybitExchange; clock: Clock; ids: IdSource }) {
    this.exchange = options.exchange;
    this.clock = options.clock;
    this.ids = options.ids;
  }

  attach(ws: WebSocket, category: Category): void {
    const conn: Conn = {
      id: this.ids.connId(),
      kind: 'public',
      ws,
      lastActivity: this.clock.now(),
      idleMs: undefined,
    };
    const pc: PublicConn = { conn, category, topics: new Map() };
    this.conns.add(pc);
    listen(
      conn,
      this.clock,
      (message) => {
        this.onMessage(pc, message);
      },
      () => {
        this.conns.delete(pc);
        for (const end of pc.topics.values()) end();
        pc.topics.clear();
      },
    );
  }

  count(): number {
    return this.conns.size;
  }

  drop(): number {
    const n = this.conns.size;
    for (const pc of this.conns) pc.conn.ws.terminate();
    return n;
  }

  fault(fault: PublicFault, options: PublicFaultOptions): number {
    if (fault === 'book-reset' || fault === 'gap' || fault === 'off-tick') {
      const markets = this.exchange
        .marketsOf(options.category)
        .filter((m) => options.symbol === undefined || m.symbol === options.symbol);
      for (const m of markets) {
        if (fault === 'book-reset') m.book.restart();
        else if (fault === 'gap') m.book.gap();
        else m.book.offTick();
      }
      return markets.length;
    }
    const symbol = options.symbol ?? 'BTCUSDT';
    const ts = wireMs(this.clock.now());
    let frame: string;
    if (fault === 'malformed') {
      frame = `{"topic":"orderbook.50.${symbol}","type":"delta","ts":${ts},"data":{"s":"${symbol}","b":[["6`;
    } else if (fault === 'unknown-topic') {
      frame = JSON.stringify({ topic: `mystery.${symbol}`, type: 'snapshot', ts, data: { s: symbol } });
    } else {
      const head = JSON.stringify({ topic: `publicTrade.${symbol}`, type: 'snapshot', ts, data: [] });
      const bytes = options.bytes ?? HUGE_DEFAULT;
      const pad = Math.max(0, bytes - head.length - ',"padding":""'.length);
      frame = `${head.slice(0, -1)},"padding":"${'x'.repeat(pad)}"}`;
    }
    let n = 0;
    for (const pc of this.conns) {
      if (options.category !== undefined && pc.category !== options.category) continue;
      sendFrame(pc.conn, frame);
      n++;
    }
    return n;
  }

  stop(): void {
    for (const pc of this.conns) {
      for (const end of pc.topics.values()) end();
      pc.conn.ws.terminate();
    }
    this.conns.clear();
  }

  // ---- messages --------------------------------------------------------------------------------

  private onMessage(pc: PublicConn, message: Record<string, unknown> | undefined): void {
    const reqId = message === undefined ? undefined : requestId(message, 'req_id');
    const op = message?.['op'];
    if (op === 'ping') {
      this.pong(pc, reqId);
      return;
    }
    if (op !== 'subscribe' && op !== 'unsubscribe') {
      this.ack(pc, typeof op === 'string' ? op : '', reqId, 'error:invalid op');
      return;
    }
    const args = message!['args'];
    if (!Array.isArray(args) || args.length === 0 || !args.every((a): a is string => typeof a === 'string')) {
      this.ack(pc, op, reqId, 'error:args invalid');
      return;
    }
    if (pc.category === 'spot' && args.length > SPOT_TOPICS_PER_REQUEST) {
      this.ack(pc, op, reqId, `error:args size >${SPOT_TOPICS_PER_REQUEST}`);
      return;
    }
    const wanted: [string, Topic, SimMarket][] = [];
    for (const name of args) {
      const topic = parseTopic(name);
      if (topic === undefined) {
        this.ack(pc, op, reqId, `error:handler not found,topic:${name}`);
        return;
      }
      const market = this.exchange.market(pc.category, topic.symbol);
      if (market === undefined) {
        this.ack(pc, op, reqId, `Invalid symbol :[${name}]`);
        return;
      }
      if (op === 'subscribe' && pc.topics.has(name)) {
        this.ack(pc, op, reqId, `error:already subscribed,topic:${name}`);
        return;
      }
      if (op === 'unsubscribe' && !pc.topics.has(name)) {
        this.ack(pc, op, reqId, `error:not subscribed,topic:${name}`);
        return;
      }
      wanted.push([name, topic, market]);
    }
    this.ack(pc, op, reqId, undefined);
    for (const [name, topic, market] of wanted) {
      if (op === 'unsubscribe') {
        pc.topics.get(name)?.();
        pc.topics.delete(name);
        continue;
      }
      const sink: Sink = (frame) => {
        sendFrame(pc.conn, frame);
      };
      if (topic.kind === 'book') {
        pc.topics.set(name, () => {
          market.book.unsubscribe(topic.depth, sink);
        });
        market.book.subscribe(topic.depth, sink);
      } else {
        pc.topics.set(name, () => {
          market.unsubscribeTrades(sink);
        });
        market.subscribeTrades(sink);
      }
    }
  }

  /** Spot: `{"success","ret_msg":"subscribe","conn_id","req_id","op"}`; linear: `ret_msg` "" (A11). */
  private ack(pc: PublicConn, op: string, reqId: string | undefined, error: string | undefined): void {
    sendJson(pc.conn, {
      success: error === undefined,
      ret_msg: error ?? (pc.category === 'spot' ? op : ''),
      conn_id: pc.conn.id,
      req_id: reqId ?? '',
      op,
    });
  }

  /** Spot: no `req_id` unless one was sent; linear: always `req_id` (A11). */
  private pong(pc: PublicConn, reqId: string | undefined): void {
    const id =
      pc.category === 'spot' ? (reqId === undefined ? {} : { req_id: reqId }) : { req_id: reqId ?? '' };
    sendJson(pc.conn, { success: true, ret_msg: 'pong', conn_id: pc.conn.id, ...id, op: 'ping' });
  }
}
