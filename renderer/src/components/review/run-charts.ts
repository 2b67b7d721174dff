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
import { runColumns } from '../../review/run-columns.ts';
import {
  carryForward,
  quoteColumn,
  reorder,
  reorderFloats,
  timeGrid,
  timeOrder,
} from '../../review/series.ts';
import { COLORS, reviewChart } from './chart-theme.ts';

export interface RunChartHosts {
  price: HTMLElement;
  equity: HTMLElement;
  inventory: HTMLElement;
  pnl: HTMLElement;
}

/**
 * The four charts of a run's page, without their series: made when the page opens, while the engine
 * reads the run, so their creation and first layout (each draws twice the first time: the second
 * once its price axis has measured its labels) overlap that read instead of following it.
 */
export interface RunChartSet {
  hosts: RunChartHosts;
  price: IChartApi;
  equity: IChartApi;
  inventory: IChartApi;
  pnl: IChartApi;
  /** Whether `remove` has been called (the charts are gone). */
  removed: () => boolean;
  remove: () => void;
}

export function createRunChartSet(hosts: RunChartHosts): RunChartSet {
  const charts = {
    price: reviewChart(hosts.price),
    equity: reviewChart(hosts.equity),
    inventory: reviewChart(hosts.inventory),
    pnl: reviewChart(hosts.pnl),
  };
  let removed = false;
  return {
    hosts,
    ...charts,
    removed: () => removed,
    remove: () => {
      if (removed) return;
      removed = true;
      for (const c of Object.values(charts)) c.remove();
    },
  };
}

export interface RunChartEvents {
  /** A fill marker was clicked: the fill's index in the run's fill columns. */
  onFill: (index: number) => void;
  /** The price chart was clicked away from any fill: the time under the cursor, ms. */
  onQuoteAt: (atMs: number) => void;
}

export interface RunCharts {
  /** Takes the run off the charts (its series, markers and listeners), leaving the charts. */
  dispose: () => void;
  /** Client coordinates of fill `index`'s marker, scrolled into view first; null when it has none. */
  fillPoint: (index: number) => { x: number; y: number } | null;
  /** Marks the selected fill (drawn larger, always among the markers), scrolled into view. */
  select: (index: number | null, reveal: boolean) => void;
  /** Markers set on the price chart now. */
  markerCount: () => number;
}

/**
 * Pixels of the pane per bucket of grid points. A bucket draws two points (its lowest and highest
 * mid), so two pixels a bucket draws about a point per pixel: every drawn point costs the charts at
 * each frame of a pan (a style lookup and a line segment per series, then Chromium's raster of it),
 * and at one per pixel the envelope of the price line is still whole.
 */
const PIXELS_PER_BUCKET = 2;

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
  chart: IChartApi;
  series: ISeriesApi<SeriesType>;
  values: Float64Array;
  off?: Uint8Array;
  color?: string;
}

/**
 * A run on its four charts, on one time axis. Every chart gets the same points (see review/lod.ts: a
 * window of the run's time grid, a few points per pixel, values carried forward), so a logical range
 * is the same span on each and a zoom or pan on one is set on the others. Fills are markers on the
 * price chart, only those in the visible range and at most MARKER_CAP of them (thinned evenly),
 * re-set at most once a frame.
 */
export function mountRunCharts(set: RunChartSet, detail: RunDetail, events: RunChartEvents): RunCharts {
  const { hosts, price, equity, inventory, pnl } = set;
  // ---- columns, in time order ----------------------------------------------------------------------
  const columns = runColumns(detail);
  const fills = columns.fills;
  const sOrder = timeOrder(columns.samples.ts);
  const sTs = reorder(columns.samples.ts, sOrder);
  const sample = (values: Float64Array) => reorderFloats(values, sOrder);
  const qOrder = timeOrder(columns.quotes.ts);
  const qTs = reorder(columns.quotes.ts, qOrder);
  const fOrder = timeOrder(fills.ts);
  const fTs = Float64Array.from(reorder(fills.ts, fOrder));
  const fillCount = fTs.length;
  /** Position in time order -> index in the run's columns. */
  const original = (k: number) => (fOrder === null ? k : fOrder[k]!);
  const positionOf = new Int32Array(fillCount);
  for (let k = 0; k < fillCount; k++) positionOf[original(k)] = k;
  const fillPrice = fills.price;

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
  const onGrid = (values: Float64Array) => carryForward(grid, sTs, sample(values));
  const quote = (prices: Float64Array) => quoteColumn(grid, qTs, reorderFloats(prices, qOrder));
  const mid = onGrid(columns.samples.mid);

  // ---- charts ----------------------------------------------------------------------------------------
  const charts: IChartApi[] = [price, equity, inventory, pnl];
  const plain = { lineWidth: 1, priceLineVisible: false } as const;

  const midSeries = price.addSeries(LineSeries, {
    ...plain,
    color: COLORS.mid,
    lastValueVisible: false,
    title: 'mid',
  });
  const bid = quote(columns.quotes.bid);
  const ask = quote(columns.quotes.ask);
  const step = {
    ...plain,
    lineType: LineType.WithSteps,
    lastValueVisible: false,
    crosshairMarkerVisible: false,
  };
  const lines: Line[] = [
    { chart: price, series: midSeries, values: mid },
    {
      chart: price,
      series: price.addSeries(LineSeries, { ...step, color: COLORS.bid, title: 'bid' }),
      values: bid.value,
      off: bid.off,
      color: COLORS.bid,
    },
    {
      chart: price,
      series: price.addSeries(LineSeries, { ...step, color: COLORS.ask, title: 'ask' }),
      values: ask.value,
      off: ask.off,
      color: COLORS.ask,
    },
    {
      chart: equity,
      series: equity.addSeries(AreaSeries, {
        ...plain,
        lineColor: COLORS.equity,
        topColor: 'rgba(18, 187, 123, 0.22)',
        bottomColor: 'rgba(18, 187, 123, 0)',
        title: 'equity',
      }),
      values: onGrid(columns.samples.equity),
    },
    {
      chart: inventory,
      series: inventory.addSeries(LineSeries, {
        ...plain,
        color: COLORS.inventory,
        lineType: LineType.WithSteps,
        title: 'position',
      }),
      values: onGrid(columns.samples.position),
    },
    ...(
      [
        [columns.samples.spread, COLORS.spread, 'spread'],
        [columns.samples.inventory, COLORS.inventoryPnl, 'inventory'],
        [columns.samples.fees, COLORS.fees, 'fees'],
      ] as const
    ).map(([values, color, title]) => ({
      chart: pnl,
      series: pnl.addSeries(LineSeries, { ...plain, color, title }),
      values: onGrid(values),
    })),
  ];
  const markers: ISeriesMarkersPluginApi<Time> = createSeriesMarkers(midSeries, []);

  // ---- the points drawn ------------------------------------------------------------------------------
  const paneWidth = () => Math.max(price.paneSize().width || hosts.price.clientWidth, 100);
  /** Grid points per bucket for `gridPoints` across the pane (lod.ts chooseLevel takes it per pixel). */
  const perBucket = (gridPoints: number) => (gridPoints * PIXELS_PER_BUCKET) / paneWidth();
  let level = chooseLevel(1, perBucket(n));
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
  /**
   * A chart applies fitContent when it first draws (its time scale learns its width then) and
   * reports the old range until it has; until the price chart reports one, the whole run stands for
   * it, so the first frame draws the points and markers that span needs and the next has nothing
   * new to draw.
   */
  let fitting: { from: number; to: number } | null = n > 0 ? { from: grid[0]!, to: grid[n - 1]! } : null;
  const fitted = () => {
    fitting = null;
  };
  /** What to undo on the charts when the run is taken off them, and off the page when it goes. */
  const offs: (() => void)[] = [];
  const pageOffs: (() => void)[] = [];
  price.timeScale().subscribeVisibleLogicalRangeChange(fitted);
  offs.push(() => price.timeScale().unsubscribeVisibleLogicalRangeChange(fitted));

  /** The visible span of the price chart in ms, or null before it has one. */
  const visibleTimes = (): { from: number; to: number } | null => {
    if (fitting) return fitting;
    const range = price.timeScale().getVisibleLogicalRange();
    if (range === null || points.length === 0) return null;
    return { from: timeAt(points, grid, range.from), to: timeAt(points, grid, range.to) };
  };
  const gridIndex = (ms: number) => Math.min(Math.max(indexAtOrBefore(grid, ms), 0), n - 1);
  /**
   * Grid points a span covers, counting its parts beyond either end of the run at the run's mean
   * spacing: a pan past an end keeps its level (the points on screen keep their spacing).
   */
  const gridPointsIn = (span: { from: number; to: number }) => {
    const first = grid[0]!;
    const last = grid[n - 1]!;
    const inside = gridIndex(Math.min(span.to, last)) - gridIndex(Math.max(span.from, first)) + 1;
    const outside = Math.max(first - span.from, 0) + Math.max(span.to - last, 0);
    return inside + (n > 1 && last > first ? (outside * (n - 1)) / (last - first) : 0);
  };

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
  // A drag moves the chart under the mouse at every mouse event, often several a frame; the others
  // are set once a frame, to the latest range (each set makes a chart recompute its scales), and
  // draw one frame behind it.
  let follow: { source: IChartApi; range: LogicalRange } | null = null;
  let followFrame = 0;
  let following = false;
  const applyFollow = () => {
    followFrame = 0;
    const next = follow;
    follow = null;
    if (!next) return;
    following = true;
    try {
      for (const other of charts) {
        if (other === next.source) continue;
        if (!sameRange(other.timeScale().getVisibleLogicalRange(), next.range))
          other.timeScale().setVisibleLogicalRange(next.range);
      }
    } finally {
      following = false;
    }
  };
  for (const source of charts) {
    const onRange = (range: LogicalRange | null) => {
      if (range === null || rebuilding || following) return;
      follow = { source, range };
      if (!followFrame) followFrame = requestAnimationFrame(applyFollow);
    };
    source.timeScale().subscribeVisibleLogicalRangeChange(onRange);
    offs.push(() => source.timeScale().unsubscribeVisibleLogicalRangeChange(onRange));
  }
  pageOffs.push(() => {
    if (followFrame) cancelAnimationFrame(followFrame);
  });

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
      const style = markerStyle(fills.side(i), fills.cause(i));
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
      const next = chooseLevel(level, perBucket(gridPointsIn(span)));
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
    return { x, y: fills.side(i) === 'sell' ? py - offset : py + offset };
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
  pageOffs.push(() => {
    hosts.price.removeEventListener('pointerdown', onDown);
    hosts.price.removeEventListener('click', onDomClick);
  });

  return {
    dispose: () => {
      if (frame) cancelAnimationFrame(frame);
      for (const off of pageOffs) off();
      // The page may have removed the charts first (React unmounts the set before its run).
      if (set.removed()) return;
      for (const off of offs) off();
      for (const line of lines) line.chart.removeSeries(line.series);
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
      const changed = k !== selected || plan === null;
      selected = k;
      if (k !== null && show) reveal(k);
      if (changed) setMarkersNow(true);
    },
    markerCount: () => markers.markers().length,
  };
}
