/** Keyboard shortcuts for the frequent actions. Printed on their buttons; ignored while typing. */
export const HOTKEYS = {
  toggleQuoting: 's',
  pauseBid: 'b',
  pauseAsk: 'a',
  cancelAll: 'c',
  kill: 'k',
} as const;

export type HotkeyAction = keyof typeof HOTKEYS;

/** Digits 1–9 select the instrument at that place in the switcher (as Ctrl+1–9 pick browser tabs). */
export const INSTRUMENT_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: unknown;
}

function isTyping(target: unknown): boolean {
  const t = target as { tagName?: string; isContentEditable?: boolean } | null;
  if (!t) return false;
  return (
    t.isContentEditable === true ||
    t.tagName === 'INPUT' ||
    t.tagName === 'TEXTAREA' ||
    t.tagName === 'SELECT'
  );
}

/** Maps a key event to an action, or null (typing in a field, modifiers held, unbound key). */
export function hotkeyFor(e: KeyLike): HotkeyAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return null;
  const key = e.key.toLowerCase();
  for (const [action, k] of Object.entries(HOTKEYS) as [HotkeyAction, string][]) if (k === key) return action;
  return null;
}

/** The switcher position (0-based) a key selects, or null (typing, modifiers held, not a digit 1–9). */
export function instrumentIndexFor(e: KeyLike): number | null {
  if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return null;
  const index = (INSTRUMENT_KEYS as readonly string[]).indexOf(e.key);
  return index < 0 ? null : index;
}
