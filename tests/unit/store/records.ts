import type { Lots, Ticks } from '../../../engine/core/instrument.ts';
import type { Order } from '../../../engine/oms/order.ts';

/** A resting BTCUSDT model order of 10 lots at 65000.0, as the OMS holds one, for store and journal tests. */
export const order = (clientId: string, status: Order['status'] = 'new'): Order => ({
  clientId,
  venueOrderId: 'v',
  symbol: 'BTCUSDT',
  side: 'buy',
  type: 'limit',
  tif: 'post_only',
  price: 650_000 as Ticks,
  size: 10 as Lots,
  filled: 0 as Lots,
  fillLots: 0,
  status,
  origin: 'model',
  level: 0,
  decision: null,
  createdAt: 1,
  updatedAt: 2,
  lastUpdateSeq: 1,
  pendingAmend: null,
  cancelRevertTo: null,
  cancelUnconfirmed: false,
  cancelTries: 0,
  reason: null,
  needsReconcile: false,
});
