import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { GaugeView, QuoteSideView } from '../../../engine/api/contract.ts';
import { formatMoney, gaugeLevel, pnlClass } from '../format.ts';
import { selectSelected, useEngineStore } from '../store/engine-store.ts';
import { EquityCurve } from './equity-curve.tsx';

function Cell(props: {
  label: string;
  value: string | number | null | undefined;
  testId?: string;
  className?: string;
}) {
  return (
    <div className="kv">
      <span className="k">{props.label}</span>
      <span className={`v num ${props.className ?? ''}`} data-testid={props.testId}>
        {props.value ?? '—'}
      </span>
    </div>
  );
}

function QuoteSide(props: { name: 'bid' | 'ask'; side: QuoteSideView | undefined }) {
  const s = props.side;
  return (
    <div className="quote-side">
      <div className="quote-side-head">
        <span>{props.name === 'bid' ? 'Bid' : 'Ask'}</span>
        <span
          className={`live-dot ${s?.live ? 'live-dot--on' : ''}`}
          data-testid={`quote-live-${props.name}`}
          data-live={s?.live ? 'true' : 'false'}
        >
          {s?.live ? 'LIVE' : 'off'}
        </span>
      </div>
      {s?.withheld ? (
        <div className="withheld" data-testid={`quote-withheld-${props.name}`}>
          {s.withheld}
        </div>
      ) : (
        (s?.levels ?? []).map((l, i) => (
          <div key={i} className="num quote-level" data-testid={`quote-level-${props.name}`}>
            L{i} {l.price} × {l.size}
          </div>
        ))
      )}
    </div>
  );
}

/** The model's inputs and outputs, the desired quotes per side and the overrides in force. */
export function QuotePanel() {
  const model = useEngineStore((s) => s.state?.model);
  const quoting = useEngineStore((s) => s.state?.quoting);
  const overrides = useEngineStore(useShallow((s) => s.state?.overrides.active ?? {}));
  const active = Object.entries(overrides);
  return (
    <section className="panel quote-panel" data-testid="quote-panel">
      <h2>
        Quotes <span className="muted">{model?.name ?? ''}</span>
      </h2>
      <div className="grid2">
        <Cell label="s" value={model?.s} testId="model-s" />
        <Cell label="σ /√s" value={model?.sigma} />
        <Cell label="q" value={model?.q} />
        <Cell label="γ" value={model?.gamma} testId="model-gamma" />
        <Cell label="κ" value={model?.kappa} />
        <Cell label="r" value={model?.reservation} testId="model-r" />
        <Cell label="bid δ" value={model?.bidDistance} />
        <Cell label="ask δ" value={model?.askDistance} />
        <Cell
          label="horizon"
          value={model?.horizonLeft == null ? null : `${model.horizonLeft.toFixed(1)} s`}
        />
        <Cell label="warm-up" value={model ? String(model.warmupRemaining) : null} />
      </div>
      {model?.warnings.length ? <div className="warnings">{model.warnings.join(' · ')}</div> : null}
      <div className="quote-sides">
        <QuoteSide name="bid" side={quoting?.bid} />
        <QuoteSide name="ask" side={quoting?.ask} />
      </div>
      <div className="overrides-active" data-testid="overrides-active">
        {active.length === 0 ? (
          <span className="muted">no overrides: the model decides</span>
        ) : (
          active.map(([k, v]) => <span key={k} className="chip">{`${k}=${String(v)}`}</span>)
        )}
      </div>
    </section>
  );
}

/** Position and PnL; all figures are the engine's exact decimal strings. */
export function PositionPanel() {
  const p = useEngineStore((s) => s.state?.position);
  const base = useEngineStore((s) => s.state?.instrument?.base ?? '');
  const quote = useEngineStore((s) => s.state?.instrument?.quote ?? '');
  const symbol = useEngineStore(selectSelected);
  const [curve, setCurve] = useState<'instrument' | 'account'>('instrument');
  if (!p) return null;
  return (
    <section className="panel position" data-testid="position-panel">
      <h2>
        Inventory &amp; PnL <span className="muted">{symbol ?? ''}</span>
      </h2>
      <div className="grid2">
        <Cell label={`Position ${base}`} value={p.size} testId="position-size" className={pnlClass(p.size)} />
        <Cell label="Avg entry" value={p.avgEntry} />
        <Cell
          label={`Realized ${quote}`}
          value={formatMoney(p.realized, true)}
          className={pnlClass(p.realized)}
        />
        <Cell label="Unrealized" value={formatMoney(p.unrealized, true)} className={pnlClass(p.unrealized)} />
        <Cell label="Fees" value={formatMoney(p.fees)} />
        <Cell
          label="Equity"
          value={formatMoney(p.equity, true)}
          testId="equity"
          className={pnlClass(p.equity)}
        />
      </div>
      <div className="curve-source">
        <button
          className={curve === 'instrument' ? 'active' : ''}
          data-testid="equity-source-instrument"
          onClick={() => setCurve('instrument')}
        >
          {symbol ?? 'Instrument'}
        </button>
        <button
          className={curve === 'account' ? 'active' : ''}
          data-testid="equity-source-account"
          onClick={() => setCurve('account')}
        >
          Account
        </button>
      </div>
      <EquityCurve source={curve} />
    </section>
  );
}

function Gauge(props: { gauge: GaugeView }) {
  const g = props.gauge;
  const level = gaugeLevel(g.value, g.limit);
  const pct = Math.min(100, (Math.abs(g.value) / (g.limit || 1)) * 100);
  return (
    <div className={`gauge gauge--${level}`} data-testid={`gauge-${g.name}`} data-level={level}>
      <span className="k">{g.label}</span>
      <span className="bar">
        <span style={{ width: `${pct.toFixed(1)}%` }} />
      </span>
      <span className="num v">
        {Number.isInteger(g.value) ? g.value : g.value.toFixed(3)} / {g.limit} {g.unit}
      </span>
    </div>
  );
}

/**
 * Every risk limit as value against limit, coloured by how close it is: the selected instrument's,
 * then the account's (gross position, drawdown and daily loss across instruments).
 */
export function Gauges() {
  const gauges = useEngineStore((s) => s.state?.risk.gauges);
  const accountGauges = useEngineStore((s) => s.state?.account.gauges);
  const symbol = useEngineStore(selectSelected);
  const risk = useEngineStore(
    useShallow((s) => ({
      state: s.state?.risk.tradingState,
      reason: s.state?.risk.reason,
      kill: s.state?.risk.kill.engaged,
      accountState: s.state?.account.tradingState,
      accountReason: s.state?.account.reason,
    })),
  );
  return (
    <section className="panel gauges" data-testid="gauges">
      <h2>
        Risk <span className="muted">{symbol ?? ''}</span>
        <span className={`trading trading--${risk.state ?? 'unknown'}`}>{risk.state?.toUpperCase()}</span>
        {risk.kill ? <span className="kill-flag">KILL ENGAGED</span> : null}
      </h2>
      {risk.reason ? <div className="muted reason">{risk.reason}</div> : null}
      {(gauges ?? []).map((g) => (
        <Gauge key={g.name} gauge={g} />
      ))}
      <h3 className="gauges-account" data-testid="account-gauges">
        Account{' '}
        <span className={`trading trading--${risk.accountState ?? 'unknown'}`}>
          {risk.accountState?.toUpperCase()}
        </span>
      </h3>
      {risk.accountReason ? <div className="muted reason">{risk.accountReason}</div> : null}
      {(accountGauges ?? []).map((g) => (
        <Gauge key={g.name} gauge={g} />
      ))}
    </section>
  );
}
