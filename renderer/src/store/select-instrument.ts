import { selectSelected, useEngineStore } from './engine-store.ts';
import { useUiStore } from './ui-store.ts';

/**
 * Asks the engine to show another instrument (the switcher's click and its hotkeys). The selection is
 * the engine's: the screen follows when a snapshot names the new one. A refusal is shown, never thrown.
 */
export async function selectInstrument(symbol: string): Promise<void> {
  const store = useEngineStore.getState();
  const { invoke } = store;
  const ui = useUiStore.getState();
  if (selectSelected(store) === symbol && ui.switching.pending === null) return;
  // A price typed or clicked for one instrument means nothing on another.
  ui.setTicket({ price: '' });
  ui.setConfirmFlatten(null);
  ui.setSwitching({ pending: symbol, error: null });
  const r = await invoke('instruments.select', { symbol });
  const now = useUiStore.getState().switching;
  // A later switch owns the pending marker; only the latest request may clear it.
  if (now.pending !== symbol) return;
  useUiStore
    .getState()
    .setSwitching({ pending: null, error: r.ok ? null : `cannot switch to ${symbol}: ${r.error.message}` });
}
