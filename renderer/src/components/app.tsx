import { useEffect } from 'react';
import { hotkeyFor, instrumentIndexFor } from '../hotkeys.ts';
import { selectSelected, targetOf, useEngineStore } from '../store/engine-store.ts';
import { selectInstrument } from '../store/select-instrument.ts';
import { useRecordingsStore } from '../store/recordings-store.ts';
import { setView, useReviewStore } from '../store/review-store.ts';
import { useUiStore } from '../store/ui-store.ts';
import { useVenueStore } from '../store/venue-store.ts';
import { Blotter } from './blotter.tsx';
import { PriceChart } from './chart.tsx';
import { VenueDialog } from './connect-view.tsx';
import { Controls } from './controls.tsx';
import { Header } from './header.tsx';
import { InstrumentSwitcher } from './instrument-switcher.tsx';
import { Ladder } from './ladder.tsx';
import { LiveBand } from './link-status.tsx';
import { Gauges, PositionPanel, QuotePanel } from './panels.tsx';
import { RecordingsDialog } from './recordings.tsx';
import { ReviewView } from './review/review-view.tsx';

function useHotkeys() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // The dialogs are modal: a key pressed in one must not trade the session behind it.
      if (useVenueStore.getState().view !== null || useRecordingsStore.getState().open) return;
      // The review screen trades nothing: the trading screen's keys are off while it is shown.
      if (useReviewStore.getState().view !== 'trade') return;
      const store = useEngineStore.getState();
      const { state, invoke } = store;
      const index = instrumentIndexFor(e);
      const pick = index === null ? undefined : state?.instruments[index];
      if (pick) {
        e.preventDefault();
        void selectInstrument(pick.symbol);
        return;
      }
      const action = hotkeyFor(e);
      if (!action) return;
      const ui = useUiStore.getState();
      // Every key acts on the instrument on screen, named explicitly (see targetOf).
      const target = targetOf(selectSelected(store));
      const act = (p: Promise<{ ok: boolean; error?: { message: string } }>) =>
        void p.then((r) => ui.setLastError(r.ok ? null : (r.error?.message ?? 'refused')));
      e.preventDefault();
      switch (action) {
        case 'toggleQuoting':
          act(invoke(state?.quoting.status === 'quoting' ? 'quoting.stop' : 'quoting.start', target));
          break;
        case 'pauseBid':
          act(
            invoke(state?.quoting.paused.bid ? 'quoting.resume' : 'quoting.pause', {
              side: 'bid',
              ...target,
            }),
          );
          break;
        case 'pauseAsk':
          act(
            invoke(state?.quoting.paused.ask ? 'quoting.resume' : 'quoting.pause', {
              side: 'ask',
              ...target,
            }),
          );
          break;
        case 'cancelAll':
          act(invoke('orders.cancelAll', target));
          break;
        case 'kill':
          // The kill switch stays one deliberate step away: the key arms it, the confirm button fires.
          ui.setConfirmKill(true);
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** Trade (the live workstation) or Review (backtests); the review needs no trading session. */
function ViewNav() {
  const view = useReviewStore((s) => s.view);
  return (
    <nav className="view-nav" role="tablist" aria-label="Screen">
      <button
        role="tab"
        aria-selected={view === 'trade'}
        className={view === 'trade' ? 'view-tab active' : 'view-tab'}
        data-testid="nav-trade"
        onClick={() => setView('trade')}
      >
        Trade
      </button>
      <button
        role="tab"
        aria-selected={view === 'review'}
        className={view === 'review' ? 'view-tab active' : 'view-tab'}
        data-testid="nav-review"
        onClick={() => setView('review')}
      >
        Review
      </button>
    </nav>
  );
}

export function App() {
  const ready = useEngineStore((s) => s.state !== null && s.state.instrument !== null);
  const mode = useEngineStore((s) => s.state?.mode);
  const switching = useEngineStore((s) => s.state?.link.switching ?? false);
  const view = useReviewStore((s) => s.view);
  useHotkeys();
  return (
    <div
      className={`app ${mode === 'live' ? 'app--live' : mode === 'paper' ? 'app--paper' : ''}`}
      data-state={ready ? 'ready' : 'loading'}
    >
      <LiveBand />
      <Header />
      <ViewNav />
      {view === 'review' ? (
        <ReviewView />
      ) : (
        <>
          <InstrumentSwitcher />
          {ready ? (
            <main className="workspace">
              <Ladder />
              <div className="center">
                <PriceChart />
                <Blotter />
              </div>
              <div className="side">
                <QuotePanel />
                <PositionPanel />
                <Gauges />
                <Controls />
              </div>
            </main>
          ) : (
            <main className="workspace-loading">
              <p className="loading" data-testid="loading">
                {switching ? 'Switching venue: waiting for the new session…' : 'Connecting to the engine…'}
              </p>
            </main>
          )}
        </>
      )}
      <VenueDialog />
      <RecordingsDialog />
    </div>
  );
}
