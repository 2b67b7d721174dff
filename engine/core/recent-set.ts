/**
 * A set that remembers only the most recent `capacity` keys: adding one more forgets the oldest.
 * Used to recognise repeated executions and to keep finished orders for lookups in bounded memory.
 * Eviction walks a ring rather than the set's insertion order, whose iteration slows as deletions
 * pile up.
 */
export class RecentSet<K> {
  readonly capacity: number;
  private readonly keys = new Set<K>();
  private readonly ring: K[] = [];
  private head = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a whole number ≥ 1');
    this.capacity = capacity;
  }

  has(key: K): boolean {
    return this.keys.has(key);
  }

  /**
   * Adds `key` if it is not remembered yet; true when it was new. One hash lookup instead of a
   * `has` then an `add`: this runs for every execution.
   */
  addIfNew(key: K): boolean {
    const before = this.keys.size;
    this.keys.add(key);
    if (this.keys.size === before) return false;
    this.remember(key);
    return true;
  }

  /** Adds a key not yet present; returns the key it evicted, if any. */
  add(key: K): K | undefined {
    this.keys.add(key);
    return this.remember(key);
  }

  private remember(key: K): K | undefined {
    if (this.ring.length < this.capacity) {
      this.ring.push(key);
      return undefined;
    }
    const evicted = this.ring[this.head]!;
    this.keys.delete(evicted);
    this.ring[this.head] = key;
    this.head = (this.head + 1) % this.capacity;
    return evicted;
  }

  get size(): number {
    return this.keys.size;
  }
}
