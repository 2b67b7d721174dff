/**
 * The renderer may only ever show the app's own pages. Any navigation away (a link, a redirect, a
 * dropped file, window.location) is refused; https links the trader clicks go to the OS browser.
 */
export const APP_ORIGIN = 'app://workstation';

export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

/** Decides a will-navigate / will-redirect: true to let it happen. Only in-app URLs pass. */
export function allowNavigation(url: string): boolean {
  return isAppUrl(url);
}

/**
 * Decides a window.open / target=_blank: never a new Electron window. An https URL is handed to the
 * OS browser through the injected opener (so this stays testable without Electron); anything else
 * (file:, javascript:, data:, custom schemes) is dropped.
 */
export function handleWindowOpen(url: string, openExternal: (url: string) => void): { action: 'deny' } {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:' && u.username === '' && u.password === '') openExternal(u.toString());
  } catch {
    // unparseable: dropped
  }
  return { action: 'deny' };
}
