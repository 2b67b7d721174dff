import type { Fill } from '../venue.ts';

/**
 * Our executions at the simulated venue, oldest first, for executionsSince. The last `limit` are
 * kept (at most twice that between trims): trimmed in batches, one splice per `limit` fills rather
 * than a shift per fill.
 */
export class ExecutionLog {
  private readonly limit: number;
  private readonly fills: Fill[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  add(fill: Fill): void {
    this.fills.push(fill);
    if (this.fills.length >= 2 * this.limit) this.fills.splice(0, this.fills.length - this.limit);
  }

  /** Executions with venue time ≥ sinceMs, oldest first, optionally of one symbol. */
  since(sinceMs: number, symbol?: string): Fill[] {
    return this.fills.filter((f) => f.ts >= sinceMs && (symbol === undefined || f.symbol === symbol));
  }
}
