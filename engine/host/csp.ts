/**
 * The renderer's Content-Security-Policy, one definition for browser mode (an HTTP header from the
 * host) and the Electron shell (a header on the app protocol). Nothing remote: scripts, styles, fonts
 * and images come from the app itself; the only connection allowed beyond 'self' is the engine's own
 * WebSocket on loopback.
 */
export function contentSecurityPolicy(options: { connect?: readonly string[] } = {}): string {
  const connect = ["'self'", ...(options.connect ?? [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
