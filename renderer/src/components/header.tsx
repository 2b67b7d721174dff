import { useEngineStore } from '../store/engine-store.ts';
import { formatClock } from '../format.ts';

const MODE_LABEL = { sim: 'SIM', paper: 'PAPER', testnet: 'TESTNET', demo: 'DEMO', live: 'LIVE' } as const;

export function Header() {
  const mode = useEngineStore((s) => s.state?.mode);
  const venue = useEngineStore((s) => s.state?.venue);
  const time = useEngineStore((s) => s.state?.time);
  const link = useEngineStore((s) => s.link);
  const feed = useEngineStore((s) => s.state?.connection.feed);
  const feedAge = useEngineStore((s) => s.state?.connection.feedAgeMs);
  const trading = useEngineStore((s) => s.state?.risk.tradingState);
  return (
    <header className={`header ${link ? '' : 'header--down'}`} data-testid="header">
      <span className={`mode mode--${mode ?? 'unknown'}`} data-testid="mode">
        {mode ? MODE_LABEL[mode] : '…'}
      </span>
      <span className="venue" data-testid="venue">
        {venue ?? ''}
      </span>
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
      <span className={`trading trading--${trading ?? 'unknown'}`} data-testid="trading-state">
        {trading ? trading.toUpperCase() : '…'}
      </span>
    </header>
  );
}
