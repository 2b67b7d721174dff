import { useMemo, useState } from 'react';
import type { RunView } from '../../../../engine/api/contract.ts';
import { formatDateTime } from '../../review/format.ts';
import {
  DEFAULT_SORT,
  filterRuns,
  nextSort,
  paramsText,
  selectedInOrder,
  sortRuns,
  STAT_LABELS,
  statColumns,
  type SortColumn,
  type SortOrder,
} from '../../review/runs.ts';
import { SAMPLE_RECORDING, defaultRecording } from '../../review/settings.ts';
import {
  deleteRuns,
  openPage,
  openRun,
  setSelected,
  startBacktest,
  toggleSelected,
  useReviewStore,
} from '../../store/review-store.ts';
import { BacktestForm } from './backtest-form.tsx';
import { JobsList } from './jobs.tsx';
import { StatValue } from './stat-value.tsx';

/** Rows drawn at first; the rest on request (a sweep of thousands stays quick to sort and filter). */
const FIRST_ROWS = 500;

// The table's sort and filter outlive a visit to a run's page.
let keptSort: SortOrder = DEFAULT_SORT;
let keptFilter = '';

function SortHeader(props: {
  column: SortColumn;
  label: string;
  sort: SortOrder;
  onSort: (c: SortColumn) => void;
  right?: boolean;
}) {
  const active = props.sort.column === props.column;
  return (
    <th
      className={`sortable ${props.right ? 'right' : ''} ${active ? 'sorted' : ''}`}
      aria-sort={active ? (props.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
      data-testid={`runs-sort-${props.column.replace(':', '-')}`}
    >
      <button className="th-button" onClick={() => props.onSort(props.column)}>
        {props.label}
        <span className="sort-arrow">{active ? (props.sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
      </button>
    </th>
  );
}

function RunRow(props: { run: RunView; stats: string[]; selected: boolean }) {
  const r = props.run;
  return (
    <tr
      className={`run-row ${props.selected ? 'run-row--selected' : ''} ${r.status === 'failed' ? 'run-row--failed' : ''}`}
      data-testid={`run-row-${String(r.id)}`}
      data-status={r.status}
      onClick={() => openRun(r.id)}
      title="open this run"
    >
      <td onClick={(e) => e.stopPropagation()}>
        <input
          type="checkbox"
          data-testid={`run-select-${String(r.id)}`}
          aria-label={`select run ${String(r.id)}`}
          checked={props.selected}
          onChange={(e) => toggleSelected(r.id, e.target.checked)}
        />
      </td>
      <td className="num right muted">{r.id}</td>
      <td className="num">{r.recording}</td>
      <td className="num">{r.symbol ?? '—'}</td>
      <td className="num run-params" data-testid={`run-params-${String(r.id)}`}>
        {paramsText(r.set)}
      </td>
      <td className="num">{r.queue}</td>
      <td className="num right">{r.latencyMs} ms</td>
      <td className="num muted">{formatDateTime(r.createdAt)}</td>
      <td className="run-status">
        <span className={r.status === 'failed' ? 'status-failed' : 'status-done'}>{r.status}</span>
        {r.status === 'failed' && r.error !== null ? (
          <span className="error run-error" data-testid={`run-error-${String(r.id)}`} title={r.error}>
            {r.error}
          </span>
        ) : null}
      </td>
      {props.stats.map((k) => (
        <td key={k} className="right">
          <StatValue name={k} value={r.stats?.[k]} testId={`run-stat-${String(r.id)}-${k}`} />
        </td>
      ))}
      <td className="num muted">
        {r.sweep !== null ? (
          <button
            className="link-button"
            title="this run's sweep as a heatmap"
            onClick={(e) => {
              e.stopPropagation();
              openPage({ kind: 'sweep', sweep: r.sweep! });
            }}
          >
            {r.sweep}
          </button>
        ) : null}
      </td>
    </tr>
  );
}

function EmptyState() {
  const recordings = useReviewStore((s) => s.recordings);
  const [pending, setPending] = useState(false);
  const sample =
    recordings === null || recordings.some((r) => r.name === SAMPLE_RECORDING)
      ? SAMPLE_RECORDING
      : defaultRecording(recordings);
  return (
    <div className="runs-empty" data-testid="runs-empty">
      <p>
        <strong>No backtests yet.</strong> A backtest replays a market-data recording through the same quoting
        strategy, with simulated queues and latency, and keeps the result here.
      </p>
      <p className="muted">
        Start with the sample: it replays <span className="num">{sample ?? SAMPLE_RECORDING}</span> (ten
        minutes of BTCUSDT shipped with the app) with the default parameters. Then change γ, κ or the size on
        the left, or sweep them.
      </p>
      <button
        className="btn-go"
        data-testid="run-sample"
        disabled={pending || sample === null}
        onClick={() => {
          if (sample === null) return;
          setPending(true);
          void startBacktest({ recording: sample }).then(() => setPending(false));
        }}
      >
        {pending ? 'Starting…' : 'Run the sample backtest'}
      </button>
    </div>
  );
}

/** Distinct sweeps of the runs, newest first, each a link to its heatmap. */
function SweepLinks(props: { runs: readonly RunView[] }) {
  const sweeps = useMemo(() => {
    const counts = new Map<string, { n: number; at: number }>();
    for (const r of props.runs) {
      if (r.sweep === null) continue;
      const c = counts.get(r.sweep) ?? { n: 0, at: 0 };
      counts.set(r.sweep, { n: c.n + 1, at: Math.max(c.at, r.createdAt) });
    }
    return [...counts.entries()].sort((a, b) => b[1].at - a[1].at);
  }, [props.runs]);
  if (sweeps.length === 0) return null;
  return (
    <div className="sweep-links">
      <span className="muted">Sweeps</span>
      {sweeps.map(([sweep, c]) => (
        <button
          key={sweep}
          className="chip-button"
          data-testid={`open-sweep-${sweep}`}
          title="show this sweep as a heatmap"
          onClick={() => openPage({ kind: 'sweep', sweep })}
        >
          {sweep} <span className="muted">({c.n})</span>
        </button>
      ))}
    </div>
  );
}

function RunsTable() {
  const runs = useReviewStore((s) => s.runs);
  const loading = useReviewStore((s) => s.runsLoading);
  const selectedIds = useReviewStore((s) => s.selected);
  const [sort, setSortState] = useState(keptSort);
  const [filter, setFilterState] = useState(keptFilter);
  const [all, setAll] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const setSort = (s: SortOrder) => {
    keptSort = s;
    setSortState(s);
  };
  const setFilter = (f: string) => {
    keptFilter = f;
    setFilterState(f);
  };
  const selected = useMemo(() => new Set(selectedIds), [selectedIds]);
  const stats = useMemo(() => statColumns(runs ?? []), [runs]);
  const sorted = useMemo(() => sortRuns(runs ?? [], sort), [runs, sort]);
  const visible = useMemo(() => filterRuns(sorted, filter), [sorted, filter]);
  const shown = all ? visible : visible.slice(0, FIRST_ROWS);
  const chosen = selectedInOrder(sorted, selected);
  const allVisibleSelected = visible.length > 0 && visible.every((r) => selected.has(r.id));
  const onSort = (c: SortColumn) => setSort(nextSort(sort, c));

  return (
    <section className="panel runs-panel" data-testid="runs-panel">
      <div className="runs-toolbar">
        <h2>Runs {runs ? <span className="muted">{runs.length}</span> : null}</h2>
        <input
          className="runs-filter"
          type="search"
          data-testid="runs-filter"
          placeholder="filter: recording, gamma=0.1, failed…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        {filter.trim() !== '' && runs ? (
          <span className="muted" data-testid="runs-filter-count">
            {visible.length} of {runs.length}
          </span>
        ) : null}
        <span className="runs-actions">
          <button
            data-testid="compare-button"
            disabled={chosen.length < 2}
            title={chosen.length < 2 ? 'tick two or more runs to compare them' : 'compare the ticked runs'}
            onClick={() => openPage({ kind: 'compare', ids: chosen })}
          >
            Compare{chosen.length >= 2 ? ` ${String(chosen.length)}` : ''}
          </button>
          <button
            data-testid="runs-delete"
            disabled={chosen.length === 0 || deleting}
            title={chosen.length === 0 ? 'tick the runs to delete' : `delete ${String(chosen.length)} runs`}
            onClick={() => {
              setDeleting(true);
              void deleteRuns(chosen).then(() => setDeleting(false));
            }}
          >
            Delete{chosen.length > 0 ? ` ${String(chosen.length)}` : ''}
          </button>
        </span>
      </div>
      <SweepLinks runs={runs ?? []} />
      {runs === null ? (
        <p className="loading">{loading ? 'Reading the runs…' : ''}</p>
      ) : runs.length === 0 ? (
        <EmptyState />
      ) : (
        <div className="runs-scroll">
          <table className="runs-table" data-testid="runs-table" data-rows={visible.length}>
            <thead>
              <tr className="muted">
                <th>
                  <input
                    type="checkbox"
                    data-testid="runs-select-all"
                    aria-label="select every run shown"
                    checked={allVisibleSelected}
                    onChange={(e) =>
                      setSelected(
                        e.target.checked
                          ? [...new Set([...selectedIds, ...visible.map((r) => r.id)])]
                          : selectedIds.filter((id) => !visible.some((r) => r.id === id)),
                      )
                    }
                  />
                </th>
                <SortHeader column="id" label="#" sort={sort} onSort={onSort} right />
                <SortHeader column="recording" label="Recording" sort={sort} onSort={onSort} />
                <SortHeader column="symbol" label="Symbol" sort={sort} onSort={onSort} />
                <SortHeader column="params" label="Parameters" sort={sort} onSort={onSort} />
                <SortHeader column="queue" label="Queue" sort={sort} onSort={onSort} />
                <SortHeader column="latencyMs" label="Latency" sort={sort} onSort={onSort} right />
                <SortHeader column="createdAt" label="When (UTC)" sort={sort} onSort={onSort} />
                <SortHeader column="status" label="Status" sort={sort} onSort={onSort} />
                {stats.map((k) => (
                  <SortHeader
                    key={k}
                    column={`stat:${k}`}
                    label={STAT_LABELS[k] ?? k}
                    sort={sort}
                    onSort={onSort}
                    right
                  />
                ))}
                <th>Sweep</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <RunRow key={r.id} run={r} stats={stats} selected={selected.has(r.id)} />
              ))}
            </tbody>
          </table>
          {visible.length === 0 ? (
            <p className="muted" data-testid="runs-none-match">
              No run matches “{filter}”.
            </p>
          ) : null}
          {shown.length < visible.length ? (
            <button data-testid="runs-show-all" onClick={() => setAll(true)}>
              Show all {visible.length} runs
            </button>
          ) : null}
        </div>
      )}
    </section>
  );
}

/** The runs list: new backtests and jobs on the left, every stored run on the right. */
export function RunsPage() {
  return (
    <div className="review-runs">
      <aside className="review-side">
        <BacktestForm />
        <JobsList />
      </aside>
      <RunsTable />
    </div>
  );
}
