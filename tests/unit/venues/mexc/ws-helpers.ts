import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { defineInstrument, type Instrument } from '../../../../engine/core/instrument.ts';
import { encodePush, type PushInput } from '../../../../engine/venues/mexc/proto/codec.ts';

/**
 * A small MEXC spot WebSocket for the stream tests: JSON control frames (SUBSCRIPTION and
 * UNSUBSCRIPTION answered `{"id","code":0,"msg":"<channels>"}`, PING answered PONG, a refusal in
 * the venue's words) and binary protobuf pushes from encodePush. Each test scripts the rest.
 */
export interface FakeConn {
  readonly ws: ServerSocket;
  /** The request's query string (`listenKey=...`). */
  readonly query: URLSearchParams;
  readonly channels: Set<string>;
  /** Every text frame the client sent, parsed. */
  readonly received: Record<string, unknown>[];
}

export interface FakeOptions {
  /** Channels to refuse, in the venue's words. */
  refuse?: (channel: string) => boolean;
  /** False: PING goes unanswered. */
  answerPing?: boolean;
  /** Holds SUBSCRIPTION answers back this long (ms). */
  ackDelayMs?: number;
  onConnect?: (conn: FakeConn) => void;
  /** Runs after a SUBSCRIPTION was answered. */
  onSubscribed?: (conn: FakeConn, channels: string[]) => void;
}

export class FakeMexc {
  readonly conns: FakeConn[] = [];
  private readonly wss: WebSocketServer;
  private readonly options: FakeOptions;
  url = '';

  private constructor(options: FakeOptions) {
    this.options = options;
    this.wss = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/ws' });
    this.wss.on('connection', (ws, req) => this.onConnection(ws, req.url ?? ''));
  }

  static async start(options: FakeOptions = {}): Promise<FakeMexc> {
    const fake = new FakeMexc(options);
    await new Promise((r) => fake.wss.once('listening', r));
    const address = fake.wss.address();
    if (address === null || typeof address === 'string') throw new Error('unexpected address');
    fake.url = `ws://127.0.0.1:${address.port}/ws`;
    return fake;
  }

  /** The connections still open. */
  open(): FakeConn[] {
    return this.conns.filter((c) => c.ws.readyState === c.ws.OPEN);
  }

  last(): FakeConn {
    const c = this.conns[this.conns.length - 1];
    if (!c) throw new Error('no connection yet');
    return c;
  }

  /** Sends a push to every open connection subscribed to its channel. */
  push(message: PushInput): void {
    const bytes = encodePush(message);
    for (const c of this.open()) if (c.channels.has(message.channel)) c.ws.send(bytes);
  }

  /** Sends raw bytes as a binary frame on the latest connection. */
  sendBinary(bytes: Uint8Array, conn = this.last()): void {
    conn.ws.send(bytes, { binary: true });
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    await new Promise((r) => this.wss.close(r));
  }

  private onConnection(ws: ServerSocket, url: string): void {
    const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    const conn: FakeConn = { ws, query, channels: new Set(), received: [] };
    this.conns.push(conn);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(Buffer.from(data as Buffer).toString('utf8')) as Record<string, unknown>;
      conn.received.push(frame);
      this.onFrame(conn, frame);
    });
    this.options.onConnect?.(conn);
  }

  private onFrame(conn: FakeConn, frame: Record<string, unknown>): void {
    const id = typeof frame.id === 'number' ? frame.id : 0;
    const params = Array.isArray(frame.params) ? (frame.params as string[]) : [];
    if (frame.method === 'PING') {
      if (this.options.answerPing !== false) conn.ws.send(JSON.stringify({ id: 0, code: 0, msg: 'PONG' }));
      return;
    }
    if (frame.method === 'UNSUBSCRIPTION') {
      for (const p of params) conn.channels.delete(p);
      conn.ws.send(JSON.stringify({ id, code: 0, msg: params.join(',') }));
      return;
    }
    if (frame.method !== 'SUBSCRIPTION') return;
    const answer = (): void => {
      const refused = params.filter((p) => this.options.refuse?.(p) ?? false);
      const taken = params.filter((p) => !refused.includes(p));
      for (const p of taken) conn.channels.add(p);
      if (refused.length > 0)
        conn.ws.send(
          JSON.stringify({
            id,
            code: 0,
            msg: `Not Subscribed successfully! [${refused.join(',')}].  Reason： Blocked!`,
          }),
        );
      if (taken.length > 0) conn.ws.send(JSON.stringify({ id, code: 0, msg: taken.join(',') }));
      this.options.onSubscribed?.(conn, taken);
    };
    if (this.options.ackDelayMs) setTimeout(answer, this.options.ackDelayMs);
    else answer();
  }
}

/** Waits for a condition, polling; fails with `what` after `ms`. */
export async function until(cond: () => boolean, what = 'condition', ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not met in time`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A promise with its resolve and reject in hand. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** BTCUSDT as the doc's vectors print it: prices to 0.01, quantities to 0.00000001. */
export const btc: Instrument = defineInstrument({
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.01',
  lotSize: '0.00000001',
  minSize: '0.00000001',
  minNotional: '1',
  makerFee: '0',
  takerFee: '0.0005',
});

/** MXUSDT of the private order vector: prices to 0.0001, quantities to 0.01. */
export const mx: Instrument = defineInstrument({
  symbol: 'MXUSDT',
  base: 'MX',
  quote: 'USDT',
  tickSize: '0.0001',
  lotSize: '0.01',
  minSize: '0.01',
  minNotional: '1',
  makerFee: '0',
  takerFee: '0.0005',
});

/** The doc's protobuf test vectors (exchange-apis.md B9). */
export const VECTORS = {
  depth:
    '0a2f73706f74407075626c69632e61676772652e64657074682e76332e6170692e7062403130306d7340425443555344541a074254435553445430bad2c3d1c432ca135b12160a0839323837372e3538120a302e30303030303030301a2773706f74407075626c69632e61676772652e64657074682e76332e6170692e7062403130306d73220b31303538393633323335392a0b3130353839363332333539',
  trade:
    '0a2f73706f74407075626c69632e61676772652e6465616c732e76332e6170692e7062403130306d7340425443555344541a074254435553445430bca9d9d0c432d2134a0a1f0a0839333232302e3030120a302e3034343338323433180220bba9d9d0c432122773706f74407075626c69632e61676772652e6465616c732e76332e6170692e7062403130306d73',
  order:
    '0a1d73706f7440707269766174652e6f72646572732e76332e6170692e70621a064d585553445430a98095d4c43282135c0a1a4330325f5f35303539373930313734333930303236323431313512046d792d311a06332e353132312201312a01303206332e363936323801400248005201305a01306201316a01317206332e3639363278028001938095d4c432',
} as const;

export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}
