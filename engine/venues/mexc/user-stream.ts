import type { Clock, TimerHandle } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { Instrument } from '../../core/instrument.ts';
import type { Balance, ConnectionState, ExecutionEvent, Unsubscribe, VenueNotice } from '../venue.ts';
import { balanceFromPush, fillFromPush, orderUpdateFromPush } from './messages.ts';
import { decodePush, type PushWrapper } from './proto/codec.ts';
import { MexcSocket, type MexcSocketOptions } from './socket.ts';

/** The listenKey lifecycle of `/api/v3/userDataStream` (B7); each call rejects with an Error on failure. */
export interface ListenKeyApi {
  create(): Promise<string>;
  keepAlive(key: string): Promise<void>;
  close(key: string): Promise<void>;
}

export interface MexcUserStreamOptions {
  clock: Clock;
  /** The same address as the public stream; the user stream connects to `${url}?listenKey=KEY`. */
  url: string;
  listenKeys: ListenKeyApi;
  instrument: (symbol: string) => Instrument | undefined;
  onExecution: (e: ExecutionEvent) => void;
  onBalance?: (b: Balance) => void;
  onNotice: (notice: VenueNotice) => void;
  /** A key lives 60 minutes unless extended; the docs advise every 30. Default 30 min. */
  keepAliveMs?: number;
  /** Heartbeat, backoff and jitter of the socket (tests pin them). */
  socket?: Pick<
    MexcSocketOptions,
    'pingIntervalMs' | 'pongTimeoutMs' | 'ackTimeoutMs' | 'backoff' | 'random'
  >;
}

export const PRIVATE_ORDERS = 'spot@private.orders.v3.api.pb';
export const PRIVATE_DEALS = 'spot@private.deals.v3.api.pb';
export const PRIVATE_ACCOUNT = 'spot@private.account.v3.api.pb';
const CHANNELS = [PRIVATE_ORDERS, PRIVATE_DEALS, PRIVATE_ACCOUNT] as const;

/** The server's text when a key is unknown or expired (B7). */
const INVALID_KEY = 'Invalid listen key';

/**
 * Our orders, fills and balances at MEXC spot: one connection on a listenKey (a key allows five; we
 * use one), subscribed to the three private channels. The key is kept alive on a schedule; when the
 * venue refuses it (the `Invalid listen key` text, or a keep-alive that fails) a new key is taken
 * and the stream reconnects with it, with a notice asking to reconcile, since pushes may have been
 * lost in between. A push that cannot be used (undecodable, an unknown symbol, a malformed field) is
 * a notice asking to reconcile, never a throw.
 */
export class MexcUserStream {
  private readonly options: MexcUserStreamOptions;
  private readonly socket: MexcSocket;
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private state: ConnectionState = 'disconnected';
  private key: string | null = null;
  private wanted = false;
  /** A renewal is under way: further refusals of the old key are the same event. */
  private renewing = false;
  private keepAliveTimer: TimerHandle | undefined;

  constructor(options: MexcUserStreamOptions) {
    this.options = options;
    this.socket = new MexcSocket({
      ...options.socket,
      name: 'MEXC user stream',
      clock: options.clock,
      url: () => this.address(),
      channels: () => CHANNELS,
      onPush: (bytes) => this.onPush(bytes),
      onRefused: (channels, msg) =>
        this.notice('critical', 'subscribe_refused', `MEXC refused ${channels.join(', ')}: ${msg}`, true),
      onText: (text) => this.onText(text),
      onState: (s) => this.onSocketState(s),
      onProblem: (reason) => this.notice('warning', 'link_problem', reason, false),
    });
  }

  async connect(): Promise<void> {
    if (this.wanted && this.state === 'connected') return;
    this.wanted = true;
    try {
      await this.socket.connect();
    } catch (err) {
      await this.disconnect();
      throw new EngineError(
        'unavailable',
        `MEXC user stream: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    this.armKeepAlive();
  }

  /** Closes the connection and the key. */
  async disconnect(): Promise<void> {
    this.wanted = false;
    this.renewing = false;
    this.options.clock.clearTimer(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
    await this.socket.disconnect();
    const key = this.key;
    this.key = null;
    if (key === null) return;
    try {
      await this.options.listenKeys.close(key);
    } catch (err) {
      // It expires by itself within the hour.
      this.notice(
        'info',
        'listen_key_close_failed',
        `MEXC listenKey not closed: ${(err as Error).message}`,
        false,
      );
    }
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (s: ConnectionState) => void): Unsubscribe {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  // ---- the key --------------------------------------------------------------------------------

  /** The next connection's address, with a key taken first when there is none. */
  private async address(): Promise<string> {
    if (this.key === null) {
      const key = await this.options.listenKeys.create();
      if (typeof key !== 'string' || key === '') throw new Error('MEXC answered no listenKey');
      if (!this.wanted) throw new Error('closed while the listenKey was being taken');
      this.key = key;
    }
    return `${this.options.url}?listenKey=${encodeURIComponent(this.key)}`;
  }

  private armKeepAlive(): void {
    this.options.clock.clearTimer(this.keepAliveTimer);
    this.keepAliveTimer = this.options.clock.setInterval(
      () => this.keepAlive(),
      this.options.keepAliveMs ?? 30 * 60_000,
    );
  }

  private keepAlive(): void {
    const key = this.key;
    if (key === null || this.renewing) return;
    this.options.listenKeys.keepAlive(key).then(
      () => undefined,
      (err: unknown) => {
        // Only the key still in use matters: a failure for one already replaced says nothing.
        if (this.key === key)
          this.renew(
            `the listenKey could not be kept alive (${err instanceof Error ? err.message : String(err)})`,
          );
      },
    );
  }

  /** A new key and a new connection; the old key is closed on a best-effort basis. */
  private renew(reason: string): void {
    if (!this.wanted || this.renewing) return;
    this.renewing = true;
    const old = this.key;
    this.key = null;
    this.notice(
      'warning',
      'listen_key_renewed',
      `MEXC user stream: ${reason}; reconnecting with a new listenKey (updates may have been missed)`,
      true,
    );
    if (old !== null) this.options.listenKeys.close(old).catch(() => undefined);
    this.socket.restart();
  }

  // ---- frames ---------------------------------------------------------------------------------

  private onText(text: string): void {
    if (text.includes(INVALID_KEY)) {
      this.renew(`MEXC refused the listenKey ("${INVALID_KEY}")`);
      return;
    }
    this.notice('warning', 'bad_venue_frame', `MEXC user stream sent unexpected text: ${clip(text)}`, false);
  }

  private onPush(bytes: Uint8Array): void {
    let push: PushWrapper;
    try {
      push = decodePush(bytes);
    } catch (err) {
      this.notice(
        'warning',
        'bad_venue_frame',
        `MEXC user stream: ${(err as Error).message}; reconciling`,
        true,
      );
      return;
    }
    const expected =
      push.body === 'privateOrders'
        ? PRIVATE_ORDERS
        : push.body === 'privateDeals'
          ? PRIVATE_DEALS
          : push.body === 'privateAccount'
            ? PRIVATE_ACCOUNT
            : undefined;
    if (expected === undefined || push.channel !== expected) {
      this.notice(
        'warning',
        'unknown_channel',
        `MEXC user stream: a ${push.body ?? 'bodiless'} push on ${push.channel}, which we did not subscribe; ignored`,
        expected !== undefined,
      );
      return;
    }
    if (push.body === 'privateAccount') {
      this.onAccount(push);
      return;
    }
    // An absent optional decodes as null.
    const symbol = typeof push.symbol === 'string' ? push.symbol : '';
    const inst = this.options.instrument(symbol);
    if (!inst) {
      this.notice(
        'warning',
        'unknown_symbol',
        `MEXC user stream: a ${push.channel} push for ${symbol || 'no symbol'}, which we do not know; reconciling`,
        true,
        symbol || undefined,
      );
      return;
    }
    let event: ExecutionEvent;
    try {
      event = push.body === 'privateOrders' ? orderUpdateFromPush(inst, push) : fillFromPush(inst, push);
    } catch (err) {
      this.notice('warning', 'bad_venue_frame', `${(err as Error).message}; reconciling`, true, symbol);
      return;
    }
    this.options.onExecution(event);
  }

  private onAccount(push: PushWrapper): void {
    let balance: Balance;
    try {
      balance = balanceFromPush(push);
    } catch (err) {
      this.notice('warning', 'bad_venue_frame', `${(err as Error).message}; reconciling`, true);
      return;
    }
    this.options.onBalance?.(balance);
  }

  // ---- state ----------------------------------------------------------------------------------

  private onSocketState(s: ConnectionState): void {
    if (s === 'connected') this.renewing = false;
    if (s === this.state) return;
    this.state = s;
    for (const l of [...this.stateListeners]) l(s);
  }

  private notice(
    severity: VenueNotice['severity'],
    code: string,
    message: string,
    reconcile: boolean,
    symbol?: string,
  ): void {
    const n: VenueNotice =
      symbol === undefined
        ? { severity, code, message, reconcile }
        : { severity, code, message, symbol, reconcile };
    this.options.onNotice(n);
  }
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
