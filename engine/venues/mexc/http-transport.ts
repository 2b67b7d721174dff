import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What came back: the status, the one header the client reads, and the body as text. */
export type HttpReply =
  | { ok: true; status: number; retryAfter: string | null; text: string }
  /** No answer: `failure` is 'timed out' or the socket's error code, never the URL (it is signed). */
  | { ok: false; failure: string };

export interface MexcHttpOptions {
  /** `https://api.mexc.com` or a simulator's `http://127.0.0.1:PORT`; a path on it prefixes every request. */
  baseUrl: string;
  /** From the call to the whole body read; past it the request is destroyed and answered 'timed out'. */
  timeoutMs: number;
}

/**
 * How long an idle pooled connection is kept: undici's default (what `fetch` did before), below the
 * usual 5 s of servers; a server's shorter `Keep-Alive: timeout=` hint wins (Node's agent reads it).
 */
const IDLE_SOCKET_MS = 4000;

/** `Agent#addRequest`: not in Node's typings, but the one place a pooled socket is given to a request. */
interface AddRequest {
  addRequest(this: HttpAgent, request: ClientRequest, options: RequestOptions): void;
}

/**
 * A pooled socket may have been closed by the server in a way this process has not read yet (the
 * simulator dropping every connection in the same event-loop turn; the venue closing an idle one).
 * Written on, it fails with ECONNRESET though the server never saw the request, which for a create
 * means an order in an unknown state. So a request that would reuse a pooled socket is given one
 * only once the event loop has polled I/O since the call: two setImmediates (the first runs in this
 * turn's check phase, the second in the next turn's, after its poll), by when a close that had
 * arrived has been read and the socket left the pool. (undici, which `fetch` used, holds a reused
 * socket back for a setImmediate too; here one alone missed the close when the request was made in
 * a poll callback, as the unit test's is.) The cost is the write of such a request coming one loop
 * turn after the handler that made it instead of at the end of that turn. A request that opens a
 * connection waits for nothing.
 */
function addCheckedRequest(
  agent: HttpAgent,
  base: AddRequest,
  request: ClientRequest,
  options: RequestOptions,
): void {
  if ((agent.freeSockets[agent.getName(options)]?.length ?? 0) === 0) {
    base.addRequest.call(agent, request, options);
    return;
  }
  setImmediate(() =>
    setImmediate(() => {
      if (!request.destroyed) base.addRequest.call(agent, request, options);
    }),
  );
}

const httpBase = HttpAgent.prototype as unknown as AddRequest;
const httpsBase = HttpsAgent.prototype as unknown as AddRequest;

class CheckedHttpAgent extends HttpAgent {
  addRequest(request: ClientRequest, options: RequestOptions): void {
    addCheckedRequest(this, httpBase, request, options);
  }
}

class CheckedHttpsAgent extends HttpsAgent {
  addRequest(request: ClientRequest, options: RequestOptions): void {
    addCheckedRequest(this, httpsBase, request, options);
  }
}

/**
 * HTTP/1.1 to one origin over kept-alive connections (node:http or node:https). It replaced `fetch`
 * on the order path: on the tick-to-wire bench undici's fetch spent about 200 µs of a push's
 * handler building a request (WHATWG Request, Headers, an AbortSignal, its dispatcher chain), and
 * node:http takes a fraction of that. Guarantees: one answer per call, never a throw or rejection;
 * the request is written after the call returns (on a reused connection a loop turn later, as
 * above), never inside it; the body is read whole as UTF-8.
 */
export class MexcHttp {
  private readonly agent: HttpAgent;
  /** node:http's or node:https's `request`, as the base URL says. */
  private readonly request: typeof httpRequest;
  private readonly hostname: string;
  private readonly port: number | undefined;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  /** Why the base URL cannot be used (every request answers so), as fetch failed on one. */
  private readonly unusable: string | undefined;
  /**
   * Requests in flight with their deadlines, checked by one interval instead of a timer each: a
   * timer's setup was a tenth of a request's cost on the order path. A request may so run up to
   * one tick past its deadline.
   */
  private readonly inFlight = new Set<InFlight>();
  private readonly tickMs: number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(options: MexcHttpOptions) {
    const parsed = URL.parse(options.baseUrl);
    const secure = parsed?.protocol === 'https:';
    this.unusable = secure || parsed?.protocol === 'http:' ? undefined : 'bad base URL';
    // An unusable base still gets an agent and an address, which no request reaches.
    const url = parsed ?? new URL('http://127.0.0.1');
    const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_MS };
    this.agent = secure ? new CheckedHttpsAgent(agentOptions) : new CheckedHttpAgent(agentOptions);
    this.request = secure ? httpsRequest : httpRequest;
    // URL keeps IPv6 hosts bracketed; a socket wants them bare.
    this.hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = url.port === '' ? undefined : Number(url.port);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.tickMs = Math.max(1, Math.min(MAX_TICK_MS, Math.ceil(options.timeoutMs / 10)));
  }

  /** `target` is the path and query (`/api/v3/order?…`); the body is always empty. */
  send(method: string, target: string, headers: OutgoingHttpHeaders): Promise<HttpReply> {
    if (this.unusable !== undefined) return Promise.resolve({ ok: false, failure: this.unusable });
    return new Promise((resolve) => {
      let settled = false;
      const settle = (reply: HttpReply): void => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(entry);
        resolve(reply);
      };
      const fail = (failure: string): void => settle({ ok: false, failure });
      const req = this.request(
        {
          method,
          hostname: this.hostname,
          port: this.port,
          path: this.basePath + target,
          headers,
          agent: this.agent,
        },
        (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            settle({ ok: true, status: res.statusCode ?? 0, retryAfter: retryAfter ?? null, text });
          });
          res.on('error', (err) => fail(failureName(err)));
          // Cut off mid-body: 'end' never comes.
          res.on('close', () => {
            if (!res.complete) fail('ECONNRESET');
          });
        },
      );
      const entry: InFlight = {
        deadline: performance.now() + this.timeoutMs,
        expire: () => {
          fail('timed out');
          req.destroy();
        },
      };
      this.inFlight.add(entry);
      this.sweeper ??= setInterval(() => this.sweep(), this.tickMs).unref();
      req.on('error', (err) => fail(failureName(err)));
      req.end();
    });
  }

  /** Expires what is past its deadline; stops ticking once a tick finds nothing in flight. */
  private sweep(): void {
    if (this.inFlight.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      return;
    }
    const now = performance.now();
    for (const entry of this.inFlight) if (entry.deadline <= now) entry.expire();
  }
}

/** The sweep's tick: a tenth of the timeout, at most this (a default 10 s timeout runs to 10.1 s). */
const MAX_TICK_MS = 100;

interface InFlight {
  /** performance.now() after which the request is given up. */
  readonly deadline: number;
  readonly expire: () => void;
}

/** A socket error's code (ECONNREFUSED, ECONNRESET…); Node's messages name the address, not the URL. */
function failureName(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.name : 'transport failure';
}
