import type { OutgoingHttpHeaders } from 'node:http';
import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { VenueCredentials } from '../registry.ts';
import { codeAction, NO_CREDENTIALS, THROTTLED_LOCALLY, TRANSPORT_FAILED, type Refusal } from './codes.ts';
import { HmacSha256 } from './hmac-sha256.ts';
import { MexcHttp } from './http-transport.ts';
import { MexcRateLimiter } from './rate-limit.ts';
import { encodeQuery, signedQuery, type ParamValue } from './sign.ts';

/** A REST answer: the venue's JSON (unwrapped where it wraps), or its refusal with its own code. */
export type RestAnswer = { ok: true; value: unknown; httpStatus: number } | ({ ok: false } & Refusal);

export type RestFailure = Extract<RestAnswer, { ok: false }>;

/** Parameters in the order they are sent (and signed); undefined ones are left out. */
export type Params = Readonly<Record<string, ParamValue | undefined>>;

export type SignedMethod = 'GET' | 'POST' | 'DELETE' | 'PUT';

export interface MexcRestOptions {
  baseUrl: string;
  clock: Clock;
  credentials?: VenueCredentials;
  /** One limiter per account; created here when not given. */
  limiter?: MexcRateLimiter;
  /** The venue's default is 5000 ms; more than 60000 is refused (B3). */
  recvWindowMs?: number;
  timeoutMs?: number;
  /** How long a request may wait for its budget before it is refused locally instead. */
  maxQueueMs?: number;
}

export const DEFAULT_RECV_WINDOW_MS = 5000;
export const MAX_RECV_WINDOW_MS = 60_000;
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Sent on every request (fetch used to send `node`; a CDN in front of a venue may refuse none). */
const USER_AGENT = 'mm-workstation';
const PUBLIC_HEADERS: OutgoingHttpHeaders = Object.freeze({ 'User-Agent': USER_AGENT });

/**
 * MEXC spot v3 REST (exchange-apis.md B3, B4, B6): signing with every parameter, the timestamp and
 * the signature in the query string and an empty body; the server-time offset, kept from
 * `/api/v3/time` and measured again (with the request signed once more) on 700003; the request
 * budgets of MexcRateLimiter, waited for up to `maxQueueMs` and refused locally beyond that. Never
 * throws for a venue or network failure: it answers `ok: false` with the HTTP status (0 when none
 * came), MEXC's code or one of ours, and the message.
 */
export class MexcRest {
  readonly limiter: MexcRateLimiter;
  private readonly options: MexcRestOptions;
  private readonly recvWindow: number;
  private readonly http: MexcHttp;
  /** Signs with the API secret, keyed once. */
  private readonly signer: HmacSha256 | undefined;
  private readonly signedHeaders: OutgoingHttpHeaders;
  /** Server time minus local time, ms, from the last sync. */
  private offset = 0;
  private syncedAt: number | null = null;

  constructor(options: MexcRestOptions) {
    const recvWindow = options.recvWindowMs ?? DEFAULT_RECV_WINDOW_MS;
    if (!Number.isSafeInteger(recvWindow) || recvWindow < 1 || recvWindow > MAX_RECV_WINDOW_MS) {
      // The venue would refuse every signed call with 700005; better to say so before the first.
      throw new EngineError(
        'invalid_input',
        `MEXC recvWindow must be a whole number of ms from 1 to ${MAX_RECV_WINDOW_MS}, got ${recvWindow}`,
      );
    }
    this.options = options;
    this.recvWindow = recvWindow;
    this.limiter = options.limiter ?? new MexcRateLimiter(options.clock);
    this.http = new MexcHttp({
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    const creds = options.credentials;
    this.signer = creds === undefined ? undefined : new HmacSha256(creds.apiSecret);
    this.signedHeaders = Object.freeze({
      ...PUBLIC_HEADERS,
      'X-MEXC-APIKEY': creds?.apiKey ?? '',
      'Content-Type': 'application/json',
    });
  }

  /** Server time minus ours, ms, as last measured (shown to the trader). */
  clockOffsetMs(): number {
    return this.offset;
  }

  lastSyncAt(): number | null {
    return this.syncedAt;
  }

  /** The venue's clock now, as far as we know it. */
  serverNow(): number {
    return this.options.clock.now() + this.offset;
  }

  hasCredentials(): boolean {
    return this.options.credentials !== undefined;
  }

  /**
   * Measures the offset from `/api/v3/time`, taking the server's reading to be half-way through the
   * round trip. Throws (EngineError `unavailable`) when the venue does not tell the time.
   */
  async syncTime(): Promise<number> {
    const sent = this.options.clock.now();
    const answer = await this.get('/api/v3/time');
    const received = this.options.clock.now();
    if (!answer.ok) throw restError('server time', answer);
    const serverTime = (answer.value as { serverTime?: unknown } | null)?.serverTime;
    if (typeof serverTime !== 'number' || !Number.isSafeInteger(serverTime) || serverTime <= 0) {
      throw new EngineError('unavailable', 'MEXC server time: the answer carries no serverTime');
    }
    this.offset = Math.round(serverTime - (sent + received) / 2);
    this.syncedAt = received;
    return this.offset;
  }

  /** A public GET (market data, reference data): no key, no signature. */
  get(path: string, params: Params = {}): Promise<RestAnswer> {
    return this.throttled('GET', path, () =>
      this.send('GET', path, encodeQuery(entries(params)), PUBLIC_HEADERS),
    );
  }

  signedGet(path: string, params: Params = {}): Promise<RestAnswer> {
    return this.signed('GET', path, params);
  }

  signedPost(path: string, params: Params = {}): Promise<RestAnswer> {
    return this.signed('POST', path, params);
  }

  signedDelete(path: string, params: Params = {}): Promise<RestAnswer> {
    return this.signed('DELETE', path, params);
  }

  signedPut(path: string, params: Params = {}): Promise<RestAnswer> {
    return this.signed('PUT', path, params);
  }

  /** A signed request; on 700003 the clock is measured again and the request signed and sent once more. */
  signed(method: SignedMethod, path: string, params: Params = {}): Promise<RestAnswer> {
    const signer = this.signer;
    if (signer === undefined) {
      return Promise.resolve(local(NO_CREDENTIALS, 'no API key is configured for this venue'));
    }
    return this.throttled(method, path, async () => {
      for (let round = 0; ; round++) {
        const list = entries(params);
        list.push(['recvWindow', this.recvWindow], ['timestamp', Math.round(this.serverNow())]);
        const answer = await this.send(method, path, signedQuery(signer, list), this.signedHeaders);
        if (answer.ok || round > 0 || codeAction(answer.code) !== 'resync_time') return answer;
        // 700003 certainly did nothing: our clock or the venue's moved, so measure and sign again.
        try {
          await this.syncTime();
        } catch {
          return answer;
        }
      }
    });
  }

  private async throttled(method: string, path: string, run: () => Promise<RestAnswer>): Promise<RestAnswer> {
    const wait = this.limiter.reserve(method, path);
    if (wait > 0) {
      if (wait > (this.options.maxQueueMs ?? 1000)) {
        return local(
          THROTTLED_LOCALLY,
          `request budget of ${method} ${path} used up: next slot in ${wait} ms`,
        );
      }
      await sleep(this.options.clock, wait);
      // Another request may have taken the slot meanwhile; one more look, then give up rather than loop.
      const again = this.limiter.reserve(method, path);
      if (again > 0) {
        return local(
          THROTTLED_LOCALLY,
          `request budget of ${method} ${path} used up: next slot in ${again} ms`,
        );
      }
    }
    return run();
  }

  private async send(
    method: string,
    path: string,
    query: string,
    headers: OutgoingHttpHeaders,
  ): Promise<RestAnswer> {
    const reply = await this.http.send(method, query === '' ? path : `${path}?${query}`, headers);
    // The failure is a socket error's code or 'timed out': never the URL, which carries the signature.
    if (!reply.ok) return local(TRANSPORT_FAILED, `MEXC ${method} ${path} did not answer: ${reply.failure}`);
    const { status, text } = reply;
    if (status === 429 || status === 418 || status === 403) {
      this.limiter.refused(method, path, status, reply.retryAfter);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return {
        ok: false,
        httpStatus: status,
        code: TRANSPORT_FAILED,
        msg: `MEXC ${method} ${path} answered HTTP ${status} with a body that is not JSON`,
      };
    }
    return interpret(method, path, status, json);
  }
}

/**
 * The answer in a parsed body. Success is the bare object or array; a few endpoints wrap it as
 * `{code: 200 | 0, data, msg}` (defaultSymbols), which is unwrapped. An error is `{code, msg}`, with
 * an HTTP 4xx as a rule but sometimes a 200.
 */
function interpret(method: string, path: string, status: number, json: unknown): RestAnswer {
  const body = typeof json === 'object' && json !== null && !Array.isArray(json) ? json : undefined;
  const code = (body as { code?: unknown } | undefined)?.code;
  const msg = (body as { msg?: unknown } | undefined)?.msg;
  const codeNumber =
    typeof code === 'number'
      ? code
      : typeof code === 'string' && /^-?\d{1,9}$/.test(code)
        ? Number(code)
        : undefined;
  const ok2xx = status >= 200 && status < 300;
  if (codeNumber !== undefined && codeNumber !== 0 && codeNumber !== 200) {
    return { ok: false, httpStatus: status, code: codeNumber, msg: typeof msg === 'string' ? msg : '' };
  }
  if (!ok2xx) {
    return {
      ok: false,
      httpStatus: status,
      code: TRANSPORT_FAILED,
      msg: `MEXC ${method} ${path} answered HTTP ${status} without an error code`,
    };
  }
  if (codeNumber !== undefined && body !== undefined && 'data' in body) {
    return { ok: true, value: body.data, httpStatus: status };
  }
  return { ok: true, value: json, httpStatus: status };
}

function entries(params: Params): [string, ParamValue][] {
  const out: [string, ParamValue][] = [];
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out.push([k, v]);
  return out;
}

function local(code: number, msg: string): RestFailure {
  return { ok: false, httpStatus: 0, code, msg };
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** A REST refusal as the error a read throws: `unavailable` when the venue never answered. */
export function restError(what: string, answer: RestFailure): EngineError {
  const unreachable = answer.code === TRANSPORT_FAILED || answer.httpStatus >= 500;
  const own = answer.code < 0;
  return new EngineError(
    unreachable ? 'unavailable' : 'venue_error',
    `MEXC ${what}: ${answer.msg}${own ? '' : ` (${answer.code})`}`,
  );
}
