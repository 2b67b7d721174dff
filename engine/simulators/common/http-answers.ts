import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Clock, TimerHandle } from '../../core/clock.ts';

/** The largest request body a simulator reads; a longer one is answered 413 and its request destroyed. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The HTTP server's request listener: reads the whole body (up to MAX_BODY_BYTES) and hands it to
 * `handle` with the request and response. A body over the limit, or a request that fails while it is
 * read, is answered `413 Payload Too Large` (text) if nothing was written yet, and never handled.
 */
export function bodyListener(
  handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
): RequestListener {
  return (req, res) => {
    readBody(req).then(
      (body) => {
        handle(req, res, body);
      },
      () => {
        if (!res.headersSent) res.writeHead(413, { 'Content-Type': 'text/plain' }).end('Payload Too Large');
      },
    );
  };
}

/** The path and the raw query text (as received, undecoded, without the `?`) of a request URL. */
export function splitUrl(url: string | undefined): { path: string; rawQuery: string } {
  const whole = url ?? '/';
  const q = whole.indexOf('?');
  return q < 0 ? { path: whole, rawQuery: '' } : { path: whole.slice(0, q), rawQuery: whole.slice(q + 1) };
}

/**
 * The answers the faults hold back. Guarantees: `answer` writes at once when the delay is not
 * positive and otherwise on one timer of the simulator's clock that long after; `hold` keeps a
 * response unanswered (optionally destroying it and its socket after a delay, even a zero one,
 * on the clock); `stop` cancels every pending timer and destroys every held response.
 */
export class PendingAnswers {
  private readonly clock: Clock;
  private readonly held = new Set<ServerResponse>();
  private readonly timers = new Set<TimerHandle>();

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Runs `write` now, or `delayMs` later on the clock when that is positive. */
  answer(delayMs: number, write: () => void): void {
    if (delayMs <= 0) {
      write();
      return;
    }
    this.later(delayMs, write);
  }

  /**
   * Never answers `res` (the request was carried out: the client times out while its effect stands);
   * with `destroyAfterMs` the response and the connection are destroyed that long after.
   */
  hold(req: IncomingMessage, res: ServerResponse, destroyAfterMs?: number): void {
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
    if (destroyAfterMs !== undefined) {
      this.later(destroyAfterMs, () => {
        res.destroy();
        req.socket.destroy();
      });
    }
  }

  /** Ends what is pending (at shutdown): no timer fires after, held responses are destroyed. */
  stop(): void {
    for (const t of this.timers) this.clock.clearTimer(t);
    this.timers.clear();
    for (const res of this.held) res.destroy();
    this.held.clear();
  }

  private later(ms: number, run: () => void): void {
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }
}

/**
 * Serves the simulators' control route, POST /__sim/fault (not a venue path; the servers listen on
 * loopback only), for any path under /__sim/. Answers JSON: 404 for another method or path, 400 when
 * the body is not JSON, does not match `schema` (the issues listed as `path: message; …`) or `apply`
 * throws (its message), else 200 `{ ok: true, affected }` with what `apply` returned.
 */
export function serveFaultRoute<S extends z.ZodType>(
  request: { method: string; path: string; body: string },
  res: ServerResponse,
  schema: S,
  apply: (fault: z.output<S>) => number,
): void {
  const json = (status: number, value: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
  };
  if (request.method !== 'POST' || request.path !== '/__sim/fault') {
    json(404, { ok: false, error: 'the simulator serves POST /__sim/fault' });
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(request.body);
  } catch {
    json(400, { ok: false, error: 'the body is not JSON' });
    return;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    json(400, {
      ok: false,
      error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    });
    return;
  }
  try {
    json(200, { ok: true, affected: apply(parsed.data) });
  } catch (err) {
    json(400, { ok: false, error: err instanceof Error ? err.message : String(err) });
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
