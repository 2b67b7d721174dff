/**
 * An insertion-ordered map for the order paths, where orders are added and removed all the time while
 * few are live at once. A built-in Map answers that churn by allocating a new hash table each time
 * its deleted entries fill the old one or its size falls below a quarter, and the replaced tables
 * still point at the orders they held. With Maps of orders, the order lifecycle benchmark saw about
 * 80 MB survive young collections and 64 MB promoted per 200k lifecycles; with this table, 25 and 7
 * (the likely cause: promoted stale tables keeping young orders alive until the next full collection).
 *
 * Here the values sit in parallel arrays that are reused: a deletion clears its slot, and when the
 * arrays are full the live entries move to the front in place (they are replaced only to grow). A
 * built-in Map still finds entries, but holds only their positions (small integers, nothing to keep
 * alive).
 */
export class OrderedTable<K extends string | number, V> {
  private readonly pos = new Map<K, number>();
  private keys: (K | undefined)[];
  private vals: (V | undefined)[];
  private capacity: number;
  /** Positions used so far, cleared ones included. */
  private end = 0;
  /** The live values as of the last change, for `snapshot`; null once the table changed. */
  private cache: readonly V[] | null = null;

  constructor(initialCapacity = 16) {
    let cap = 8;
    while (cap < initialCapacity) cap *= 2;
    this.capacity = cap;
    this.keys = emptyArray(cap);
    this.vals = emptyArray(cap);
  }

  get size(): number {
    return this.pos.size;
  }

  has(key: K): boolean {
    return this.pos.has(key);
  }

  get(key: K): V | undefined {
    const e = this.pos.get(key);
    return e === undefined ? undefined : this.vals[e];
  }

  set(key: K, value: V): this {
    this.cache = null;
    const e = this.pos.get(key);
    if (e !== undefined) {
      this.vals[e] = value;
      return this;
    }
    if (this.end === this.capacity) {
      if (this.pos.size * 2 <= this.capacity) this.compact();
      else this.grow();
    }
    const n = this.end++;
    this.keys[n] = key;
    this.vals[n] = value;
    this.pos.set(key, n);
    return this;
  }

  delete(key: K): boolean {
    const e = this.pos.get(key);
    if (e === undefined) return false;
    this.cache = null;
    this.pos.delete(key);
    this.keys[e] = undefined;
    this.vals[e] = undefined;
    return true;
  }

  /** The live values in insertion order, as a new array: safe to keep, and to change the table while walking it. */
  values(): V[] {
    const out: V[] = [];
    const keys = this.keys;
    for (let e = 0; e < this.end; e++) if (keys[e] !== undefined) out.push(this.vals[e] as V);
    return out;
  }

  /**
   * The live values in insertion order, shared until the table next changes: the quote manager reads
   * the working orders on every book update, and most updates change none of them, so this saves
   * building the same array again each time. A change never touches an array already handed out
   * (it makes the next one), so walking it while the table changes is safe; it must not be mutated.
   */
  snapshot(): readonly V[] {
    return (this.cache ??= this.values());
  }

  /** Moves the live entries to the front, in order, within the same arrays. */
  private compact(): void {
    this.end = this.moveLive(this.keys, this.vals);
  }

  /** Twice the room: new arrays holding the live entries, in order. */
  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    this.capacity *= 2;
    this.keys = emptyArray(this.capacity);
    this.vals = emptyArray(this.capacity);
    this.end = this.moveLive(keys, vals);
  }

  /** Copies the live entries of `keys`/`vals` to the front of the current arrays; returns their count. */
  private moveLive(keys: (K | undefined)[], vals: (V | undefined)[]): number {
    const end = this.end;
    let n = 0;
    for (let e = 0; e < end; e++) {
      const k = keys[e];
      if (k === undefined) continue;
      const v = vals[e];
      keys[e] = undefined;
      vals[e] = undefined;
      this.keys[n] = k;
      this.vals[n] = v;
      if (n !== e) this.pos.set(k, n);
      n++;
    }
    return n;
  }
}

function emptyArray<T>(n: number): (T | undefined)[] {
  return Array.from({ length: n }, () => undefined);
}
