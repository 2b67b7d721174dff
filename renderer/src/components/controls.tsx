import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { OverrideField } from '../../../engine/api/contract.ts';
import { HOTKEYS } from '../hotkeys.ts';
import { parseOverride } from '../override-input.ts';
import { selectSelected, targetOf, useEngineStore } from '../store/engine-store.ts';
import { useUiStore } from '../store/ui-store.ts';

const FIELDS: { name: OverrideField; label: string; kind: 'number' | 'int' | 'decimal' }[] = [
  { name: 'gamma', label: 'γ', kind: 'number' },
  { name: 'kappa', label: 'κ', kind: 'number' },
  { name: 'orderSize', label: 'Size', kind: 'decimal' },
  { name: 'minSpreadTicks', label: 'Min spread (ticks)', kind: 'int' },
  { name: 'levels', label: 'Levels', kind: 'int' },
  { name: 'skewTicks', label: 'Skew (ticks)', kind: 'int' },
  { name: 'pinBid', label: 'Pin bid', kind: 'decimal' },
  { name: 'pinAsk', label: 'Pin ask', kind: 'decimal' },
  { name: 'maxPosition', label: 'Max position', kind: 'decimal' },
];

/** Inline check while typing: only the format; the engine judges the value when applied. */
function hint(kind: 'number' | 'int' | 'decimal', text: string | undefined): string | null {
  if (text === undefined || text.trim() === '') return null;
  const r = parseOverride(kind, text);
  return r.ok ? null : `enter ${r.message}`;
}

/** Mounted per instrument (keyed by symbol): text typed for one is never applied to another. */
function OverrideForm(props: { symbol: string | null }) {
  const invoke = useEngineStore((s) => s.invoke);
  const active = useEngineStore(useShallow((s) => s.state?.overrides.active ?? {}));
  const [text, setText] = useState<Partial<Record<OverrideField, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [applied, setApplied] = useState<string | null>(null);

  const apply = async (field: OverrideField, kind: 'number' | 'int' | 'decimal') => {
    const parsed = parseOverride(kind, text[field] ?? '');
    if (!parsed.ok) {
      setError(`${field}: must be ${parsed.message}`);
      return;
    }
    const r = await invoke('overrides.set', { [field]: parsed.value, ...targetOf(props.symbol) });
    if (r.ok) {
      setError(null);
      setApplied(`${field} applied`);
    } else {
      setApplied(null);
      setError(r.error.message);
    }
  };
  const clear = async (field: OverrideField) => {
    const r = await invoke('overrides.clear', { fields: [field], ...targetOf(props.symbol) });
    setError(r.ok ? null : r.error.message);
  };
  return (
    <div className="override-form" data-testid="override-form">
      {FIELDS.map((f) => (
        <div key={f.name} className="override-row">
          <label htmlFor={`ov-${f.name}`}>{f.label}</label>
          <input
            id={`ov-${f.name}`}
            data-testid={`override-${f.name}`}
            className="num"
            placeholder={active[f.name] !== undefined ? String(active[f.name]) : 'model'}
            value={text[f.name] ?? ''}
            aria-invalid={hint(f.kind, text[f.name]) !== null}
            onChange={(e) => setText((t) => ({ ...t, [f.name]: e.target.value }))}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void apply(f.name, f.kind);
            }}
          />
          <button data-testid={`override-apply-${f.name}`} onClick={() => void apply(f.name, f.kind)}>
            Apply
          </button>
          <button
            data-testid={`override-clear-${f.name}`}
            disabled={active[f.name] === undefined}
            onClick={() => void clear(f.name)}
          >
            Clear
          </button>
        </div>
      ))}
      {error ? (
        <div className="error" role="alert" data-testid="override-error">
          {error}
        </div>
      ) : applied ? (
        <div className="ok-note" data-testid="override-applied">
          {applied}
        </div>
      ) : null}
    </div>
  );
}

function Ticket(props: { symbol: string | null }) {
  const invoke = useEngineStore((s) => s.invoke);
  const { bestBid, bestAsk } = useEngineStore(
    useShallow((s) => ({ bestBid: s.state?.book.bids[0]?.[0], bestAsk: s.state?.book.asks[0]?.[0] })),
  );
  const ticket = useUiStore((s) => s.ticket);
  const setTicket = useUiStore((s) => s.setTicket);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  // The field holds only what the trader typed or clicked on the ladder: a value that followed the
  // book would change under the cursor while they type. The touch is a placeholder, never sent unseen.
  const touch = (ticket.side === 'buy' ? bestBid : bestAsk) ?? '';
  const send = async () => {
    if (ticket.price.trim() === '') {
      setMsg({ ok: false, text: 'enter a price, or click a ladder level to fill it' });
      return;
    }
    const r = await invoke('orders.place', {
      side: ticket.side,
      price: ticket.price.trim(),
      size: ticket.size,
      postOnly: ticket.postOnly,
      ...targetOf(props.symbol),
    });
    setMsg(r.ok ? { ok: true, text: `sent ${r.value.clientId}` } : { ok: false, text: r.error.message });
  };
  return (
    <div className="ticket" data-testid="ticket">
      <select
        data-testid="ticket-side"
        value={ticket.side}
        onChange={(e) => setTicket({ side: e.target.value as 'buy' | 'sell', price: '' })}
      >
        <option value="buy">Buy</option>
        <option value="sell">Sell</option>
      </select>
      <input
        data-testid="ticket-price"
        className="num"
        value={ticket.price}
        placeholder={touch}
        onChange={(e) => setTicket({ price: e.target.value })}
      />
      <input
        data-testid="ticket-size"
        className="num"
        value={ticket.size}
        onChange={(e) => setTicket({ size: e.target.value })}
      />
      <label>
        <input
          type="checkbox"
          data-testid="ticket-postonly"
          checked={ticket.postOnly}
          onChange={(e) => setTicket({ postOnly: e.target.checked })}
        />{' '}
        post-only
      </label>
      <button
        data-testid="ticket-send"
        className={ticket.side === 'buy' ? 'btn-buy' : 'btn-sell'}
        onClick={() => void send()}
      >
        {ticket.side === 'buy' ? 'Buy' : 'Sell'} {props.symbol ?? ''}
      </button>
      {msg ? (
        <div className={msg.ok ? 'ok-note' : 'error'} data-testid="ticket-result">
          {msg.text}
        </div>
      ) : null}
    </div>
  );
}

/**
 * Confirms flattening the instrument named when the modal opened: its position comes from that
 * instrument's line, so a switch while the modal is open cannot change what is flattened.
 */
function FlattenModal(props: {
  symbol: string;
  act: (p: Promise<{ ok: boolean; error?: { message: string } }>) => Promise<void>;
}) {
  const invoke = useEngineStore((s) => s.invoke);
  const setConfirmFlatten = useUiStore((s) => s.setConfirmFlatten);
  const line = useEngineStore(
    useShallow((s) => {
      const i = s.state?.instruments.find((x) => x.symbol === props.symbol);
      return { position: i?.position ?? '0', base: i?.base ?? '' };
    }),
  );
  return (
    <div className="modal" role="dialog" data-testid="flatten-modal" data-symbol={props.symbol}>
      <p>
        Flatten {props.symbol}: stop quoting it, cancel its orders, then send a market order for{' '}
        <strong className="num">
          {line.position.replace(/^-/, '')} {line.base}
        </strong>{' '}
        to {line.position.startsWith('-') ? 'buy' : 'sell'}. Slippage depends on the book.
      </p>
      <button
        data-testid="flatten-confirm"
        className="btn-kill"
        onClick={() => {
          setConfirmFlatten(null);
          void props.act(invoke('position.flatten', { symbol: props.symbol }));
        }}
      >
        Flatten now
      </button>
      <button onClick={() => setConfirmFlatten(null)}>Cancel</button>
    </div>
  );
}

/** Start/stop, pauses, overrides, the manual ticket, and the safety actions. */
export function Controls() {
  const invoke = useEngineStore((s) => s.invoke);
  const { selected, status, paused, halted, accountHalted, kill } = useEngineStore(
    useShallow((s) => ({
      selected: selectSelected(s),
      status: s.state?.quoting.status,
      paused: s.state?.quoting.paused,
      halted: s.state?.risk.tradingState === 'halted',
      accountHalted: s.state?.account.tradingState === 'halted',
      kill: s.state?.risk.kill.engaged ?? false,
    })),
  );
  const { confirmKill, setConfirmKill, confirmFlatten, setConfirmFlatten, lastError, setLastError } =
    useUiStore();
  const [reconciled, setReconciled] = useState<string | null>(null);
  const act = async (p: Promise<{ ok: boolean; error?: { message: string } }>) => {
    const r = await p;
    setLastError(r.ok ? null : (r.error?.message ?? 'refused'));
  };
  const reconcile = async () => {
    setReconciled(null);
    const r = await invoke('venue.reconcile', {});
    setLastError(r.ok ? null : r.error.message);
    if (r.ok) {
      const v = r.value;
      setReconciled(
        `reconciled: ${String(v.missedFills)} missed fills, ${String(v.closed)} closed, ` +
          `${String(v.strangers)} unknown orders, ${String(v.settled)} settled`,
      );
    }
  };
  // Instrument-scoped commands name the instrument on screen (see targetOf).
  const target = targetOf(selected);
  const quoting = status === 'quoting';
  return (
    <section className="panel controls" data-testid="controls">
      <h2>
        Controls <span className="muted">{selected ?? ''}</span>
      </h2>
      <div className="button-row">
        {quoting ? (
          <button data-testid="stop-button" onClick={() => void act(invoke('quoting.stop', target))}>
            Stop quoting <kbd>{HOTKEYS.toggleQuoting}</kbd>
          </button>
        ) : (
          <button
            data-testid="start-button"
            className="btn-go"
            disabled={halted || accountHalted}
            onClick={() => void act(invoke('quoting.start', target))}
          >
            Start quoting <kbd>{HOTKEYS.toggleQuoting}</kbd>
          </button>
        )}
        <button
          data-testid="pause-bid"
          onClick={() =>
            void act(invoke(paused?.bid ? 'quoting.resume' : 'quoting.pause', { side: 'bid', ...target }))
          }
        >
          {paused?.bid ? 'Resume bid' : 'Pause bid'} <kbd>{HOTKEYS.pauseBid}</kbd>
        </button>
        <button
          data-testid="pause-ask"
          onClick={() =>
            void act(invoke(paused?.ask ? 'quoting.resume' : 'quoting.pause', { side: 'ask', ...target }))
          }
        >
          {paused?.ask ? 'Resume ask' : 'Pause ask'} <kbd>{HOTKEYS.pauseAsk}</kbd>
        </button>
        <button data-testid="cancel-all-button" onClick={() => void act(invoke('orders.cancelAll', target))}>
          Cancel all {selected ?? ''} <kbd>{HOTKEYS.cancelAll}</kbd>
        </button>
        <button
          data-testid="cancel-all-instruments-button"
          title="Cancel every order of ours on every instrument"
          onClick={() => void act(invoke('orders.cancelAll', {}))}
        >
          Cancel all instruments
        </button>
      </div>
      <div className="button-row danger-row">
        <button
          data-testid="flatten-button"
          disabled={selected === null}
          onClick={() => setConfirmFlatten(selected)}
        >
          Flatten {selected ?? ''}…
        </button>
        {confirmKill ? (
          <>
            <button
              data-testid="kill-confirm"
              className="btn-kill"
              autoFocus
              onClick={() => {
                setConfirmKill(false);
                void act(invoke('risk.kill', {}));
              }}
            >
              Confirm KILL
            </button>
            <button onClick={() => setConfirmKill(false)}>Keep trading</button>
          </>
        ) : (
          <button
            data-testid="kill-button"
            className="btn-kill"
            title="Cancel every order on every instrument and halt the account"
            onClick={() => setConfirmKill(true)}
          >
            Kill switch <kbd>{HOTKEYS.kill}</kbd>
          </button>
        )}
        <button
          data-testid="reset-button"
          disabled={!halted && !accountHalted && !kill}
          onClick={() => void act(invoke('risk.reset', {}))}
        >
          Reset after kill
        </button>
        <button data-testid="reconcile-button" onClick={() => void reconcile()}>
          Reconcile with venue
        </button>
      </div>
      {lastError ? (
        <div className="error" data-testid="command-error">
          {lastError}
        </div>
      ) : reconciled ? (
        <div className="ok-note" data-testid="reconcile-result">
          {reconciled}
        </div>
      ) : null}
      {confirmFlatten !== null ? <FlattenModal symbol={confirmFlatten} act={act} /> : null}
      <h3>Overrides</h3>
      <OverrideForm key={selected ?? ''} symbol={selected} />
      <h3>Manual order</h3>
      <Ticket symbol={selected} />
    </section>
  );
}
