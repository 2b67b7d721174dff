import type { JobView } from '../../../../engine/api/contract.ts';
import { progressText } from '../../review/format.ts';
import { useEngineStore } from '../../store/engine-store.ts';
import { cancelJob, jobsOf, openPage, openRun } from '../../store/review-store.ts';

function JobRow(props: { job: JobView }) {
  const j = props.job;
  const running = j.status === 'running';
  return (
    <li className={`job job--${j.status}`} data-testid={`job-${j.id}`} data-status={j.status}>
      <div className="job-head">
        <span className="job-kind">{j.kind === 'sweep' ? 'Sweep' : 'Backtest'}</span>
        <span className="num">{j.recording}</span>
        <span className={`job-status job-status--${j.status}`}>{j.status}</span>
        {running ? (
          <button
            className="job-cancel"
            data-testid={`job-cancel-${j.id}`}
            title="stop it: what it stored so far stays"
            onClick={() => void cancelJob(j.id)}
          >
            Cancel
          </button>
        ) : j.status === 'done' && j.kind === 'backtest' && j.runId !== null ? (
          <button data-testid={`open-job-${j.id}`} onClick={() => openRun(j.runId!)}>
            Open run #{j.runId}
          </button>
        ) : j.sweep !== null && j.kind === 'sweep' ? (
          <button
            data-testid={`open-job-${j.id}`}
            onClick={() => openPage({ kind: 'sweep', sweep: j.sweep! })}
          >
            Open sweep
          </button>
        ) : null}
      </div>
      <div className="job-progress">
        <progress
          value={j.total > 0 ? Math.min(j.done, j.total) : undefined}
          max={j.total > 0 ? j.total : undefined}
          aria-valuenow={j.done}
          aria-valuemax={j.total}
          aria-label={`${j.kind} ${j.recording}`}
        />
        <span className="num muted" data-testid={`eta-${j.id}`}>
          {progressText(j.done, j.total, running ? j.etaMs : null)}
        </span>
      </div>
      {j.status === 'failed' && j.error !== null ? (
        <div className="error" role="alert" data-testid={`job-error-${j.id}`}>
          {j.error}
        </div>
      ) : null}
    </li>
  );
}

/** The backtests and sweeps running on the engine's workers, and the last ones finished. */
export function JobsList() {
  const jobs = useEngineStore((s) => jobsOf(s.state));
  if (jobs.length === 0) return null;
  return (
    <section className="panel jobs" data-testid="jobs">
      <h2>Jobs</h2>
      <ul className="job-list">
        {jobs.map((j) => (
          <JobRow key={j.id} job={j} />
        ))}
      </ul>
    </section>
  );
}
