import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { VenueCredentials } from '../registry.ts';
import { retCodeAction } from './codes.ts';
import type { BybitCategory } from './instruments.ts';
import type { BybitRateLimiter } from './rate-limit.ts';
import { signRest } from './sign.ts';

/** A REST answer: the envelope's result, or the venue's refusal with its own code and message. */
export type RestAnswer =
  | { ok: true; result: unknown; retExtInfo: unknown; time: number }
  | { ok: false; retCode: number; retMsg: string; httpStatus: number };

export interface BybitRestOptions {
  baseUrl: string;
  clock: Clock;
  limiter: BybitRateLimiter;
  credentials?: VenueCredentials;
  /** The venue's default is 5000 ms (A2). */
  recvWindowMs?: number;
  timeoutMs?: number;
  /** How long a request may wait for its quota before it is refused locally instead. */
  maxQueueMs?: number;
}

/** Codes of our own for failures that never got a venue answer (Bybit's own codes are all ≥ 0). */
export const TRANSPORT_FAILED = -1;
export const THROTTLED_LOCALLY = -2;

/**
 * Bybit v5 REST: signing (A2), the server-time offset (kept from `/v5/market/time`, resynced and the
 * request retried once on `10002`), and the request quotas — a request waits for its quota for up to
 * `maxQueueMs` and is refused locally beyond that, so the venue's own `10006` should never come; when
 * it does, the limiter backs off. Never throws for a venue or network failure: it answers `ok: false`.
 */
export class BybitRest {
  private readonly options: BybitRestOptions;
  private readonly recvWindow: string;
  /** Server time minus local time, ms, from the last sync. */
  private offset = 0;
  private syncedAt: number | null = null;

  constructor(options: BybitRestOptions) {
    this.options = options;
    this.recvWindow = String(options.recvWindowMs ?? 5000);
  }

  /** Server time minus ours, ms, as last measured (shown to the trader). */
  clockOffsetMs(): number {
    return this.offset;
  }

  lastSyncAt(): number | null {
    return this.syncedAt;
  }

  /** Measures the offset from `/v5/market/time`, assuming the answer was taken half-way through. */
  async syncTime(): Promise<number> {
    const sent = this.options.clock.now();
    const answer = await this.get('/v5/market/time', {});
    const received = this.options.clock.now();
    if (!answer.ok) throw new Error(`Bybit server time: ${answer.retMsg} (${answer.retCode})`);
    const nano = (answer.result as { timeNano?: unknown }).timeNano;
    const serverMs =
      typeof nano === 'string' && /^\d{13,}$/.test(nano) ? Number(nano.slice(0, -6)) : answer.time;
    if (!Number.isFinite(serverMs)) throw new Error('Bybit server time: the answer carries no time');
    this.offset = Math.round(serverMs - (sent + received) / 2);
    this.syncedAt = received;
    return this.offset;
  }

  /** A public GET (market data): no signature, no account quota. */
  get(path: string, params: Record<string, string | number | undefined>): Promise<RestAnswer> {
    return this.send('GET', path, query(params), null);
  }

  /** A signed GET, counted against `endpoint`'s quota for `category`. */
  async signedGet(
    path: string,
    params: Record<string, string | number | undefined>,
    category: BybitCategory,
  ): Promise<RestAnswer> {
    return this.signed('GET', path, query(params), null, category, 1);
  }

  /** A signed POST with a JSON body; a batch counts one unit per order (0: already counted). */
  async signedPost(path: string, body: object, category: BybitCategory, units = 1): Promise<RestAnswer> {
    return this.signed('POST', path, '', JSON.stringify(body), category, units);
  }

  private async signed(
    method: 'GET' | 'POST',
    path: string,
    queryString: string,
    body: string | null,
    category: BybitCategory,
    units: number,
  ): Promise<RestAnswer> {
    const creds = this.options.credentials;
    if (!creds) return refuse(10003, 'no API key is configured for this venue');
    // 0 units: the caller took the quota already (order entry that fell back from the trade socket).
    const wait = units > 0 ? this.options.limiter.reserve(path, category, units) : 0;
    if (wait > 0) {
      if (wait > (this.options.maxQueueMs ?? 1000))
        return refuse(THROTTLED_LOCALLY, `request quota for ${path} used up: next slot in ${wait} ms`);
      await sleep(this.options.clock, wait);
    }
    for (let round = 0; ; round++) {
      const timestamp = String(Math.round(this.options.clock.now() + this.offset));
      const payload = method === 'GET' ? queryString : (body ?? '');
      const headers: Record<string, string> = {
        'X-BAPI-API-KEY': creds.apiKey,
        'X-BAPI-TIMESTAMP': timestamp,
        'X-BAPI-RECV-WINDOW': this.recvWindow,
        'X-BAPI-SIGN': signRest(creds.apiSecret, timestamp, creds.apiKey, this.recvWindow, payload),
      };
      const answer = await this.send(method, path, queryString, body, headers, category);
      if (answer.ok) return answer;
      const action = retCodeAction(answer.retCode);
      if (action === 'resync_time' && round === 0) {
        // Our clock or the venue's moved: measure again and sign once more with the new offset.
        try {
          await this.syncTime();
        } catch {
          return answer;
        }
        continue;
      }
      if (action === 'rate_limited') this.options.limiter.backOff(this.options.clock.now() + 1000, path);
      return answer;
    }
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    queryString: string,
    body: string | null,
    headers: Record<string, string> = {},
    category?: BybitCategory,
  ): Promise<RestAnswer> {
    const url = `${this.options.baseUrl}${path}${queryString ? `?${queryString}` : ''}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: body === null ? headers : { ...headers, 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      text = await response.text();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return refuse(TRANSPORT_FAILED, `Bybit ${path} did not answer: ${why}`);
    }
    if (category !== undefined) {
      this.options.limiter.observe(path, category, {
        limit: response.headers.get('X-Bapi-Limit') ?? undefined,
        status: response.headers.get('X-Bapi-Limit-Status') ?? undefined,
        resetTs: response.headers.get('X-Bapi-Limit-Reset-Timestamp') ?? undefined,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return {
        ok: false,
        retCode: TRANSPORT_FAILED,
        retMsg: `Bybit ${path} answered HTTP ${response.status} with a body that is not JSON`,
        httpStatus: response.status,
      };
    }
    const env = json as {
      retCode?: unknown;
      retMsg?: unknown;
      result?: unknown;
      retExtInfo?: unknown;
      time?: unknown;
    };
    if (typeof env.retCode !== 'number') {
      return {
        ok: false,
        retCode: TRANSPORT_FAILED,
        retMsg: `Bybit ${path} answered HTTP ${response.status} without a retCode`,
        httpStatus: response.status,
      };
    }
    if (env.retCode !== 0) {
      return {
        ok: false,
        retCode: env.retCode,
        retMsg: typeof env.retMsg === 'string' ? env.retMsg : '',
        httpStatus: response.status,
      };
    }
    return {
      ok: true,
      result: env.result ?? {},
      retExtInfo: env.retExtInfo ?? {},
      time: typeof env.time === 'number' ? env.time : this.options.clock.now() + this.offset,
    };
  }
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.append(k, String(v));
  return search.toString();
}

function refuse(retCode: number, retMsg: string): RestAnswer {
  return { ok: false, retCode, retMsg, httpStatus: 0 };
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** A REST refusal as the error a read throws: `unavailable` when the venue never answered. */
export function venueError(what: string, answer: Extract<RestAnswer, { ok: false }>): EngineError {
  const code = answer.retCode === TRANSPORT_FAILED ? 'unavailable' : 'venue_error';
  return new EngineError(
    code,
    `Bybit ${what}: ${answer.retMsg}${answer.retCode > 0 ? ` (${answer.retCode})` : ''}`,
  );
}
