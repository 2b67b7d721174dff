import { create } from 'zustand';

/** UI-only state: the manual order ticket and transient confirmations. Never trading state. */
export interface UiStore {
  ticket: { side: 'buy' | 'sell'; price: string; size: string; postOnly: boolean };
  setTicket: (t: Partial<UiStore['ticket']>) => void;
  confirmKill: boolean;
  setConfirmKill: (v: boolean) => void;
  /** The instrument whose flatten is being confirmed (fixed when the modal opened), or null. */
  confirmFlatten: string | null;
  setConfirmFlatten: (symbol: string | null) => void;
  lastError: string | null;
  setLastError: (e: string | null) => void;
  /** The instrument a switch was requested to and not yet answered, and the last refusal. */
  switching: { pending: string | null; error: string | null };
  setSwitching: (s: UiStore['switching']) => void;
}

export const useUiStore = create<UiStore>((set) => ({
  ticket: { side: 'buy', price: '', size: '0.010', postOnly: true },
  setTicket: (t) => set((s) => ({ ticket: { ...s.ticket, ...t } })),
  confirmKill: false,
  setConfirmKill: (confirmKill) => set({ confirmKill }),
  confirmFlatten: null,
  setConfirmFlatten: (confirmFlatten) => set({ confirmFlatten }),
  lastError: null,
  setLastError: (lastError) => set({ lastError }),
  switching: { pending: null, error: null },
  setSwitching: (switching) => set({ switching }),
}));
