import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import type { MexcSim, MexcSimOptions } from '../../../engine/simulators/mexc/sim.ts';
import { startMexcSim } from '../../../engine/simulators/mexc/sim.ts';
import type { PushWrapper } from '../../../engine/venues/mexc/proto/codec.ts';
import { decodePush } from '../../../engine/venues/mexc/proto/codec.ts';

export const KEY = 'mx0simtestkey01';
export const SECRET = 'mexc-sim-test-secret-9f8e7d';

export function startSim(options: Partial<MexcSimOptions> = {}): Promise<MexcSim> {
  return startMexcSim({ apiKey: KEY, apiSecret: SECRET, port: 0, seed: 11, ...options });
}

/** A response as received: status, headers and the JSON body. */
export interface Res {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON, inspected field by field
  body: any;
}

/** Hex HMAC-SHA256 with node:crypto directly (not the simulator's helper). */
export function hmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

export interface SignOptions {
  key?: string | null;
  secret?: string;
  timestamp?: number;
  recvWindow?: string;
  /** Leave the signature out. */
  unsigned?: boolean;
  /** A form body sent (and signed) after the query, as the doc's example 3. */
  form?: string;
  timeoutMs?: number;
}

async function request(url: string, init: RequestInit, timeoutMs = 10_000): Promise<Res> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}

/**
 * A SIGNED request: `params` go in the query string in the given order with timestamp and recvWindow
 * added, and the signature is the HMAC of the query (plus the form body, if any) appended last.
 */
export function signed(
  sim: MexcSim,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  params: Record<string, string> = {},
  o: SignOptions = {},
): Promise<Res> {
  const query = new URLSearchParams(params);
  query.set('timestamp', String(o.timestamp ?? Date.now()));
  if (o.recvWindow !== undefined) query.set('recvWindow', o.recvWindow);
  let qs = query.toString();
  const form = o.form ?? '';
  if (!o.unsigned) qs += `&signature=${hmac(o.secret ?? SECRET, qs + form)}`;
  const headers: Record<string, string> = {};
  if (o.key !== null) headers['X-MEXC-APIKEY'] = o.key ?? KEY;
  if (form !== '') headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return request(
    `${sim.rest}${path}?${qs}`,
    { method, headers, ...(form === '' ? {} : { body: form }) },
    o.timeoutMs,
  );
}

export function publicGet(sim: MexcSim, pathAndQuery: string): Promise<Res> {
  return request(`${sim.rest}${pathAndQuery}`, {});
}

/** Polls `condition` until it holds (every 5 ms), or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One frame as received: a text frame (with its JSON, if any) or a binary push (decoded, if it decodes). */
export interface Frame {
  text?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON
  json?: any;
  bytes?: Uint8Array;
  push?: PushWrapper;
  decodeError?: string;
}

/** A WebSocket client that keeps every frame, so a test takes the ones it expects in order. */
export class MexcWs {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  private readonly taken = new Set<Frame>();
  closed = false;
  closeCode: number | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      if (!isBinary) {
        const text = buf.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        this.frames.push({ text, json });
        return;
      }
      const bytes = new Uint8Array(buf);
      try {
        this.frames.push({ bytes, push: decodePush(bytes) });
      } catch (err) {
        this.frames.push({ bytes, decodeError: err instanceof Error ? err.message : String(err) });
      }
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
    });
    ws.on('error', () => {
      this.closed = true;
    });
  }

  static open(url: string): Promise<MexcWs> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new MexcWs(ws);
      ws.once('open', () => {
        resolve(client);
      });
      ws.once('error', reject);
    });
  }

  send(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  /** Subscribes and waits for the ack that echoes the channels. */
  async subscribe(...channels: string[]): Promise<void> {
    this.send({ method: 'SUBSCRIPTION', params: channels });
    await this.take((f) => f.json?.msg === channels.join(','), 5000, `ack of ${channels.join(',')}`);
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

  /** Takes the next push on a channel. */
  async push(channel: string, timeoutMs = 5000): Promise<PushWrapper> {
    return (await this.take((f) => f.push?.channel === channel, timeoutMs, `a push on ${channel}`)).push!;
  }

  pushes(channel: string): PushWrapper[] {
    return this.frames.filter((f) => f.push?.channel === channel).map((f) => f.push!);
  }

  close(): void {
    this.ws.close();
  }
}

/** Issues a listen key and opens a private connection with it. */
export async function privateWs(sim: MexcSim): Promise<{ ws: MexcWs; listenKey: string }> {
  const res = await signed(sim, 'POST', '/api/v3/userDataStream');
  if (res.status !== 200) throw new Error(`listen key refused: ${JSON.stringify(res.body)}`);
  const listenKey = res.body.listenKey as string;
  return { ws: await MexcWs.open(`${sim.ws}?listenKey=${listenKey}`), listenKey };
}

export const DEPTH_BTC = 'spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT';
