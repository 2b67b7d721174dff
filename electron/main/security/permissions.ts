/**
 * The workstation needs no browser permission at all except showing desktop notifications for alerts;
 * camera, microphone, geolocation, clipboard reads, MIDI, USB and the rest are refused.
 */
const ALLOWED = new Set(['notifications']);

export function allowPermission(
  permission: string,
  requestingUrl: string,
  isApp: (url: string) => boolean,
): boolean {
  return ALLOWED.has(permission) && isApp(requestingUrl);
}
