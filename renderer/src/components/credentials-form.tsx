import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { CredentialStatus } from '../../../engine/api/contract.ts';
import { useEngineStore } from '../store/engine-store.ts';
import { loadChoices, useVenueStore } from '../store/venue-store.ts';
import {
  BYBIT_ENVS,
  describeCredential,
  describeTarget,
  MEXC_TARGET,
  type CredentialTarget,
} from '../venue-form.ts';

type Result =
  | { kind: 'saved' | 'deleted'; text: string }
  | { kind: 'tested'; ok: boolean; permissions: string[]; text: string }
  | { kind: 'error'; text: string };

/**
 * One key set's key and secret: a Bybit environment's, or MEXC's (its one account, real money). The secret is typed, sent once with `credentials.save`, and
 * dropped from this component's state in the same step, whatever the answer: nothing here can read it
 * back (there is no command for that), so the form offers only replace, test and delete.
 */
function CredentialsForm(props: {
  target: CredentialTarget;
  status: CredentialStatus | undefined;
  keychainAvailable: boolean;
}) {
  const invoke = useEngineStore((s) => s.invoke);
  const [apiKey, setApiKey] = useState('');
  const [apiSecret, setApiSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const exists = props.status?.exists ?? false;
  const target = props.target;
  const isMexc = target.venue === 'mexc';
  // Bybit's forms are told apart by environment; MEXC's has its own id (its env, mainnet, is Bybit's too).
  const slug = isMexc ? 'mexc' : target.env;
  const realMoney = isMexc || target.env === 'mainnet';

  const save = async () => {
    const input = { ...target, apiKey: apiKey.trim(), apiSecret: apiSecret.trim() };
    // Cleared before the answer: a failed save is retyped rather than the secret kept in memory.
    setApiKey('');
    setApiSecret('');
    setBusy(true);
    const r = await invoke('credentials.save', input);
    setBusy(false);
    setResult(
      r.ok
        ? { kind: 'saved', text: `saved: ${describeCredential(r.value)}` }
        : { kind: 'error', text: `${r.error.message} (type the key and secret again)` },
    );
    void loadChoices();
  };
  const test = async () => {
    setBusy(true);
    setResult(null);
    const r = await invoke('credentials.test', target);
    setBusy(false);
    setResult(
      r.ok
        ? { kind: 'tested', ok: r.value.ok, permissions: r.value.permissions, text: r.value.message }
        : { kind: 'error', text: r.error.message },
    );
  };
  const remove = async () => {
    setConfirmDelete(false);
    setBusy(true);
    const r = await invoke('credentials.delete', target);
    setBusy(false);
    setResult(
      r.ok
        ? { kind: 'deleted', text: r.value.deleted ? 'deleted' : 'there was no key to delete' }
        : { kind: 'error', text: r.error.message },
    );
    void loadChoices();
  };
  const canSave = props.keychainAvailable && !busy && apiKey.trim() !== '' && apiSecret.trim() !== '';

  return (
    <form
      className={`credentials-form credentials-form--${realMoney ? 'mainnet' : target.env} credentials-form--${slug}`}
      data-testid={isMexc ? 'credentials-mexc-form' : 'credentials-form'}
      data-venue={target.venue}
      data-env={target.env}
      data-exists={exists ? 'true' : 'false'}
      onSubmit={(e) => {
        e.preventDefault();
        if (canSave) void save();
      }}
    >
      <h3>
        {describeTarget(target)}
        {realMoney ? <span className="real-money">real money</span> : null}
        <span className={exists ? 'ok-note' : 'muted'} data-testid="credentials-status">
          {props.status ? describeCredential(props.status) : '—'}
        </span>
      </h3>
      <div className="credentials-fields">
        <label htmlFor={`cred-key-${slug}`}>API key</label>
        <input
          id={`cred-key-${slug}`}
          data-testid="credentials-key"
          className="num"
          autoComplete="off"
          spellCheck={false}
          placeholder={exists ? 'replace the saved key' : 'API key'}
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
        />
        <label htmlFor={`cred-secret-${slug}`}>Secret</label>
        <input
          id={`cred-secret-${slug}`}
          data-testid="credentials-secret"
          className="num"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={exists ? 'replace the saved secret' : 'API secret'}
          value={apiSecret}
          onChange={(e) => setApiSecret(e.target.value)}
        />
      </div>
      <div className="button-row">
        <button type="submit" data-testid="credentials-save" className="btn-go" disabled={!canSave}>
          {exists ? 'Replace' : 'Save'}
        </button>
        <button
          type="button"
          data-testid="credentials-test"
          disabled={!exists || busy}
          onClick={() => void test()}
        >
          Test connection
        </button>
        {confirmDelete ? (
          <>
            <button
              type="button"
              data-testid="credentials-delete-confirm"
              className="btn-kill"
              onClick={() => void remove()}
            >
              Delete the {isMexc ? 'MEXC' : target.env} key
            </button>
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button
            type="button"
            data-testid="credentials-delete"
            disabled={!exists || busy}
            onClick={() => setConfirmDelete(true)}
          >
            Delete…
          </button>
        )}
      </div>
      {result ? <ResultLine result={result} /> : null}
    </form>
  );
}

function ResultLine(props: { result: Result }) {
  const r = props.result;
  if (r.kind === 'tested')
    return (
      <div className={r.ok ? 'ok-note' : 'error'} data-testid="credentials-result" data-ok={r.ok}>
        {r.ok ? 'connection ok' : 'refused'}
        {r.text ? `: ${r.text}` : ''}
        {r.permissions.length > 0 ? (
          <ul className="permissions" data-testid="credentials-permissions">
            {r.permissions.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  return (
    <div
      className={r.kind === 'error' ? 'error' : 'ok-note'}
      data-testid="credentials-result"
      data-ok={r.kind !== 'error'}
    >
      {r.text}
    </div>
  );
}

/** MEXC's saved key, or undefined while unknown (or from a host that predates MEXC and lists none). */
function mexcStatus(
  choices: { mexc?: { credentials: CredentialStatus } } | null,
): CredentialStatus | undefined {
  return choices?.mexc?.credentials;
}

/**
 * Settings: the keys each Bybit environment and MEXC use, kept in the OS keychain and never shown
 * again. MEXC has one key set: its only account, which is real money.
 */
export function CredentialsView() {
  const { choices, choicesError } = useVenueStore(
    useShallow((s) => ({ choices: s.choices, choicesError: s.choicesError })),
  );
  const keychain = choices?.keychain;
  // Saving needs the keychain; until the host says it is there, the Save buttons stay off.
  const available = keychain?.available ?? false;
  return (
    <section className="venue-view" data-testid="credentials-view">
      <p className="muted">
        Keys are stored in the operating system&apos;s keychain. They are never shown again: replace or delete
        them here.
      </p>
      {choicesError ? (
        <div className="error" role="alert" data-testid="credentials-choices-error">
          {choicesError}
        </div>
      ) : null}
      {keychain && !keychain.available ? (
        <div className="error" role="alert" data-testid="credentials-keychain-error">
          The keychain is unavailable, so keys cannot be saved (there is no plain-text fallback)
          {keychain.message ? `: ${keychain.message}` : '.'}
        </div>
      ) : null}
      {BYBIT_ENVS.map((env) => (
        <CredentialsForm
          key={env}
          target={{ venue: 'bybit', env }}
          status={choices?.bybit.envs.find((e) => e.env === env)?.credentials}
          keychainAvailable={available}
        />
      ))}
      <CredentialsForm target={MEXC_TARGET} status={mexcStatus(choices)} keychainAvailable={available} />
    </section>
  );
}
