import { hmacHex } from '../hmac.ts';

export { hmacHex, signaturesEqual } from '../hmac.ts';

/**
 * Bybit v5 HMAC signing (exchange-apis.md A2): HMAC-SHA256 keyed by the API secret, lowercase hex.
 * REST signs `timestamp + apiKey + recvWindow + payload`, where the payload is the query string
 * exactly as sent (GET) or the raw JSON body bytes (POST). The WebSocket auth signs
 * `"GET/realtime" + expires`. Shared by the adapter, which signs, and the protocol simulator, which
 * recomputes the signature over the bytes it received.
 */
export function signRest(
  secret: string,
  timestamp: string,
  apiKey: string,
  recvWindow: string,
  payload: string,
): string {
  return hmacHex(secret, timestamp + apiKey + recvWindow + payload);
}

/** The signature of a WebSocket `auth` op for `expires` (ms epoch). */
export function signWsAuth(secret: string, expires: number): string {
  return hmacHex(secret, `GET/realtime${expires}`);
}
