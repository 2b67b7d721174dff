import { z } from 'zod';
import type { Clock, TimerHandle } from '../../core/clock.ts';
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

const REORDER_FLUSH_MS = 250;

/** The trade stream's ops count against the REST endpoint of the same name. */
export function endpointKey(endpoint: string): string {
  return endpoint.startsWith('order.') ? `/v5/order/${endpoint.slice('order.'.length)}` : endpoint;
}

/**
 * The standing faults and the hooks the servers consult: a refusal to answer with, whether to drop a
 * create's answer, the delay, and the shaping of private messages.
 */
export class FaultState implements BybitSimFaults {
  delayMs = 0;
  private readonly clock: Clock;
  private readonly actions: FaultActions;
  private readonly refusals = new Map<string, { count: number; reply: Reply }>();
  private timeouts = 0;
  private repeats = 0;
  private reorders = 0;
  private readonly held: { send: (frame: string) => void; frame: string }[] = [];
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

  refuseNext(endpoint: string, count: number, retCode: number, retMsg: string): void {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('refuse at least one request');
    this.refusals.set(endpointKey(endpoint), { count, reply: fail(retCode, retMsg) });
  }

  repeatPrivate(count: number): void {
    this.repeats = positive(count);
  }

  reorderPrivate(count: number): void {
    this.reorders = positive(count);
  }

  timeoutCreates(count = 1): void {
    this.timeouts = positive(count);
  }

  publicStream(fault: PublicFault, options: PublicFaultOptions = {}): number {
    return this.actions.publicStream(fault, options);
  }

  clear(): void {
    this.delayMs = 0;
    this.refusals.clear();
    this.timeouts = 0;
    this.repeats = 0;
    this.reorders = 0;
    this.release();
  }

  // ---- hooks -----------------------------------------------------------------------------------

  /** The refusal standing for this endpoint, counting it down. */
  takeRefusal(endpoint: string): Reply | undefined {
    const key = endpointKey(endpoint);
    const r = this.refusals.get(key);
    if (r === undefined) return undefined;
    if (--r.count <= 0) this.refusals.delete(key);
    return r.reply;
  }

  /** Whether this create's answer is to be swallowed. */
  takeTimeout(): boolean {
    if (this.timeouts === 0) return false;
    this.timeouts--;
    return true;
  }

  /** Sends one private-stream frame, repeated or held back as the standing faults say. */
  sendPrivate(send: (frame: string) => void, frame: string): void {
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
const category = z.enum(['spot', 'linear']);

/** The body of POST /__sim/fault. */
export const faultRequest = z.discriminatedUnion('fault', [
  z.object({
    fault: z.literal('drop'),
    kind: z.enum(['public', 'private', 'trade', 'rest', 'all']).default('all'),
  }),
  z.object({ fault: z.literal('delay'), ms: z.number().min(0).max(600_000) }),
  z.object({
    fault: z.literal('refuse'),
    endpoint: z.string().min(1).max(100),
    count: count.default(1),
    retCode: z.number().int(),
    retMsg: z.string().max(500),
  }),
  z.object({ fault: z.literal('repeat-private'), count: count.default(1) }),
  z.object({ fault: z.literal('reorder-private'), count: count.default(2) }),
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
  z.object({ fault: z.literal('clear') }),
]);

/** Applies a parsed POST /__sim/fault; returns how many connections or streams it touched, where it says. */
export function applyFault(faults: BybitSimFaults, request: z.infer<typeof faultRequest>): number {
  switch (request.fault) {
    case 'drop':
      return faults.dropConnections(request.kind);
    case 'delay':
      faults.delayResponses(request.ms);
      return 0;
    case 'refuse':
      faults.refuseNext(request.endpoint, request.count, request.retCode, request.retMsg);
      return 0;
    case 'repeat-private':
      faults.repeatPrivate(request.count);
      return 0;
    case 'reorder-private':
      faults.reorderPrivate(request.count);
      return 0;
    case 'timeout-create':
      faults.timeoutCreates(request.count);
      return 0;
    case 'clear':
      faults.clear();
      return 0;
    default: {
      const { fault, ...options } = request;
      return faults.publicStream(fault, options);
    }
  }
}
