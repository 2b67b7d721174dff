import type { Rng } from '../../core/random.ts';

/**
 * Identifiers in the shapes Bybit uses: UUIDs for derivatives orders, executions and message ids,
 * long digit strings for spot orders and trades, and short connection ids. Drawn from a seeded
 * generator so one seed gives one run; a counter keeps the digit ids unique.
 */
export class IdSource {
  private readonly rng: Rng;
  private counter = 0;
  private readonly digitBase: bigint;

  constructor(rng: Rng) {
    this.rng = rng;
    // 19 digits like Bybit's spot ids, starting at a seeded point so two runs rarely overlap.
    this.digitBase = 1_900_000_000_000_000_000n + BigInt(rng.nextU32()) * 1_000_000n;
  }

  uuid(): string {
    const hex = [0, 1, 2, 3].map(() => this.rng.nextU32().toString(16).padStart(8, '0')).join('');
    // Version 4, variant 10xx, as a random UUID prints.
    const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  digits(): string {
    this.counter++;
    return (this.digitBase + BigInt(this.counter)).toString();
  }

  /** A connection id in the style of Bybit's `conn_id` ("cejreaspqfh3sjdnldmg-p"). */
  connId(): string {
    const alphabet = 'abcdefghijklmnopqrstuv0123456789';
    let s = '';
    for (let i = 0; i < 20; i++) s += alphabet.charAt(this.rng.nextU32() & 31);
    this.counter++;
    return `${s}-${this.counter.toString(36)}`;
  }
}
