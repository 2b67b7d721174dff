import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';
import WebSocket from 'ws';
import type { BybitSim, BybitSimOptions } from '../../../engine/simulators/bybit/sim.ts';
import { startBybitSim } from '../../../engine/simulators/bybit/sim.ts';

export const KEY = 'sim-test-key';
export const SECRET = 'sim-test-secret-0123456789';

export function startSim(options: Partial<BybitSimOptions> = {}): Promise<BybitSim> {
  return startBybitSim({ apiKey: KEY, apiSecret: SECRET, port: 0, seed: 7, ...options });
}

/** A response as received: status, headers, the raw body and its JSON. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON, inspected field by field
  body: any;
}

/** One HTTP request with exactly these bytes (a GET may carry a body, unlike fetch). */
export function rawRequest(
  base: string,
  method: 'GET' | 'POST',
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: string,
  timeoutMs = 10_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sized =
      body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
    const req = request(
      `${base}${pathAndQuery}`,
      { method, headers: sized, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: json });
        });
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error('timeout'));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export interface SignOptions {
  key?: string;
  secret?: string;
  timestamp?: number;
  recvWindow?: string;
  /** The clock the timestamp is taken from (default Date.now). */
  now?: () => number;
  timeoutMs?: number;
}

/** Signs with node:crypto directly (not the adapter's helper): hex HMAC-SHA256 of ts + key + recvWindow + payload. */
export function sign(
  secret: string,
  timestamp: string,
  key: string,
  recvWindow: string,
  payload: string,
): string {
  return createHmac('sha256', secret)
    .update(timestamp + key + recvWindow + payload)
    .digest('hex');
}

function authHeaders(payload: string, o: SignOptions): Record<string, string> {
  const key = o.key ?? KEY;
  const timestamp = String(o.timestamp ?? Math.floor((o.now ?? Date.now)()));
  const recvWindow = o.recvWindow ?? '5000';
  return {
    'X-BAPI-API-KEY': key,
    'X-BAPI-TIMESTAMP': timestamp,
    'X-BAPI-RECV-WINDOW': recvWindow,
    'X-BAPI-SIGN': sign(o.secret ?? SECRET, timestamp, key, recvWindow, payload),
  };
}

/** A signed GET; `query` is sent (and signed) exactly as given. */
export function signedGet(
  sim: BybitSim,
  path: string,
  query: string,
  o: SignOptions = {},
): Promise<RawResponse> {
  return rawRequest(
    sim.rest,
    'GET',
    query === '' ? path : `${path}?${query}`,
    authHeaders(query, o),
    undefined,
    o.timeoutMs,
  );
}

/** A signed POST of `body` (an object is serialised once, and those bytes are signed and sent). */
export function signedPost(
  sim: BybitSim,
  path: string,
  body: string | object,
  o: SignOptions = {},
): Promise<RawResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = { ...authHeaders(text, o), 'Content-Type': 'application/json' };
  return rawRequest(sim.rest, 'POST', path, headers, text, o.timeoutMs);
}

export function publicGet(sim: BybitSim, pathAndQuery: string): Promise<RawResponse> {
  return rawRequest(sim.rest, 'GET', pathAndQuery, {});
}

/** Polls `condition` until it holds (every 5 ms), or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON, inspected field by field
export type Frame = { raw: string; json: any };

/** A WebSocket client that keeps every frame, so a test takes the ones it expects in order. */
export class WsClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  private taken = new Set<Frame>();
  closed = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: WebSocket.RawData) => {
      const raw = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      this.frames.push({ raw, json });
    });
    ws.on('close', () => {
      this.closed = true;
    });
    ws.on('error', () => {
      this.closed = true;
    });
  }

  static open(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new WsClient(ws);
      ws.once('open', () => {
        resolve(client);
      });
      ws.once('error', reject);
    });
  }

  send(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  /** The first frame not taken yet that matches, waiting for it if needed. */
  async take(match: (f: Frame) => boolean, timeoutMs = 5000, what = 'a frame'): Promise<Frame> {
    let found: Frame | undefined;
    await waitFor(
      () => {
        found = this.frames.find((f) => !this.taken.has(f) && match(f));
        return found !== undefined;
      },
      timeoutMs,
      what,
    );
    this.taken.add(found!);
    return found!;
  }

  /** Takes a JSON frame whose field `key` equals `value`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON
  async json(key: string, value: unknown, timeoutMs = 5000): Promise<any> {
    const f = await this.take((fr) => fr.json?.[key] === value, timeoutMs, `${key}=${String(value)}`);
    return f.json;
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens /v5/private or /v5/trade and authenticates with `GET/realtime{expires}`. */
export async function authedSocket(
  sim: BybitSim,
  path: '/v5/private' | '/v5/trade',
  now = Date.now(),
): Promise<WsClient> {
  const client = await WsClient.open(`${sim.ws}${path}`);
  const expires = Math.floor(now) + 10_000;
  const signature = createHmac('sha256', SECRET).update(`GET/realtime${expires}`).digest('hex');
  client.send({ op: 'auth', args: [KEY, expires, signature] });
  const ack = await client.json('op', 'auth');
  if (!(ack.success === true || ack.retCode === 0)) throw new Error(`auth refused: ${JSON.stringify(ack)}`);
  return client;
}
