/**
 * An account's push sink that holds pushes to the end of the turn. A venue's answer to a request and
 * its private pushes travel separate paths with no order promised between them; the simulators answer
 * first. Guarantees: every push made during one turn is delivered in a single microtask after that
 * turn (so after the REST or trade-socket answer it ran is written), in the order the pushes were
 * made; a push's content is whatever it was when made; nothing is dropped or merged.
 */
export function endOfTurnSink<P>(deliver: (push: P) => void): (push: P) => void {
  let queued: P[] = [];
  return (push) => {
    queued.push(push);
    if (queued.length > 1) return;
    queueMicrotask(() => {
      const pushes = queued;
      queued = [];
      for (const p of pushes) deliver(p);
    });
  };
}

/**
 * Finds an account by API key, the first account when none is given; throws (no key in the message)
 * when no account has the key.
 */
export function accountFinder<A>(first: A, get: (apiKey: string) => A | undefined): (apiKey?: string) => A {
  return (apiKey) => {
    const account = apiKey === undefined ? first : get(apiKey);
    if (account === undefined) throw new Error('no account has this API key');
    return account;
  };
}
