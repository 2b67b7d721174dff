import { create } from 'zustand';
import type { VenueChoices } from '../../../engine/api/contract.ts';
import { useEngineStore } from './engine-store.ts';

export type VenueView = 'connect' | 'credentials';

/**
 * The venue dialog: which view is open and what the host offers (`venue.choices`). UI state only;
 * credentials never pass through here, only whether one is saved.
 */
export interface VenueStore {
  view: VenueView | null;
  choices: VenueChoices | null;
  /** Why the choices could not be read (a host without venue switching says so here). */
  choicesError: string | null;
  loading: boolean;
}

export const useVenueStore = create<VenueStore>(() => ({
  view: null,
  choices: null,
  choicesError: null,
  loading: false,
}));

let requested = 0;

/** Reads `venue.choices` again (after opening, saving, deleting or connecting); never throws. */
export async function loadChoices(): Promise<void> {
  const ticket = ++requested;
  useVenueStore.setState({ loading: true });
  const r = await useEngineStore.getState().invoke('venue.choices', {});
  // An older answer must not overwrite a newer one (a save between two reads changes the status).
  if (ticket !== requested) return;
  useVenueStore.setState(
    r.ok
      ? { choices: r.value, choicesError: null, loading: false }
      : { choicesError: r.error.message, loading: false },
  );
}

export function openVenueView(view: VenueView): void {
  useVenueStore.setState({ view });
  void loadChoices();
}

export function closeVenueView(): void {
  useVenueStore.setState({ view: null });
}
