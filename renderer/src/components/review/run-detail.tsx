import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunDetail } from '../../../../engine/api/contract.ts';
import { formatClock, formatDateTime } from '../../review/format.ts';
import { markoutRows, markoutScale, type MarkoutRow } from '../../review/markouts.ts';
import { runColumns } from '../../review/run-columns.ts';
import { paramsText } from '../../review/runs.ts';
import {
  askRunDecision,
  exportRun,
  loadDetail,
  noDecision,
  openPage,
  selectFill,
  useReviewStore,
} from '../../store/review-store.ts';
import { COLORS } from './chart-theme.ts';
import { DecisionPanel } from './decision-panel.tsx';
import { FillsTable } from './fills-table.tsx';
import { createRunChartSet, mountRunCharts, type RunChartSet, type RunCharts } from './run-charts.ts';
import { StatValue } from './stat-value.tsx';

/** Read-only helpers for the benchmark and end-to-end tests, while a run's page is shown. */
export interface ReviewHook {
  /** The run on screen. */
  runId: () => number;
  /** Client coordinates of fill i's marker on the price chart, scrolled into view first. */
  fillPoint: (index: number) => { x: number; y: number } | null;
  /** Markers set on the price chart now (never more than the cap). */
  markerCount: () => number;
  /** Fills in the run. */
  fillCount: () => number;
}

declare global {
  interface Window {
    __review?: ReviewHook;
  }
}

/** Shows the decision behind fill i: by its decision seq, or says the model did not price it. */
function pickFill(detail: RunDetail, i: number): void {
  selectFill(i);
  const f = runColumns(detail).fills;
  const context = `fill ${String(i)} · ${f.side(i)} ${f.sizeText(i)} @ ${f.priceText(i)}`;
  const seq = f.decision(i);
  if (seq === null)
    noDecision(context, 'The model did not price this order (manual or flatten): no decision to show.');
  else void askRunDecision({ id: detail.run.id, seq }, context);
}

function Legend() {
  return (
    <div className="chart-legend muted">
      <span>
        <i style={{ background: COLORS.mid }} /> mid
      </span>
      <span>
        <i style={{ background: COLORS.bid }} /> our bid
      </span>
      <span>
        <i style={{ background: COLORS.ask }} /> our ask
      </span>
      <span>▲▼ fill hit by a trade (lighter: traded through)</span>
      <span>■ crossed the book</span>
      <span>● our taker order</span>
    </div>
  );
}

/**
 * Price with quotes and fills, equity, inventory and the PnL split, on one shared time axis. The
 * charts are made as soon as the page is (while the run loads: see RunChartSet), the run put on them
 * when it is there.
 */
function RunChartsPanel(props: { detail: RunDetail | null; onReady: () => void }) {
  const { detail, onReady } = props;
  const price = useRef<HTMLDivElement>(null);
  const equity = useRef<HTMLDivElement>(null);
  const inventory = useRef<HTMLDivElement>(null);
  const pnl = useRef<HTMLDivElement>(null);
  const chartSet = useRef<RunChartSet | null>(null);
  const charts = useRef<RunCharts | null>(null);
  const selected = useReviewStore((s) => s.selectedFill);

  useEffect(() => {
    if (!price.current || !equity.current || !inventory.current || !pnl.current) return;
    const set = createRunChartSet({
      price: price.current,
      equity: equity.current,
      inventory: inventory.current,
      pnl: pnl.current,
    });
    chartSet.current = set;
    return () => {
      chartSet.current = null;
      set.remove();
    };
  }, []);

  useEffect(() => {
    const set = chartSet.current;
    if (!set || !detail) return;
    const id = detail.run.id;
    const c = mountRunCharts(set, detail, {
      onFill: (i) => pickFill(detail, i),
      onQuoteAt: (at) => {
        selectFill(null);
        void askRunDecision({ id, at }, `quote at ${formatClock(at)}`);
      },
    });
    charts.current = c;
    c.select(useReviewStore.getState().selectedFill, false);
    const hook: ReviewHook = {
      runId: () => id,
      fillPoint: (i) => c.fillPoint(i),
      markerCount: () => c.markerCount(),
      fillCount: () => detail.fills.ts.length,
    };
    window.__review = hook;
    // Every chart has its data; the charts draw on the next frame, so the one after it has painted.
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => {
        frame = 0;
        onReady();
      });
    });
    return () => {
      if (frame) cancelAnimationFrame(frame);
      if (window.__review === hook) delete window.__review;
      charts.current = null;
      c.dispose();
    };
  }, [detail, onReady]);

  useEffect(() => {
    charts.current?.select(selected, true);
  }, [selected]);

  return (
    <div className="run-charts">
      <section className="panel run-chart run-chart--price">
        <h2>
          Price, quotes and fills
          {detail?.quotes.thinned ? (
            <span className="muted chart-note">quotes thinned for drawing</span>
          ) : null}
        </h2>
        <div className="run-chart-host" data-testid="chart-price" ref={price} />
        <Legend />
      </section>
      <section className="panel run-chart">
        <h2>Equity</h2>
        <div className="run-chart-host" data-testid="chart-equity" ref={equity} />
      </section>
      <section className="panel run-chart">
        <h2>Inventory</h2>
        <div className="run-chart-host" data-testid="chart-inventory" ref={inventory} />
      </section>
      <section className="panel run-chart">
        <h2>
          PnL split
          <span className="chart-legend muted">
            <span>
              <i style={{ background: COLORS.spread }} /> spread
            </span>
            <span>
              <i style={{ background: COLORS.inventoryPnl }} /> inventory
            </span>
            <span>
              <i style={{ background: COLORS.fees }} /> fees
            </span>
          </span>
        </h2>
        <div className="run-chart-host" data-testid="chart-pnl" ref={pnl} />
      </section>
    </div>
  );
}

function Bar(props: { value: string | number | null; scale: number }) {
  const n = props.value === null ? NaN : Number(props.value);
  if (!Number.isFinite(n) || props.scale <= 0) return <span className="bar-cell" />;
  const pct = Math.min(Math.abs(n) / props.scale, 1) * 50;
  return (
    <span className="bar-cell">
      <span
        className={n >= 0 ? 'bar bar--up' : 'bar bar--down'}
        style={
          n >= 0 ? { left: '50%', width: `${String(pct)}%` } : { right: '50%', width: `${String(pct)}%` }
        }
      />
    </span>
  );
}

function Markouts(props: { rows: MarkoutRow[] }) {
  const { rows } = props;
  if (rows.length === 0) return null;
  const scale = markoutScale(rows);
  return (
    <section className="panel markouts">
      <h2>Markouts</h2>
      <table className="markout-table" data-testid="run-markouts">
        <thead>
          <tr className="muted">
            <th>After</th>
            <th className="right">Markout</th>
            <th />
            <th className="right">Adverse</th>
            <th />
            <th className="right" title="fills too close to the end to have this horizon">
              Left out
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.horizon} data-testid={`markout-${r.horizon}`}>
              <td className="num">{r.horizon}</td>
              <td className="right">
                <StatValue name={`markout_${r.horizon}`} value={r.markout} />
              </td>
              <td className="bar-td">
                <Bar value={r.markout} scale={scale} />
              </td>
              <td className="right">
                <StatValue name={`adverse_${r.horizon}`} value={r.adverse} />
              </td>
              <td className="bar-td">
                <Bar value={r.adverse} scale={scale} />
              </td>
              <td className="right num muted">{r.leftOut ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted chart-note">
        Quote per base unit, quantity-weighted: positive means a fill was worth more than we paid that long
        after; adverse selection below zero means toxic flow.
      </p>
    </section>
  );
}

function StatsTable(props: { stats: Record<string, unknown> | null }) {
  const stats = props.stats ?? {};
  const reasons = (
    typeof stats.null_reasons === 'object' && stats.null_reasons !== null ? stats.null_reasons : {}
  ) as Record<string, unknown>;
  const keys = Object.keys(stats);
  return (
    <section className="panel run-stats-panel">
      <h2>Statistics</h2>
      {keys.length === 0 ? <p className="muted">This run stored no statistics.</p> : null}
      <table className="stats-table" data-testid="run-stats">
        <tbody>
          {keys.map((k) => {
            const why = reasons[k];
            return (
              <tr key={k} data-testid={`stat-row-${k}`}>
                <th className="muted">{k}</th>
                <td className="right">
                  <StatValue
                    name={k}
                    value={stats[k]}
                    testId={`stat-${k}`}
                    title={typeof why === 'string' ? why : undefined}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function ExportButton(props: { id: number }) {
  const [pending, setPending] = useState(false);
  return (
    <button
      data-testid="run-export"
      disabled={pending}
      title="download this run's fills and equity as two CSV files"
      onClick={() => {
        setPending(true);
        void exportRun(props.id).then((r) => {
          setPending(false);
          if (!r) return;
          const base = r.name.replace(/\.csv$/i, '') || `run-${String(props.id)}`;
          download(`${base}-fills.csv`, r.fills);
          download(`${base}-equity.csv`, r.equity);
        });
      }}
    >
      {pending ? 'Exporting…' : 'Export CSV'}
    </button>
  );
}

function RunHeader(props: { detail: RunDetail }) {
  const r = props.detail.run;
  return (
    <div className="run-head">
      <h2>
        Run #{r.id} <span className="num">{r.recording}</span>
        {r.symbol ? <span className="num muted">{r.symbol}</span> : null}
      </h2>
      <span className="num" data-testid="run-detail-params">
        {paramsText(r.set)}
      </span>
      <span className="num muted">
        {r.queue} · {r.latencyMs} ms · {formatDateTime(r.createdAt)} UTC · tick {props.detail.tickSize} · lot{' '}
        {props.detail.lotSize}
      </span>
      {r.sweep !== null ? (
        <button className="link-button" onClick={() => openPage({ kind: 'sweep', sweep: r.sweep! })}>
          sweep {r.sweep}
        </button>
      ) : null}
      {r.status === 'failed' ? (
        <span className="error" data-testid={`run-error-${String(r.id)}`}>
          failed: {r.error}
        </span>
      ) : null}
      <span className="run-head-actions">
        <ExportButton id={r.id} />
      </span>
    </div>
  );
}

function RunLoading(props: { id: number }) {
  return (
    <div className="run-head">
      <p className="loading run-loading" data-testid="run-loading">
        Loading run #{props.id}…
      </p>
      <progress className="run-loading-bar" aria-label={`loading run ${String(props.id)}`} />
    </div>
  );
}

/** The page of run `id`, laid out (and its charts made) while `detail` is still loading (null). */
function RunDetailView(props: { id: number; detail: RunDetail | null }) {
  const { id, detail } = props;
  const page = useRef<HTMLDivElement>(null);
  const selected = useReviewStore((s) => s.selectedFill);
  const decision = useReviewStore((s) => s.runDecision);
  const markouts = useMemo(() => markoutRows(detail?.run.stats ?? null), [detail]);
  // Set on the element rather than through state: a render of the whole page (its tables included)
  // only to flip one attribute cost a frame of the open. React renders "false" and never changes it,
  // so it never writes the attribute back.
  const onReady = useCallback(() => page.current?.setAttribute('data-ready', 'true'), []);
  const onPick = useCallback(
    (i: number) => {
      if (detail) pickFill(detail, i);
    },
    [detail],
  );
  return (
    <div className="run-detail" data-testid="run-detail" data-ready="false" data-run-id={id} ref={page}>
      {detail ? <RunHeader detail={detail} /> : <RunLoading id={id} />}
      <div className="run-body">
        <RunChartsPanel detail={detail} onReady={onReady} />
        <div className="run-side">
          {detail ? (
            <>
              <DecisionPanel slot={decision} />
              <Markouts rows={markouts} />
              <StatsTable stats={detail.run.stats} />
            </>
          ) : null}
        </div>
      </div>
      {detail ? <FillsTable fills={runColumns(detail).fills} selected={selected} onPick={onPick} /> : null}
    </div>
  );
}

/**
 * A run's page: loads `review.run` (large runs take a moment) and shows it; the page is laid out
 * with its charts while it loads, so that work is done by the time the run arrives.
 */
export function RunDetailPage(props: { id: number }) {
  const { id } = props;
  const entry = useReviewStore((s) => s.details[id]);
  useEffect(() => {
    void loadDetail(id);
  }, [id]);
  if (entry?.status === 'error' || (entry?.status === 'ready' && !entry.detail))
    return (
      <div className="run-detail" data-testid="run-detail" data-ready="false" data-run-id={id}>
        <p className="error" data-testid="run-detail-error">
          Run #{id} could not be read: {entry.error}
        </p>
        <button onClick={() => void loadDetail(id, true)}>Try again</button>
      </div>
    );
  return <RunDetailView key={id} id={id} detail={entry?.status === 'ready' ? entry.detail : null} />;
}
