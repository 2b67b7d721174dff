import { useEffect } from 'react';
import { hotkeyFor } from '../hotkeys.ts';
import { useEngineStore } from '../store/engine-store.ts';
import { useUiStore } from '../store/ui-store.ts';
import { Blotter } from './blotter.tsx';
import { PriceChart } from './chart.tsx';
import { Controls } from './controls.tsx';
import { Header } from './header.tsx';
import { Ladder } from './ladder.tsx';
import { Gauges, PositionPanel, QuotePanel } from './panels.tsx';

function useHotkeys() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = hotkeyFor(e);
      if (!action) return;
      const { state, invoke } = useEngineStore.getState();
      const ui = useUiStore.getState();
      e.preventDefault();
      switch (action) {
        case 'toggleQuoting':
          void invoke(state?.quoting.status === 'quoting' ? 'quoting.stop' : 'quoting.start', {});
          break;
        case 'pauseBid':
          void invoke(state?.quoting.paused.bid ? 'quoting.resume' : 'quoting.pause', { side: 'bid' });
          break;
        case 'pauseAsk':
          void invoke(state?.quoting.paused.ask ? 'quoting.resume' : 'quoting.pause', { side: 'ask' });
          break;
        case 'cancelAll':
          void invoke('orders.cancelAll', {});
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

export function App() {
  const ready = useEngineStore((s) => s.state !== null && s.state.instrument !== null);
  const mode = useEngineStore((s) => s.state?.mode);
  useHotkeys();
  return (
    <div className={`app ${mode === 'live' ? 'app--live' : ''}`} data-state={ready ? 'ready' : 'loading'}>
      <Header />
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
          <p className="loading">Connecting to the engine…</p>
        </main>
      )}
    </div>
  );
}
