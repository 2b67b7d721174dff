import type { RawData, WebSocket } from 'ws';
import type { Clock } from '../../core/clock.ts';
import { isRecord } from './wire.ts';

export type StreamKind = 'public' | 'private' | 'trade';

/** One WebSocket client of the simulator. */
export interface Conn {
  readonly id: string;
  readonly kind: StreamKind;
  readonly ws: WebSocket;
  /** Clock time of the last frame received (any frame, ping included). */
  lastActivity: number;
  /** Dropped when idle this long (private and trade streams only). */
  readonly idleMs: number | undefined;
}

export function sendFrame(conn: Conn, frame: string): void {
  if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(frame);
}

export function sendJson(conn: Conn, value: unknown): void {
  sendFrame(conn, JSON.stringify(value));
}

/**
 * Wires a socket's frames to `onMessage` as parsed JSON objects (undefined when the frame is not a
 * JSON object) and counts every frame, WebSocket pings included, as activity.
 */
export function listen(
  conn: Conn,
  clock: Clock,
  onMessage: (message: Record<string, unknown> | undefined) => void,
  onClose: () => void,
): void {
  const touch = (): void => {
    conn.lastActivity = clock.now();
  };
  conn.ws.on('ping', touch);
  conn.ws.on('pong', touch);
  conn.ws.on('message', (data: RawData) => {
    touch();
    let value: unknown;
    try {
      value = JSON.parse(rawText(data));
    } catch {
      value = undefined;
    }
    onMessage(isRecord(value) ? value : undefined);
  });
  conn.ws.on('close', onClose);
  conn.ws.on('error', () => {
    conn.ws.terminate();
  });
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * The `max_active_time` query parameter of private and trade URLs (A1): 30s..600s, also in minutes
 * ("1m".."10m"). Undefined when absent, null when malformed.
 */
export function maxActiveTime(query: URLSearchParams): number | undefined | null {
  const v = query.get('max_active_time');
  if (v === null) return undefined;
  const m = /^(\d{1,3})(s|m)$/.exec(v);
  if (m === null) return null;
  const ms = Number(m[1]) * (m[2] === 'm' ? 60_000 : 1000);
  return ms >= 30_000 && ms <= 600_000 ? ms : null;
}

/** The client's request id, as given under either spelling. */
export function requestId(message: Record<string, unknown>, key: 'req_id' | 'reqId'): string | undefined {
  const v = message[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
