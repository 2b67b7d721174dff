import type { Clock } from '../../core/clock.ts';
import type { Rng } from '../../core/random.ts';
import type { ConnectionState, Unsubscribe } from '../venue.ts';
import type { LatencySpec } from './delay-line.ts';
import { DelayLine, sampleLatency } from './delay-line.ts';

/** One-way delays: engine -> venue (request), venue -> engine (responses and executions), market data. */
export interface SimLatencyConfig {
  request: LatencySpec;
  response: LatencySpec;
  feed: LatencySpec;
}

export const DEFAULT_SIM_LATENCY: SimLatencyConfig = {
  request: { baseMs: 8, jitterMs: 4 },
  response: { baseMs: 8, jitterMs: 4 },
  feed: { baseMs: 5, jitterMs: 3 },
};

/**
 * The simulated network between us and the venue: the connection state with its listeners, the three
 * one-way links (requests; answers and executions; market data), each FIFO, with their delays drawn
 * from one seeded generator, and what tells a message in flight whether it still arrives (the
 * epochs and the window in which answers are lost).
 */
export class SimLink {
  readonly venueId: string;
  private readonly clock: Clock;
  state: ConnectionState = 'disconnected';
  /** Bumped on every disconnect so messages of an old connection are never delivered on a new one. */
  epoch = 0;
  /** Bumped by a dropped link only: answers in flight then are lost (an orderly disconnect delivers them). */
  linkEpoch = 0;
  /** Answers and executions due before this time are lost (see loseResponses). */
  losingUntil = -Infinity;
  readonly requestLine: DelayLine;
  /** Answers and executions share this link, so an answer is never overtaken by what it caused. */
  readonly responseLine: DelayLine;
  readonly feedLine: DelayLine;
  private readonly latency: SimLatencyConfig;
  /** One generator for every delay: the order of the draws is part of a seed's determinism. */
  private readonly latencyRng: Rng;
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();

  constructor(clock: Clock, venueId: string, latency: SimLatencyConfig, latencyRng: Rng) {
    this.clock = clock;
    this.venueId = venueId;
    this.latency = latency;
    this.latencyRng = latencyRng;
    this.requestLine = new DelayLine(clock);
    this.responseLine = new DelayLine(clock);
    this.feedLine = new DelayLine(clock);
  }

  requestDelay(): number {
    return sampleLatency(this.latency.request, this.latencyRng);
  }

  responseDelay(): number {
    return sampleLatency(this.latency.response, this.latencyRng);
  }

  feedDelay(): number {
    return sampleLatency(this.latency.feed, this.latencyRng);
  }

  /** Answers and executions arriving now are lost (see SimVenue.loseResponses). */
  losing(): boolean {
    return this.clock.now() < this.losingUntil;
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    this.connectionListeners.add(listener);
    return () => {
      this.connectionListeners.delete(listener);
    };
  }

  setState(next: ConnectionState): void {
    this.state = next;
    for (const l of [...this.connectionListeners]) {
      try {
        l(next);
      } catch (err) {
        reportListenerError(err);
      }
    }
  }
}

/** A listener that throws must not stop delivery to the others; its error surfaces asynchronously. */
export function reportListenerError(err: unknown): void {
  queueMicrotask(() => {
    throw new Error('sim venue listener threw', { cause: err });
  });
}
