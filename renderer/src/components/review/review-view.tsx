import { useEffect } from 'react';
import { useEngineStore } from '../../store/engine-store.ts';
import {
  clearReviewError,
  jobsOf,
  loadReviewRecordings,
  loadRuns,
  observeJobs,
  openPage,
  useReviewStore,
  type ReviewPage,
} from '../../store/review-store.ts';
import { CompareView } from './compare-view.tsx';
import { RunDetailPage } from './run-detail.tsx';
import { RunsPage } from './runs-page.tsx';
import { SweepHeatmap } from './sweep-heatmap.tsx';

function crumb(page: ReviewPage): string {
  switch (page.kind) {
    case 'runs':
      return '';
    case 'run':
      return `Run #${String(page.id)}`;
    case 'compare':
      return `Compare ${page.ids.map((id) => `#${String(id)}`).join(', ')}`;
    case 'sweep':
      return `Sweep ${page.sweep}`;
  }
}

function ReviewError() {
  const error = useReviewStore((s) => s.error);
  if (error === null) return null;
  return (
    <div className="review-error error" role="alert">
      <span data-testid="review-error">{error}</span>
      <button
        className="decision-close"
        title="dismiss"
        data-testid="review-error-dismiss"
        onClick={clearReviewError}
      >
        ✕
      </button>
    </div>
  );
}

/**
 * The backtest review (ux.md, Reviewing backtests): the runs list with new backtests and jobs, a
 * run's page, compare and a sweep's heatmap. It needs no trading session, only the engine's host.
 */
export function ReviewView() {
  const page = useReviewStore((s) => s.page);
  const link = useEngineStore((s) => s.link);

  // Read the lists when the link is (or comes back) up.
  useEffect(() => {
    if (!link) return;
    void loadRuns();
    void loadReviewRecordings();
  }, [link]);

  // Follow the jobs: a finished one refreshes the runs, a backtest started here opens its run.
  useEffect(() => {
    observeJobs(jobsOf(useEngineStore.getState().state));
    return useEngineStore.subscribe((s, prev) => {
      const jobs = jobsOf(s.state);
      if (jobs !== jobsOf(prev.state)) observeJobs(jobs);
    });
  }, []);

  const here = crumb(page);
  return (
    <main className="review" data-testid="review-view" data-page={page.kind}>
      <nav className="review-crumbs">
        <button
          className={page.kind === 'runs' ? 'crumb crumb--here' : 'crumb'}
          data-testid="review-home"
          onClick={() => openPage({ kind: 'runs' })}
        >
          Backtests
        </button>
        {here ? (
          <>
            <span className="muted">›</span>
            <span className="crumb crumb--here">{here}</span>
          </>
        ) : null}
      </nav>
      <ReviewError />
      {page.kind === 'runs' ? (
        <RunsPage />
      ) : page.kind === 'run' ? (
        <RunDetailPage key={page.id} id={page.id} />
      ) : page.kind === 'compare' ? (
        <CompareView ids={page.ids} />
      ) : (
        <SweepHeatmap key={page.sweep} sweep={page.sweep} />
      )}
    </main>
  );
}
