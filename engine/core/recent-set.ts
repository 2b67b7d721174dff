/**
 * A map from strings that remembers only the most recent `capacity` keys: adding one more forgets the
 * oldest. Used to recognise repeated executions and to keep finished orders for lookups in bounded
 * memory.
 *
 * It runs for every execution, with capacities in the hundreds of thousands, where a built-in Set of
 * strings spends most of its time on cache misses (its table, then each key's header for the hash).
 * So the keys sit in a ring, and an open-addressing table (linear probing) of 32-bit slots indexes the
 * ring by a hash of the key computed here; a key string is only compared when its hash matches.
 *
 * Eviction touches nothing but the ring: the slot of a forgotten key stays in the table, stale, and a
 * probe passes over it because its ring position now holds another key. Once as many stale slots as
 * the capacity have built up, the table is rebuilt from the ring in one sequential pass. The table
 * has four slots per remembered key, so with the stale ones it is at most half full.
 */
export class RecentMap<V> {
  readonly capacity: number;
  private readonly ring: string[];
  private readonly values: (V | undefined)[];
  private readonly ringHash: Int32Array;
  /** Ring position + 1 per slot; 0 is empty. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private count = 0;
  private head = 0;
  /** Slots left behind by evicted keys since the last rebuild. */
  private stale = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > 1 << 27)
      throw new RangeError('capacity must be a whole number from 1 to 2^27');
    this.capacity = capacity;
    this.ring = new Array<string>(capacity);
    this.values = new Array<V | undefined>(capacity);
    this.ringHash = new Int32Array(capacity);
    let size = 16;
    while (size < capacity * 4) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
  }

  has(key: string): boolean {
    return this.find(key, hashOf(key)) >= 0;
  }

  /** The value remembered for `key`, or undefined. */
  get(key: string): V | undefined {
    const r = this.find(key, hashOf(key));
    return r < 0 ? undefined : this.values[r];
  }

  /** Remembers `key` with `value` if it is not remembered yet; true when it was new. */
  addIfNew(key: string, value?: V): boolean {
    const h = hashOf(key);
    if (this.find(key, h) >= 0) return false;
    this.insert(key, h, value);
    return true;
  }

  /** Adds a key not yet present; returns the key it evicted, if any. */
  add(key: string, value?: V): string | undefined {
    return this.insert(key, hashOf(key), value);
  }

  get size(): number {
    return this.count;
  }

  /** The ring position holding `key`, or -1. */
  private find(key: string, h: number): number {
    const t = this.table;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const v = t[i]!;
      if (v === 0) return -1;
      const r = v - 1;
      // A stale slot fails here: its ring position holds a newer key now.
      if (this.ringHash[r] === h && this.ring[r] === key) return r;
      i = (i + 1) & mask;
    }
  }

  private insert(key: string, h: number, value: V | undefined): string | undefined {
    let evicted: string | undefined;
    const r = this.head;
    if (this.count === this.capacity) {
      evicted = this.ring[r]!;
      this.stale++;
    } else {
      this.count++;
    }
    this.ring[r] = key;
    this.values[r] = value;
    this.ringHash[r] = h;
    this.head = r + 1 === this.capacity ? 0 : r + 1;
    if (this.stale >= this.capacity) this.rebuild();
    else this.place(h, r);
    return evicted;
  }

  private place(h: number, r: number): void {
    const t = this.table;
    const mask = this.mask;
    let i = h & mask;
    while (t[i] !== 0) i = (i + 1) & mask;
    t[i] = r + 1;
  }

  /** Drops every stale slot: the table again indexes exactly the keys in the ring. */
  private rebuild(): void {
    this.table.fill(0);
    for (let r = 0; r < this.count; r++) this.place(this.ringHash[r]!, r);
    this.stale = 0;
  }
}

/** The keys alone: a RecentMap without values. */
export class RecentSet extends RecentMap<never> {}

/**
 * FNV-1a over every UTF-16 code unit but the last, plus the last one: ids that differ only in their
 * last character (sequence numbers: "…-1230" to "…-1239") land in neighbouring slots. The ids of a
 * venue come in order, so a new id's slot usually sits in the cache line the previous one touched,
 * where a plain hash sent every lookup to a random place in a table of megabytes.
 */
function hashOf(key: string): number {
  const n = key.length;
  if (n === 0) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < n - 1; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h + key.charCodeAt(n - 1)) | 0;
}
