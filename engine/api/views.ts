import { Decimal } from '../core/decimal.ts';
import { formatPrice, formatSize, type Instrument, type Side } from '../core/instrument.ts';
import type { InstrumentDesk } from '../node/instrument-desk.ts';
import type { TradingNode } from '../node/trading-node.ts';
import type { Order } from '../oms/order.ts';
import type { Fill } from '../venues/venue.ts';
import type {
  AccountView,
  EngineState,
  FillView,
  GaugeView,
  InstrumentSummary,
  OrderView,
  QuoteSideView,
} from './contract.ts';
import { fieldOfKey, shownOverrides } from './override-fields.ts';

const BOOK_LEVELS = 20;

/** What an order view shows, as numbers: taken when an order changes, formatted when it is sent. */
export type OrderFacts = Pick<
  Order,
  | 'clientId'
  | 'venueOrderId'
  | 'side'
  | 'price'
  | 'size'
  | 'filled'
  | 'status'
  | 'origin'
  | 'level'
  | 'createdAt'
  | 'updatedAt'
>;

export function orderFacts(o: Readonly<Order>): OrderFacts {
  return {
    clientId: o.clientId,
    venueOrderId: o.venueOrderId,
    side: o.side,
    price: o.price,
    size: o.size,
    filled: o.filled,
    status: o.status,
    origin: o.origin,
    level: o.level,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

/** How the trader sees one of our orders: prices and sizes in the instrument's units. */
export function orderView(inst: Instrument, o: Readonly<OrderFacts>): OrderView {
  return {
    symbol: inst.symbol,
    clientId: o.clientId,
    venueOrderId: o.venueOrderId,
    side: o.side,
    price: o.price === undefined ? 'MKT' : formatPrice(inst, o.price),
    size: formatSize(inst, o.size),
    filled: formatSize(inst, o.filled),
    status: o.status,
    origin: o.origin,
    level: o.level,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

export function fillView(inst: Instrument, f: Fill): FillView {
  return {
    symbol: inst.symbol,
    execId: f.execId,
    clientId: f.clientId,
    side: f.side,
    price: formatPrice(inst, f.price),
    size: formatSize(inst, f.size),
    fee: f.fee,
    liquidity: f.liquidity,
    ts: f.ts,
  };
}

function sideView(desk: InstrumentDesk, side: 'bid' | 'ask'): QuoteSideView {
  const inst = desk.instrument;
  const q = desk.decision.quotes[side];
  return {
    live: desk.liveOn(side === 'bid' ? 'buy' : 'sell'),
    levels: q.levels.map((l) => ({ price: formatPrice(inst, l.price), size: formatSize(inst, l.size) })),
    withheld: q.withheld,
  };
}

/** Ticks (possibly fractional) as a price string with two more decimals than the grid. */
function fineTicks(inst: Instrument, t: number | undefined): string | null {
  return t === undefined
    ? null
    : inst.tickSize
        .mul(t)
        .toDecimalPlaces(inst.priceDecimals + 2)
        .toFixed();
}

function instrumentGauges(node: TradingNode, desk: InstrumentDesk): GaugeView[] {
  const inst = desk.instrument;
  const limits = desk.config.limits;
  const lotsToNum = (l: number) => inst.lotSize.mul(l).toNumber();
  return [
    {
      name: 'position',
      label: 'Position',
      value: lotsToNum(Math.abs(desk.portfolio.positionLots())),
      limit: lotsToNum(limits.maxPositionLots),
      unit: inst.base,
    },
    {
      name: 'drawdown',
      label: 'Drawdown',
      value: desk.risk.drawdown.toNumber(),
      limit: limits.maxDrawdown.toNumber(),
      unit: inst.quote,
    },
    {
      name: 'daily_loss',
      label: 'Daily loss',
      value: desk.risk.dailyLoss.toNumber(),
      limit: limits.dailyLossLimit.toNumber(),
      unit: inst.quote,
    },
    {
      name: 'order_rate',
      label: 'Order rate',
      value: desk.risk.throttle.used(node.clock.now()),
      limit: limits.orderRateCount,
      unit: `/${limits.orderRateWindowMs} ms`,
    },
    {
      name: 'open_orders',
      label: 'Open orders',
      value: desk.oms.openCount(),
      limit: limits.maxOpenOrders,
      unit: '',
    },
    {
      name: 'feed_age',
      label: 'Feed age',
      value: desk.book.age() ?? 0,
      limit: limits.staleFeedMs,
      unit: 'ms',
    },
  ];
}

type SelectedSection = Pick<
  EngineState,
  'instrument' | 'book' | 'quoting' | 'model' | 'overrides' | 'orders' | 'position' | 'risk' | 'connection'
>;

/** Everything the screen shows of the selected instrument. */
export function instrumentSection(node: TradingNode, desk: InstrumentDesk): SelectedSection {
  const inst = desk.instrument;
  const book = desk.book;
  const levels = (side: Side) =>
    book
      .levels(side, BOOK_LEVELS)
      .map(([p, s]) => [formatPrice(inst, p), formatSize(inst, s)] as [string, string]);
  const m = desk.decision.model;
  const ov = desk.overrides.values();
  const cfg = desk.config.model;
  const tickNum = inst.tickSize.toNumber();
  const px = (t: number) => (t * tickNum).toFixed(inst.priceDecimals + 1);
  const mid = book.mid();
  const { size, avgEntry, realized, unrealized, fees, equity } = desk.portfolio.snapshot(mid);
  const venueTs = book.lastVenueTs();
  const kill = node.risk.killSwitch();
  return {
    connection: {
      state: node.venue.connectionState(),
      feed: desk.health.state(book),
      feedAgeMs: book.age() ?? null,
      feedLatencyMs: venueTs === undefined ? null : Math.max(0, node.clock.now() - venueTs),
    },
    instrument: {
      symbol: inst.symbol,
      base: inst.base,
      quote: inst.quote,
      tickSize: inst.spec.tickSize,
      lotSize: inst.spec.lotSize,
      priceDecimals: inst.priceDecimals,
      sizeDecimals: inst.sizeDecimals,
    },
    book: {
      bids: levels('buy'),
      asks: levels('sell'),
      mid: fineTicks(inst, mid),
      microprice: fineTicks(inst, book.microprice()),
      spreadTicks: book.spread() ?? null,
      seq: book.seq(),
      ts: venueTs ?? null,
    },
    quoting: {
      status: desk.quoting ? 'quoting' : 'stopped',
      paused: { ...desk.overrides.pausedSides() },
      bid: sideView(desk, 'bid'),
      ask: sideView(desk, 'ask'),
    },
    model: {
      name: cfg.name,
      s: m ? px(m.s) : null,
      sigma: m?.sigma == null ? null : (m.sigma * tickNum).toPrecision(4),
      q: m ? m.q.toFixed(2) : null,
      gamma: String(m?.gamma ?? ov.gamma ?? cfg.gamma),
      kappa: String(m?.kappa ?? ov.kappa ?? cfg.kappa),
      reservation: m?.out ? px(m.out.reservation) : null,
      bidDistance: m?.out ? px(m.out.bidDistance) : null,
      askDistance: m?.out ? px(m.out.askDistance) : null,
      horizonLeft: m?.tau ?? null,
      warmupRemaining: desk.vol.remaining(),
      warnings: m?.warnings ?? [],
    },
    overrides: {
      active: shownOverrides(inst, ov),
      history: desk.overrides
        .history()
        .slice(-50)
        .map((h) => ({ field: fieldOfKey(h.field), value: h.value, at: h.at })),
    },
    orders: desk.oms.workingOrders().map((o) => orderView(inst, o)),
    position: { size, avgEntry, realized, unrealized, fees, equity },
    risk: {
      tradingState: node.risk.effectiveState(desk.risk),
      reason: node.risk.reasonFor(desk.risk),
      kill: { engaged: kill.engaged, at: kill.at },
      gauges: instrumentGauges(node, desk),
    },
  };
}

export function instrumentSummary(node: TradingNode, desk: InstrumentDesk): InstrumentSummary {
  const inst = desk.instrument;
  const mid = desk.book.mid();
  const p = desk.portfolio.snapshot(mid);
  return {
    symbol: inst.symbol,
    base: inst.base,
    quote: inst.quote,
    tradingState: node.risk.effectiveState(desk.risk),
    quoting: desk.quoting ? 'quoting' : 'stopped',
    feed: desk.health.state(desk.book),
    mid: fineTicks(inst, mid),
    position: p.size,
    realized: p.realized,
    unrealized: p.unrealized,
    fees: p.fees,
    equity: p.equity,
    openOrders: desk.oms.openCount(),
  };
}

/** The account across instruments: sums of exact decimals, and the account-level gauges. */
export function accountView(node: TradingNode, summaries: readonly InstrumentSummary[]): AccountView {
  const sum = (pick: (s: InstrumentSummary) => string) =>
    summaries.reduce((acc, s) => acc.plus(pick(s)), new Decimal(0)).toFixed();
  const limits = node.risk.accountLimits;
  const currency = summaries[0]?.quote ?? '';
  return {
    currency,
    equity: sum((s) => s.equity),
    realized: sum((s) => s.realized),
    unrealized: sum((s) => s.unrealized),
    fees: sum((s) => s.fees),
    tradingState: node.risk.accountState(),
    reason: node.risk.reasonFor(null),
    gauges: [
      {
        name: 'account_position',
        label: 'Gross position',
        value: node.risk.grossNotional.toNumber(),
        limit: limits.maxGrossNotional.toNumber(),
        unit: currency,
      },
      {
        name: 'account_drawdown',
        label: 'Account drawdown',
        value: node.risk.accountDrawdown.toNumber(),
        limit: limits.maxDrawdown.toNumber(),
        unit: currency,
      },
      {
        name: 'account_daily_loss',
        label: 'Account daily loss',
        value: node.risk.accountDailyLoss.toNumber(),
        limit: limits.dailyLossLimit.toNumber(),
        unit: currency,
      },
    ],
  };
}
