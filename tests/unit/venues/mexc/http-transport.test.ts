import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MexcHttp } from '../../../../engine/venues/mexc/http-transport.ts';

interface TestServer {
  url: string;
  /** Connections accepted so far. */
  connections: () => number;
  /** Requests that reached the handler. */
  requests: () => number;
  /** Destroys every open connection now, as the simulator's dropConnections does. */
  dropAll: () => void;
  close: () => Promise<void>;
}

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function server(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let requests = 0;
  const s = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => handle(req, res));
  });
  s.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  closers.push(close);
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    requests: () => requests,
    dropAll: () => {
      for (const socket of sockets) socket.destroy();
    },
    close,
  };
}

const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(200, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('MexcHttp', () => {
  it('answers status, Retry-After and body, and keeps the connection for the next request', async () => {
    const srv = await server((req, res) => json(res, { path: req.url }, { 'Retry-After': '7' }));
    const http = new MexcHttp({ baseUrl: srv.url, timeoutMs: 2000 });
    const first = await http.send('GET', '/api/v3/time?x=1', {});
    expect(first).toEqual({ ok: true, status: 200, retryAfter: '7', text: '{"path":"/api/v3/time?x=1"}' });
    await http.send('DELETE', '/api/v3/order', {});
    expect(srv.connections()).toBe(1);
  });

  it('sends a pooled request the server dropped in the same turn on a fresh connection, once', async () => {
    const srv = await server((_req, res) => json(res, {}));
    const http = new MexcHttp({ baseUrl: srv.url, timeoutMs: 2000 });
    expect((await http.send('POST', '/api/v3/order?a=1', {})).ok).toBe(true);
    srv.dropAll();
    // Written at once on the pooled socket, this would fail with ECONNRESET unseen by the server.
    const again = await http.send('POST', '/api/v3/order?a=2', {});
    expect(again.ok).toBe(true);
    expect(srv.requests()).toBe(2);
    expect(srv.connections()).toBe(2);
  });

  it('gives up at the deadline as "timed out"', async () => {
    const srv = await server((_req, res) => setTimeout(() => json(res, {}), 1500));
    const http = new MexcHttp({ baseUrl: srv.url, timeoutMs: 100 });
    const started = performance.now();
    expect(await http.send('GET', '/slow', {})).toEqual({ ok: false, failure: 'timed out' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('answers a refused connection and a cut-off answer with the socket error, never throwing', async () => {
    const gone = await server(() => undefined);
    await gone.close();
    const refused = await new MexcHttp({ baseUrl: gone.url, timeoutMs: 2000 }).send('GET', '/x', {});
    expect(refused).toEqual({ ok: false, failure: 'ECONNREFUSED' });

    const cut = await server((req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"half":');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const answer = await new MexcHttp({ baseUrl: cut.url, timeoutMs: 2000 }).send('GET', '/x', {});
    expect(answer.ok).toBe(false);
  });

  it('puts a base URL path in front of every request', async () => {
    const srv = await server((req, res) => json(res, { path: req.url }));
    const http = new MexcHttp({ baseUrl: `${srv.url}/prefix/`, timeoutMs: 2000 });
    const answer = await http.send('GET', '/api/v3/ping', {});
    expect(answer.ok && answer.text).toBe('{"path":"/prefix/api/v3/ping"}');
  });

  it('answers every request on a base URL it cannot use, without throwing at construction', async () => {
    for (const baseUrl of ['not a url', 'ftp://127.0.0.1:1']) {
      const http = new MexcHttp({ baseUrl, timeoutMs: 2000 });
      expect(await http.send('GET', '/x', {})).toEqual({ ok: false, failure: 'bad base URL' });
    }
  });
});
