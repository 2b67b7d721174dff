import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WallClock } from '../../../engine/core/clock.ts';
import { Engine } from '../../../engine/api/engine.ts';
import { createLogger } from '../../../engine/host/log.ts';
import { startHost, type Host, type ServerFrame } from '../../../engine/host/ws-server.ts';
import { RecordingSession } from '../api/test-session.ts';

const TOKEN = 'test-token-0123456789abcdef';
let host: Host | undefined;
let logText = '';

async function setup() {
  const clock = new WallClock();
  const session = new RecordingSession(clock);
  const engine = new Engine({ clock, session });
  await engine.start();
  logText = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  const rendererDir = mkdtempSync(join(tmpdir(), 'mmws-r-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  host = await startHost({
    engine,
    log: createLogger({ destination, level: 'info' }),
    token: TOKEN,
    rendererDir,
  });
  return { engine, session, host, origin: `http://127.0.0.1:${host.port}` };
}

afterEach(async () => {
  await host?.close();
  host = undefined;
});

/** Opens a socket; resolves with it once open, or with the HTTP status of a refused handshake. */
function open(
  port: number,
  token: string,
  origin?: string,
): Promise<{ ws?: WebSocket; got: ServerFrame[]; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${encodeURIComponent(token)}`, {
      headers: origin ? { Origin: origin } : {},
    });
    // Collect from the start: the server's first frame can arrive in the same chunk as the handshake.
    const got: ServerFrame[] = [];
    ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString()) as ServerFrame));
    ws.on('open', () => resolve({ ws, got }));
    ws.on('unexpected-response', (_req, res) => resolve({ got, status: res.statusCode }));
    ws.on('error', () => resolve({ got, status: -1 }));
  });
}

async function until<T>(fn: () => T | undefined, ms = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('browser-mode WebSocket transport', () => {
  it('round-trips a command and pushes the state on connect', async () => {
    const { host, origin, session } = await setup();
    const { ws, got } = await open(host.port, TOKEN, origin);
    await until(() => got.find((f) => f.type === 'state'));
    ws!.send(JSON.stringify({ id: 7, command: 'overrides.set', input: { gamma: 0.25 } }));
    const res = await until(() => got.find((f) => f.type === 'response'));
    expect(res).toEqual({
      type: 'response',
      id: 7,
      response: { ok: true, value: { at: expect.any(Number) as number } },
    });
    expect(session.calls).toEqual([{ name: 'overrides.set', input: { gamma: 0.25 } }]);
    ws!.close();
  });

  it('refuses a wrong or missing token and a foreign origin, and logs why without the token', async () => {
    const { host, origin, session } = await setup();
    expect((await open(host.port, 'wrong-token', origin)).status).toBe(401);
    expect((await open(host.port, '', origin)).status).toBe(401);
    expect((await open(host.port, TOKEN, 'https://evil.example')).status).toBe(403);
    expect((await open(host.port, TOKEN)).status).toBe(403);
    expect(session.calls).toEqual([]);
    expect(logText).toContain('wrong or missing token');
    expect(logText).toContain('wrong origin');
    expect(logText).not.toContain(TOKEN);
  });

  it('answers malformed frames with an error, keeps state and the connection', async () => {
    const { host, origin, session } = await setup();
    const { ws, got } = await open(host.port, TOKEN, origin);
    await until(() => got.find((f) => f.type === 'state'));
    const before = JSON.stringify(session.snapshot());
    ws!.send('not json');
    ws!.send(JSON.stringify({ command: 'engine.ping' }));
    ws!.send(JSON.stringify({ id: 1, command: 'engine.ping', extra: true }));
    ws!.send(Buffer.from([1, 2, 3]), { binary: true });
    ws!.send(JSON.stringify({ id: 2, command: 'no.such', input: {} }));
    ws!.send(
      JSON.stringify({
        id: 3,
        command: 'orders.place',
        input: { side: 'buy', price: 'NaN', size: '1', postOnly: true },
      }),
    );
    await until(() => (got.filter((f) => f.type === 'error').length === 4 ? true : undefined));
    const responses = await until(() => {
      const r = got.filter((f): f is Extract<ServerFrame, { type: 'response' }> => f.type === 'response');
      return r.length === 2 ? r : undefined;
    });
    expect(responses.map((r) => !r.response.ok && r.response.error.code)).toEqual([
      'unknown_command',
      'invalid_input',
    ]);
    expect(session.calls).toEqual([]);
    expect(JSON.stringify(session.snapshot())).toBe(before);
    ws!.send(JSON.stringify({ id: 4, command: 'engine.ping', input: {} }));
    const pong = await until(() => got.find((f) => f.type === 'response' && f.id === 4));
    expect(pong.type === 'response' && pong.response.ok).toBe(true);
    expect(logText).toContain('malformed frame refused');
    ws!.close();
  });

  it('serves the renderer with a strict CSP and never a file outside its folder', async () => {
    const { host } = await setup();
    const base = `http://127.0.0.1:${host.port}`;
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`ws://127.0.0.1:${host.port}`);
    // Cross-origin isolated: nothing from elsewhere embedded, and the page's clock at full resolution.
    expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(index.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/assets/missing.js',
    ]) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });
});
