import type { Clock } from '../../core/clock.ts';
import type { Instrument } from '../../core/instrument.ts';
import type { ConnectionState } from '../venue.ts';
import { publicDialect } from './dialects.ts';
import { BybitFeed } from './feed.ts';
import type { BybitCategory } from './instruments.ts';
import { BybitSocket } from './socket.ts';

export interface PublicStreamOptions {
  /** Base of the streams (`wss://stream.bybit.com`, or a simulator's `ws://127.0.0.1:PORT`). */
  wsBase: string;
  category: BybitCategory;
  depth: 1 | 50 | 200;
  clock: Clock;
  pingIntervalMs?: number;
  random?: () => number;
  /** The instrument of a symbol being subscribed; throws for a symbol the venue does not list. */
  instrument: (symbol: string) => Instrument;
  onState: (state: ConnectionState) => void;
  notice: (code: string, message: string, symbol?: string) => void;
}

/** The public stream of one category: its subscriptions and frame routing, over one socket. */
export interface PublicStream {
  readonly feed: BybitFeed;
  readonly socket: BybitSocket;
}

/**
 * Books and trades need no key: the trading adapter and paper trading's market data both take them
 * from this pair. A frame the socket cannot read at all goes to the feed, which resubscribes every
 * book (it may have been any book's delta), and the feed resubscribes on every reconnect through the
 * public dialect's open step.
 */
export function createPublicStream(options: PublicStreamOptions): PublicStream {
  const send = (frames: string[]): void => {
    for (const f of frames) socket.send(f);
  };
  const feed = new BybitFeed({
    depth: options.depth,
    instrument: options.instrument,
    send,
    notice: options.notice,
  });
  const socket = new BybitSocket({
    url: `${options.wsBase}/v5/public/${options.category}`,
    name: `public-${options.category}`,
    clock: options.clock,
    pingIntervalMs: options.pingIntervalMs,
    random: options.random,
    dialect: publicDialect(() => feed.topics()),
    onState: options.onState,
    onFrame: (f) => feed.onFrame(f),
    onText: (text) => feed.onText(text),
    onBadFrame: (reason) => feed.onUnreadable(reason),
  });
  return { feed, socket };
}
