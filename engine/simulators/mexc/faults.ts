import { z } from 'zod';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { Reply } from './wire.ts';
import { fail } from './wire.ts';

/** The kinds of connection: public WebSockets, `?listenKey=` ones, and the HTTP keep-alive sockets. */
export type ConnectionKind = 'public' | 'private' | 'rest';

/** A bad binary frame on the public streams (the adapter's bad-input cases). */
export type BadFrame = 'undecodable' | 'unknown-channel' | 'off-precision';

/** Fault injection, for tests and chaos runs. Each call acts on what follows it; `clear` ends them all. */
export interface MexcSimFaults {
  /** Drops every connection of one kind (every kind by default) now; returns how many. */
  dropConnections(kind?: ConnectionKind | 'all'): number;
  /** Holds every REST answer this long after it is ready (0 stops). */
  delayResponses(ms: number): void;
  /**
   * Answers the next `count` requests of an endpoint — a path (`/api/v3/order`, every method) or a
   * method and path (`DELETE /api/v3/order`) — with `{code,msg}` and `httpStatus` (default 400),
   * without carrying them out.
   */
  refuseNext(endpoint: string, count: number, code: number, msg: string, httpStatus?: number): void;
  /** Sends each of the next `count` private pushes twice. */
  repeatPrivate(count: number): void;
  /** Holds the next `count` private pushes and sends them in reverse order (after 250 ms at the latest). */
  reorderPrivate(count: number): void;
  /**
   * Carries out the next `count` POST /api/v3/order and never answers them; with `destroyAfterMs`
   * the connection is destroyed that long after, instead of hanging until the client gives up.
   */
  timeoutCreates(count?: number, destroyAfterMs?: number): void;
  /** The next push of the running depth streams (of one symbol, or all) skips a version; returns how many streams. */
  depthGap(symbol?: string): number;
  /**
   * One bad frame on the public streams: bytes that do not decode, a push on a channel the venue
   * does not have (to every public connection), or a depth push with a price one decimal finer than
   * the symbol's precision (the next push of the running depth streams). Returns how many
   * connections or streams got it.
   */
  badFrame(kind: BadFrame, symbol?: string): number;
  /** Ends every standing fault (held pushes go out). */
  clear(): void;
}

/** What a fault does to the servers, supplied by them. */
export interface FaultActions {
  drop(kind: ConnectionKind | 'all'): number;
  depthGap(symbol: string | undefined): number;
  badFrame(kind: BadFrame, symbol: string | undefined): number;
}

const REORDER_FLUSH_MS = 250;

/**
 * The standing faults and the hooks the servers consult. The shaping of private pushes works as the
 * Bybit simulator's does (engine/simulators/bybit/faults.ts), on binary frames instead of text.
 */
export class FaultState implements MexcSimFaults {
  delayMs = 0;
  private readonly clock: Clock;
  private readonly actions: FaultActions;
  private readonly refusals = new Map<string, { count: number; reply: Reply }>();
  private timeouts = 0;
  private timeoutDestroyMs: number | undefined;
  private repeats = 0;
  private reorders = 0;
  private readonly held: { send: (frame: Uint8Array) => void; frame: Uint8Array }[] = [];
  private reorderTimer: TimerHandle | undefined;

  constructor(clock: Clock, actions: FaultActions) {
    this.clock = clock;
    this.actions = actions;
  }

  dropConnections(kind: ConnectionKind | 'all' = 'all'): number {
    return this.actions.drop(kind);
  }

  delayResponses(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError('a delay is a non-negative number of ms');
    this.delayMs = ms;
  }

  refuseNext(endpoint: string, count: number, code: number, msg: string, httpStatus = 400): void {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('refuse at least one request');
    if (!Number.isInteger(httpStatus) || httpStatus < 400 || httpStatus > 599) {
      throw new RangeError('a refusal answers with an HTTP status of 400-599');
    }
    this.refusals.set(endpoint.trim(), { count, reply: fail(code, msg, httpStatus) });
  }

  repeatPrivate(count: number): void {
    this.repeats = positive(count);
  }

  reorderPrivate(count: number): void {
    this.reorders = positive(count);
  }

  timeoutCreates(count = 1, destroyAfterMs?: number): void {
    if (destroyAfterMs !== undefined && !(Number.isFinite(destroyAfterMs) && destroyAfterMs >= 0)) {
      throw new RangeError('destroyAfterMs is a non-negative number of ms');
    }
    this.timeouts = positive(count);
    this.timeoutDestroyMs = destroyAfterMs;
  }

  depthGap(symbol?: string): number {
    return this.actions.depthGap(symbol);
  }

  badFrame(kind: BadFrame, symbol?: string): number {
    return this.actions.badFrame(kind, symbol);
  }

  clear(): void {
    this.delayMs = 0;
    this.refusals.clear();
    this.timeouts = 0;
    this.timeoutDestroyMs = undefined;
    this.repeats = 0;
    this.reorders = 0;
    this.release();
  }

  // ---- hooks -----------------------------------------------------------------------------------

  /** The refusal standing for this request (method and path first, then the path), counting it down. */
  takeRefusal(method: string, path: string): Reply | undefined {
    for (const key of [`${method} ${path}`, path]) {
      const r = this.refusals.get(key);
      if (r === undefined) continue;
      if (--r.count <= 0) this.refusals.delete(key);
      return r.reply;
    }
    return undefined;
  }

  /** Whether this create's answer is to be swallowed, and when to destroy its connection. */
  takeTimeout(): { destroyAfterMs: number | undefined } | undefined {
    if (this.timeouts === 0) return undefined;
    this.timeouts--;
    return { destroyAfterMs: this.timeoutDestroyMs };
  }

  /** Sends one private push, repeated or held back as the standing faults say. */
  sendPrivate(send: (frame: Uint8Array) => void, frame: Uint8Array): void {
    if (this.repeats > 0) {
      this.repeats--;
      send(frame);
      send(frame);
      return;
    }
    if (this.reorders > 0) {
      this.reorders--;
      this.held.push({ send, frame });
      if (this.reorders === 0) this.release();
      else
        this.reorderTimer ??= this.clock.setTimeout(() => {
          this.reorders = 0;
          this.release();
        }, REORDER_FLUSH_MS);
      return;
    }
    send(frame);
  }

  private release(): void {
    this.clock.clearTimer(this.reorderTimer);
    this.reorderTimer = undefined;
    const held = this.held.splice(0).reverse();
    for (const h of held) h.send(h.frame);
  }
}

function positive(count: number): number {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('a fault count is a whole number ≥ 1');
  return count;
}

const count = z.number().int().min(1).max(1_000_000);
const symbol = z
  .string()
  .regex(/^[A-Z0-9]{2,30}$/)
  .optional();

/** The body of POST /__sim/fault (loopback only, not a MEXC path): one fault per request. */
export const faultRequest = z.discriminatedUnion('fault', [
  z.object({ fault: z.literal('drop'), kind: z.enum(['public', 'private', 'rest', 'all']).default('all') }),
  z.object({ fault: z.literal('delay'), ms: z.number().min(0).max(600_000) }),
  z.object({
    fault: z.literal('refuse'),
    endpoint: z.string().min(1).max(100),
    count: count.default(1),
    code: z.number().int(),
    msg: z.string().max(500),
    httpStatus: z.number().int().min(400).max(599).default(400),
  }),
  z.object({ fault: z.literal('repeat-private'), count: count.default(1) }),
  z.object({ fault: z.literal('reorder-private'), count: count.default(2) }),
  z.object({
    fault: z.literal('timeout-create'),
    count: count.default(1),
    destroyAfterMs: z.number().min(0).max(600_000).optional(),
  }),
  z.object({ fault: z.literal('depth-gap'), symbol }),
  z.object({ fault: z.enum(['undecodable', 'unknown-channel', 'off-precision']), symbol }),
  z.object({ fault: z.literal('clear') }),
]);

/** Applies a parsed POST /__sim/fault; returns how many connections or streams it touched, where it says. */
export function applyFault(faults: MexcSimFaults, request: z.infer<typeof faultRequest>): number {
  switch (request.fault) {
    case 'drop':
      return faults.dropConnections(request.kind);
    case 'delay':
      faults.delayResponses(request.ms);
      return 0;
    case 'refuse':
      faults.refuseNext(request.endpoint, request.count, request.code, request.msg, request.httpStatus);
      return 0;
    case 'repeat-private':
      faults.repeatPrivate(request.count);
      return 0;
    case 'reorder-private':
      faults.reorderPrivate(request.count);
      return 0;
    case 'timeout-create':
      faults.timeoutCreates(request.count, request.destroyAfterMs);
      return 0;
    case 'depth-gap':
      return faults.depthGap(request.symbol);
    case 'clear':
      faults.clear();
      return 0;
    default:
      return faults.badFrame(request.fault, request.symbol);
  }
}
