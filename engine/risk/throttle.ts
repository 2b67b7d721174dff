/**
 * At most `count` events per sliding `windowMs`. Memory is one ring of `count` timestamps whatever the
 * traffic, and nothing divides by the window.
 */
export class RateThrottle {
  readonly count: number;
  readonly windowMs: number;
  private readonly ring: Float64Array;
  private head = 0;
  private size = 0;

  constructor(count: number, windowMs: number) {
    if (!Number.isSafeInteger(count) || count < 1)
      throw new RangeError('throttle count must be a whole number ≥ 1');
    if (!Number.isFinite(windowMs) || windowMs <= 0)
      throw new RangeError('throttle window must be a positive number of ms');
    this.count = count;
    this.windowMs = windowMs;
    this.ring = new Float64Array(count);
  }

  /** Events inside the window ending at `now`. */
  used(now: number): number {
    this.expire(now);
    return this.size;
  }

  /** True if one more event fits now (does not record it). */
  allows(now: number): boolean {
    return this.used(now) < this.count;
  }

  /** Records an event if it fits; returns whether it did. */
  tryTake(now: number): boolean {
    if (!this.allows(now)) return false;
    this.ring[(this.head + this.size) % this.count] = now;
    this.size++;
    return true;
  }

  private expire(now: number): void {
    while (this.size > 0 && this.ring[this.head]! <= now - this.windowMs) {
      this.head = (this.head + 1) % this.count;
      this.size--;
    }
  }
}
