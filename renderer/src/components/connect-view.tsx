import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { MAINNET_CONFIRMATION, type VenueChoices } from '../../../engine/api/contract.ts';
import { useEngineStore } from '../store/engine-store.ts';
import { closeVenueView, loadChoices, useVenueStore, type VenueView } from '../store/venue-store.ts';
import {
  BYBIT_CATEGORIES,
  BYBIT_ENVS,
  connectLabel,
  connectRequest,
  describeBalances,
  describeCredential,
  describeCurrent,
  initialForm,
  modeOf,
  needsConfirmation,
  PAPER_SOURCES,
  parseSymbols,
  venueLabel,
  type BybitEnv,
  type ConnectForm,
  type PaperSource,
} from '../venue-form.ts';
import { CredentialsView } from './credentials-form.tsx';
import { MODE_LABEL } from './link-status.tsx';

type EnvChoice = VenueChoices['bybit']['envs'][number];

function EnvRow(props: {
  env: BybitEnv;
  choice: EnvChoice | undefined;
  checked: boolean;
  disabled: boolean;
  onPick: () => void;
}) {
  const mode = modeOf('bybit', props.env);
  return (
    <tr
      className={`env-row ${props.checked ? 'env-row--checked' : ''} env-row--${props.env}`}
      data-testid="connect-env-row"
      data-env={props.env}
    >
      <td>
        <label>
          <input
            type="radio"
            name="connect-env"
            data-testid={`connect-env-${props.env}`}
            checked={props.checked}
            disabled={props.disabled}
            onChange={props.onPick}
          />{' '}
          {props.env}
        </label>
      </td>
      <td>
        <span className={`mode mode--${mode}`}>{MODE_LABEL[mode]}</span>
      </td>
      <EndpointCells name="env" urls={props.choice} />
      <td
        className={props.choice?.credentials.exists ? 'ok-note' : 'muted'}
        data-testid="connect-env-credentials"
        data-exists={props.choice?.credentials.exists ? 'true' : 'false'}
      >
        {props.choice ? describeCredential(props.choice.credentials) : '—'}
      </td>
    </tr>
  );
}

/** A venue's REST and WebSocket addresses, as two cells of its row (a dash until they are known). */
function EndpointCells(props: { name: string; urls: { restUrl: string; wsUrl: string } | undefined }) {
  return (
    <>
      <td className="num endpoint" data-testid={`connect-${props.name}-rest`}>
        {props.urls?.restUrl ?? '—'}
      </td>
      <td className="num endpoint" data-testid={`connect-${props.name}-ws`}>
        {props.urls?.wsUrl ?? '—'}
      </td>
    </>
  );
}

/** The header of a venue's environment table: the same columns for every venue (and for paper's source). */
function EnvTableHead(props: { first?: string }) {
  return (
    <thead>
      <tr className="muted">
        <th>{props.first}</th>
        <th>Mode</th>
        <th>REST</th>
        <th>WebSocket</th>
        <th>Credentials</th>
      </tr>
    </thead>
  );
}

/**
 * MEXC spot: its one account, which is real money (MEXC has no testnet or demo), at its endpoints,
 * with the key saved for it. Drawn like Bybit's mainnet row, and always checked: there is nothing
 * else on MEXC to choose.
 */
function MexcAccount(props: { mexc: VenueChoices['mexc'] | undefined }) {
  const mexc = props.mexc;
  return (
    <fieldset data-testid="connect-mexc">
      <legend>Account</legend>
      <table className="env-table">
        <EnvTableHead />
        <tbody>
          <tr
            className="env-row env-row--checked env-row--mainnet env-row--mexc"
            data-testid="connect-mexc-row"
            data-env="mainnet"
          >
            <td>spot</td>
            <td>
              <span className="mode mode--live">{MODE_LABEL.live}</span>
            </td>
            <EndpointCells name="mexc" urls={mexc} />
            <td
              className={mexc?.credentials.exists ? 'ok-note' : 'muted'}
              data-testid="connect-mexc-credentials"
              data-exists={mexc?.credentials.exists ? 'true' : 'false'}
            >
              {mexc ? describeCredential(mexc.credentials) : '—'}
            </td>
          </tr>
        </tbody>
      </table>
    </fieldset>
  );
}

/**
 * Paper trading's source: whose public data the fills follow (Bybit's or MEXC's), at which
 * endpoints, and that no key is needed (none is asked for). Spot only: the simulated account holds
 * balances, not positions.
 */
function PaperSourceChoice(props: {
  paper: VenueChoices['paper'] | undefined;
  source: PaperSource;
  disabled: boolean;
  onPick: (source: PaperSource) => void;
}) {
  const bybit = props.paper?.bybit;
  // A host from before MEXC lists no MEXC data: its endpoints show as unknown.
  const mexc = props.paper?.mexc;
  const chosen = props.source === 'mexc' ? mexc : bybit;
  const env = props.source === 'bybit' ? (bybit?.env ?? '') : '';
  const name = venueLabel(props.source);
  return (
    <fieldset data-testid="connect-paper" disabled={props.disabled}>
      <legend>Market data</legend>
      <div className="connect-row paper-sources">
        {PAPER_SOURCES.map((s) => (
          <label key={s.value}>
            <input
              type="radio"
              name="connect-paper-source"
              data-testid={`connect-paper-source-${s.value}`}
              checked={props.source === s.value}
              onChange={() => props.onPick(s.value)}
            />{' '}
            {s.label} public data
          </label>
        ))}
      </div>
      <table className="env-table">
        <EnvTableHead first="Source" />
        <tbody>
          <tr
            className="env-row env-row--checked env-row--paper"
            data-testid="connect-paper-row"
            data-source={props.source}
          >
            <td data-testid="connect-paper-source" data-env={env} data-source={props.source}>
              {props.source === 'bybit' ? `Bybit ${env} public data` : 'MEXC public data'}
            </td>
            <td>
              <span className="mode mode--paper">{MODE_LABEL.paper}</span>
            </td>
            <EndpointCells name="paper" urls={chosen} />
            <td className="muted">none needed</td>
          </tr>
        </tbody>
      </table>
      <p className="muted paper-note" data-testid="connect-paper-note">
        No order reaches {name}: fills are simulated against its live book and trades, with queue position and
        network latency, on a spot account
        {props.paper ? ` starting with ${describeBalances(props.paper.balances)}` : ''}.
      </p>
    </fieldset>
  );
}

/**
 * The form itself, mounted once the choices are known so it opens on the session that runs now.
 * Connecting ends that session (its orders cancelled) and starts the chosen one; the view stays open
 * with the engine's message when it fails.
 */
function VenueForm(props: { initial: ConnectForm; choices: VenueChoices | null }) {
  const invoke = useEngineStore((s) => s.invoke);
  const link = useEngineStore(
    useShallow((s) => ({ switching: s.state?.link.switching ?? false, error: s.state?.link.error ?? null })),
  );
  const [form, setForm] = useState<ConnectForm>(props.initial);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const edit = (change: Partial<ConnectForm>) => {
    setError(null);
    setForm((f) => ({ ...f, ...change }));
  };
  const bybit = form.venue === 'bybit';
  const paper = form.venue === 'paper';
  const mexc = form.venue === 'mexc';
  const mainnet = needsConfirmation(form);
  const request = connectRequest(form);
  const symbolsHint = form.venue !== 'sim' && form.symbols.trim() !== '' ? parseSymbols(form.symbols) : null;
  const busy = pending || link.switching;
  const mode = modeOf(form.venue, form.env);

  const connect = async () => {
    if (!request.ok) {
      setError(request.message);
      return;
    }
    setPending(true);
    setError(null);
    const r = await invoke('venue.connect', request.value);
    setPending(false);
    // The confirmation is good for one attempt: another try on real money is typed again.
    setForm((f) => ({ ...f, confirm: '' }));
    if (r.ok) {
      closeVenueView();
      void loadChoices();
    } else {
      setError(r.error.message);
    }
  };
  // The engine's own account of a failed switch, when the answer carried none of its own.
  const shownError = error ?? (busy ? null : link.error);

  return (
    <form
      className="connect-form"
      data-testid="connect-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) void connect();
      }}
    >
      <fieldset className="connect-venue" disabled={busy}>
        <legend>Venue</legend>
        <label>
          <input
            type="radio"
            name="connect-venue"
            data-testid="connect-venue-sim"
            checked={form.venue === 'sim'}
            onChange={() => edit({ venue: 'sim', confirm: '' })}
          />{' '}
          Simulator <span className="muted">(embedded, no account)</span>
        </label>
        <label>
          <input
            type="radio"
            name="connect-venue"
            data-testid="connect-venue-paper"
            checked={paper}
            onChange={() => edit({ venue: 'paper', confirm: '' })}
          />{' '}
          PAPER <span className="muted">(live Bybit or MEXC market, simulated fills, no key)</span>
        </label>
        <label>
          <input
            type="radio"
            name="connect-venue"
            data-testid="connect-venue-bybit"
            checked={form.venue === 'bybit'}
            onChange={() => edit({ venue: 'bybit', confirm: '' })}
          />{' '}
          Bybit
        </label>
        <label>
          <input
            type="radio"
            name="connect-venue"
            data-testid="connect-venue-mexc"
            checked={mexc}
            onChange={() => edit({ venue: 'mexc', confirm: '' })}
          />{' '}
          MEXC <span className="muted">(spot, real money only)</span>
        </label>
      </fieldset>

      {paper ? (
        <PaperSourceChoice
          paper={props.choices?.paper}
          source={form.source}
          disabled={busy}
          onPick={(source) => edit({ source })}
        />
      ) : null}

      {mexc ? <MexcAccount mexc={props.choices?.mexc} /> : null}

      {bybit ? (
        <>
          <fieldset disabled={busy}>
            <legend>Environment</legend>
            <table className="env-table">
              <EnvTableHead />
              <tbody>
                {BYBIT_ENVS.map((env) => (
                  <EnvRow
                    key={env}
                    env={env}
                    choice={props.choices?.bybit.envs.find((e) => e.env === env)}
                    checked={form.env === env}
                    disabled={busy}
                    onPick={() => edit({ env, confirm: '' })}
                  />
                ))}
              </tbody>
            </table>
          </fieldset>
          <fieldset className="connect-row" disabled={busy}>
            <legend>Product</legend>
            {BYBIT_CATEGORIES.map((c) => (
              <label key={c.value}>
                <input
                  type="radio"
                  name="connect-category"
                  data-testid={`connect-category-${c.value}`}
                  checked={form.category === c.value}
                  onChange={() => edit({ category: c.value })}
                />{' '}
                {c.label}
              </label>
            ))}
          </fieldset>
        </>
      ) : null}

      {bybit || paper || mexc ? (
        <fieldset disabled={busy}>
          <legend>
            <label htmlFor="connect-symbols">Symbols</label>
          </legend>
          <input
            id="connect-symbols"
            className="num connect-symbols"
            data-testid="connect-symbols"
            value={form.symbols}
            placeholder="BTCUSDT, ETHUSDT"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={symbolsHint !== null && !symbolsHint.ok}
            // Venue symbols are capitals; typing them in lower case is a slip, not a choice.
            onChange={(e) => edit({ symbols: e.target.value.toUpperCase() })}
          />
          {symbolsHint && !symbolsHint.ok ? (
            <div className="hint-line" data-testid="connect-symbols-error">
              {symbolsHint.message}
            </div>
          ) : (
            <div className="muted hint-line">comma-separated, at most 10</div>
          )}
        </fieldset>
      ) : null}

      {mainnet ? (
        <div className="mainnet-warning" role="alert" data-testid="connect-mainnet-warning">
          {mexc ? (
            <>
              <strong>MEXC — REAL MONEY.</strong> MEXC has no test account: orders go to your real MEXC
              account and trade your real balance.
            </>
          ) : (
            <>
              <strong>MAINNET — REAL MONEY.</strong> Orders go to your real Bybit account and trade your real
              balance.
            </>
          )}{' '}
          Quoting, manual orders, flatten and the kill switch all act on real funds.
          <label className="mainnet-confirm">
            Type <kbd>{MAINNET_CONFIRMATION}</kbd> to enable Connect:{' '}
            <input
              data-testid="connect-confirm"
              value={form.confirm}
              autoComplete="off"
              spellCheck={false}
              disabled={busy}
              onChange={(e) => edit({ confirm: e.target.value })}
            />
          </label>
        </div>
      ) : null}

      <p className="muted connect-note">
        Connecting ends the current session: its orders are cancelled and its records closed. The new session
        runs in{' '}
        <span className={`mode mode--${mode}`} data-testid="connect-mode">
          {MODE_LABEL[mode]}
        </span>{' '}
        mode.
      </p>
      <div className="button-row">
        <button
          type="submit"
          data-testid="connect-submit"
          className={mainnet ? 'btn-kill' : 'btn-go'}
          disabled={busy || !request.ok}
        >
          {connectLabel(form)}
        </button>
        <button type="button" onClick={closeVenueView}>
          Cancel
        </button>
      </div>
      {busy ? (
        <div className="progress" role="status" data-testid="connect-progress">
          Switching venue: closing the current session and connecting…
        </div>
      ) : null}
      {shownError ? (
        <div className="error" role="alert" data-testid="connect-error">
          {shownError}
        </div>
      ) : null}
    </form>
  );
}

function ConnectView() {
  const { choices, choicesError, loading } = useVenueStore(
    useShallow((s) => ({ choices: s.choices, choicesError: s.choicesError, loading: s.loading })),
  );
  const current = choices?.current;
  return (
    <section className="venue-view" data-testid="connect-view">
      {current ? (
        <p className="muted" data-testid="connect-current">
          Now: {describeCurrent(current)}
        </p>
      ) : null}
      {choicesError ? (
        <div className="error" role="alert" data-testid="connect-choices-error">
          {choicesError}
        </div>
      ) : null}
      {choices || choicesError ? (
        // Keyed once: a later reload of the choices (a key saved) must not reset what is typed.
        <VenueForm key="form" initial={initialForm(current ?? null)} choices={choices} />
      ) : (
        <p className="muted">{loading ? 'Reading the venues…' : ''}</p>
      )}
    </section>
  );
}

const TABS: { view: VenueView; label: string }[] = [
  { view: 'connect', label: 'Connect' },
  { view: 'credentials', label: 'Credentials' },
];

/** The venue dialog over the workstation: choosing a venue, and the keys each Bybit environment and MEXC use. */
export function VenueDialog() {
  const view = useVenueStore((s) => s.view);
  useEffect(() => {
    if (view === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') closeVenueView();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [view]);
  if (view === null) return null;
  return (
    <div className="overlay" data-testid="venue-overlay">
      <div className="dialog" role="dialog" aria-modal="true" aria-label="Venue" data-testid="venue-dialog">
        <div className="dialog-head">
          <nav className="tabs" role="tablist">
            {TABS.map((t) => (
              <button
                key={t.view}
                role="tab"
                aria-selected={view === t.view}
                className={view === t.view ? 'active' : ''}
                data-testid={`venue-tab-${t.view}`}
                onClick={() => useVenueStore.setState({ view: t.view })}
              >
                {t.label}
              </button>
            ))}
          </nav>
          <button className="dialog-close" data-testid="venue-dialog-close" onClick={closeVenueView}>
            Close <kbd>Esc</kbd>
          </button>
        </div>
        {view === 'connect' ? <ConnectView /> : <CredentialsView />}
      </div>
    </div>
  );
}
