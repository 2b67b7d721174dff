import type { InstrumentSpec } from '../../../engine/core/instrument.ts';
import type {
  AmendRequest,
  Balance,
  CancelRequest,
  ConnectionState,
  ExecutionEvent,
  Fill,
  OrderAck,
  OrderUpdate,
  PlaceRequest,
  Venue,
  VenueResult,
} from '../../../engine/venues/venue.ts';

type Answer<T> = VenueResult<T> | Error;

/** A scriptable venue: requests are recorded and answered when the test says so. */
export class FakeVenue implements Venue {
  readonly id = 'fake';
  readonly kind = 'sim' as const;
  capabilities = { amend: true, postOnly: true, ioc: true, market: true, cancelAll: true };
  readonly requests: { kind: string; req: unknown; resolve: (r: Answer<unknown>) => void }[] = [];
  private listener: ((e: ExecutionEvent) => void) | undefined;

  connect(): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  connectionState(): ConnectionState {
    return 'connected';
  }
  onConnection(): () => void {
    return () => undefined;
  }
  instruments(): Promise<InstrumentSpec[]> {
    return Promise.resolve([]);
  }
  subscribeMarket(): () => void {
    return () => undefined;
  }
  onExecution(listener: (e: ExecutionEvent) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  private pend<T>(kind: string, req: unknown): Promise<VenueResult<T>> {
    return new Promise((resolve, reject) => {
      this.requests.push({
        kind,
        req,
        resolve: (r) => {
          if (r instanceof Error) reject(r);
          else resolve(r as VenueResult<T>);
        },
      });
    });
  }
  placeOrder(r: PlaceRequest): Promise<VenueResult<OrderAck>> {
    return this.pend('place', r);
  }
  amendOrder(r: AmendRequest): Promise<VenueResult<OrderAck>> {
    return this.pend('amend', r);
  }
  cancelOrder(r: CancelRequest): Promise<VenueResult<OrderAck>> {
    return this.pend('cancel', r);
  }
  cancelAll(): Promise<VenueResult<{ cancelled: number }>> {
    return this.pend('cancelAll', {});
  }
  openOrders(): Promise<OrderUpdate[]> {
    return Promise.resolve([]);
  }
  executionsSince(): Promise<Fill[]> {
    return Promise.resolve([]);
  }
  balances(): Promise<Balance[]> {
    return Promise.resolve([]);
  }
  push(e: ExecutionEvent): void {
    this.listener?.(e);
  }
}

export const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};
