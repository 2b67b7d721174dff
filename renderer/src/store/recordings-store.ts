import { create } from 'zustand';
import type { RecordingSummary } from '../../../engine/api/contract.ts';
import { useEngineStore } from './engine-store.ts';

/**
 * The recordings dialog: whether it is open and the list the engine last gave (`recordings.list`).
 * UI state only; what is recording now comes with every snapshot (`state.recording`).
 */
export interface RecordingsStore {
  open: boolean;
  recordings: RecordingSummary[] | null;
  /** Why the list could not be read, in the engine's words. */
  listError: string | null;
  loading: boolean;
}

export const useRecordingsStore = create<RecordingsStore>(() => ({
  open: false,
  recordings: null,
  listError: null,
  loading: false,
}));

let requested = 0;

/** Reads `recordings.list` again; an older answer never overwrites a newer one. Never throws. */
export async function loadRecordings(): Promise<void> {
  const ticket = ++requested;
  useRecordingsStore.setState({ loading: true });
  const r = await useEngineStore.getState().invoke('recordings.list', {});
  if (ticket !== requested) return;
  useRecordingsStore.setState(
    r.ok
      ? { recordings: r.value.recordings, listError: null, loading: false }
      : { listError: r.error.message, loading: false },
  );
}

/** Opens the dialog; its list reads the recordings as it mounts. */
export function openRecordings(): void {
  useRecordingsStore.setState({ open: true });
}

export function closeRecordings(): void {
  useRecordingsStore.setState({ open: false });
}
