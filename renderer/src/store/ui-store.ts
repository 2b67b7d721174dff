import { create } from 'zustand';

/** UI-only state: the manual order ticket and transient confirmations. Never trading state. */
export interface UiStore {
  ticket: { side: 'buy' | 'sell'; price: string; size: string; postOnly: boolean };
  setTicket: (t: Partial<UiStore['ticket']>) => void;
  confirmKill: boolean;
  setConfirmKill: (v: boolean) => void;
  confirmFlatten: boolean;
  setConfirmFlatten: (v: boolean) => void;
  lastError: string | null;
  setLastError: (e: string | null) => void;
}

export const useUiStore = create<UiStore>((set) => ({
  ticket: { side: 'buy', price: '', size: '0.010', postOnly: true },
  setTicket: (t) => set((s) => ({ ticket: { ...s.ticket, ...t } })),
  confirmKill: false,
  setConfirmKill: (confirmKill) => set({ confirmKill }),
  confirmFlatten: false,
  setConfirmFlatten: (confirmFlatten) => set({ confirmFlatten }),
  lastError: null,
  setLastError: (lastError) => set({ lastError }),
}));
