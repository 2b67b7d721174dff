import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectSelected, useEngineStore } from '../store/engine-store.ts';
import { openVenueView } from '../store/venue-store.ts';
import { formatClock, formatMoney, pnlClass } from '../format.ts';
import { LinkStatus, MODE_LABEL } from './link-status.tsx';
import { RecordingIndicator } from './recordings.tsx';

/** Account totals across instruments, in the account's currency; the engine's decimal strings as they are. */
function AccountTotals() {
  const a = useEngineStore(
    useShallow((s) => {
      const account = s.state?.account;
      return {
        currency: account?.currency ?? '',
        equity: account?.equity,
        realized: account?.realized ?? '0',
        unrealized: account?.unrealized ?? '0',
        fees: account?.fees ?? '0',
        state: account?.tradingState,
        reason: account?.reason ?? null,
      };
    }),
  );
  return (
    <span className="account" data-testid="account">
      <span className="muted">Account</span>
      <span
        className={`trading trading--${a.state ?? 'unknown'}`}
        data-testid="account-state"
        title={a.reason ?? undefined}
      >
        {a.state ? a.state.toUpperCase() : '…'}
      </span>
      <span
        className={`num ${a.equity === undefined ? '' : pnlClass(a.equity)}`}
        data-testid="account-equity"
      >
        {a.equity === undefined ? '—' : `${formatMoney(a.equity, true)} ${a.currency}`}
      </span>
      <span className="num account-pnl" data-testid="account-pnl">
        <span className="muted">R</span>{' '}
        <span className={pnlClass(a.realized)}>{formatMoney(a.realized, true)}</span>{' '}
        <span className="muted">U</span>{' '}
        <span className={pnlClass(a.unrealized)}>{formatMoney(a.unrealized, true)}</span>{' '}
        <span className="muted">fees</span> {formatMoney(a.fees)}
      </span>
    </span>
  );
}

export function Header() {
  const mode = useEngineStore((s) => s.state?.mode);
  const venue = useEngineStore((s) => s.state?.venue);
  const time = useEngineStore((s) => s.state?.time);
  const link = useEngineStore((s) => s.link);
  const feed = useEngineStore((s) => s.state?.connection.feed);
  const feedAge = useEngineStore((s) => s.state?.connection.feedAgeMs);
  const selected = useEngineStore(selectSelected);
  const trading = useEngineStore((s) => s.state?.risk.tradingState);
  const env = useEngineStore((s) => s.state?.link.env ?? null);
  // The mode in the window title too (as K and Tribeca do): it shows in the taskbar and window lists.
  useEffect(() => {
    document.title = mode ? `${MODE_LABEL[mode]} · ${venue ?? ''} — MM Workstation` : 'MM Workstation';
  }, [mode, venue]);
  return (
    <header className={`header ${link ? '' : 'header--down'}`} data-testid="header">
      <span className={`mode mode--${mode ?? 'unknown'}`} data-testid="mode">
        {mode ? MODE_LABEL[mode] : '…'}
      </span>
      <span className="venue" data-testid="venue" data-env={env ?? ''}>
        {venue ?? ''}
      </span>
      <LinkStatus />
      <span className="venue-buttons">
        <button data-testid="open-connect" onClick={() => openVenueView('connect')}>
          Connect…
        </button>
        <button data-testid="open-credentials" onClick={() => openVenueView('credentials')}>
          Credentials…
        </button>
      </span>
      <RecordingIndicator />
      <span className={`link link--${link ? 'up' : 'down'}`} data-testid="link">
        {link ? 'connected' : 'disconnected'}
      </span>
      <span className="feed" data-testid="feed">
        feed {feed ?? '—'}
        {feedAge != null ? ` · ${String(Math.round(feedAge))} ms` : ''}
      </span>
      <span className="clock num" data-testid="engine-clock">
        {time != null ? formatClock(time) : '--:--:--,---'}
      </span>
      <span className="selected-state">
        <span className="muted" data-testid="header-symbol">
          {selected ?? ''}
        </span>
        <span className={`trading trading--${trading ?? 'unknown'}`} data-testid="trading-state">
          {trading ? trading.toUpperCase() : '…'}
        </span>
      </span>
      <AccountTotals />
    </header>
  );
}
