import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { ConnectionState } from '../venue.ts';

/**
 * One MEXC spot WebSocket that stays up (exchange-apis.md B9). Control traffic is JSON text
 * (`SUBSCRIPTION`, `PING` and their answers); data arrives as binary protobuf frames, handed on
 * undecoded. On every (re)connect the link subscribes all of its channels and waits for the answer
 * before it reports `connected`, so a consumer that sees `connected` knows its channels are live.
 *
 * Not the Bybit socket: that one drops binary frames, has a fixed URL (the user stream needs a fresh
 * listenKey in its URL after a refusal) and does not pace what it sends (MEXC disconnects a client
 * over 100 messages a second).
 */

export interface MexcSocketOptions {
  /** For notices and errors: `public-1`, `user`. */
  name: string;
  clock: Clock;
  /**
   * The address of the next connection attempt, asked before each one (the user stream takes a
   * listenKey here). A rejection counts as a failed attempt.
   */
  url: () => string | Promise<string>;
  /** Every channel this link carries now: sent in one SUBSCRIPTION on each connect. */
  channels: () => readonly string[];
  /** A binary frame, as received. */
  onPush: (bytes: Uint8Array) => void;
  /** Channels the venue confirmed (on connect, or after `subscribe`). */
  onSubscribed?: (channels: readonly string[]) => void;
  /** Channels the venue refused, with its text (`Not Subscribed successfully! [...]. Reason： Blocked!`). */
  onRefused?: (channels: readonly string[], message: string) => void;
  /** A text frame that is not a control answer (`Invalid listen key`); without a handler it is a problem. */
  onText?: (text: string) => void;
  onState?: (state: ConnectionState) => void;
  /** Something went wrong on the link (a dead peer, a failed attempt, a frame too large). */
  onProblem?: (reason: string) => void;
  /** The venue closes a link idle for 60 s; 20 s keeps well clear of it. */
  pingIntervalMs?: number;
  /** No frame at all this long after a ping: the link is dead, reconnect. */
  pongTimeoutMs?: number;
  /** How long a SUBSCRIPTION may wait for its answer before the link is taken as broken. */
  ackTimeoutMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Jitter source in [0, 1); injected so tests can pin the delays. */
  random?: () => number;
  maxFrameBytes?: number;
  /** Frames sent per rolling second at most; the rest wait. MEXC's limit is 100. */
  maxSendsPerSecond?: number;
}

/** Subscriptions per connection (B6). */
export const MEXC_MAX_CHANNELS = 30;

const DEFAULTS = {
  pingIntervalMs: 20_000,
  pongTimeoutMs: 10_000,
  ackTimeoutMs: 10_000,
  // A 1000-level depth push is a few tens of KiB; this is headroom, not a measured maximum.
  maxFrameBytes: 4 * 1024 * 1024,
  maxSendsPerSecond: 50,
};

interface Pending {
  readonly id: number;
  readonly method: 'SUBSCRIPTION' | 'UNSUBSCRIPTION';
  readonly channels: readonly string[];
  /** Called once with the answer; the initial subscription's open step waits on it. */
  readonly done?: (refused: boolean) => void;
}

/** The control answers MEXC sends as JSON: `{"id":n,"code":0,"msg":"..."}`. */
interface ControlAnswer {
  id?: unknown;
  code?: unknown;
  msg?: unknown;
}

const REFUSED = 'Not Subscribed successfully';

export class MexcSocket {
  private readonly options: MexcSocketOptions;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly ackTimeoutMs: number;
  private readonly maxFrameBytes: number;
  private readonly maxSends: number;
  private socket: WebSocket | null = null;
  private state: ConnectionState = 'disconnected';
  private wanted = false;
  private attempt = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Channels confirmed on the current connection (a late second answer for them is no surprise). */
  private readonly live = new Set<string>();
  /** Times of the frames sent in the last second, oldest first, and what waits for room. */
  private readonly sentAt: number[] = [];
  private readonly queue: string[] = [];
  private pingTimer: TimerHandle | undefined;
  private deadTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private ackTimer: TimerHandle | undefined;
  private flushTimer: TimerHandle | undefined;
  private firstOpen: { resolve: () => void; reject: (err: Error) => void } | null = null;
  /** Whether a connection has ever got as far as `connected`: until then a failure fails `connect`. */
  private everUp = false;
  /** Numbers the attempts: an address that arrives after a restart or a close is not dialled. */
  private attemptSeq = 0;
  /** Connections opened so far (the first included). */
  connects = 0;

  constructor(options: MexcSocketOptions) {
    this.options = options;
    this.pingIntervalMs = options.pingIntervalMs ?? DEFAULTS.pingIntervalMs;
    this.pongTimeoutMs = options.pongTimeoutMs ?? DEFAULTS.pongTimeoutMs;
    this.ackTimeoutMs = options.ackTimeoutMs ?? DEFAULTS.ackTimeoutMs;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULTS.maxFrameBytes;
    this.maxSends = Math.min(100, options.maxSendsPerSecond ?? DEFAULTS.maxSendsPerSecond);
  }

  get name(): string {
    return this.options.name;
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  /** Whether the link has been asked to be up (by `connect` or `start`) and not closed since. */
  isWanted(): boolean {
    return this.wanted;
  }

  /**
   * Resolves once the first connection is open and subscribed. The first attempt's failure rejects
   * (a wrong URL or a refused key is for the caller to hear, not to retry forever); later drops
   * reconnect with backoff.
   */
  connect(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.firstOpen = { resolve, reject };
      if (!this.wanted) {
        this.wanted = true;
        this.open();
      }
    });
  }

  /** Brings the link up and keeps trying until it is, without a promise (a link opened on demand). */
  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.open();
  }

  /** Closes for good: no reconnect. */
  disconnect(): Promise<void> {
    this.wanted = false;
    this.attemptSeq++;
    this.clearTimers();
    this.dropPending();
    this.queue.length = 0;
    const socket = this.socket;
    this.socket = null;
    if (this.firstOpen) {
      this.firstOpen.reject(new Error(`${this.options.name}: closed before it connected`));
      this.firstOpen = null;
    }
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

  /**
   * Drops the current connection and connects again after the backoff delay (a refused listenKey:
   * the next attempt asks `url()` again). The state goes `reconnecting`; the caller tells why.
   */
  restart(): void {
    if (!this.wanted) return;
    this.attemptSeq++;
    const socket = this.socket;
    this.socket = null;
    this.clearTimers();
    this.dropPending();
    this.queue.length = 0;
    socket?.terminate();
    this.setState(this.everUp ? 'reconnecting' : 'connecting');
    this.retryTimer = this.options.clock.setTimeout(() => this.open(), this.nextDelay());
  }

  /** Subscribes more channels on the open link; while it is down the next connect subscribes them. */
  subscribe(channels: readonly string[]): void {
    if (channels.length > 0) this.request('SUBSCRIPTION', channels);
  }

  unsubscribe(channels: readonly string[]): void {
    if (channels.length > 0) this.request('UNSUBSCRIPTION', channels);
  }

  private request(method: Pending['method'], channels: readonly string[], done?: Pending['done']): void {
    if (!this.isOpen()) return;
    const id = this.nextId++;
    this.pending.set(id, { id, method, channels, done });
    this.send(JSON.stringify({ method, params: channels, id }));
  }

  private isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends now if the last second leaves room, else queues behind what already waits. */
  private send(text: string): void {
    if (this.queue.length > 0 || !this.room()) {
      this.queue.push(text);
      this.armFlush();
      return;
    }
    this.write(text);
  }

  private room(): boolean {
    const now = this.options.clock.now();
    while (this.sentAt.length > 0 && now - this.sentAt[0]! >= 1000) this.sentAt.shift();
    return this.sentAt.length < this.maxSends;
  }

  private write(text: string): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    this.sentAt.push(this.options.clock.now());
    socket.send(text);
  }

  private armFlush(): void {
    if (this.flushTimer !== undefined) return;
    const oldest = this.sentAt[0] ?? this.options.clock.now();
    const delay = Math.max(1, oldest + 1000 - this.options.clock.now());
    this.flushTimer = this.options.clock.setTimeout(() => {
      this.flushTimer = undefined;
      while (this.queue.length > 0 && this.room()) this.write(this.queue.shift()!);
      if (this.queue.length > 0) this.armFlush();
    }, delay);
  }

  private open(): void {
    this.clearTimers();
    this.setState(this.everUp ? 'reconnecting' : 'connecting');
    const seq = ++this.attemptSeq;
    Promise.resolve()
      .then(() => this.options.url())
      .then(
        (url) => {
          if (this.wanted && seq === this.attemptSeq && this.socket === null) this.dial(url);
        },
        (err: unknown) => {
          if (this.wanted && seq === this.attemptSeq)
            this.failAttempt(`no address to connect to: ${message(err)}`);
        },
      );
  }

  private dial(url: string): void {
    const socket = new WebSocket(url, { maxPayload: this.maxFrameBytes });
    this.socket = socket;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      this.connects++;
      this.armPing();
      this.subscribeAll(socket);
    });
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (this.socket === socket) this.onMessage(data, isBinary);
    });
    socket.on('error', (err: Error) => {
      if (this.socket !== socket) return;
      if (err.message.includes('Max payload size exceeded'))
        this.options.onProblem?.(`${this.options.name}: a frame over ${this.maxFrameBytes} bytes`);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      this.dropPending();
      this.queue.length = 0;
      // The query is left out of the reason: it holds the listenKey.
      if (this.state !== 'connected')
        this.failAttempt(`the connection to ${url.split('?')[0] ?? ''} closed before it was subscribed`);
      else this.retry();
    });
  }

  /** The open step: every channel in one request, and `connected` only once the venue answered. */
  private subscribeAll(socket: WebSocket): void {
    const channels = [...this.options.channels()];
    const up = (): void => {
      if (this.socket !== socket) return;
      this.options.clock.clearTimer(this.ackTimer);
      this.ackTimer = undefined;
      this.attempt = 0;
      this.everUp = true;
      this.setState('connected');
      this.firstOpen?.resolve();
      this.firstOpen = null;
    };
    if (channels.length === 0) {
      up();
      return;
    }
    this.ackTimer = this.options.clock.setTimeout(() => {
      if (this.socket !== socket) return;
      this.options.onProblem?.(
        `${this.options.name}: no answer to SUBSCRIPTION within ${this.ackTimeoutMs} ms`,
      );
      socket.terminate();
    }, this.ackTimeoutMs);
    // A refusal still brings the link up: the other channels may be fine, and the refusal is reported.
    this.request('SUBSCRIPTION', channels, up);
  }

  /** An attempt that never got subscribed: the first one fails `connect`, later ones retry. */
  private failAttempt(reason: string): void {
    if (this.firstOpen && !this.everUp) {
      this.firstOpen.reject(new Error(`${this.options.name}: ${reason}`));
      this.firstOpen = null;
      this.wanted = false;
      this.setState('disconnected');
      return;
    }
    this.options.onProblem?.(`${this.options.name}: ${reason}`);
    this.retry();
  }

  private retry(): void {
    if (!this.wanted) {
      this.setState('disconnected');
      return;
    }
    this.setState(this.everUp ? 'reconnecting' : 'connecting');
    this.options.clock.clearTimer(this.retryTimer);
    this.retryTimer = this.options.clock.setTimeout(() => this.open(), this.nextDelay());
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    this.armDeadline(false);
    if (isBinary) {
      // A plain Uint8Array view, not the Buffer: protobufjs's Buffer reader clips a string that runs
      // past the end of the frame instead of failing, so a truncated frame would decode.
      const bytes = bytesOf(data);
      this.options.onPush(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return;
    }
    const text = textOf(data);
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (isRecord(answer) && typeof answer.msg === 'string') {
      this.onAnswer(answer, answer.msg, text);
      return;
    }
    if (text.includes(REFUSED)) {
      this.onRefusal(undefined, text);
      return;
    }
    if (this.options.onText) this.options.onText(text);
    else this.options.onProblem?.(`${this.options.name}: an unexpected text frame: ${clip(text)}`);
  }

  private onAnswer(answer: ControlAnswer, msg: string, text: string): void {
    if (msg === 'PONG') return;
    const id = typeof answer.id === 'number' ? answer.id : undefined;
    if (msg.includes(REFUSED)) {
      this.onRefusal(id, msg);
      return;
    }
    const request = this.match(id, msg);
    if (!request && answer.code === 0 && msg.split(',').every((c) => this.live.has(c.trim()))) return;
    if (!request) {
      if (this.options.onText) this.options.onText(text);
      else this.options.onProblem?.(`${this.options.name}: an unexpected answer: ${clip(text)}`);
      return;
    }
    this.pending.delete(request.id);
    if (answer.code !== 0) {
      if (request.method === 'SUBSCRIPTION') this.options.onRefused?.(request.channels, msg);
      else this.options.onProblem?.(`${this.options.name}: UNSUBSCRIPTION refused: ${msg}`);
      request.done?.(true);
      return;
    }
    if (request.method === 'SUBSCRIPTION') this.confirmed(request.channels);
    else for (const c of request.channels) this.live.delete(c);
    request.done?.(false);
  }

  /**
   * The request an answer belongs to: by its echoed id, else (a venue that answers id 0 to
   * everything) the oldest request whose channels the answer's comma-joined `msg` names.
   */
  private match(id: number | undefined, msg: string): Pending | undefined {
    if (id !== undefined) {
      const byId = this.pending.get(id);
      if (byId) return byId;
    }
    const named = new Set(msg.split(',').map((s) => s.trim()));
    for (const p of this.pending.values()) if (p.channels.every((c) => named.has(c))) return p;
    return undefined;
  }

  /** `Not Subscribed successfully! [a,b].  Reason： Blocked!`: the bracket names the channels. */
  private onRefusal(id: number | undefined, msg: string): void {
    const open = msg.indexOf('[');
    const close = msg.lastIndexOf(']');
    const named =
      open >= 0 && close > open
        ? msg
            .slice(open + 1, close)
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : [];
    let request = id !== undefined ? this.pending.get(id) : undefined;
    if (!request && named.length > 0)
      for (const p of this.pending.values()) if (named.some((c) => p.channels.includes(c))) request = p;
    const refused = named.length > 0 ? named : (request?.channels ?? []);
    this.options.onRefused?.(refused, msg);
    if (!request) return;
    // A request naming several channels may be refused for some of them only; those left are taken.
    this.pending.delete(request.id);
    const taken = request.channels.filter((c) => !refused.includes(c));
    if (taken.length > 0 && named.length > 0) this.confirmed(taken);
    request.done?.(true);
  }

  private confirmed(channels: readonly string[]): void {
    for (const c of channels) this.live.add(c);
    this.options.onSubscribed?.(channels);
  }

  /** A connection's requests and confirmations end with it. */
  private dropPending(): void {
    this.pending.clear();
    this.live.clear();
  }

  private armPing(): void {
    this.options.clock.clearTimer(this.pingTimer);
    this.pingTimer = this.options.clock.setInterval(() => {
      if (!this.isOpen()) return;
      this.send(JSON.stringify({ method: 'PING' }));
      this.armDeadline(true);
    }, this.pingIntervalMs);
  }

  /** After a ping, a deadline (a later ping keeps the first one's); any frame clears it. */
  private armDeadline(afterPing: boolean): void {
    if (afterPing && this.deadTimer !== undefined) return;
    this.options.clock.clearTimer(this.deadTimer);
    this.deadTimer = undefined;
    if (!afterPing) return;
    this.deadTimer = this.options.clock.setTimeout(() => {
      this.deadTimer = undefined;
      this.options.onProblem?.(`${this.options.name}: no answer within ${this.pongTimeoutMs} ms of a PING`);
      this.socket?.terminate();
    }, this.pongTimeoutMs);
  }

  private nextDelay(): number {
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 250, maxMs: 30_000 };
    const cap = Math.min(maxMs, baseMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    // Jitter: many links dropped at once (one per 15 symbols) do not come back in step.
    return Math.round(cap * (0.5 + 0.5 * (this.options.random ?? Math.random)()));
  }

  private clearTimers(): void {
    const clock = this.options.clock;
    clock.clearTimer(this.pingTimer);
    clock.clearTimer(this.deadTimer);
    clock.clearTimer(this.retryTimer);
    clock.clearTimer(this.ackTimer);
    clock.clearTimer(this.flushTimer);
    this.pingTimer = this.deadTimer = this.retryTimer = this.ackTimer = this.flushTimer = undefined;
  }

  private setState(next: ConnectionState): void {
    if (this.state === next) return;
    this.state = next;
    this.options.onState?.(next);
  }
}

function bytesOf(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

function textOf(data: WebSocket.RawData): string {
  return Buffer.from(bytesOf(data)).toString('utf8');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
