import type { Lots, Side, Ticks } from '../../core/instrument.ts';
import type { ExecutionEvent, Fill, Unsubscribe } from '../venue.ts';
import { FillHistory } from './fill-history.ts';
import type { SimLink } from './sim-link.ts';
import { reportListenerError } from './sim-link.ts';
import type { SymbolSim } from './sim-symbol.ts';

/**
 * Our execution stream: order updates and fill reports go back to us on the response link (behind
 * the answers queued before them) and reach every execution listener unless the link lost them; our
 * last `historyLimit` fills are remembered, so executionsSince reads back the very reports sent live.
 */
export class SimExecutions {
  private readonly link: SimLink;
  private readonly runTag: string;
  /** The instruments in listing order (a fill record names its symbol by index). */
  private readonly symbolList: readonly SymbolSim[];
  private listeners: readonly ((event: ExecutionEvent) => void)[] = [];
  /** Our last `historyLimit` executions. */
  private readonly fills: FillHistory;
  private execSeq = 0;

  constructor(link: SimLink, runTag: string, symbolList: readonly SymbolSim[], historyLimit: number) {
    this.link = link;
    this.runTag = runTag;
    this.symbolList = symbolList;
    this.fills = new FillHistory(historyLimit);
  }

  onExecution(listener: (event: ExecutionEvent) => void): Unsubscribe {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Remembers one execution of ours and sends its report. */
  fill(
    sym: SymbolSim,
    clientId: string,
    engineId: number,
    venueOrderId: string,
    side: Side,
    price: number,
    lots: number,
    liquidity: 'maker' | 'taker',
    ts: number,
  ): void {
    const seq = ++this.execSeq;
    this.fills.add(sym.index, seq, clientId, engineId, side, price, lots, liquidity, ts);
    this.emit(this.fillOf(sym, seq, clientId, venueOrderId, side, price, lots, liquidity, ts));
  }

  /** The remembered executions with venue time ≥ sinceMs, oldest first, optionally of one symbol. */
  since(sinceMs: number, symbol: string | undefined): Fill[] {
    return this.fills
      .since(sinceMs)
      .map((r) => {
        const sym = this.symbolList[r.symbolIndex]!;
        const venueOrderId = `${this.runTag}-${r.engineId}`;
        return this.fillOf(
          sym,
          r.execSeq,
          r.clientId,
          venueOrderId,
          r.side,
          r.price,
          r.size,
          r.liquidity,
          r.ts,
        );
      })
      .filter((f) => symbol === undefined || f.symbol === symbol);
  }

  /** Sends one execution event back to us; nothing is sent while the link is down. */
  emit(event: ExecutionEvent): void {
    if (this.link.state !== 'connected') return;
    this.link.responseLine.push(this.link.responseDelay(), this.deliver, event, this.link.epoch);
  }

  /** An execution report; the same one whether sent live or read back by executionsSince. */
  private fillOf(
    sym: SymbolSim,
    execSeq: number,
    clientId: string,
    venueOrderId: string,
    side: Side,
    price: number,
    lots: number,
    liquidity: 'maker' | 'taker',
    ts: number,
  ): Fill {
    return {
      type: 'fill',
      symbol: sym.instrument.symbol,
      execId: `${this.runTag}-${execSeq}`,
      clientId,
      venueOrderId,
      side,
      price: price as Ticks,
      size: lots as Lots,
      fee: sym.engine.feeText(price, lots, liquidity),
      feeAsset: sym.instrument.quote,
      liquidity,
      ts,
    };
  }

  private readonly deliver = (event: ExecutionEvent, epoch: number): void => {
    if (epoch !== this.link.epoch || this.link.losing()) return;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        reportListenerError(err);
      }
    }
  };
}
