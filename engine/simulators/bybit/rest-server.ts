import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../core/clock.ts';
import { bodyListener, PendingAnswers, serveFaultRoute, splitUrl } from '../common/http-answers.ts';
import { authenticateRest } from './auth.ts';
import type { BybitExchange } from './exchange.ts';
import type { FaultState } from './faults.ts';
import { applyFault, faultRequest } from './faults.ts';
import type { IdSource } from './ids.ts';
import type { LimitStatus, RateLimiter } from './rate-limit.ts';
import type { PrivateHandler } from './rest-private.ts';
import { privateRoutes } from './rest-private.ts';
import type { PublicHandler } from './rest-public.ts';
import { publicRoutes } from './rest-public.ts';
import type { Params, Reply } from './wire.ts';
import { fail, isRecord, text, TOO_MANY_VISITS, wireMs } from './wire.ts';

export interface RestServerOptions {
  exchange: BybitExchange;
  clock: Clock;
  ids: IdSource;
  limiter: RateLimiter;
  faults: FaultState;
}

/**
 * The REST side (A2, A4, A7): routes by method and path, refuses a GET that carries a body (403),
 * authenticates private calls over the raw query or body bytes as received, applies the per-UID
 * quotas and stamps the X-Bapi-Limit* headers, and answers every business outcome as HTTP 200 with
 * the envelope. Fault hooks: a standing refusal answers before anything is carried out, a create
 * may be carried out and never answered, and answers may be held back. POST /__sim/fault takes the
 * fault requests (not a Bybit path).
 */
export class RestServer {
  private readonly options: RestServerOptions;
  private readonly publicRoutes: Map<string, PublicHandler>;
  private readonly privateRoutes: Map<string, PrivateHandler>;
  private readonly pending: PendingAnswers;

  constructor(options: RestServerOptions) {
    this.options = options;
    this.publicRoutes = publicRoutes(options.exchange);
    this.privateRoutes = privateRoutes(options.exchange);
    this.pending = new PendingAnswers(options.clock);
  }

  /** The request listener of the HTTP server. */
  readonly listener = bodyListener((req, res, body) => {
    this.handle(req, res, body);
  });

  /** Ends answers held back by faults (at shutdown). */
  stop(): void {
    this.pending.stop();
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const { clock, faults } = this.options;
    const { path, rawQuery } = splitUrl(req.url);
    const method = req.method ?? '';
    if (path.startsWith('/__sim/')) {
      serveFaultRoute({ method, path, body: body.toString('utf8') }, res, faultRequest, (fault) =>
        applyFault(faults, fault),
      );
      return;
    }
    const key = `${method} ${path}`;
    const open = this.publicRoutes.get(key);
    const signed = this.privateRoutes.get(key);
    if (open === undefined && signed === undefined) {
      this.send(res, 404, fail(10017, 'route not found'), {});
      return;
    }
    // A GET carrying a body is refused before anything else (A2).
    if (method === 'GET' && body.length > 0) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('403 Forbidden');
      return;
    }
    const refusal = faults.takeRefusal(path);
    if (refusal !== undefined) {
      this.answer(res, refusal, {});
      return;
    }
    const bodyText = body.toString('utf8');
    const params = method === 'GET' ? queryParams(rawQuery) : jsonParams(bodyText);
    if (params === undefined) {
      this.answer(res, fail(10001, 'request body is not a JSON object'), {});
      return;
    }
    const now = clock.now();
    if (open !== undefined) {
      this.answer(res, open(params, now), {});
      return;
    }
    const auth = authenticateRest(
      (apiKey) => this.options.exchange.accounts.get(apiKey),
      req.headers,
      method === 'GET' ? rawQuery : bodyText,
      now,
    );
    if (!auth.ok) {
      this.answer(res, auth.reply, {});
      return;
    }
    const request = params['request'];
    const units = Array.isArray(request) ? Math.max(1, request.length) : 1;
    const limit = this.options.limiter.take(auth.account.uid, path, text(params, 'category'), units, now);
    const reply =
      limit.allowed === 0
        ? fail(10006, TOO_MANY_VISITS)
        : signed!({ account: auth.account, params, now, allowed: limit.allowed });
    if (path === '/v5/order/create' && faults.takeTimeout()) {
      // Carried out, never answered: the client times out while the order is live.
      this.pending.hold(req, res);
      return;
    }
    this.answer(res, reply, limitHeaders(limit));
  }

  /** Answers with the envelope, after the standing delay if there is one. */
  private answer(res: ServerResponse, reply: Reply, headers: Record<string, string>): void {
    this.pending.answer(this.options.faults.delayMs, () => {
      this.send(res, 200, reply, headers);
    });
  }

  private send(res: ServerResponse, status: number, reply: Reply, headers: Record<string, string>): void {
    if (res.destroyed || res.headersSent) return;
    const now = wireMs(this.options.clock.now());
    const envelope = {
      retCode: reply.retCode,
      retMsg: reply.retMsg,
      ...(reply.result === undefined ? {} : { result: reply.result }),
      retExtInfo: reply.retExtInfo ?? {},
      time: now,
    };
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      Ret_code: String(reply.retCode),
      Traceid: this.options.ids.uuid().replaceAll('-', ''),
      Timenow: String(now),
      ...headers,
    });
    res.end(JSON.stringify(envelope));
  }
}

export function limitHeaders(limit: LimitStatus): Record<string, string> {
  return {
    'X-Bapi-Limit': String(limit.limit),
    'X-Bapi-Limit-Status': String(limit.remaining),
    'X-Bapi-Limit-Reset-Timestamp': String(limit.resetAt),
  };
}

function queryParams(rawQuery: string): Params {
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) params[k] = v;
  return params;
}

function jsonParams(bodyText: string): Params | undefined {
  if (bodyText.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(bodyText);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
