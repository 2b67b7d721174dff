import { afterEach, describe, expect, it } from 'vitest';
import { SimClock, WallClock } from '../../../../engine/core/clock.ts';
import { MexcSocket, type MexcSocketOptions } from '../../../../engine/venues/mexc/socket.ts';
import { FakeMexc, until, type FakeOptions } from './ws-helpers.ts';

const fakes: FakeMexc[] = [];
const sockets: MexcSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) await s.disconnect();
  for (const f of fakes.splice(0)) await f.close();
});

async function fake(options: FakeOptions = {}): Promise<FakeMexc> {
  const f = await FakeMexc.start(options);
  fakes.push(f);
  return f;
}

interface Seen {
  pushes: Uint8Array[];
  subscribed: string[][];
  refused: { channels: readonly string[]; msg: string }[];
  texts: string[];
  states: string[];
  problems: string[];
}

function socket(url: string, over: Partial<MexcSocketOptions> = {}): { s: MexcSocket; seen: Seen } {
  const seen: Seen = { pushes: [], subscribed: [], refused: [], texts: [], states: [], problems: [] };
  const s = new MexcSocket({
    name: 'test',
    clock: new WallClock(),
    url: () => url,
    channels: () => ['a@1', 'b@1'],
    onPush: (b) => seen.pushes.push(b),
    onSubscribed: (c) => seen.subscribed.push([...c]),
    onRefused: (channels, msg) => seen.refused.push({ channels, msg }),
    onText: (t) => seen.texts.push(t),
    onState: (st) => seen.states.push(st),
    onProblem: (r) => seen.problems.push(r),
    backoff: { baseMs: 10, maxMs: 20 },
    random: () => 0,
    ...over,
  });
  sockets.push(s);
  return { s, seen };
}

describe('MexcSocket', () => {
  it('subscribes every channel in one SUBSCRIPTION and is connected only once it is answered', async () => {
    const f = await fake({ ackDelayMs: 80 });
    const { s, seen } = socket(f.url);
    const connected = s.connect();
    await until(() => f.conns.length === 1 && f.last().received.length === 1, 'subscription sent');
    expect(s.connectionState()).toBe('connecting');
    const frame = f.last().received[0]!;
    expect(frame.method).toBe('SUBSCRIPTION');
    expect(frame.params).toEqual(['a@1', 'b@1']);
    expect(typeof frame.id).toBe('number');
    await connected;
    expect(s.connectionState()).toBe('connected');
    expect(seen.subscribed).toEqual([['a@1', 'b@1']]);
    expect(seen.states).toEqual(['connecting', 'connected']);
  });

  it('reports a refusal with the channels it names, takes the rest and stays up', async () => {
    const f = await fake({ refuse: (c) => c === 'b@1' });
    const { s, seen } = socket(f.url);
    await s.connect();
    expect(seen.refused).toEqual([
      { channels: ['b@1'], msg: 'Not Subscribed successfully! [b@1].  Reason： Blocked!' },
    ]);
    // The separate ack of the channel taken is not a surprise.
    await until(() => seen.subscribed.length === 1, 'taken channel');
    expect(seen.subscribed).toEqual([['a@1']]);
    expect(seen.problems).toEqual([]);
    expect(seen.texts).toEqual([]);
    expect(s.connectionState()).toBe('connected');
  });

  it('reads a refusal sent as plain text, and hands other text on', async () => {
    const f = await fake();
    const { s, seen } = socket(f.url, { channels: () => [] });
    await s.connect();
    f.last().ws.send('Not Subscribed successfully! [spot@x@BTCUSDT].  Reason： Blocked!');
    f.last().ws.send('Invalid listen key');
    await until(() => seen.texts.length === 1, 'text');
    expect(seen.refused.map((r) => r.channels)).toEqual([['spot@x@BTCUSDT']]);
    expect(seen.texts).toEqual(['Invalid listen key']);
  });

  it('subscribes and unsubscribes on the open link', async () => {
    const f = await fake();
    const { s, seen } = socket(f.url, { channels: () => [] });
    await s.connect();
    s.subscribe(['c@1', 'd@1']);
    await until(() => seen.subscribed.length === 1, 'ack');
    expect(seen.subscribed).toEqual([['c@1', 'd@1']]);
    expect([...f.last().channels]).toEqual(['c@1', 'd@1']);
    s.unsubscribe(['c@1']);
    await until(() => f.last().channels.size === 1, 'unsubscribed');
    expect(f.last().received.map((r) => r.method)).toEqual(['SUBSCRIPTION', 'UNSUBSCRIPTION']);
    expect(seen.problems).toEqual([]);
  });

  it('hands binary frames on as bytes', async () => {
    const f = await fake();
    const { s, seen } = socket(f.url);
    await s.connect();
    f.sendBinary(Uint8Array.from([1, 2, 3]));
    await until(() => seen.pushes.length === 1, 'push');
    expect([...seen.pushes[0]!]).toEqual([1, 2, 3]);
  });

  it('pings with {"method":"PING"} and stays up while PONG comes back', async () => {
    const f = await fake();
    const { s, seen } = socket(f.url, { pingIntervalMs: 30, pongTimeoutMs: 25 });
    await s.connect();
    await until(() => f.last().received.filter((r) => r.method === 'PING').length >= 4, 'pings');
    expect(f.last().received.find((r) => r.method === 'PING')).toEqual({ method: 'PING' });
    expect(f.conns).toHaveLength(1);
    expect(seen.problems).toEqual([]);
  });

  it('takes a link whose PING goes unanswered as dead and reconnects, resubscribing', async () => {
    const f = await fake({ answerPing: false });
    const { s, seen } = socket(f.url, { pingIntervalMs: 30, pongTimeoutMs: 30 });
    await s.connect();
    await until(() => f.conns.length >= 2 && s.connectionState() === 'connected', 'reconnected');
    expect(seen.problems.some((p) => /no answer within 30 ms of a PING/.test(p))).toBe(true);
    expect(f.conns[1]!.received[0]).toMatchObject({ method: 'SUBSCRIPTION', params: ['a@1', 'b@1'] });
    expect(seen.states.slice(0, 4)).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('reconnects after a drop with backoff, and asks for the address again each time', async () => {
    const f = await fake();
    let asked = 0;
    const { s, seen } = socket(f.url, {
      url: () => {
        asked++;
        return `${f.url}?n=${asked}`;
      },
    });
    await s.connect();
    f.last().ws.terminate();
    await until(() => f.conns.length === 2 && s.connectionState() === 'connected', 'reconnected');
    expect(f.conns.map((c) => c.query.get('n'))).toEqual(['1', '2']);
    expect(seen.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('restart drops the link and connects again at once with a fresh address', async () => {
    const f = await fake();
    let n = 0;
    const { s, seen } = socket(f.url, { url: () => Promise.resolve(`${f.url}?n=${++n}`) });
    await s.connect();
    s.restart();
    expect(s.connectionState()).toBe('reconnecting');
    await until(() => s.connectionState() === 'connected', 'back');
    expect(f.conns.map((c) => c.query.get('n'))).toEqual(['1', '2']);
    expect(seen.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('does not dial an address that arrives after a restart', async () => {
    const f = await fake();
    let n = 0;
    const { s } = socket(f.url, {
      url: () => {
        const k = ++n;
        return new Promise((r) => setTimeout(() => r(`${f.url}?n=${k}`), k === 1 ? 0 : 40));
      },
    });
    s.start();
    s.restart();
    await until(() => s.connectionState() === 'connected', 'up');
    await new Promise((r) => setTimeout(r, 80));
    expect(f.conns.map((c) => c.query.get('n'))).toEqual(['2']);
  });

  it('fails the first connect when there is no address or no server, instead of retrying forever', async () => {
    const { s } = socket('ws://127.0.0.1:1/ws', { url: () => Promise.reject(new Error('no key today')) });
    await expect(s.connect()).rejects.toThrow(/test: no address to connect to: no key today/);
    expect(s.connectionState()).toBe('disconnected');
    const { s: s2 } = socket('ws://127.0.0.1:1/ws');
    await expect(s2.connect()).rejects.toThrow(/test: the connection to ws:\/\/127\.0\.0\.1:1\/ws closed/);
  });

  it('fails the first connect when the SUBSCRIPTION is never answered', async () => {
    const f = await fake({ ackDelayMs: 10_000 });
    const { s } = socket(f.url, { ackTimeoutMs: 50 });
    await expect(s.connect()).rejects.toThrow(/closed before it was subscribed/);
  });

  it('keeps a link opened with start() trying until the server is there', async () => {
    const { s, seen } = socket('ws://127.0.0.1:1/ws');
    s.start();
    await until(() => seen.problems.length >= 2, 'retries');
    expect(s.connectionState()).toBe('connecting');
    // The reason names the address (its query, which may hold a listenKey, is left out).
    expect(seen.problems[0]).toMatch(/ws:\/\/127\.0\.0\.1:1\/ws closed before it was subscribed/);
  });

  it('never sends more frames in a second than allowed; the rest wait their turn', async () => {
    const f = await fake();
    const clock = new SimClock(1_000_000);
    const { s } = socket(f.url, { clock, channels: () => [], maxSendsPerSecond: 3 });
    await s.connect();
    for (let i = 0; i < 7; i++) s.subscribe([`c@${i}`]);
    await until(() => f.last().received.length === 3, 'first three');
    await new Promise((r) => setTimeout(r, 50));
    expect(f.last().received).toHaveLength(3);
    clock.advance(999);
    await new Promise((r) => setTimeout(r, 30));
    expect(f.last().received).toHaveLength(3);
    clock.advance(1);
    await until(() => f.last().received.length === 6, 'next three');
    clock.advance(1000);
    await until(() => f.last().received.length === 7, 'last one');
    expect(f.last().received.map((r) => (r.params as string[])[0])).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) => `c@${i}`),
    );
  });
});
