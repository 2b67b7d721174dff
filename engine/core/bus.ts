/**
 * A typed, synchronous event bus: publish calls every subscriber before it returns, in subscription
 * order, so the engine's event loop stays single-threaded and deterministic. A subscriber that throws
 * does not stop the others; the error goes to the bus's error handler, which every owner must supply
 * (an alert and a log line in the engine), so nothing thrown by a subscriber escapes the engine.
 */
export type Listener<T> = (payload: T) => void;

export class EventBus<M extends object> {
  private readonly listeners = new Map<keyof M, Listener<never>[]>();

  private readonly onError: (topic: string, err: unknown) => void;

  constructor(onError: (topic: string, err: unknown) => void) {
    this.onError = onError;
  }

  subscribe<K extends keyof M>(topic: K, fn: Listener<M[K]>): () => void {
    const list = (this.listeners.get(topic) ?? []) as Listener<M[K]>[];
    // Copy on write so a subscriber may unsubscribe (or subscribe) while a publish is running.
    this.listeners.set(topic, [...list, fn] as Listener<never>[]);
    return () => {
      const cur = (this.listeners.get(topic) ?? []) as Listener<M[K]>[];
      this.listeners.set(
        topic,
        cur.filter((l) => l !== fn),
      );
    };
  }

  publish<K extends keyof M>(topic: K, payload: M[K]): void {
    const list = this.listeners.get(topic) as Listener<M[K]>[] | undefined;
    if (!list) return;
    for (const fn of list) {
      try {
        fn(payload);
      } catch (err) {
        this.onError(String(topic), err);
      }
    }
  }

  listenerCount(topic: keyof M): number {
    return this.listeners.get(topic)?.length ?? 0;
  }
}
