import { parseDecimal } from '../../core/decimal.ts';
import { stepsFromText, type Instrument, type Lots, type Ticks } from '../../core/instrument.ts';
import type { BookSnapshot, Level, Trade } from '../../market/types.ts';
import type { Balance, Fill, OrderUpdate, VenueOrderStatus } from '../venue.ts';
import { amountFromWire, ensure, inField as at, priceFromWire, sizeFromWire } from '../wire-text.ts';
import { int64, type DepthItem, type Int64, type PushWrapper } from './proto/codec.ts';
import {
  orderTypeFromMexc,
  orderTypeFromPush,
  orderUpdateSeq,
  sideFromPush,
  statusFromMexc,
  statusFromPush,
} from './wire.ts';

/**
 * What the MEXC spot streams carry, as engine values (exchange-apis.md B9): decoded protobuf pushes
 * (codec.ts) and the REST depth snapshot become book updates, trades, order updates, fills and
 * balances in ticks, lots and exact decimal strings. Each function returns a complete value or throws
 * an EngineError naming the channel, the symbol and the field: nothing is half built, so a caller
 * that catches applies nothing of the frame.
 */

/** GET /api/v3/depth?symbol=S&limit=1000 as the REST side hands it over (`lastUpdateId` = version). */
export interface DepthSnapshot {
  version: number;
  bids: [string, string][];
  asks: [string, string][];
}

/** One `spot@public.aggre.depth` push: the levels changed between two versions, sizes absolute. */
export interface DepthUpdate {
  readonly symbol: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** Venue time: the wrapper's sendTime. */
  readonly ts: number;
  /** A size of 0 deletes the level. */
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

const VERSION_RE = /^\d{1,16}$/;

function version(text: string, where: string, field: string): number {
  const n = VERSION_RE.test(text) ? Number(text) : NaN;
  ensure(
    Number.isSafeInteger(n) && n > 0,
    where,
    `${field} must be a positive integer, got ${JSON.stringify(text)}`,
  );
  return n;
}

/** A venue time in ms from an int64 field; 0 (absent) and nonsense are refused. */
function time(v: Int64 | undefined, where: string, field: string): number {
  let n: number;
  try {
    n = int64(v);
  } catch {
    n = NaN;
  }
  ensure(Number.isSafeInteger(n) && n > 0, where, `${field} must be a millisecond time, got ${String(n)}`);
  return n;
}

/**
 * The wrapper's optional fields: protobufjs leaves an absent proto3 `optional` as null (not
 * undefined, whatever the PushWrapper type says), so both are read as absent.
 */
function symbolOf(push: PushWrapper): string {
  return typeof push.symbol === 'string' ? push.symbol : '';
}

function sendTimeOf(push: PushWrapper): number {
  const n = int64(push.sendTime);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** The wrapper's symbol, where it carries one, must be the instrument's. */
function sameSymbol(inst: Instrument, push: PushWrapper, where: string): void {
  ensure(
    symbolOf(push) === '' || push.symbol === inst.symbol,
    where,
    `symbol ${symbolOf(push)} given to the ${inst.symbol} parser`,
  );
}

function levels(
  inst: Instrument,
  items: readonly DepthItem[] | undefined,
  where: string,
  side: string,
): Level[] {
  const list = items ?? [];
  const out = new Array<Level>(list.length);
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    // The plain on-grid case first, as priceFromWire / sizeFromWire take it: the field's label and
    // the closure that carries it are built only for a value that needs the checked path.
    const fastPrice =
      typeof item.price === 'string' ? stepsFromText(item.price, inst.priceDecimals, inst.tickScaled) : -1;
    const price =
      fastPrice > 0
        ? (fastPrice as Ticks)
        : at(where, `${side}[${i}].price`, () => priceFromWire(inst, item.price));
    const fastSize =
      typeof item.quantity === 'string'
        ? stepsFromText(item.quantity, inst.sizeDecimals, inst.lotScaled)
        : -1;
    const size =
      fastSize >= 0
        ? (fastSize as Lots)
        : at(where, `${side}[${i}].quantity`, () => sizeFromWire(inst, item.quantity, true));
    out[i] = [price, size];
  }
  return out;
}

/**
 * A `spot@public.aggre.depth.v3.api.pb` push. `ts` is the wrapper's sendTime; where a simulator
 * leaves it out, `receivedAt` (our clock) stands in rather than a zero.
 */
export function depthUpdateFromPush(inst: Instrument, push: PushWrapper, receivedAt: number): DepthUpdate {
  const where = `MEXC depth ${inst.symbol}`;
  const body = push.publicAggreDepths;
  ensure(
    push.body === 'publicAggreDepths' && body !== undefined,
    where,
    `a ${push.body ?? 'missing'} body on ${push.channel}`,
  );
  sameSymbol(inst, push, where);
  const fromVersion = version(body.fromVersion, where, 'fromVersion');
  const toVersion = version(body.toVersion, where, 'toVersion');
  ensure(fromVersion <= toVersion, where, `fromVersion ${fromVersion} is after toVersion ${toVersion}`);
  const sent = sendTimeOf(push);
  const ts = sent > 0 ? sent : receivedAt;
  return {
    symbol: inst.symbol,
    fromVersion,
    toVersion,
    ts,
    bids: levels(inst, body.bids, where, 'bids'),
    asks: levels(inst, body.asks, where, 'asks'),
  };
}

/**
 * A `spot@public.aggre.deals.v3.api.pb` push, oldest first as sent. The taker's side is tradeType
 * (1 buy, 2 sell). MEXC added `tradeId` in 2026; a push without one gets an id built from what the
 * push holds (deal time, send time, position), the same every time the push is replayed.
 */
export function tradesFromPush(inst: Instrument, push: PushWrapper): Trade[] {
  const where = `MEXC deals ${inst.symbol}`;
  const body = push.publicAggreDeals;
  ensure(
    push.body === 'publicAggreDeals' && body !== undefined,
    where,
    `a ${push.body ?? 'missing'} body on ${push.channel}`,
  );
  sameSymbol(inst, push, where);
  const sent = sendTimeOf(push);
  return body.deals.map((d, i) => {
    const ts = time(d.time, where, `deals[${i}].time`);
    return {
      symbol: inst.symbol,
      tradeId: d.tradeId !== undefined && d.tradeId !== '' ? d.tradeId : `${ts}-${sent}-${i}`,
      ts,
      price: at(where, `deals[${i}].price`, () => priceFromWire(inst, d.price)),
      size: at(where, `deals[${i}].quantity`, () => sizeFromWire(inst, d.quantity)),
      aggressor: at(where, `deals[${i}].tradeType`, () => sideFromPush(d.tradeType)),
    };
  });
}

/**
 * The REST snapshot as the engine's BookSnapshot: seq is the snapshot's version, best first, zero
 * sizes left out (a snapshot lists levels that exist). REST depth carries no time: `ts` is when it
 * arrived.
 */
export function bookFromSnapshot(inst: Instrument, snapshot: DepthSnapshot, ts: number): BookSnapshot {
  const where = `MEXC depth snapshot ${inst.symbol}`;
  ensure(
    Number.isSafeInteger(snapshot.version) && snapshot.version > 0,
    where,
    `version must be a positive integer, got ${String(snapshot.version)}`,
  );
  // The REST side's parse is not trusted to the letter: every level is checked here again.
  const side = (raw: unknown, name: string): Level[] => {
    ensure(Array.isArray(raw), where, `${name} must be a list of [price, quantity]`);
    const out: Level[] = [];
    (raw as unknown[]).forEach((level: unknown, i) => {
      ensure(isTextPair(level), where, `${name}[${i}] must be [price, quantity] as text`);
      const price = at(where, `${name}[${i}].price`, () => priceFromWire(inst, level[0]));
      const size = at(where, `${name}[${i}].quantity`, () => sizeFromWire(inst, level[1], true));
      if (size > 0) out.push([price, size]);
    });
    return out;
  };
  const bids = side(snapshot.bids, 'bids').sort((a, b) => b[0] - a[0]);
  const asks = side(snapshot.asks, 'asks').sort((a, b) => a[0] - b[0]);
  return { kind: 'snapshot', symbol: inst.symbol, seq: snapshot.version, ts, bids, asks };
}

function isTextPair(v: unknown): v is readonly [string, string] {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';
}

// Private pushes (the `?listenKey=` connection)

/**
 * A `spot@private.orders.v3.api.pb` push: wrapper.symbol names the instrument, the body the order.
 * The push states no time of the change: ts is the wrapper's sendTime (createTime where it is
 * missing). updateSeq is orderUpdateSeq, the only sequence a MEXC order update may carry (REST and
 * push agree on it).
 */
export function orderUpdateFromPush(inst: Instrument, push: PushWrapper): OrderUpdate {
  const where = `MEXC order push ${inst.symbol}`;
  const o = push.privateOrders;
  ensure(
    push.body === 'privateOrders' && o !== undefined,
    where,
    `a ${push.body ?? 'missing'} body on ${push.channel}`,
  );
  ensure(
    push.symbol === inst.symbol,
    where,
    `symbol ${symbolOf(push) || '(none)'} given to the ${inst.symbol} parser`,
  );
  ensure(typeof o.id === 'string' && o.id !== '', where, 'id (the order id) is missing');
  const mexcStatus = at(where, 'status', () => statusFromPush(o.status));
  const status = statusFromMexc(mexcStatus);
  const { type: orderType, tif: timeInForce } = at(where, 'orderType', () =>
    orderTypeFromMexc(orderTypeFromPush(o.orderType)),
  );
  const side = at(where, 'tradeType', () => sideFromPush(o.tradeType));
  const filled = at(where, 'cumulativeQuantity', () => sizeFromWire(inst, o.cumulativeQuantity, true));
  const final = status === 'filled' || status === 'cancelled';
  // A market buy by quote amount states no base quantity; once over, what it filled is its size.
  const noQuantity = orderType === 'market' && isZero(o.quantity);
  ensure(
    !noQuantity || final,
    where,
    `open market order with no quantity in ${inst.base} has no size in lots`,
  );
  const size = noQuantity ? filled : at(where, 'quantity', () => sizeFromWire(inst, o.quantity));
  ensure(
    filled <= size,
    where,
    `cumulativeQuantity ${o.cumulativeQuantity} is more than quantity ${o.quantity}`,
  );
  const sent = sendTimeOf(push);
  const ts = sent > 0 ? sent : time(o.createTime, where, 'createTime');
  const base = {
    type: 'order' as const,
    symbol: inst.symbol,
    clientId: o.clientId,
    venueOrderId: o.id,
    side,
    orderType,
    timeInForce,
    status,
    size,
    filled,
    ts,
    updateSeq: orderUpdateSeq(filled, status),
  };
  const price: Ticks | undefined =
    orderType === 'limit' ? at(where, 'price', () => priceFromWire(inst, o.price)) : undefined;
  const withPrice = price === undefined ? base : { ...base, price };
  const reason = reasonOf(status, timeInForce, orderType, filled);
  return reason === undefined ? withPrice : { ...withPrice, reason };
}

/** The rest of an IOC or market order that found nothing more to take is told as the simulators tell it. */
function reasonOf(
  status: VenueOrderStatus,
  tif: OrderUpdate['timeInForce'],
  type: OrderUpdate['orderType'],
  filled: Lots,
): OrderUpdate['reason'] {
  if (status !== 'cancelled' || tif !== 'ioc') return undefined;
  return type === 'market' && filled === 0 ? 'no_liquidity' : 'ioc_unfilled';
}

function isZero(text: string): boolean {
  if (text === '') return true;
  try {
    return parseDecimal(text).isZero();
  } catch {
    return false;
  }
}

/**
 * A `spot@private.deals.v3.api.pb` push: one execution of ours. execId is MEXC's tradeId, the fee
 * its feeAmount exactly, in feeCurrency.
 */
export function fillFromPush(inst: Instrument, push: PushWrapper): Fill {
  const where = `MEXC deal push ${inst.symbol}`;
  const d = push.privateDeals;
  ensure(
    push.body === 'privateDeals' && d !== undefined,
    where,
    `a ${push.body ?? 'missing'} body on ${push.channel}`,
  );
  ensure(
    push.symbol === inst.symbol,
    where,
    `symbol ${symbolOf(push) || '(none)'} given to the ${inst.symbol} parser`,
  );
  ensure(typeof d.tradeId === 'string' && d.tradeId !== '', where, 'tradeId is missing');
  ensure(typeof d.orderId === 'string' && d.orderId !== '', where, 'orderId is missing');
  const fee = at(where, 'feeAmount', () => amountFromWire(d.feeAmount, 'feeAmount'));
  ensure(d.feeCurrency !== '' || fee === '0', where, `feeAmount ${d.feeAmount} without a feeCurrency`);
  return {
    type: 'fill',
    symbol: inst.symbol,
    execId: d.tradeId,
    clientId: d.clientOrderId,
    venueOrderId: d.orderId,
    side: at(where, 'tradeType', () => sideFromPush(d.tradeType)),
    price: at(where, 'price', () => priceFromWire(inst, d.price)),
    size: at(where, 'quantity', () => sizeFromWire(inst, d.quantity)),
    fee,
    feeAsset: d.feeCurrency !== '' ? d.feeCurrency : inst.quote,
    liquidity: d.isMaker ? 'maker' : 'taker',
    ts: time(d.time, where, 'time'),
  };
}

/**
 * A `spot@private.account.v3.api.pb` push: one asset after a change. balanceAmount is what is free,
 * frozenAmount what orders hold; the total is their exact sum.
 */
export function balanceFromPush(push: PushWrapper): Balance {
  const a = push.privateAccount;
  ensure(
    push.body === 'privateAccount' && a !== undefined,
    'MEXC account push',
    `a ${push.body ?? 'missing'} body on ${push.channel}`,
  );
  const where = `MEXC account push ${a.vcoinName}`;
  ensure(typeof a.vcoinName === 'string' && a.vcoinName !== '', 'MEXC account push', 'vcoinName is missing');
  const free = at(where, 'balanceAmount', () => parseDecimal(a.balanceAmount, 'balanceAmount'));
  const frozen = at(where, 'frozenAmount', () => parseDecimal(a.frozenAmount, 'frozenAmount'));
  ensure(!free.isNegative() && !frozen.isNegative(), where, 'a negative balance');
  return { asset: a.vcoinName, total: free.plus(frozen).toFixed(), free: free.toFixed() };
}
