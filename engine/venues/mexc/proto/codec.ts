import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/**
 * The MEXC spot WebSocket's binary frames, decoded (and, for the simulator, encoded) with protobufjs
 * from the schema kept beside this file (`mexc-push.proto`). The schema is parsed once, on first use;
 * protobufjs then generates the decoder code for each message type, so decoding costs what its static
 * code would.
 *
 * Decoded messages keep the wire's names. `int64` fields arrive as a number or a Long (protobufjs
 * returns Long when the `long` package is present): read them through `int64`.
 */

export const PROTO_FILE = new URL('./mexc-push.proto', import.meta.url);

/** int64 as protobufjs decodes it. */
export type Int64 = number | { toNumber(): number };

export interface DepthItem {
  price: string;
  quantity: string;
}

export interface AggreDepths {
  asks: DepthItem[];
  bids: DepthItem[];
  eventType: string;
  fromVersion: string;
  toVersion: string;
  lastOrderCreateTime?: Int64;
}

export interface AggreDeal {
  price: string;
  quantity: string;
  /** 1 buy, 2 sell: the taker's side. */
  tradeType: number;
  time: Int64;
  tradeId?: string;
}

export interface AggreDeals {
  deals: AggreDeal[];
  eventType: string;
}

export interface AggreBookTicker {
  bidPrice: string;
  bidQuantity: string;
  askPrice: string;
  askQuantity: string;
  version?: string;
  lastOrderCreateTime?: Int64;
}

export interface LimitDepths {
  asks: DepthItem[];
  bids: DepthItem[];
  eventType: string;
  version: string;
  lastOrderCreateTime?: Int64;
}

export interface PrivateOrder {
  id: string;
  clientId: string;
  price: string;
  quantity: string;
  amount: string;
  avgPrice: string;
  /** 1 limit, 2 post only, 3 IOC, 4 FOK, 5 market, 100 stop-limit. */
  orderType: number;
  /** 1 buy, 2 sell. */
  tradeType: number;
  isMaker: boolean;
  remainAmount: string;
  remainQuantity: string;
  lastDealQuantity?: string;
  cumulativeQuantity: string;
  cumulativeAmount: string;
  /** 1 new, 2 filled, 3 partially filled, 4 cancelled, 5 partially cancelled. */
  status: number;
  createTime: Int64;
}

export interface PrivateDeal {
  price: string;
  quantity: string;
  amount: string;
  tradeType: number;
  isMaker: boolean;
  isSelfTrade: boolean;
  tradeId: string;
  clientOrderId: string;
  orderId: string;
  feeAmount: string;
  feeCurrency: string;
  time: Int64;
}

export interface PrivateAccount {
  vcoinName: string;
  coinId: string;
  balanceAmount: string;
  balanceAmountChange: string;
  frozenAmount: string;
  frozenAmountChange: string;
  type: string;
  time: Int64;
}

/**
 * The wrapper of every push; exactly one body field is set, named by `body`. An optional field the
 * frame leaves out decodes as null (protobufjs's default for proto3 `optional`).
 */
export interface PushWrapper {
  channel: string;
  body?: PushBodyName;
  symbol?: string | null;
  symbolId?: string | null;
  createTime?: Int64 | null;
  sendTime?: Int64 | null;
  publicAggreDepths?: AggreDepths;
  publicAggreDeals?: AggreDeals;
  publicAggreBookTicker?: AggreBookTicker;
  publicLimitDepths?: LimitDepths;
  privateOrders?: PrivateOrder;
  privateDeals?: PrivateDeal;
  privateAccount?: PrivateAccount;
}

export type PushBodyName =
  | 'publicDeals'
  | 'publicIncreaseDepths'
  | 'publicLimitDepths'
  | 'privateOrders'
  | 'publicBookTicker'
  | 'privateDeals'
  | 'privateAccount'
  | 'publicSpotKline'
  | 'publicMiniTicker'
  | 'publicMiniTickers'
  | 'publicBookTickerBatch'
  | 'publicIncreaseDepthsBatch'
  | 'publicAggreDepths'
  | 'publicAggreDeals'
  | 'publicAggreBookTicker';

/** What the encoder takes: the wrapper's fields, with int64 as numbers. */
export type PushInput = Omit<PushWrapper, 'body'>;

/** A binary frame that is not a valid push: the reason names what was wrong. */
export class MexcDecodeError extends Error {
  override readonly name = 'MexcDecodeError';
}

let wrapperType: protobuf.Type | null = null;

function wrapper(): protobuf.Type {
  if (wrapperType === null) {
    const text = readFileSync(PROTO_FILE, 'utf8');
    const root = protobuf.parse(text, { keepCase: true }).root;
    wrapperType = root.lookupType('PushDataV3ApiWrapper');
    // Build the generated decoders now, not on the first frame of a live session.
    wrapperType.setup();
    for (const name of ['publicAggreDepths', 'publicAggreDeals', 'privateOrders', 'privateDeals'])
      (wrapperType.fields[name]!.resolvedType as protobuf.Type | null)?.setup();
  }
  return wrapperType;
}

/**
 * Decodes one binary frame. Throws MexcDecodeError for bytes that are not a wrapper (truncated,
 * wrong wire types) or a wrapper with no channel or no body.
 */
export function decodePush(bytes: Uint8Array): PushWrapper {
  let message: PushWrapper;
  // A Node Buffer takes protobufjs's Buffer reader, which clips a string running past the end of the
  // frame instead of failing; a plain view of the same bytes is bounds-checked.
  const view = Buffer.isBuffer(bytes)
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : bytes;
  try {
    message = wrapper().decode(view) as unknown as PushWrapper;
  } catch (err) {
    throw new MexcDecodeError(
      `undecodable protobuf frame: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!message.channel) throw new MexcDecodeError('protobuf frame without a channel');
  if (message.body === undefined)
    throw new MexcDecodeError(`protobuf frame on ${message.channel} without a body`);
  return message;
}

/** Encodes one push (the simulator's side). The body is whichever body field is set. */
export function encodePush(push: PushInput): Uint8Array {
  const type = wrapper();
  return type.encode(type.fromObject(push)).finish();
}

/** An int64 field as a number (venue times in ms fit a double exactly). */
export function int64(v: Int64 | undefined | null): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}
