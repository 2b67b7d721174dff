import { useState } from 'react';
import type { CommandInput } from '../../../../engine/api/contract.ts';
import { formatCount, formatDuration } from '../../review/format.ts';
import {
  defaultRecording,
  FORM_PARAMS,
  fixedForSweep,
  paramSet,
  parseLatency,
  QUEUE_MODELS,
  sweepPlan,
  type FormParam,
} from '../../review/settings.ts';
import { startBacktest, startSweep, useReviewStore } from '../../store/review-store.ts';

const PARAM_HINTS: Record<FormParam, string> = {
  gamma: 'risk aversion γ',
  kappa: 'order-book liquidity κ',
  size: 'quote size, base units',
};

const emptyParams = (): Record<FormParam, string> => ({ gamma: '', kappa: '', size: '' });

/**
 * Starting a backtest or a sweep: the recording, the queue model and latency, the parameters to
 * change (empty = the runner's default) and, for a sweep, a comma-separated list per parameter.
 * Progress shows in the jobs list; the engine checks every value and its refusal shows above.
 */
export function BacktestForm() {
  const recordings = useReviewStore((s) => s.recordings);
  const [chosen, setChosen] = useState<string | null>(null);
  const [params, setParams] = useState(emptyParams);
  const [queue, setQueue] = useState<string>(QUEUE_MODELS[0]);
  const [latency, setLatency] = useState('');
  const [lists, setLists] = useState(emptyParams);
  const [pending, setPending] = useState<'backtest' | 'sweep' | null>(null);

  const recording = chosen ?? (recordings ? defaultRecording(recordings) : null);
  const latencyMs = parseLatency(latency);
  const set = paramSet(params);
  const plan = sweepPlan(lists);
  const settings = (): CommandInput<'review.start'> | null => {
    if (recording === null || latencyMs === null) return null;
    return {
      recording,
      queue,
      ...(Object.keys(set).length > 0 ? { set } : {}),
      ...(latencyMs === undefined ? {} : { latencyMs }),
    };
  };
  const info = recordings?.find((r) => r.name === recording);

  const run = async () => {
    const s = settings();
    if (!s) return;
    setPending('backtest');
    await startBacktest(s);
    setPending(null);
  };
  const sweep = async () => {
    const s = settings();
    if (!s || plan.problem !== null) return;
    const fixed = fixedForSweep(set, plan.grid);
    const { set: _unused, ...rest } = s;
    setPending('sweep');
    await startSweep({ ...rest, ...(Object.keys(fixed).length > 0 ? { set: fixed } : {}), grid: plan.grid });
    setPending(null);
  };

  return (
    <section className="panel bt-form" data-testid="bt-form">
      <h2>New backtest</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (pending === null) void run();
        }}
      >
        <div className="bt-grid">
          <label htmlFor="bt-recording">Recording</label>
          <select
            id="bt-recording"
            data-testid="bt-recording"
            value={recording ?? ''}
            disabled={!recordings || recordings.length === 0}
            onChange={(e) => setChosen(e.target.value)}
          >
            {recordings === null ? <option value="">reading the recordings…</option> : null}
            {recordings?.length === 0 ? <option value="">no recordings</option> : null}
            {recordings?.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
                {r.source === 'sample' ? ' (sample)' : ''}
              </option>
            ))}
          </select>
          {info ? (
            <span className="bt-info muted num" data-testid="bt-recording-info">
              {info.symbols.join(', ')} · {formatCount(info.events)} events · {formatDuration(info.spanMs)}
            </span>
          ) : null}
          {FORM_PARAMS.map((p) => (
            <ParamField
              key={p}
              idPrefix="bt-param"
              placeholder="default"
              name={p}
              value={params[p]}
              onChange={(v) => setParams((x) => ({ ...x, [p]: v }))}
            />
          ))}
          <label htmlFor="bt-queue">Queue model</label>
          <select
            id="bt-queue"
            data-testid="bt-queue"
            value={queue}
            onChange={(e) => setQueue(e.target.value)}
          >
            {QUEUE_MODELS.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
          <label htmlFor="bt-latency">Latency, ms</label>
          <input
            id="bt-latency"
            className="num"
            data-testid="bt-latency"
            inputMode="numeric"
            placeholder="default (5)"
            value={latency}
            aria-invalid={latencyMs === null}
            onChange={(e) => setLatency(e.target.value)}
          />
          {latencyMs === null ? <span className="hint">whole milliseconds, 0 to 60,000</span> : null}
        </div>
        <div className="button-row bt-actions">
          <button
            type="submit"
            className="btn-go"
            data-testid="bt-start"
            disabled={pending !== null || recording === null || latencyMs === null}
          >
            {pending === 'backtest' ? 'Starting…' : 'Run backtest'}
          </button>
        </div>
      </form>
      <form
        className="sweep-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (pending === null) void sweep();
        }}
      >
        <h3>Sweep</h3>
        <p className="muted bt-note">
          One backtest per combination of the values below (comma-separated); the settings above apply to
          every point, a parameter left empty here keeps its value above.
        </p>
        <div className="bt-grid">
          {FORM_PARAMS.map((p) => (
            <ParamField
              key={p}
              idPrefix="sweep-grid"
              placeholder="e.g. 0.05, 0.1, 0.2"
              name={p}
              value={lists[p]}
              onChange={(v) => setLists((x) => ({ ...x, [p]: v }))}
            />
          ))}
        </div>
        <div className="button-row bt-actions">
          <button
            type="submit"
            data-testid="sweep-start"
            disabled={pending !== null || recording === null || latencyMs === null || plan.problem !== null}
            title={plan.problem ?? undefined}
          >
            {pending === 'sweep'
              ? 'Starting…'
              : plan.points > 0
                ? `Run sweep (${formatCount(plan.points)} backtests)`
                : 'Run sweep'}
          </button>
          {plan.problem !== null && plan.points > 0 ? (
            <span className="hint-line" data-testid="sweep-problem">
              {plan.problem}
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}

/** One parameter's input: a single value (the backtest) or a comma-separated list (the sweep). */
function ParamField(props: {
  idPrefix: 'bt-param' | 'sweep-grid';
  placeholder: string;
  name: FormParam;
  value: string;
  onChange: (v: string) => void;
}) {
  const id = `${props.idPrefix}-${props.name}`;
  return (
    <>
      <label htmlFor={id} title={PARAM_HINTS[props.name]}>
        {props.name}
      </label>
      <input
        id={id}
        className="num"
        data-testid={id}
        placeholder={props.placeholder}
        spellCheck={false}
        autoComplete="off"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </>
  );
}
