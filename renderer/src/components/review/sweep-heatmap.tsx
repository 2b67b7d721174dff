import { useMemo, useState } from 'react';
import { buildHeatmap, heatColor, numericStats, sweepRuns, varyingParams } from '../../review/heatmap.ts';
import { paramsText } from '../../review/runs.ts';
import { openRun, useReviewStore } from '../../store/review-store.ts';
import { statDisplay } from './stat-value.tsx';

const NONE = '';

/**
 * A sweep as a heatmap (Optuna's contour plot): one statistic over two of the swept parameters,
 * the others held at a chosen value; a cell opens its run.
 */
export function SweepHeatmap(props: { sweep: string }) {
  const all = useReviewStore((s) => s.runs);
  const runs = useMemo(() => sweepRuns(all ?? [], props.sweep), [all, props.sweep]);
  const varying = useMemo(() => varyingParams(runs), [runs]);
  const stats = useMemo(() => numericStats(runs), [runs]);
  const [stat, setStat] = useState<string | null>(null);
  const [x, setX] = useState<string | null>(null);
  const [y, setY] = useState<string | null>(null);
  const [fixed, setFixed] = useState<Record<string, string>>({});

  const statKey = stat ?? (stats.includes('pnl_total') ? 'pnl_total' : (stats[0] ?? ''));
  const xKey = x ?? varying[0]?.key ?? NONE;
  const yFirst = varying.find((p) => p.key !== xKey)?.key ?? NONE;
  const yKey = y === null || y === xKey ? yFirst : y;
  const others = varying.filter((p) => p.key !== xKey && p.key !== yKey);
  const fixedNow: Record<string, string> = {};
  for (const p of others) fixedNow[p.key] = fixed[p.key] ?? p.values[0] ?? '';
  const map = buildHeatmap(runs, statKey, xKey, yKey, fixedNow);

  if (all === null) return <p className="loading">Reading the runs…</p>;
  if (runs.length === 0)
    return (
      <div className="sweep-view" data-testid="sweep-heatmap">
        <p className="muted">No runs of sweep {props.sweep} (yet): its points appear here as they finish.</p>
      </div>
    );
  return (
    <div className="sweep-view" data-testid="sweep-heatmap" data-sweep={props.sweep}>
      <section className="panel">
        <h2>
          Sweep <span className="num">{props.sweep}</span>
          <span className="muted">
            {runs.length} runs · {runs[0]?.recording}
          </span>
        </h2>
        <div className="heat-controls">
          <label>
            Statistic{' '}
            <select data-testid="heat-stat" value={statKey} onChange={(e) => setStat(e.target.value)}>
              {stats.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          <label>
            x{' '}
            <select data-testid="heat-x" value={xKey} onChange={(e) => setX(e.target.value)}>
              {varying.length === 0 ? <option value={NONE}>—</option> : null}
              {varying.map((p) => (
                <option key={p.key} value={p.key}>
                  {p.key}
                </option>
              ))}
            </select>
          </label>
          <label>
            y{' '}
            <select data-testid="heat-y" value={yKey} onChange={(e) => setY(e.target.value)}>
              <option value={NONE}>—</option>
              {varying.map((p) => (
                <option key={p.key} value={p.key} disabled={p.key === xKey}>
                  {p.key}
                </option>
              ))}
            </select>
          </label>
          {others.map((p) => (
            <label key={p.key}>
              {p.key} ={' '}
              <select
                data-testid={`heat-fixed-${p.key}`}
                value={fixedNow[p.key]}
                onChange={(e) => setFixed((f) => ({ ...f, [p.key]: e.target.value }))}
              >
                {p.values.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </div>
        {varying.length === 0 ? (
          <p className="muted">Every run of this sweep has the same parameters: nothing to lay out.</p>
        ) : null}
        <div className="heat-wrap">
          <table className="heat-table">
            <tbody>
              {[...map.cells].reverse().map((row) => {
                const yi = row[0]?.yi ?? 0;
                return (
                  <tr key={yi}>
                    <th className="num heat-axis" scope="row">
                      {yKey === NONE ? '' : `${yKey}=${map.y.values[yi] ?? ''}`}
                    </th>
                    {row.map((c) => {
                      const shown =
                        c.text === null ? null : statDisplay(statKey, c.run?.stats?.[statKey]).text;
                      return (
                        <td key={c.xi} className="heat-td">
                          <button
                            className="heat-cell num"
                            data-testid={`heat-cell-${String(c.xi)}-${String(c.yi)}`}
                            data-run-id={c.run?.id ?? ''}
                            data-value={c.text ?? ''}
                            disabled={c.run === null}
                            style={{ background: heatColor(c.value, map.maxAbs) }}
                            title={
                              c.run
                                ? `#${String(c.run.id)} ${paramsText(c.run.set)}\n${statKey} = ${c.text ?? '—'}`
                                : 'no run here'
                            }
                            onClick={() => {
                              if (c.run) openRun(c.run.id);
                            }}
                          >
                            {c.run === null ? '' : (shown ?? '—')}
                          </button>
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
              <tr>
                <th />
                {map.x.values.map((v) => (
                  <th key={v} className="num heat-axis heat-axis--x">
                    {xKey}={v}
                  </th>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
        <div className="heat-scale muted num">
          <span className="heat-swatch" style={{ background: heatColor(-map.maxAbs, map.maxAbs) }} />−
          {map.maxAbs.toPrecision(3)}
          <span className="heat-swatch" style={{ background: heatColor(0, map.maxAbs) }} />0
          <span className="heat-swatch" style={{ background: heatColor(map.maxAbs, map.maxAbs) }} />+
          {map.maxAbs.toPrecision(3)}
        </div>
      </section>
    </div>
  );
}
