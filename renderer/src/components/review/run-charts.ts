import {
  AreaSeries,
  createSeriesMarkers,
  LineSeries,
  LineType,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type LineData,
  type Logical,
  type LogicalRange,
  type SeriesMarker,
  type SeriesType,
  type Time,
  type UTCTimestamp,
  type WhitespaceData,
} from 'lightweight-charts';
import type { RunDetail } from '../../../../engine/api/contract.ts';
import {
  chooseLevel,
  pointAtOrBefore,
  pointSet,
  positionAt,
  timeAt,
  windowFor,
  windowHolds,
} from '../../review/lod.ts';
import {
  fillsInRange,
  indexAtOrBefore,
  MARKER_CAP,
  markerOffset,
  markerPlan,
  markerStyle,
  planHolds,
  planIndices,
  type MarkerPlan,
} from '../../review/markers.ts';
import { carryForward, parseColumn, quoteColumn, reorder, timeGrid, timeOrder } from '../../review/series.ts';
import { COLORS, reviewChart } from './chart-theme.ts';

export interface RunChartHosts {
  price: HTMLElement;
  equity: HTMLElement;
  inventory: HTMLElement;
  pnl: HTMLElement;
}

export interface RunChartEvents {
  /** A fill marker was clicked: the fill's index in the run's fill columns. */
  onFill: (index: number) => void;
  /** The price chart was clicked away from any fill: the time under the cursor, ms. */
  onQuoteAt: (atMs: number) => void;
}

export interface RunCharts {
  dispose: () => void;
  /** Client coordinates of fill `index`'s marker, scrolled into view first; null when it has none. */
  fillPoint: (index: number) => { x: number; y: number } | null;
  /** Marks the selected fill (drawn larger, always among the markers), scrolled into view. */
  select: (index: number | null, reveal: boolean) => void;
  /** Markers set on the price chart now. */
  markerCount: () => number;
}

/** Pixels from a marker's centre within which a click picks that fill. */
const PICK_PX = 9;
const SELECTED_SIZE = 1.6;

const secs = (ms: number) => (ms / 1000) as UTCTimestamp;

function sameRange(a: LogicalRange | null, b: LogicalRange | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a.from - b.from) < 1e-6 && Math.abs(a.to - b.to) < 1e-6;
}

/** A series over the grid: its values (NaN for none), and for a quote side the grid points it was withheld at. */
interface Line {
  series: ISeriesApi<SeriesType>;
  values: Float64Array;
  off?: Uint8Array;
  color?: string;
}

/**
 * A run's four charts on one time axis. Every chart gets the same points (see review/lod.ts: a
 * window of the run's time grid, a few points per pixel, values carried forward), so a logical range
 * is the same span on each and a zoom or pan on one is set on the others. Fills are markers on the
 * price chart, only those in the visible range and at most MARKER_CAP of them (thinned evenly),
 * re-set at most once a frame.
 */
export function mountRunCharts(hosts: RunChartHosts, detail: RunDetail, events: RunChartEvents): RunCharts {
  // ---- columns, in time order ----------------------------------------------------------------------
  const sOrder = timeOrder(detail.samples.ts);
  const sTs = reorder(detail.samples.ts, sOrder);
  const sample = (values: readonly (string | null)[]) => parseColumn(reorder(values, sOrder));
  const qOrder = timeOrder(detail.quotes.ts);
  const qTs = reorder(detail.quotes.ts, qOrder);
  const fOrder = timeOrder(detail.fills.ts);
  const fTs = Float64Array.from(reorder(detail.fills.ts, fOrder));
  const fillCount = fTs.length;
  /** Position in time order -> index in the run's columns. */
  const original = (k: number) => (fOrder === null ? k : fOrder[k]!);
  const positionOf = new Int32Array(fillCount);
  for (let k = 0; k < fillCount; k++) positionOf[original(k)] = k;
  const fillPrice = parseColumn(detail.fills.price);

  let grid = timeGrid(sTs, qTs);
  if (grid.length === 0) grid = timeGrid(fTs);
  const n = grid.length;
  /** Grid index each fill (in time order) is drawn at: the grid time at or before it. */
  const fillGrid = new Int32Array(fillCount);
  {
    let g = 0;
    for (let k = 0; k < fillCount; k++) {
      while (g + 1 < n && grid[g + 1]! <= fTs[k]!) g++;
      fillGrid[k] = g;
    }
  }
  const onGrid = (values: readonly (string | null)[]) => carryForward(grid, sTs, sample(values));
  const quote = (prices: readonly (string | null)[]) =>
    quoteColumn(grid, qTs, parseColumn(reorder(prices, qOrder)));
  const mid = onGrid(detail.samples.mid);

  // ---- charts ----------------------------------------------------------------------------------------
  const price = reviewChart(hosts.price);
  const equity = reviewChart(hosts.equity);
  const inventory = reviewChart(hosts.inventory);
  const pnl = reviewChart(hosts.pnl);
  const charts: IChartApi[] = [price, equity, inventory, pnl];
  const plain = { lineWidth: 1, priceLineVisible: false } as const;

  const midSeries = price.addSeries(LineSeries, {
    ...plain,
    color: COLORS.mid,
    lastValueVisible: false,
    title: 'mid',
  });
  const bid = quote(detail.quotes.bid);
  const ask = quote(detail.quotes.ask);
  const step = {
    ...plain,
    lineType: LineType.WithSteps,
    lastValueVisible: false,
    crosshairMarkerVisible: false,
  };
  const lines: Line[] = [
    { series: midSeries, values: mid },
    {
      series: price.addSeries(LineSeries, { ...step, color: COLORS.bid, title: 'bid' }),
      values: bid.value,
      off: bid.off,
      color: COLORS.bid,
    },
    {
      series: price.addSeries(LineSeries, { ...step, color: COLORS.ask, title: 'ask' }),
      values: ask.value,
      off: ask.off,
      color: COLORS.ask,
    },
    {
      series: equity.addSeries(AreaSeries, {
        ...plain,
        lineColor: COLORS.equity,
        topColor: 'rgba(18, 187, 123, 0.22)',
        bottomColor: 'rgba(18, 187, 123, 0)',
        title: 'equity',
      }),
      values: onGrid(detail.samples.equity),
    },
    {
      series: inventory.addSeries(LineSeries, {
        ...plain,
        color: COLORS.inventory,
        lineType: LineType.WithSteps,
        title: 'position',
      }),
      values: onGrid(detail.samples.position),
    },
    ...(
      [
        [detail.samples.spread, COLORS.spread, 'spread'],
        [detail.samples.inventory, COLORS.inventoryPnl, 'inventory'],
        [detail.samples.fees, COLORS.fees, 'fees'],
      ] as const
    ).map(([values, color, title]) => ({
      series: pnl.addSeries(LineSeries, { ...plain, color, title }),
      values: onGrid(values),
    })),
  ];
  const markers: ISeriesMarkersPluginApi<Time> = createSeriesMarkers(midSeries, []);

  // ---- the points drawn ------------------------------------------------------------------------------
  const paneWidth = () => Math.max(price.paneSize().width || hosts.price.clientWidth, 100);
  let level = chooseLevel(1, n / paneWidth());
  let win = { from: 0, to: n };
  let points = pointSet(mid, level, win.from, win.to);
  let rebuilding = false;

  const dataOf = (line: Line): (LineData | WhitespaceData)[] => {
    const out = new Array<LineData | WhitespaceData>(points.length);
    const { values, off, color } = line;
    for (let j = 0; j < points.length; j++) {
      const g = points[j]!;
      const time = secs(grid[g]!);
      const v = values[g]!;
      if (!Number.isFinite(v)) out[j] = { time };
      else if (off) out[j] = { time, value: v, color: off[g] ? 'transparent' : color };
      else out[j] = { time, value: v };
    }
    return out;
  };

  /** Hands every chart the points of `level` over `win`, keeping the visible times when given. */
  const rebuild = (keep: { from: number; to: number } | null) => {
    points = pointSet(mid, level, win.from, win.to);
    rebuilding = true;
    try {
      for (const line of lines) line.series.setData(dataOf(line));
      if (keep) {
        const range = { from: positionAt(points, grid, keep.from), to: positionAt(points, grid, keep.to) };
        for (const c of charts) c.timeScale().setVisibleLogicalRange(range);
      }
    } finally {
      rebuilding = false;
    }
  };
  rebuild(null);
  for (const c of charts) c.timeScale().fitContent();

  /** The visible span of the price chart in ms, or null before it has one. */
  const visibleTimes = (): { from: number; to: number } | null => {
    const range = price.timeScale().getVisibleLogicalRange();
    if (range === null || points.length === 0) return null;
    return { from: timeAt(points, grid, range.from), to: timeAt(points, grid, range.to) };
  };
  const gridIndex = (ms: number) => Math.min(Math.max(indexAtOrBefore(grid, ms), 0), n - 1);

  /** Shows a span of time on every chart, handing them another window first when it lies outside. */
  const showTimes = (span: { from: number; to: number }) => {
    const g0 = gridIndex(span.from);
    const g1 = gridIndex(span.to);
    if (!windowHolds(win, g0, g1, n)) {
      win = windowFor(g0, g1, level, n);
      rebuild(span);
      return;
    }
    const range = { from: positionAt(points, grid, span.from), to: positionAt(points, grid, span.to) };
    for (const c of charts) c.timeScale().setVisibleLogicalRange(range);
  };

  // ---- one time range for all ------------------------------------------------------------------------
  const offs: (() => void)[] = [];
  for (const source of charts) {
    const onRange = (range: LogicalRange | null) => {
      if (range === null || rebuilding) return;
      for (const other of charts) {
        if (other === source) continue;
        if (!sameRange(other.timeScale().getVisibleLogicalRange(), range))
          other.timeScale().setVisibleLogicalRange(range);
      }
    };
    source.timeScale().subscribeVisibleLogicalRangeChange(onRange);
    offs.push(() => source.timeScale().unsubscribeVisibleLogicalRangeChange(onRange));
  }

  // ---- fill markers ----------------------------------------------------------------------------------
  let selected: number | null = null; // time-order position
  let pinned: number | null = null; // the last fill fillPoint was asked for
  let shown: number[] = []; // time-order positions of the markers set
  let plan: MarkerPlan | null = null;
  let frame = 0;

  /**
   * The position in `points` a fill's marker is drawn at: the last point at or before its time that
   * has a mid, as the markers plugin places it.
   */
  const slot = (k: number) => {
    let j = pointAtOrBefore(points, fillGrid[k]!);
    while (j > 0 && !Number.isFinite(mid[points[j]!]!)) j--;
    return Math.max(j, 0);
  };

  /** Sets the markers for the visible range, unless those set still serve it (or `force`). */
  const setMarkersNow = (force: boolean) => {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    const span = visibleTimes();
    const vis = span ? fillsInRange(fTs, span.from, span.to) : { from: 0, to: 0 };
    if (!force && plan && planHolds(plan, vis.from, vis.to, fillCount, MARKER_CAP)) return;
    plan = markerPlan(vis.from, vis.to, fillCount, MARKER_CAP);
    shown = planIndices(
      plan,
      [selected, pinned].filter((k) => k !== null),
    );
    const list = new Array<SeriesMarker<Time>>(shown.length);
    for (let j = 0; j < shown.length; j++) {
      const k = shown[j]!;
      const i = original(k);
      const style = markerStyle(detail.fills.side[i] ?? 'buy', detail.fills.cause[i] ?? null);
      list[j] = {
        // The fill's own grid time: the plugin places it at the drawn point at or before it, and
        // places it again by itself when another level of detail is drawn.
        time: secs(grid[fillGrid[k]!]!),
        position: style.position,
        shape: style.shape,
        color: k === selected ? '#f5e663' : style.color,
        price: fillPrice[i]!,
        id: String(i),
        size: k === selected ? SELECTED_SIZE : 1,
      };
    }
    markers.setMarkers(list);
  };

  /** After a pan or zoom: another level or window when the span needs one, then the markers. */
  const update = () => {
    frame = 0;
    const span = visibleTimes();
    if (span && n > 0) {
      const g0 = gridIndex(span.from);
      const g1 = gridIndex(span.to);
      const next = chooseLevel(level, (g1 - g0 + 1) / paneWidth());
      if (next !== level || !windowHolds(win, g0, g1, n)) {
        level = next;
        win = windowFor(g0, g1, level, n);
        rebuild(span);
      }
    }
    setMarkersNow(false);
  };
  const scheduleUpdate = () => {
    if (!frame) frame = requestAnimationFrame(update);
  };
  price.timeScale().subscribeVisibleLogicalRangeChange(scheduleUpdate);
  offs.push(() => price.timeScale().unsubscribeVisibleLogicalRangeChange(scheduleUpdate));
  scheduleUpdate();

  /** Pane coordinates of the marker of the fill at time-order position k, or null off the chart. */
  const anchor = (k: number): { x: number; y: number } | null => {
    const i = original(k);
    const x = price.timeScale().logicalToCoordinate(slot(k) as Logical);
    const py = midSeries.priceToCoordinate(fillPrice[i]!);
    if (x === null || py === null) return null;
    const offset = markerOffset(price.timeScale().options().barSpacing, k === selected ? SELECTED_SIZE : 1);
    return { x, y: detail.fills.side[i] === 'sell' ? py - offset : py + offset };
  };

  /** Brings the fill well inside the visible span, keeping the zoom; whether anything moved. */
  const reveal = (k: number): boolean => {
    const span = visibleTimes();
    if (!span || n === 0) return false;
    const width = Math.max(span.to - span.from, 1);
    const t = fTs[k]!;
    if (t >= span.from + width * 0.05 && t <= span.to - width * 0.05) return false;
    // Centred on the fill; near either end of the run, a tenth of the width from that end.
    const first = grid[0]!;
    const last = grid[n - 1]!;
    let from = t - width / 2;
    if (from < first - width * 0.1) from = Math.min(first - width * 0.1, t - width * 0.1);
    if (from + width > last + width * 0.1)
      from = Math.max(last + width * 0.1 - width, t + width * 0.1 - width);
    showTimes({ from, to: from + width });
    return true;
  };

  /**
   * A click on the price pane: the nearest fill marker within a few pixels (the one fillPoint was last
   * asked for, then the selected one, winning a tie: fills at one price and time overlap), else the
   * quote decision at that time. DOM clicks rather than the chart's subscribeClick, which drops a
   * second click within half a second of the first (it waits for a double click).
   */
  const pick = (x: number, y: number) => {
    let best = -1;
    let bestScore = Infinity;
    for (const k of shown) {
      const a = anchor(k);
      if (!a) continue;
      const d = Math.hypot(a.x - x, a.y - y);
      if (d > PICK_PX) continue;
      const score = d - (k === pinned ? 1 : k === selected ? 0.5 : 0);
      if (score < bestScore) {
        best = k;
        bestScore = score;
      }
    }
    if (best >= 0) {
      events.onFill(original(best));
      return;
    }
    if (points.length === 0) return;
    const logical = price.timeScale().coordinateToLogical(x);
    // Beside the run (the empty margin of a zoomed-out chart) there is no quote to ask about.
    if (logical === null) return;
    const at = timeAt(points, grid, logical);
    if (at < grid[0]! || at > grid[n - 1]!) return;
    events.onQuoteAt(grid[gridIndex(at)]!);
  };
  let down: { x: number; y: number } | null = null;
  const onDown = (e: PointerEvent) => {
    down = { x: e.clientX, y: e.clientY };
  };
  const onDomClick = (e: MouseEvent) => {
    // A drag pans the chart; only a click in place picks.
    if (down && Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 4) return;
    const box = price.chartElement().getBoundingClientRect();
    const pane = price.paneSize();
    const x = e.clientX - box.left;
    const y = e.clientY - box.top;
    if (x < 0 || y < 0 || x > pane.width || y > pane.height) return;
    pick(x, y);
  };
  hosts.price.addEventListener('pointerdown', onDown);
  hosts.price.addEventListener('click', onDomClick);
  offs.push(() => {
    hosts.price.removeEventListener('pointerdown', onDown);
    hosts.price.removeEventListener('click', onDomClick);
  });

  return {
    dispose: () => {
      if (frame) cancelAnimationFrame(frame);
      for (const off of offs) off();
      for (const c of charts) c.remove();
    },
    fillPoint: (index) => {
      if (!(index >= 0 && index < fillCount) || n === 0) return null;
      const k = positionOf[index]!;
      hosts.price.scrollIntoView({ block: 'nearest' });
      // A range set now applies when the chart next draws: a screenshot draws it at once (and the
      // other charts follow through the range subscription).
      if (reveal(k)) price.takeScreenshot();
      pinned = k;
      setMarkersNow(true);
      price.takeScreenshot();
      const a = anchor(k);
      if (!a) return null;
      const box = price.chartElement().getBoundingClientRect();
      const pane = price.paneSize();
      if (a.x < 0 || a.x > pane.width || a.y < 0 || a.y > pane.height) return null;
      return { x: box.left + a.x, y: box.top + a.y };
    },
    select: (index, show) => {
      const k = index === null || !(index >= 0 && index < fillCount) ? null : positionOf[index]!;
      selected = k;
      if (k !== null && show) reveal(k);
      setMarkersNow(true);
    },
    markerCount: () => markers.markers().length,
  };
}
