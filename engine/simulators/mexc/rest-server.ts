import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../core/clock.ts';
import { bodyListener, PendingAnswers, serveFaultRoute, splitUrl } from '../common/http-answers.ts';
import { authenticate, withoutSignature } from './auth.ts';
import type { MexcExchange } from './exchange.ts';
import type { FaultState } from './faults.ts';
import { applyFault, faultRequest } from './faults.ts';
import type { MexcRateLimiter } from './rate-limit.ts';
import type { PublicHandler, SignedHandler } from './rest-routes.ts';
import { publicRoutes, signedRoutes } from './rest-routes.ts';
import type { Params, Reply } from './wire.ts';
import { fail, isRecord } from './wire.ts';

/** Every caller of a keyless endpoint is on loopback: one IP. */
const LOOPBACK_CALLER = 'ip:127.0.0.1';

export interface RestServerOptions {
  exchange: MexcExchange;
  clock: Clock;
  limiter: MexcRateLimiter;
  faults: FaultState;
}

/**
 * The REST side (B3, B4, B6, B7): routes by method and path under /api/v3, reads the parameters from
 * the query string and the body (form or JSON; the query wins a conflict), authenticates SIGNED
 * endpoints over the raw text as received, weighs each request against its endpoint's budget
 * (429 with Retry-After), and answers a success as the bare object and a refusal as HTTP 4xx with
 * `{code,msg}`. Fault hooks: a standing refusal answers before anything is carried out, a create may
 * be carried out and never answered, and answers may be held back. POST /__sim/fault takes fault
 * requests (not a MEXC path; the server listens on loopback only).
 */
export class RestServer {
  private readonly options: RestServerOptions;
  private readonly publicRoutes: Map<string, PublicHandler>;
  private readonly signedRoutes: Map<string, SignedHandler>;
  private readonly pending: PendingAnswers;

  constructor(options: RestServerOptions) {
    this.options = options;
    this.publicRoutes = publicRoutes(options.exchange);
    this.signedRoutes = signedRoutes(options.exchange);
    this.pending = new PendingAnswers(options.clock);
  }

  /** The request listener of the HTTP server. */
  readonly listener = bodyListener((req, res, body) => {
    this.handle(req, res, body.toString('utf8'));
  });

  /** Ends answers held back by faults (at shutdown). */
  stop(): void {
    this.pending.stop();
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const { clock, faults, exchange, limiter } = this.options;
    const { path, rawQuery } = splitUrl(req.url);
    const method = req.method ?? '';
    if (path.startsWith('/__sim/')) {
      serveFaultRoute({ method, path, body }, res, faultRequest, (fault) => applyFault(faults, fault));
      return;
    }
    const route = `${method} ${path}`;
    const open = this.publicRoutes.get(route);
    const signed = this.signedRoutes.get(route);
    if (open === undefined && signed === undefined) {
      this.send(res, fail(404, `no endpoint ${route}`, 404));
      return;
    }
    const refusal = faults.takeRefusal(method, path);
    if (refusal !== undefined) {
      this.answer(res, refusal);
      return;
    }
    const parsed = parseParams(rawQuery, body);
    if (parsed === undefined) {
      this.answer(res, fail(700008, 'Illegal characters found in the request body.'));
      return;
    }
    const now = clock.now();
    if (open !== undefined) {
      const limit = limiter.take(LOOPBACK_CALLER, route, now);
      this.answer(res, limit.allowed ? open(parsed.params, now) : tooMany(limit.retryAfterS));
      return;
    }
    const auth = authenticate((key) => exchange.accounts.get(key), {
      headers: req.headers,
      totalParams: withoutSignature(rawQuery) + parsed.signedBody,
      params: parsed.params,
      now,
    });
    if (!auth.ok) {
      this.answer(res, auth.reply);
      return;
    }
    const limit = limiter.take(`uid:${auth.account.uid}`, route, now);
    if (!limit.allowed) {
      this.answer(res, tooMany(limit.retryAfterS));
      return;
    }
    const reply = signed!({ account: auth.account, params: parsed.params, now });
    const timeout = route === 'POST /api/v3/order' ? faults.takeTimeout() : undefined;
    if (timeout !== undefined) {
      // Carried out, never answered: the client times out while the order is live.
      this.pending.hold(req, res, timeout.destroyAfterMs);
      return;
    }
    this.answer(res, reply);
  }

  /** Answers, after the standing delay if there is one. */
  private answer(res: ServerResponse, reply: Reply): void {
    this.pending.answer(this.options.faults.delayMs, () => {
      this.send(res, reply);
    });
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }
}

function tooMany(retryAfterS: number): Reply {
  return { ...fail(429, 'Too many requests', 429), headers: { 'Retry-After': String(retryAfterS) } };
}

/**
 * The parameters of a request: the query string's, then the body's for names the query lacks (B3).
 * A body that starts with `{` is JSON (its values as text; nested values as their JSON) and is signed
 * whole, so its signature must travel in the query; any other body is form-encoded and signed
 * without its signature pair. Undefined when a JSON body does not parse.
 */
export function parseParams(
  rawQuery: string,
  body: string,
): { params: Params; signedBody: string } | undefined {
  const params: Record<string, string> = {};
  let signedBody = '';
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      return undefined;
    }
    if (!isRecord(value)) return undefined;
    signedBody = body;
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined || k === 'signature') continue;
      params[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  } else if (trimmed !== '') {
    signedBody = withoutSignature(body);
    for (const [k, v] of new URLSearchParams(body)) params[k] = v;
  }
  for (const [k, v] of new URLSearchParams(rawQuery)) params[k] = v;
  return { params, signedBody };
}
