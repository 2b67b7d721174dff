import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { ConnectionState } from '../venue.ts';

/** How one Bybit stream speaks: its heartbeat dialect and what it does once the socket is open. */
export interface SocketDialect {
  /** The ping frame this endpoint expects (A11: `{"op":"ping"}`, `req_id` optional). */
  ping(): string;
  /** Whether a parsed frame is this endpoint's pong (the formats differ per endpoint). */
  isPong(frame: Record<string, unknown>): boolean;
  /**
   * Runs on every (re)connect before the link counts as up: authenticate, then subscribe. A rejection
   * closes the socket and the link retries with backoff, so a refused auth never spins.
   */
  onOpen(link: BybitSocket): Promise<void>;
}

export interface BybitSocketOptions {
  url: string;
  /** For alerts and errors: `public-spot`, `private`, `trade`. */
  name: string;
  clock: Clock;
  dialect: SocketDialect;
  onFrame: (frame: Record<string, unknown>) => void;
  /** Sees the raw text first; true if it handled the frame (a fast decoder), false to parse it as JSON. */
  onText?: (text: string) => boolean;
  onState?: (state: ConnectionState) => void;
  /** A frame that is not JSON, not an object, or larger than `maxFrameBytes`: nothing is applied. */
  onBadFrame?: (reason: string) => void;
  /** Recommended every 20 s by the docs; the SDKs ping every 10 s. */
  pingIntervalMs?: number;
  /** No frame at all within this long after a ping: the link is dead, reconnect. */
  pongTimeoutMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Larger frames close the connection (the stream is resubscribed, so the book resyncs). */
  maxFrameBytes?: number;
  /** Jitter source in [0, 1); injected so tests can pin the delays. */
  random?: () => number;
}

// The largest frames Bybit sends (a 1000-level snapshot, 1024 trades) are well under 1 MiB.
const DEFAULTS = { pingIntervalMs: 20_000, pongTimeoutMs: 10_000, maxFrameBytes: 1024 * 1024 };

/**
 * One Bybit WebSocket that stays up: heartbeats in its endpoint's dialect, reconnects with exponential
 * backoff and full jitter, and runs the dialect's open step (auth, subscriptions) on every connect
 * before it reports `connected`. Frames arrive parsed; malformed ones are reported and dropped, so a
 * bad frame never changes state downstream.
 */
export class BybitSocket {
  private readonly options: BybitSocketOptions;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly maxFrameBytes: number;
  private socket: WebSocket | null = null;
  private state: ConnectionState = 'disconnected';
  private wanted = false;
  private attempt = 0;
  private pingTimer: TimerHandle | undefined;
  private deadTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private firstOpen: { resolve: () => void; reject: (err: Error) => void } | null = null;
  /** Connections made so far (the first one included), for tests and the link view. */
  connects = 0;

  constructor(options: BybitSocketOptions) {
    this.options = options;
    this.pingIntervalMs = options.pingIntervalMs ?? DEFAULTS.pingIntervalMs;
    this.pongTimeoutMs = options.pongTimeoutMs ?? DEFAULTS.pongTimeoutMs;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULTS.maxFrameBytes;
  }

  get name(): string {
    return this.options.name;
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  /** Resolves once the first connection is open and its open step done; rejects if that fails. */
  connect(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    this.wanted = true;
    return new Promise<void>((resolve, reject) => {
      this.firstOpen = { resolve, reject };
      this.open();
    });
  }

  /** Closes for good: no reconnect. */
  disconnect(): Promise<void> {
    this.wanted = false;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    this.setState('disconnected');
    if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000, 'client closing');
      // A peer that never answers the close handshake must not hold shutdown.
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1000).unref();
    });
  }

  /** Sends a text frame; false if the socket is not open (the caller decides what that means). */
  send(text: string): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(text);
    return true;
  }

  private open(): void {
    this.clearTimers();
    this.setState(this.connects === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(this.options.url, { maxPayload: this.maxFrameBytes });
    this.socket = socket;
    socket.on('open', () => {
      this.connects++;
      this.armPing();
      this.options.dialect.onOpen(this).then(
        () => {
          if (this.socket !== socket) return;
          this.attempt = 0;
          this.setState('connected');
          this.firstOpen?.resolve();
          this.firstOpen = null;
        },
        (err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          // The first connect reports its failure to the caller instead of retrying forever.
          if (this.firstOpen) {
            this.firstOpen.reject(new Error(`${this.options.name}: ${message}`));
            this.firstOpen = null;
            this.wanted = false;
          } else {
            this.options.onBadFrame?.(`${this.options.name}: ${message}`);
          }
          socket.terminate();
        },
      );
    });
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      this.onMessage(data, isBinary);
    });
    socket.on('error', (err: Error) => {
      if (err.message.includes('Max payload size exceeded'))
        this.options.onBadFrame?.(
          `${this.options.name}: a frame over ${this.maxFrameBytes} bytes; resubscribing`,
        );
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      if (this.firstOpen && this.connects === 0) {
        this.firstOpen.reject(new Error(`${this.options.name}: could not connect to ${this.options.url}`));
        this.firstOpen = null;
        this.wanted = false;
      }
      if (!this.wanted) {
        this.setState('disconnected');
        return;
      }
      this.setState('reconnecting');
      this.retryTimer = this.options.clock.setTimeout(() => this.open(), this.nextDelay());
    });
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    this.armDeadline(false);
    if (isBinary) {
      this.options.onBadFrame?.(`${this.options.name}: binary frame ignored`);
      return;
    }
    const text = rawText(data);
    if (this.options.onText?.(text)) return;
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      this.options.onBadFrame?.(`${this.options.name}: a frame that is not JSON was ignored`);
      return;
    }
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) {
      this.options.onBadFrame?.(`${this.options.name}: a frame that is not a JSON object was ignored`);
      return;
    }
    const record = frame as Record<string, unknown>;
    if (this.options.dialect.isPong(record)) return;
    this.options.onFrame(record);
  }

  private armPing(): void {
    this.options.clock.clearTimer(this.pingTimer);
    this.pingTimer = this.options.clock.setInterval(() => {
      if (this.send(this.options.dialect.ping())) this.armDeadline(true);
    }, this.pingIntervalMs);
  }

  /** After a ping, a deadline (a later ping keeps the first one's); any frame clears it. */
  private armDeadline(afterPing: boolean): void {
    if (afterPing && this.deadTimer !== undefined) return;
    this.options.clock.clearTimer(this.deadTimer);
    this.deadTimer = undefined;
    if (!afterPing) return;
    this.deadTimer = this.options.clock.setTimeout(() => {
      this.options.onBadFrame?.(
        `${this.options.name}: no pong within ${this.pongTimeoutMs} ms; reconnecting`,
      );
      this.socket?.terminate();
    }, this.pongTimeoutMs);
  }

  private nextDelay(): number {
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 250, maxMs: 30_000 };
    const cap = Math.min(maxMs, baseMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    // Full jitter: many clients dropped at once do not come back in step.
    return Math.round(cap * (0.5 + 0.5 * (this.options.random ?? Math.random)()));
  }

  private clearTimers(): void {
    const clock = this.options.clock;
    clock.clearTimer(this.pingTimer);
    clock.clearTimer(this.deadTimer);
    clock.clearTimer(this.retryTimer);
    this.pingTimer = this.deadTimer = this.retryTimer = undefined;
  }

  private setState(next: ConnectionState): void {
    if (this.state === next) return;
    this.state = next;
    this.options.onState?.(next);
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
