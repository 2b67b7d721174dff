import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { WallClock } from '../../../../engine/core/clock.ts';
import { BybitSocket, type SocketDialect } from '../../../../engine/venues/bybit/socket.ts';

const servers: WebSocketServer[] = [];
const sockets: BybitSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) await s.disconnect();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function server(onConnection: (ws: ServerSocket) => void): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(wss);
  wss.on('connection', onConnection);
  await new Promise((r) => wss.once('listening', r));
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected address');
  return `ws://127.0.0.1:${address.port}`;
}

const dialect = (onOpen: SocketDialect['onOpen'] = () => Promise.resolve()): SocketDialect => ({
  ping: () => JSON.stringify({ op: 'ping' }),
  isPong: (f) => f.op === 'pong',
  onOpen,
});

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('BybitSocket', () => {
  it('delivers JSON object frames and reports malformed ones without passing them on', async () => {
    const url = await server((ws) => {
      ws.send('{"topic":"a","n":1}');
      ws.send('not json');
      ws.send('[1,2]');
      ws.send('{"op":"pong"}');
      ws.send('{"topic":"b","n":2}');
    });
    const frames: Record<string, unknown>[] = [];
    const bad: string[] = [];
    const s = new BybitSocket({
      url,
      name: 'test',
      clock: new WallClock(),
      dialect: dialect(),
      onFrame: (f) => frames.push(f),
      onBadFrame: (r) => bad.push(r),
    });
    sockets.push(s);
    await s.connect();
    await until(() => frames.length === 2);
    expect(frames.map((f) => f.topic)).toEqual(['a', 'b']);
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatch(/not JSON/);
  });

  it('reconnects after a drop and runs the open step again before it reports connected', async () => {
    let connections = 0;
    const url = await server((ws) => {
      connections++;
      if (connections === 1) setTimeout(() => ws.terminate(), 20);
    });
    let opens = 0;
    const states: string[] = [];
    const s = new BybitSocket({
      url,
      name: 'test',
      clock: new WallClock(),
      dialect: dialect(() => {
        opens++;
        return Promise.resolve();
      }),
      onFrame: () => undefined,
      onState: (st) => states.push(st),
      backoff: { baseMs: 10, maxMs: 20 },
      random: () => 0,
    });
    sockets.push(s);
    await s.connect();
    await until(() => opens === 2 && s.connectionState() === 'connected');
    expect(connections).toBe(2);
    expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('treats a missing pong as a dead link and reconnects', async () => {
    let connections = 0;
    // The server never answers pings.
    const url = await server(() => {
      connections++;
    });
    const bad: string[] = [];
    const s = new BybitSocket({
      url,
      name: 'test',
      clock: new WallClock(),
      dialect: dialect(),
      onFrame: () => undefined,
      onBadFrame: (r) => bad.push(r),
      pingIntervalMs: 20,
      pongTimeoutMs: 30,
      backoff: { baseMs: 10, maxMs: 10 },
      random: () => 0,
    });
    sockets.push(s);
    await s.connect();
    await until(() => connections >= 2);
    expect(bad.some((r) => /no pong/.test(r))).toBe(true);
  });

  it('closes on a frame over the size limit and resubscribes on the new connection', async () => {
    let connections = 0;
    const url = await server((ws) => {
      connections++;
      if (connections === 1) ws.send(JSON.stringify({ topic: 'big', pad: 'x'.repeat(5000) }));
      else ws.send('{"topic":"small"}');
    });
    const frames: unknown[] = [];
    const bad: string[] = [];
    const s = new BybitSocket({
      url,
      name: 'test',
      clock: new WallClock(),
      dialect: dialect(),
      onFrame: (f) => frames.push(f.topic),
      onBadFrame: (r) => bad.push(r),
      maxFrameBytes: 1000,
      backoff: { baseMs: 10, maxMs: 10 },
      random: () => 0,
    });
    sockets.push(s);
    await s.connect();
    await until(() => frames.length === 1);
    expect(frames).toEqual(['small']);
    expect(bad.some((r) => /over 1000 bytes/.test(r))).toBe(true);
  });

  it('fails the first connect with the open step’s reason instead of retrying forever', async () => {
    const url = await server(() => undefined);
    const s = new BybitSocket({
      url,
      name: 'private',
      clock: new WallClock(),
      dialect: dialect(() => Promise.reject(new Error('login refused'))),
      onFrame: () => undefined,
    });
    sockets.push(s);
    await expect(s.connect()).rejects.toThrow(/private: login refused/);
  });
});
