import { useShallow } from 'zustand/react/shallow';
import type { Mode } from '../../../engine/api/contract.ts';
import { useEngineStore } from '../store/engine-store.ts';
import { formatClockOffset, rateHeadroom } from '../venue-form.ts';

export const MODE_LABEL: Record<Mode, string> = {
  sim: 'SIM',
  paper: 'PAPER',
  backtest: 'BACKTEST',
  testnet: 'TESTNET',
  demo: 'DEMO',
  live: 'LIVE',
};

/**
 * A real venue's link in the header: environment and product, the venue connection, the request
 * quota left and the clock offset. On the simulator every field is null and nothing is drawn, except
 * a venue switch under way or failed, which the header shows wherever the venue dialog is. On paper
 * the environment is the one whose public data is used: drawn as data, in the paper colour, never as
 * an account (a paper session on mainnet data must not look like mainnet). Paper on MEXC's data has
 * no environment (MEXC has one): the link's `source` names it.
 */
export function LinkStatus() {
  const l = useEngineStore(
    useShallow((s) => {
      const link = s.state?.link;
      return {
        paper: s.state?.mode === 'paper',
        mexcData: s.state?.mode === 'paper' && link?.source === 'mexc',
        env: link?.env ?? null,
        category: link?.category ?? null,
        connection: s.state?.connection.state ?? null,
        clockOffsetMs: link?.clockOffsetMs ?? null,
        rateHeadroom: link?.rateHeadroom ?? null,
        rateLimit: link?.rateLimit ?? null,
        dcp: link?.dcp ?? null,
        switching: link?.switching ?? false,
        error: link?.error ?? null,
      };
    }),
  );
  const rate =
    l.rateHeadroom !== null && l.rateLimit !== null ? rateHeadroom(l.rateHeadroom, l.rateLimit) : null;
  return (
    <span className="link-status" data-testid="link-status" data-env={l.env ?? ''}>
      {l.env !== null && l.paper ? (
        <span className="venue-env venue-env--paper" data-testid="venue-env" data-paper="true">
          Bybit {l.env} data
          {l.category !== null ? <span className="muted"> · {l.category}</span> : null}
        </span>
      ) : null}
      {l.env === null && l.mexcData ? (
        <span className="venue-env venue-env--paper" data-testid="venue-env" data-paper="true">
          MEXC data
          {l.category !== null ? <span className="muted"> · {l.category}</span> : null}
        </span>
      ) : null}
      {l.env !== null && !l.paper ? (
        <span className={`venue-env venue-env--${l.env}`} data-testid="venue-env">
          {l.env}
          {l.category !== null ? <span className="muted"> · {l.category}</span> : null}
        </span>
      ) : null}
      {l.paper ? (
        <span className="paper-fills" data-testid="paper-fills" title="orders are matched on this machine">
          simulated fills · no order reaches the venue
        </span>
      ) : null}
      {(l.env !== null || l.paper) && l.connection !== null ? (
        <span
          className={`venue-link venue-link--${l.connection}`}
          data-testid="venue-link"
          data-state={l.connection}
          title="the venue's connection (market data and orders)"
        >
          venue {l.connection}
        </span>
      ) : null}
      {rate ? (
        <span
          className={`rate num rate--${rate.level}`}
          data-testid="rate-headroom"
          data-headroom={l.rateHeadroom}
          data-limit={l.rateLimit}
          title="requests left in the tightest quota window / that quota"
        >
          rate {rate.text}
        </span>
      ) : null}
      {l.clockOffsetMs !== null ? (
        <span
          className="clock-offset num"
          data-testid="clock-offset"
          data-offset-ms={Math.round(l.clockOffsetMs)}
          title="the venue's clock minus ours"
        >
          clock {formatClockOffset(l.clockOffsetMs)}
        </span>
      ) : null}
      {l.dcp === false ? (
        <span className="dcp-off" data-testid="dcp" title="disconnect cancel-all is not armed at the venue">
          no DCP
        </span>
      ) : null}
      {l.switching ? (
        <span className="link-switching" role="status" data-testid="link-switching">
          switching venue…
        </span>
      ) : null}
      {!l.switching && l.error !== null ? (
        <span className="error link-error" role="alert" data-testid="link-error" title={l.error}>
          venue switch failed: {l.error}
        </span>
      ) : null}
    </span>
  );
}

/** Mainnet: a solid red band across the top of the window, above everything else. */
export function LiveBand() {
  const live = useEngineStore((s) => s.state?.mode === 'live');
  const env = useEngineStore((s) => s.state?.link.env ?? null);
  const venue = useEngineStore((s) => s.state?.venue ?? '');
  if (!live) return null;
  return (
    <div className="live-band" role="alert" data-testid="live-band">
      LIVE — REAL MONEY
      <span className="live-band-detail">
        {venue} {env ?? ''}: every order trades your real balance
      </span>
    </div>
  );
}
