import { useEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { LineSeries, type LineData, type Time, type UTCTimestamp } from 'lightweight-charts';
import type { RunView } from '../../../../engine/api/contract.ts';
import { formatMoney } from '../../format.ts';
import { subtractDecimal } from '../../review/decimal.ts';
import { formatDuration } from '../../review/format.ts';
import { paramsText, statDirection } from '../../review/runs.ts';
import { runColumns } from '../../review/run-columns.ts';
import { loadDetail, openRun, useReviewStore, type DetailEntry } from '../../store/review-store.ts';
import { RUN_COLORS, reviewChart } from './chart-theme.ts';
import { StatValue } from './stat-value.tsx';

function runLabel(r: RunView): string {
  return `#${String(r.id)} ${paramsText(r.set)} · ${r.queue} · ${String(r.latencyMs)} ms`;
}

/** Every statistic key of the runs, the first run's order first; objects (left-out counts) left out. */
function statKeys(runs: readonly RunView[]): string[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const r of runs)
    for (const [k, v] of Object.entries((r.stats ?? {}) as Record<string, unknown>)) {
      if (seen.has(k) || (typeof v === 'object' && v !== null)) continue;
      seen.add(k);
      keys.push(k);
    }
  return keys;
}

function Diff(props: { name: string; value: unknown; base: unknown; testId: string }) {
  const d = subtractDecimal(props.value, props.base);
  if (d === null) return <span className="muted" data-testid={props.testId} />;
  const sign = d.startsWith('-') ? -1 : /[1-9]/.test(d) ? 1 : 0;
  const dir = statDirection(props.name);
  const tone = sign === 0 || dir === 0 ? 'diff-neutral' : sign === dir ? 'pnl-up' : 'pnl-down';
  // Ratios (plain numbers such as a Sharpe) to four digits on screen; the exact difference in the title.
  const ratio = typeof props.value === 'number' && typeof props.base === 'number' && !/^-?\d+$/.test(d);
  const body = ratio ? String(Number(Number(d).toPrecision(4))).replace(/^-/, '−') : formatMoney(d);
  const text = sign > 0 ? `+${body}` : body;
  return (
    <span className={`num diff ${tone}`} data-testid={props.testId} data-diff={d} title={d}>
      {text}
    </span>
  );
}

/** Equity curves of the runs overlaid; on different recordings, by time since each run's start. */
function EquityOverlay(props: { ids: number[]; runs: RunView[]; entries: (DetailEntry | undefined)[] }) {
  const host = useRef<HTMLDivElement>(null);
  const { ids, runs, entries } = props;
  const colour = (id: number) => RUN_COLORS[Math.max(ids.indexOf(id), 0) % RUN_COLORS.length];
  const sameRecording = runs.every((r) => r.recording === runs[0]?.recording);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const chart = reviewChart(
      el,
      sameRecording
        ? {}
        : {
            localization: {
              timeFormatter: (t: Time) => (typeof t === 'number' ? formatDuration(t * 1000) : ''),
            },
          },
    );
    entries.forEach((entry, i) => {
      const detail = entry?.detail;
      if (!detail) return;
      const { ts, equity: values } = runColumns(detail).samples;
      const t0 = sameRecording ? 0 : (ts[0] ?? 0);
      const data: LineData[] = [];
      for (let k = 0; k < ts.length; k++) {
        const v = values[k]!;
        if (!Number.isFinite(v)) continue;
        const time = (ts[k]! - t0) / 1000;
        const last = data[data.length - 1];
        if (last && (last.time as number) >= time) {
          if (last.time === time) last.value = v;
          continue;
        }
        data.push({ time: time as UTCTimestamp, value: v });
      }
      chart
        .addSeries(LineSeries, {
          color: RUN_COLORS[i % RUN_COLORS.length],
          lineWidth: 1,
          priceLineVisible: false,
          title: `#${String(detail.run.id)}`,
        })
        .setData(data);
    });
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [entries, sameRecording]);
  return (
    <section className="panel compare-chart" data-testid="chart-compare-equity">
      <h2>
        Equity
        {sameRecording ? null : (
          <span className="muted chart-note">different recordings: time since each run’s start</span>
        )}
      </h2>
      <div className="run-chart-host" data-testid="compare-equity-host" ref={host} />
      <ul className="compare-legend" data-testid="compare-legend">
        {runs.map((r) => {
          const entry = entries[ids.indexOf(r.id)];
          return (
            <li key={r.id} data-testid={`compare-legend-${String(r.id)}`}>
              <i style={{ background: colour(r.id) }} />
              <span className="num">{runLabel(r)}</span>
              {entry?.status === 'loading' ? <span className="muted"> loading…</span> : null}
              {entry?.status === 'error' ? <span className="error"> {entry.error}</span> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The chosen runs side by side (FreqUI's compare): statistics with differences to the first, equity overlaid. */
export function CompareView(props: { ids: number[] }) {
  const { ids } = props;
  const list = useReviewStore((s) => s.runs);
  const entries = useReviewStore(useShallow((s) => ids.map((id) => s.details[id])));
  useEffect(() => {
    for (const id of ids) void loadDetail(id);
  }, [ids]);
  const runs = useMemo(
    () =>
      ids
        .map((id, i) => list?.find((r) => r.id === id) ?? entries[i]?.detail?.run)
        .filter((r): r is RunView => r !== undefined),
    [ids, list, entries],
  );
  const keys = useMemo(() => statKeys(runs), [runs]);
  const base = runs[0];
  return (
    <div className="compare-view" data-testid="compare-view" data-runs={runs.length}>
      {runs.length < ids.length ? <p className="loading">Reading the runs…</p> : null}
      <section className="panel compare-stats-panel">
        <h2>Statistics</h2>
        <div className="compare-scroll">
          <table className="compare-table" data-testid="compare-stats">
            <thead>
              <tr>
                <th className="muted">Statistic</th>
                {runs.map((r, i) => (
                  <th key={r.id} colSpan={i === 0 ? 1 : 2} className="compare-run-head">
                    <button className="link-button" onClick={() => openRun(r.id)} title="open this run">
                      <i
                        style={{ background: RUN_COLORS[Math.max(ids.indexOf(r.id), 0) % RUN_COLORS.length] }}
                      />{' '}
                      #{r.id}
                    </button>
                    <div className="muted num">{paramsText(r.set)}</div>
                  </th>
                ))}
              </tr>
              <tr className="muted">
                <th />
                {runs.map((r, i) =>
                  i === 0 ? (
                    <th key={r.id} className="right">
                      base
                    </th>
                  ) : (
                    [
                      <th key={`${String(r.id)}v`} className="right">
                        value
                      </th>,
                      <th key={`${String(r.id)}d`} className="right">
                        Δ vs #{base?.id}
                      </th>,
                    ]
                  ),
                )}
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k} data-testid={`compare-row-${k}`}>
                  <th className="muted">{k}</th>
                  {runs.map((r, i) => {
                    const v = r.stats?.[k];
                    const cell = (
                      <td key={`${String(r.id)}v`} className="right">
                        <StatValue name={k} value={v} testId={`compare-value-${k}-${String(r.id)}`} />
                      </td>
                    );
                    if (i === 0) return cell;
                    return [
                      cell,
                      <td key={`${String(r.id)}d`} className="right compare-diff">
                        <Diff
                          name={k}
                          value={v}
                          base={base?.stats?.[k]}
                          testId={`compare-diff-${k}-${String(r.id)}`}
                        />
                      </td>,
                    ];
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <EquityOverlay ids={ids} runs={runs} entries={entries} />
    </div>
  );
}
