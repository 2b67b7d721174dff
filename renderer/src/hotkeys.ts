/** Keyboard shortcuts for the frequent actions. Printed on their buttons; ignored while typing. */
export const HOTKEYS = {
  toggleQuoting: 's',
  pauseBid: 'b',
  pauseAsk: 'a',
  cancelAll: 'c',
  kill: 'k',
} as const;

export type HotkeyAction = keyof typeof HOTKEYS;

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
