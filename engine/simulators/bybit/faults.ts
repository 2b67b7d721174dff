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
import type { Category, Reply } from './wire.ts';
import { fail } from './wire.ts';

/** The kinds of connection the simulator serves; `rest` is the HTTP keep-alive sockets. */
export type ConnectionKind = 'public' | 'private' | 'trade' | 'rest';

/** Faults on a public stream (the adapter's bad-input cases). */
export type PublicFault = 'book-reset' | 'gap' | 'off-tick' | 'malformed' | 'unknown-topic' | 'huge';

export interface PublicFaultOptions {
  /** Only the streams of this category (default both). */
  category?: Category;
  /** Only this symbol's book (default every symbol); the frame faults go to every connection. */
  symbol?: string;
  /** Size of the `huge` frame in bytes (default 3 MiB). */
  bytes?: number;
}

/** Fault injection, for tests and chaos runs. Each call acts on what follows it; `clear` ends them all. */
export interface BybitSimFaults {
  /** Drops every connection of one kind (every kind by default) now; returns how many. */
  dropConnections(kind?: ConnectionKind | 'all'): number;
  /** Holds every REST and trade-stream answer this long after it is ready (0 stops). */
  delayResponses(ms: number): void;
  /**
   * Answers the next `count` requests of an endpoint — a REST path (`/v5/order/create`) or a trade
   * op (`order.create`), both count — with `retCode` / `retMsg`, without carrying them out.
   */
  refuseNext(endpoint: string, count: number, retCode: number, retMsg: string): void;
  /** Sends each of the next `count` private-stream messages twice. */
  repeatPrivate(count: number): void;
  /** Holds the next `count` private-stream messages and sends them in reverse order (after 250 ms at the latest). */
  reorderPrivate(count: number): void;
  /** Carries out the next `count` order creations (REST or trade stream) and never answers them. */
  timeoutCreates(count?: number): void;
  /** Puts one fault on the public streams now; returns how many streams or connections got it. */
  publicStream(fault: PublicFault, options?: PublicFaultOptions): number;
  /** Ends every standing fault (held messages go out). */
  clear(): void;
}

/** What a fault does to the servers, supplied by them. */
export interface FaultActions {
  drop(kind: ConnectionKind | 'all'): number;
  publicStream(fault: PublicFault, options: PublicFaultOptions): number;
}

/** The trade stream's ops count against the REST endpoint of the same name. */
export function endpointKey(endpoint: string): string {
  return endpoint.startsWith('order.') ? `/v5/order/${endpoint.slice('order.'.length)}` : endpoint;
}

/**
 * The standing faults and the hooks the servers consult: a refusal to answer with (keyed by REST
 * path, trade ops under theirs), whether to drop a create's answer, and, from StandingFaults, the
 * delay and the shaping of private-stream text frames.
 */
export class FaultState extends StandingFaults<string, Reply> implements BybitSimFaults {
  private readonly actions: FaultActions;
  private timeouts = 0;

  constructor(clock: Clock, actions: FaultActions) {
    super(clock);
    this.actions = actions;
  }

  dropConnections(kind: ConnectionKind | 'all' = 'all'): number {
    return this.actions.drop(kind);
  }

  refuseNext(endpoint: string, count: number, retCode: number, retMsg: string): void {
    refusalCount(count);
    this.standRefusal(endpointKey(endpoint), count, fail(retCode, retMsg));
  }

  timeoutCreates(count = 1): void {
    this.timeouts = faultCount(count);
  }

  publicStream(fault: PublicFault, options: PublicFaultOptions = {}): number {
    return this.actions.publicStream(fault, options);
  }

  override clear(): void {
    this.timeouts = 0;
    super.clear();
  }

  // ---- hooks -----------------------------------------------------------------------------------

  /** The refusal standing for this endpoint, counting it down. */
  takeRefusal(endpoint: string): Reply | undefined {
    return this.takeRefusalAt(endpointKey(endpoint));
  }

  /** Whether this create's answer is to be swallowed. */
  takeTimeout(): boolean {
    if (this.timeouts === 0) return false;
    this.timeouts--;
    return true;
  }
}

const category = z.enum(['spot', 'linear']);

/** The body of POST /__sim/fault. */
export const faultRequest = z.discriminatedUnion('fault', [
  z.object({
    fault: z.literal('drop'),
    kind: z.enum(['public', 'private', 'trade', 'rest', 'all']).default('all'),
  }),
  shared.delay,
  z.object({
    fault: z.literal('refuse'),
    endpoint: z.string().min(1).max(100),
    count: count.default(1),
    retCode: z.number().int(),
    retMsg: z.string().max(500),
  }),
  shared.repeatPrivate,
  shared.reorderPrivate,
  z.object({ fault: z.literal('timeout-create'), count: count.default(1) }),
  z.object({
    fault: z.enum(['book-reset', 'gap', 'off-tick', 'malformed', 'unknown-topic', 'huge']),
    category: category.optional(),
    symbol: z.string().min(1).max(40).optional(),
    bytes: z
      .number()
      .int()
      .min(1)
      .max(64 * 1024 * 1024)
      .optional(),
  }),
  shared.clear,
]);

/** Applies a parsed POST /__sim/fault; returns how many connections or streams it touched, where it says. */
export function applyFault(faults: BybitSimFaults, request: z.infer<typeof faultRequest>): number {
  switch (request.fault) {
    case 'drop':
      return faults.dropConnections(request.kind);
    case 'refuse':
      faults.refuseNext(request.endpoint, request.count, request.retCode, request.retMsg);
      return 0;
    case 'timeout-create':
      faults.timeoutCreates(request.count);
      return 0;
    case 'delay':
    case 'repeat-private':
    case 'reorder-private':
    case 'clear':
      return applyStandingFault(faults, request);
    default: {
      const { fault, ...options } = request;
      return faults.publicStream(fault, options);
    }
  }
}
