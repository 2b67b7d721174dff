import { decisionCells } from '../../review/decision.ts';
import { closeDecision, useReviewStore, type DecisionSlot } from '../../store/review-store.ts';

/**
 * The quote decision behind a fill or a quote: the model's inputs (s, σ, q, γ, κ), its outputs
 * (reservation, distances, the quotes; a withheld side shows its reason in place of the price) and
 * the risk decision. The same panel on a run's page and on the live chart.
 */
export function DecisionPanel(props: { slot: DecisionSlot; onClose?: () => void; className?: string }) {
  const { slot } = props;
  const d = slot.value;
  return (
    <section
      className={`panel decision-panel ${props.className ?? ''}`}
      data-testid="decision-panel"
      data-status={slot.status}
      aria-live="polite"
    >
      <h2>
        Decision
        {slot.context ? <span className="decision-context num">{slot.context}</span> : null}
        {props.onClose ? (
          <button className="decision-close" data-testid="decision-close" onClick={props.onClose}>
            ✕
          </button>
        ) : null}
      </h2>
      {slot.status === 'idle' ? (
        <p className="muted decision-hint">
          Click a fill (on the chart or in the table) or the quote line to see the decision behind it.
        </p>
      ) : slot.status === 'loading' ? (
        <p className="loading">Reading the journal…</p>
      ) : slot.status === 'error' ? (
        <div className="error" role="alert" data-testid="decision-error">
          {slot.error}
        </div>
      ) : slot.status === 'none' || d === null ? (
        <p className="muted" data-testid="decision-none">
          {slot.error ?? 'No decision recorded for this: the journal has none at that point.'}
        </p>
      ) : (
        <>
          <dl className="decision-fields">
            {decisionCells(d).map((c) => (
              <div key={c.field} className={`kv decision-${c.tone}`}>
                <dt className="k">{c.label}</dt>
                <dd className="v num" data-testid={`decision-${c.field}`}>
                  {c.text}
                </dd>
              </div>
            ))}
          </dl>
          <div className="decision-extra muted num">
            {d.symbol} · feed {d.feed}
            {d.A !== null ? ` · A ${String(Number(d.A.toPrecision(4)))}` : ''}
            {d.tau !== null ? ` · τ ${String(Number(d.tau.toPrecision(4)))}` : ''}
            {d.bidSize !== null || d.askSize !== null
              ? ` · sizes ${d.bidSize ?? '—'} / ${d.askSize ?? '—'}`
              : ''}
          </div>
          {d.warnings.length > 0 ? (
            <div className="warnings" data-testid="decision-warnings">
              {d.warnings.join(' · ')}
            </div>
          ) : null}
        </>
      )}
    </section>
  );
}

/** Live: the decision of a fill clicked on the trading screen's price chart, over the chart. */
export function LiveDecision() {
  const slot = useReviewStore((s) => s.liveDecision);
  if (slot.status === 'idle') return null;
  return (
    <DecisionPanel slot={slot} className="decision-live" onClose={() => closeDecision('liveDecision')} />
  );
}
