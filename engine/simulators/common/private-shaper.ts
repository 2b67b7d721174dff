import type { Clock, TimerHandle } from '../../core/clock.ts';

/** A reordering that is never completed lets its held frames go after this long. */
const REORDER_FLUSH_MS = 250;

/**
 * The repeat and reorder faults on one simulator's private pushes, whatever their frame is (Bybit's
 * JSON text, MEXC's protobuf bytes). Guarantees:
 * - a repeated frame goes out twice, back to back, through the same `send`;
 * - reordered frames are held and go out newest first, each through the `send` it came with, when the
 *   count is used up, 250 ms after the first was held, or at `clear`, whichever comes first;
 * - a frame neither repeated nor held goes out at once; repeats are taken before reorders;
 * - frames are passed on as given (never copied or re-encoded).
 */
export class PrivateShaper<F extends string | Uint8Array> {
  private readonly clock: Clock;
  private repeats = 0;
  private reorders = 0;
  private readonly held: { send: (frame: F) => void; frame: F }[] = [];
  private reorderTimer: TimerHandle | undefined;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Sends each of the next `count` frames twice. */
  repeat(count: number): void {
    this.repeats = faultCount(count);
  }

  /** Holds the next `count` frames and sends them in reverse order. */
  reorder(count: number): void {
    this.reorders = faultCount(count);
  }

  /** Sends one frame, repeated or held back as the standing faults say. */
  send(send: (frame: F) => void, frame: F): void {
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

  /** Ends both faults; held frames go out now. */
  clear(): void {
    this.repeats = 0;
    this.reorders = 0;
    this.release();
  }

  private release(): void {
    this.clock.clearTimer(this.reorderTimer);
    this.reorderTimer = undefined;
    const held = this.held.splice(0).reverse();
    for (const h of held) h.send(h.frame);
  }
}

/** A fault's count: a whole number ≥ 1, or a RangeError. */
export function faultCount(count: number): number {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('a fault count is a whole number ≥ 1');
  return count;
}
