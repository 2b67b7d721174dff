/**
 * Client order ids that every venue we trade accepts: ASCII letters, digits, '-' and '_', at most
 * 36 characters (Bybit's orderLinkId limit), unique per session prefix and monotonic within it.
 */
export class ClientIdFactory {
  private n = 0;
  private readonly prefix: string;
  constructor(prefix: string) {
    this.prefix = prefix;
    if (!/^[A-Za-z0-9]{1,12}$/.test(prefix))
      throw new RangeError('client id prefix must be 1-12 letters or digits');
  }

  next(): string {
    this.n++;
    return `${this.prefix}-${this.n.toString(36)}`;
  }
}
