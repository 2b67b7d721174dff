import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { faultCount } from '../common/private-shaper.ts';
import {
  applyStandingFault,
  faultCountSchema as count,
  refusalCount,
  StandingFaults,
  standingFaultSchemas as shared,
} from '../common/standing-faults.ts';
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

/**
 * The standing faults and the hooks the servers consult: a refusal to answer with (keyed by method
 * and path, or path), whether to swallow a create's answer and when to destroy its connection, and,
 * from StandingFaults, the delay and the shaping of private pushes' binary frames.
 */
export class FaultState extends StandingFaults<Uint8Array, Reply> implements MexcSimFaults {
  private readonly actions: FaultActions;
  private timeouts = 0;
  private timeoutDestroyMs: number | undefined;

  constructor(clock: Clock, actions: FaultActions) {
    super(clock);
    this.actions = actions;
  }

  dropConnections(kind: ConnectionKind | 'all' = 'all'): number {
    return this.actions.drop(kind);
  }

  refuseNext(endpoint: string, count: number, code: number, msg: string, httpStatus = 400): void {
    refusalCount(count);
    if (!Number.isInteger(httpStatus) || httpStatus < 400 || httpStatus > 599) {
      throw new RangeError('a refusal answers with an HTTP status of 400-599');
    }
    this.standRefusal(endpoint.trim(), count, fail(code, msg, httpStatus));
  }

  timeoutCreates(count = 1, destroyAfterMs?: number): void {
    if (destroyAfterMs !== undefined && !(Number.isFinite(destroyAfterMs) && destroyAfterMs >= 0)) {
      throw new RangeError('destroyAfterMs is a non-negative number of ms');
    }
    this.timeouts = faultCount(count);
    this.timeoutDestroyMs = destroyAfterMs;
  }

  depthGap(symbol?: string): number {
    return this.actions.depthGap(symbol);
  }

  badFrame(kind: BadFrame, symbol?: string): number {
    return this.actions.badFrame(kind, symbol);
  }

  override clear(): void {
    this.timeouts = 0;
    this.timeoutDestroyMs = undefined;
    super.clear();
  }

  // ---- hooks -----------------------------------------------------------------------------------

  /** The refusal standing for this request (method and path first, then the path), counting it down. */
  takeRefusal(method: string, path: string): Reply | undefined {
    for (const key of [`${method} ${path}`, path]) {
      const reply = this.takeRefusalAt(key);
      if (reply !== undefined) return reply;
    }
    return undefined;
  }

  /** Whether this create's answer is to be swallowed, and when to destroy its connection. */
  takeTimeout(): { destroyAfterMs: number | undefined } | undefined {
    if (this.timeouts === 0) return undefined;
    this.timeouts--;
    return { destroyAfterMs: this.timeoutDestroyMs };
  }
}

const symbol = z
  .string()
  .regex(/^[A-Z0-9]{2,30}$/)
  .optional();

/** The body of POST /__sim/fault (loopback only, not a MEXC path): one fault per request. */
export const faultRequest = z.discriminatedUnion('fault', [
  z.object({ fault: z.literal('drop'), kind: z.enum(['public', 'private', 'rest', 'all']).default('all') }),
  shared.delay,
  z.object({
    fault: z.literal('refuse'),
    endpoint: z.string().min(1).max(100),
    count: count.default(1),
    code: z.number().int(),
    msg: z.string().max(500),
    httpStatus: z.number().int().min(400).max(599).default(400),
  }),
  shared.repeatPrivate,
  shared.reorderPrivate,
  z.object({
    fault: z.literal('timeout-create'),
    count: count.default(1),
    destroyAfterMs: z.number().min(0).max(600_000).optional(),
  }),
  z.object({ fault: z.literal('depth-gap'), symbol }),
  z.object({ fault: z.enum(['undecodable', 'unknown-channel', 'off-precision']), symbol }),
  shared.clear,
]);

/** Applies a parsed POST /__sim/fault; returns how many connections or streams it touched, where it says. */
export function applyFault(faults: MexcSimFaults, request: z.infer<typeof faultRequest>): number {
  switch (request.fault) {
    case 'drop':
      return faults.dropConnections(request.kind);
    case 'refuse':
      faults.refuseNext(request.endpoint, request.count, request.code, request.msg, request.httpStatus);
      return 0;
    case 'timeout-create':
      faults.timeoutCreates(request.count, request.destroyAfterMs);
      return 0;
    case 'depth-gap':
      return faults.depthGap(request.symbol);
    case 'delay':
    case 'repeat-private':
    case 'reorder-private':
    case 'clear':
      return applyStandingFault(faults, request);
    default:
      return faults.badFrame(request.fault, request.symbol);
  }
}
