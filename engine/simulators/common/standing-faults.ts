import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { PrivateShaper } from './private-shaper.ts';

/**
 * The standing faults both simulators have, over their private frame type `F` and their reply type
 * `R`: a delay before every answer, refusals counted down per endpoint key, and the repeat/reorder
 * shaping of private pushes (PrivateShaper). A venue's FaultState extends it with its own faults and
 * chooses the endpoint keys. `clear` ends these three; a subclass ends its own and calls it.
 */
export abstract class StandingFaults<F extends string | Uint8Array, R> {
  /** How long each answer is held after it is ready, in ms (0: at once). */
  delayMs = 0;
  private readonly shaper: PrivateShaper<F>;
  private readonly refusals = new Map<string, { count: number; reply: R }>();

  protected constructor(clock: Clock) {
    this.shaper = new PrivateShaper(clock);
  }

  delayResponses(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError('a delay is a non-negative number of ms');
    this.delayMs = ms;
  }

  repeatPrivate(count: number): void {
    this.shaper.repeat(count);
  }

  reorderPrivate(count: number): void {
    this.shaper.reorder(count);
  }

  clear(): void {
    this.delayMs = 0;
    this.refusals.clear();
    this.shaper.clear();
  }

  /** Sends one private frame, repeated or held back as the standing faults say. */
  sendPrivate(send: (frame: F) => void, frame: F): void {
    this.shaper.send(send, frame);
  }

  /** Stands a refusal for the next `count` requests under `key` (replacing one standing there). */
  protected standRefusal(key: string, count: number, reply: R): void {
    this.refusals.set(key, { count, reply });
  }

  /** The refusal standing under `key`, counting it down (gone after its last use). */
  protected takeRefusalAt(key: string): R | undefined {
    const r = this.refusals.get(key);
    if (r === undefined) return undefined;
    if (--r.count <= 0) this.refusals.delete(key);
    return r.reply;
  }
}

/** A refusal's count: a whole number ≥ 1, or a RangeError. */
export function refusalCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('refuse at least one request');
}

/** A fault count in a POST /__sim/fault body. */
export const faultCountSchema = z.number().int().min(1).max(1_000_000);

/**
 * The POST /__sim/fault bodies of the faults in StandingFaults, the same on both simulators; each
 * venue lists them in its own discriminated union, beside its own faults.
 */
export const standingFaultSchemas = {
  delay: z.object({ fault: z.literal('delay'), ms: z.number().min(0).max(600_000) }),
  repeatPrivate: z.object({ fault: z.literal('repeat-private'), count: faultCountSchema.default(1) }),
  reorderPrivate: z.object({ fault: z.literal('reorder-private'), count: faultCountSchema.default(2) }),
  clear: z.object({ fault: z.literal('clear') }),
};

export type StandingFaultRequest = z.infer<(typeof standingFaultSchemas)[keyof typeof standingFaultSchemas]>;

/** What applyStandingFault calls: the venues' fault interfaces have these. */
export interface StandingFaultControls {
  delayResponses(ms: number): void;
  repeatPrivate(count: number): void;
  reorderPrivate(count: number): void;
  clear(): void;
}

/** Applies one of the shared fault requests; none of them touches a connection, so it returns 0. */
export function applyStandingFault(faults: StandingFaultControls, request: StandingFaultRequest): number {
  switch (request.fault) {
    case 'delay':
      faults.delayResponses(request.ms);
      break;
    case 'repeat-private':
      faults.repeatPrivate(request.count);
      break;
    case 'reorder-private':
      faults.reorderPrivate(request.count);
      break;
    case 'clear':
      faults.clear();
      break;
  }
  return 0;
}
